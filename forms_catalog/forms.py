"""Django forms built from a catalogue schema, one per wizard step.

Most types are one Django field named by the item's key. The composite ones are several:
an address is `<key>__street`, `<key>__postcode`, `<key>__commune`; a commune
`<key>__postcode`, `<key>__commune`; a date range `<key>__start`, `<key>__end`; a repetition
block `<key>__rows` (how many rows are shown) and `<key>__<row>__<sub key>` for each field
of each row. Each answer is computed in clean() as the JSON the case stores, so that the
conditions of the following fields are evaluated on exactly what will be recorded.
"""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.identifiers import clean_iban, clean_nir, clean_siret, clean_vat
from documents.forms import UploadField

from . import referentials
from .conditions import condition_of, is_filled
from .schema import INPUT_TYPES, NO, YES, is_shown

REQUIRED = _("Ce champ est obligatoire.")
MAX_AMOUNT = Decimal("999999999999.99")
PATTERN_INPUT_MAX = 200
FILE_TYPES = ("file", "files")
SEP = "__"


def _date_field(**common) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[
        MinValueValidator(date(1900, 1, 1), _("Saisissez une date postérieure à 1900.")),
        MaxValueValidator(date(2100, 12, 31), _("Saisissez une date antérieure à 2101."))],
        **common)


def _decimal_field(item: dict, **common) -> forms.DecimalField:
    validators = []
    if item.get("min") is not None:
        low = Decimal(item["min"])
        validators.append(MinValueValidator(low, _g("Saisissez un nombre supérieur ou égal à "
                                                    "%(min)s.") % {"min": _number_text(low)}))
    if item.get("max") is not None:
        high = Decimal(item["max"])
        validators.append(MaxValueValidator(high, _g("Saisissez un nombre inférieur ou égal à "
                                                     "%(max)s.") % {"max": _number_text(high)}))
    return forms.DecimalField(max_digits=18, decimal_places=6, localize=True,
                              validators=validators, **common)


