"""Django forms built from a catalogue schema, one per wizard step."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.identifiers import clean_iban, clean_siret
from documents.forms import UploadField

from .schema import INPUT_TYPES, NO, YES, is_shown

REQUIRED = _("Ce champ est obligatoire.")
MAX_AMOUNT = Decimal("999999999999.99")


def _field(item: dict) -> forms.Field:
    kind = item["type"]
    # Required as the editors said, so the label says it too (no « (Optionnel) » on a required
    # field). A field shown only under a condition is required only when shown: the form's
    # clean() drops its errors while it is hidden.
    common = {"label": item["label"], "help_text": item["help_text"],
              "required": bool(item["required"])}
    if kind == "text":
        return forms.CharField(max_length=200, **common)
    if kind == "long_text":
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                               **common)
    if kind == "integer":
        return forms.IntegerField(min_value=-10**12, max_value=10**12, **common)
    if kind == "decimal":
        return forms.DecimalField(max_digits=18, decimal_places=6, localize=True, **common)
    if kind == "amount":
        return forms.DecimalField(max_digits=14, decimal_places=2, localize=True, validators=[
            MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)], **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[
            MinValueValidator(date(1900, 1, 1), _("Saisissez une date postérieure à 1900.")),
            MaxValueValidator(date(2100, 12, 31), _("Saisissez une date antérieure à 2101."))],
            **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", _("— Choisir —"))]
                                 + [(c, c) for c in item["choices"]], **common)
    if kind == "multiple_choice":
        return forms.MultipleChoiceField(choices=[(c, c) for c in item["choices"]],
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == "yes_no":
        return forms.ChoiceField(choices=[(YES, _("Oui")), (NO, _("Non"))],
                                 widget=forms.RadioSelect, **common)
    if kind == "email":
        return forms.EmailField(max_length=254, **common)
    if kind == "phone":
        return forms.RegexField(r"^\+?[0-9 .()-]{6,20}$", max_length=20, error_messages={
            "invalid": _("Numéro de téléphone invalide.")}, **common)
    if kind == "siret":
        return forms.CharField(max_length=20, validators=[], **common)
    if kind == "iban":
        return forms.CharField(max_length=42, **common)
    if kind == "file":
        # The editors' help text first, then what the input takes.
        return UploadField(lead=item["help_text"], **{**common, "help_text": None})
    raise ValueError(kind)


def to_json(item: dict, value):
    """An answer as stored in the case (JSON)."""
    if value in (None, "", []):
        return None
    if item["type"] == "amount":
        return format(value.quantize(Decimal("0.01")), "f")
    if item["type"] == "decimal":
        return format(value.normalize(), "f") if value else "0"
    if item["type"] == "date":
        return value.isoformat()
    if item["type"] == "file":
        return None  # files become attachments; the view records them
    return value


class StepForm(DsfrBaseForm):
    """The fields of one step. Conditional fields are checked here, on the server: a field
    whose condition does not hold is never required and its value is dropped."""

    def __init__(self, *args, items: list[dict], previous_answers: dict | None = None,
                 stored_files: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [item for item in items if item["type"] in INPUT_TYPES]
        self.display_items = items
        self.previous_answers = previous_answers or {}
        self.stored_files = stored_files or {}
        for item in self.items:
            field = self.fields[item["key"]] = _field(item)
            field.error_messages["required"] = REQUIRED
            if item.get("show_if"):
                # Required only while shown: the browser must not insist on a field the page
                # may hide (it would refuse to send the form), the server decides in clean().
                field.widget.use_required_attribute = lambda initial: False
            if item["type"] == "file" and item["key"] in self.stored_files:
                # A resumed draft: the file on record fulfils the requirement.
                field.satisfied_by(self.stored_files[item["key"]], lead=item["help_text"])
        self._bound_fields_cache.clear()

    def _clean_value(self, item, value):
        if value in (None, "", []):
            return value
        if item["type"] == "siret":
            return clean_siret(value)
        if item["type"] == "iban":
            return clean_iban(value)
        return value

    def clean(self):
        cleaned = super().clean()
        answers = {**self.previous_answers}
        for item in self.items:
            key = item["key"]
            if not is_shown(item, answers):
                # Hidden: whatever was posted (even forged or invalid) is dropped.
                self._errors.pop(key, None)
                cleaned[key] = None
                continue
            if key in self._errors:
                continue
            try:
                value = self._clean_value(item, cleaned.get(key))
            except forms.ValidationError as exc:
                self.add_error(key, exc)
                continue
            cleaned[key] = value
            missing = value in (None, "", [])
            if missing and item["type"] == "file" and key in self.stored_files:
                missing = False
            if item["required"] and missing:
                self.add_error(key, REQUIRED)
                continue
            if item["type"] in ("yes_no", "choice"):
                answers[key] = value
        return cleaned

    def answers(self) -> dict:
        return {item["key"]: to_json(item, self.cleaned_data.get(item["key"]))
                for item in self.items if item["type"] != "file"}


class GenericSummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les informations saisies sont exactes."),
        error_messages={"required": _("Cochez cette case pour déposer la demande.")},
    )