def _number_text(number: Decimal) -> str:
    return format(number.normalize(), "f").replace(".", ",") if number else "0"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleUploadField(UploadField):
    """Several files in one input; each checked like a single one (documents.validation,
    when the wizard stores them)."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int, **kwargs):
        super().__init__(**kwargs)
        self.max_files = max_files
        self.widget.attrs["multiple"] = True

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required and self.on_record is None:
                raise forms.ValidationError(REQUIRED, code="required")
            return []
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _g("Au plus %(max)s fichiers (vous en avez choisi %(count)s).")
                % {"max": self.max_files, "count": len(files)}, code="max_files")
        return [forms.FileField.clean(self, f, None) for f in files]


def _field(item: dict, *, cases=()) -> forms.Field:
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
        return _date_field(**common)
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
    if kind == "nir":
        return forms.CharField(max_length=30, **common)
    if kind == "vat":
        return forms.CharField(max_length=30, **common)
    if kind == "department":
        return forms.ChoiceField(choices=[("", _("— Choisir —"))] + [
            (code, f"{code} — {name}") for code, name in referentials.DEPARTMENTS], **common)
    if kind == "country":
        return forms.ChoiceField(choices=[("", _("— Choisir —"))] + referentials.countries(),
                                 **common)
    if kind == "bounded_number":
        return _decimal_field(item, **common)
    if kind == "pattern_text":
        return forms.CharField(max_length=PATTERN_INPUT_MAX, **common)
    if kind == "case_link":
        return forms.ChoiceField(choices=[("", _("— Choisir —"))] + list(cases), error_messages={
            "invalid_choice": _("Choisissez l'une de vos demandes dans la liste.")}, **common)
    if kind == "file":
        # The editors' help text first, then what the input takes.
        return UploadField(lead=item["help_text"], **{**common, "help_text": None})
    if kind == "files":
        lead = " ".join(filter(None, [item["help_text"], _g(
            "Jusqu'à %(max)s fichiers ; un nouvel envoi remplace les fichiers déjà joints.")
            % {"max": item["max_files"]}]))
        return MultipleUploadField(lead=lead, max_files=item["max_files"],
                                   **{**common, "help_text": None})
    raise ValueError(kind)


def _sub_fields(item: dict) -> list[tuple[str, forms.Field]]:
    """The Django fields of a composite item (never required themselves: clean() decides)."""
    kind, key = item["type"], item["key"]

    def text(label, length, **attrs):
        return forms.CharField(label=label, max_length=length,
                               widget=forms.TextInput(attrs=attrs))

    if kind == "address":
        return [(f"{key}{SEP}street", text(_("Numéro et voie"), 200,
                                           autocomplete="street-address")),
                (f"{key}{SEP}postcode", text(_("Code postal"), 10, inputmode="numeric",
                                             autocomplete="postal-code")),
                (f"{key}{SEP}commune", text(_("Commune"), 100, autocomplete="address-level2"))]
    if kind == "commune":
        return [(f"{key}{SEP}postcode", text(_("Code postal"), 10, inputmode="numeric",
                                             autocomplete="postal-code")),
                (f"{key}{SEP}commune", text(_("Commune"), 100, autocomplete="address-level2"))]
    if kind == "date_range":
        return [(f"{key}{SEP}start", _date_field(label=_("Du"))),
                (f"{key}{SEP}end", _date_field(label=_("Au")))]
    return []


COMPOSITE_TYPES = ("address", "commune", "date_range")


class _AlreadyInvalid(Exception):
    """A repetition row has field errors: they say it all."""


def to_json(item: dict, value):
    """An answer as stored in the case (JSON)."""
    if value in (None, "", []):
        return None
    if item["type"] == "amount":
        return format(value.quantize(Decimal("0.01")), "f")
    if item["type"] in ("decimal", "bounded_number"):
        return format(value.normalize(), "f") if value else "0"
    if item["type"] == "date":
        return value.isoformat()
    if item["type"] in FILE_TYPES:
        return None  # files become attachments; the view records them
    return value


def row_count(item: dict, data, prefix: str | None) -> int:
    """How many rows of a repetition block the page shows: what it posted, within bounds;
    unposted: the minimum (at least one)."""
    low, high = item["min_rows"], item["max_rows"]
    name = f"{item['key']}{SEP}rows"
    raw = data.get(f"{prefix}-{name}" if prefix else name) if data is not None else None
    try:
        count = int(raw) if raw is not None and len(str(raw)) <= 6 else None
    except (TypeError, ValueError):
        count = None
    if count is None:
        count = max(low, 1)
    return max(low, 0, min(count, high))


class StepForm(DsfrBaseForm):
    """The fields of one step. Conditional fields are checked here, on the server: a field
    whose condition does not hold is never required and its value is dropped."""

    def __init__(self, *args, items: list[dict], previous_answers: dict | None = None,
                 stored_files: dict | None = None, user=None, exclude_case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [item for item in items if item["type"] in INPUT_TYPES]
        self.display_items = items
        self.previous_answers = previous_answers or {}
        self.stored_files = stored_files or {}
        self.user, self.exclude_case = user, exclude_case
        self.names: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}
        self._linkable = None
        self.computed: dict = {}
        for item in self.items:
            self.names[item["key"]] = self._add_fields(item)
        self._bound_fields_cache.clear()

    # --- building ---------------------------------------------------------------------------

    def linkable_cases(self) -> list[tuple[str, str]]:
        """(reference, label) of the cases the requester may see, newest first (300 at most
        in the list; the server checks the chosen one against all of them)."""
        if self._linkable is None:
            from cases import permissions

            if self.user is None:
                self._linkable = []
            else:
                cases = permissions.visible_cases(self.user).filter(reference__isnull=False)
                if self.exclude_case is not None:
                    cases = cases.exclude(pk=self.exclude_case.pk)
                self._linkable = [(ref, f"{ref} — {subject}"[:150]) for ref, subject in
                                  cases.order_by("-created_at").values_list("reference",
                                                                            "subject")[:300]]
        return self._linkable

    def _add_fields(self, item: dict) -> list[str]:
        key, kind = item["key"], item["type"]
        if kind in COMPOSITE_TYPES:
            names = []
            for name, field in _sub_fields(item):
                # Each part says it is required as the whole is; clean() decides per part.
                field.required = bool(item["required"])
                field.error_messages["required"] = REQUIRED
                field.widget.use_required_attribute = lambda initial: False
                self.fields[name] = field
                names.append(name)
            return names
        if kind == "repetition":
            return self._add_rows(item)
        field = self.fields[key] = _field(
            item, cases=self.linkable_cases() if kind == "case_link" else ())
        field.error_messages["required"] = REQUIRED
        if condition_of(item):
            # Required only while shown: the browser must not insist on a field the page
            # may hide (it would refuse to send the form), the server decides in clean().
            field.widget.use_required_attribute = lambda initial: False
        if kind in FILE_TYPES and key in self.stored_files:
            # A resumed draft: the file on record fulfils the requirement.
            field.satisfied_by(self.stored_files[key], lead=item["help_text"])
        return [key]

    def _add_rows(self, item: dict) -> list[str]:
        key = item["key"]
        count = self.rows[key] = row_count(item, self.data if self.is_bound else None,
                                           self.prefix)
        # Carries the block's own errors (minimum); the page posts the row count under this
        # name (the template writes the count the form computed, not what was posted).
        self.fields[f"{key}{SEP}rows"] = forms.CharField(required=False,
                                                         widget=forms.HiddenInput)
        names = [f"{key}{SEP}rows"]
        for row in range(count):
            for sub in item["fields"]:
                name = f"{key}{SEP}{row}{SEP}{sub['key']}"
                field = self.fields[name] = _field(sub)
                field.error_messages["required"] = REQUIRED
                field.widget.use_required_attribute = lambda initial: False
                names.append(name)
        return names

    # --- cleaning ---------------------------------------------------------------------------

    def _raw_blank(self, name: str) -> bool:
        value = self.data.get(self.add_prefix(name)) if self.is_bound else None
        return value is None or (isinstance(value, str) and not value.strip())

    def _clean_item(self, item: dict, cleaned: dict):
        """The item's answer as JSON (None when empty); raises ValidationError with a dict
        {field name: message} for what is wrong."""
        kind, key = item["type"], item["key"]
        value = cleaned.get(key)
        if kind in ("siret", "iban", "nir", "vat"):
            if value in (None, ""):
                return None
            check = {"siret": clean_siret, "iban": clean_iban, "nir": clean_nir,
                     "vat": clean_vat}[kind]
            try:
                return check(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError({key: exc.messages[0]}) from exc
        if kind == "pattern_text":
            if value in (None, ""):
                return None
            if re.fullmatch(item["pattern"], value) is None:
                raise forms.ValidationError({key: item.get("pattern_message") or _g(
                    "La réponse n'a pas le format attendu.")})
            return value
        if kind == "case_link":
            if value in (None, ""):
                return None
            from cases import permissions

            visible = permissions.visible_cases(self.user) if self.user else None
            if visible is None or not visible.filter(reference=value).exists() or (
                    self.exclude_case is not None and self.exclude_case.reference == value):
                raise forms.ValidationError({key: _g("Choisissez l'une de vos demandes dans "
                                                     "la liste.")})
            return value
        if kind in ("address", "commune"):
            return self._clean_place(item, cleaned)
        if kind == "date_range":
            return self._clean_range(item, cleaned)
        if kind == "repetition":
            return self._clean_rows(item, cleaned)
        return to_json(item, value)

    def _clean_place(self, item: dict, cleaned: dict):
        key = item["key"]
        parts = {part: (cleaned.get(f"{key}{SEP}{part}") or "").strip()
                 for part in (("street", "postcode", "commune") if item["type"] == "address"
                              else ("postcode", "commune"))}
        if not any(parts.values()):
            return None
        errors = {f"{key}{SEP}{part}": REQUIRED for part, text in parts.items() if not text}
        if errors:
            raise forms.ValidationError(errors)
        parts["postcode"] = parts["postcode"].replace(" ", "")
        postcode_error, commune_error = referentials.check_commune(parts["postcode"],
                                                                   parts["commune"])
        if postcode_error or commune_error:
            raise forms.ValidationError({f"{key}{SEP}postcode": postcode_error} if postcode_error
                                        else {f"{key}{SEP}commune": commune_error})
        return parts

    def _clean_range(self, item: dict, cleaned: dict):
        key = item["key"]
        start, end = cleaned.get(f"{key}{SEP}start"), cleaned.get(f"{key}{SEP}end")
        if start is None and end is None:
            return None
        if start is None or end is None:
            raise forms.ValidationError({f"{key}{SEP}{'start' if start is None else 'end'}":
                                         _g("Indiquez les deux dates de la période.")})
        errors = {}
        today = timezone.localdate()
        if item.get("earliest_days") is not None:
            earliest = today + timedelta(days=item["earliest_days"])
            if start < earliest:
                errors[f"{key}{SEP}start"] = _g("La période ne peut pas commencer avant le "
                                                "%(date)s.") % {"date": _day(earliest)}
        if item.get("latest_days") is not None:
            latest = today + timedelta(days=item["latest_days"])
            if end > latest:
                errors[f"{key}{SEP}end"] = _g("La période ne peut pas finir après le "
                                              "%(date)s.") % {"date": _day(latest)}
        if start > end:
            errors[f"{key}{SEP}end"] = _g("La date de fin doit être égale ou postérieure à la "
                                          "date de début.")
        if errors:
            raise forms.ValidationError(errors)
        return {"start": start.isoformat(), "end": end.isoformat()}

    def _clean_rows(self, item: dict, cleaned: dict):
        key, rows, errors = item["key"], [], {}
        for row in range(self.rows[key]):
            names = {sub["key"]: f"{key}{SEP}{row}{SEP}{sub['key']}" for sub in item["fields"]}
            if all(self._raw_blank(name) for name in names.values()):
                for name in names.values():  # an empty row is no row
                    self._errors.pop(name, None)
                continue
            values = {}
            for sub in item["fields"]:
                name = names[sub["key"]]
                if name in self._errors:
                    continue
                values[sub["key"]] = to_json(sub, cleaned.get(name))
                if sub["required"] and values[sub["key"]] in (None, "", []):
                    errors[name] = REQUIRED
            rows.append(values)
        if errors:
            raise forms.ValidationError(errors)
        if any(name in self._errors for name in self.names[key]):
            raise _AlreadyInvalid
        needed = max(item["min_rows"], 1) if item["required"] else item["min_rows"]
        if len(rows) < needed and (rows or item["required"]):
            raise forms.ValidationError({f"{key}{SEP}rows": _g(
                "Remplissez au moins une ligne.") if needed == 1 else _g(
                "Remplissez au moins %(min)s lignes (%(count)s remplie(s)).")
                % {"min": needed, "count": len(rows)}})
        return rows or None

    def clean(self):
        cleaned = super().clean()
        answers = {**self.previous_answers}
        self.computed = {}
        for item in self.items:
            key, names = item["key"], self.names[item["key"]]
            if not is_shown(item, answers):
                # Hidden: whatever was posted (even forged or invalid) is dropped.
                for name in names:
                    self._errors.pop(name, None)
                    cleaned[name] = None
                self.computed[key] = None
                continue
            if item["type"] in COMPOSITE_TYPES:
                # Which parts are missing is the item's own rule (_clean_place, _clean_range).
                for name in names:
                    if name in self._errors and all(
                            error.code == "required" for error in self._errors[name].as_data()):
                        del self._errors[name]
            if item["type"] != "repetition" and any(name in self._errors for name in names):
                continue
            try:
                value = self._clean_item(item, cleaned)
            except _AlreadyInvalid:
                continue
            except forms.ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.add_error(name, messages[0])
                continue
            if key in cleaned and item["type"] not in FILE_TYPES:
                cleaned[key] = value
            missing = not is_filled(value) and not (item["type"] in FILE_TYPES
                                                     and cleaned.get(key))
            if missing and item["type"] in FILE_TYPES and key in self.stored_files:
                missing = False
            if item["required"] and missing:
                self.add_error(f"{key}{SEP}rows" if item["type"] == "repetition" else names[0],
                               REQUIRED if item["type"] != "repetition" else _g(
                                   "Remplissez au moins une ligne."))
                continue
            self.computed[key] = value
            answers[key] = value
        return cleaned

    def answers(self) -> dict:
        self.errors  # noqa: B018 — cleans the form once if it was not yet
        return {item["key"]: self.computed.get(item["key"])
                for item in self.items if item["type"] not in FILE_TYPES}

    # --- display ----------------------------------------------------------------------------

    def blocks(self) -> list[dict]:
        """What the template shows, item by item: display items, and for each input its
        bound fields (rows of fields for a repetition block) and its condition."""
        here = set(self.names)
        shown = []
        for item in self.display_items:
            entry = {"item": item, "type": item["type"], "key": item["key"]}
            if item["key"] in self.names:
                entry["input"] = True
                entry["fields"] = [self[name] for name in self.names[item["key"]]
                                   if SEP + "rows" not in name]
                entry["composite"] = item["type"] in COMPOSITE_TYPES
                condition = condition_of(item)
                if condition:
                    rules = [{**rule, "known": None if rule["key"] in here else
                              self.previous_answers.get(rule["key"])}
                             for rule in condition["rules"]]
                    entry["condition"] = json.dumps({"combine": condition["combine"],
                                                     "rules": rules}, default=str)
                if item["type"] == "repetition":
                    entry.update(self._rows_display(item))
                stored = self.stored_files.get(item["key"])
                if stored:
                    entry["stored"] = [stored] if isinstance(stored, dict) else stored
            shown.append(entry)
        return shown

    def _rows_display(self, item: dict) -> dict:
        key, count = item["key"], self.rows[item["key"]]
        rows = [{"number": row + 1, "index": row,
                 "fields": [self[f"{key}{SEP}{row}{SEP}{sub['key']}"] for sub in item["fields"]]}
                for row in range(count)]
        return {"rows": rows, "rows_field": self[f"{key}{SEP}rows"], "count": count,
                "rows_name": self.add_prefix(f"{key}{SEP}rows"),
                "can_add": count < item["max_rows"], "can_remove": count > item["min_rows"],
                "add_name": self.add_prefix(f"{key}{SEP}add"),
                "remove_name": self.add_prefix(f"{key}{SEP}remove")}


def row_action(data, form: StepForm):
    """The data of `form` after its « Ajouter » / « Supprimer » button, or None when
    neither was pressed: adding shows one more row (up to the maximum), removing one
    shifts the following rows up (down to the minimum)."""
    for item in form.items:
        if item["type"] != "repetition":
            continue
        key = item["key"]
        add, remove = form.add_prefix(f"{key}{SEP}add"), form.add_prefix(f"{key}{SEP}remove")
        if add not in data and remove not in data:
            continue
        new = data.copy()
        for name in (add, remove):
            new.pop(name, None)
        count = row_count(item, data, form.prefix)
        rows_name = form.add_prefix(f"{key}{SEP}rows")
        if add in data:
            new[rows_name] = str(min(count + 1, item["max_rows"]))
            return new
        try:
            gone = int(data.get(remove))
        except (TypeError, ValueError):
            return new
        if not 0 <= gone < count or count <= item["min_rows"]:
            return new
        for row in range(gone, count):
            for sub in item["fields"]:
                here = form.add_prefix(f"{key}{SEP}{row}{SEP}{sub['key']}")
                following = form.add_prefix(f"{key}{SEP}{row + 1}{SEP}{sub['key']}")
                if row + 1 < count and following in data:
                    new.setlist(here, data.getlist(following))
                else:
                    new.pop(here, None)
        new[rows_name] = str(count - 1)
        return new
    return None


def _day(day: date) -> str:
    return date_format(day, "d/m/Y")


class GenericSummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les informations saisies sont exactes."),
        error_messages={"required": _("Cochez cette case pour déposer la demande.")},
    )
