"""The form catalogue: editors configure each procedure form as a Wagtail page."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cases import kinds
from documents.models import AttachmentKind
from portal.models import Service

from . import editing, preview
from .blocks import FieldStream
from .panels import OpenCasesPanel
from .schema import SchemaError, build_schema


class FormIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["forms_catalog.ProcedureFormPage"]
    max_count = 1
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("catalogue des formulaires")


class ProcedureFormPageForm(WagtailAdminPageForm):
    # Stored as a JSON list; edited as check boxes of the attachment kinds.
    required_attachments = forms.MultipleChoiceField(
        label=_("pièces obligatoires"), choices=AttachmentKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple)

    def clean(self):
        cleaned = super().clean()
        # A change that would break open drafts is refused on publication (and submission for
        # moderation); saving a draft revision stays allowed (forms_catalog/editing.py).
        page = self.instance
        if page.pk and not self.is_deferred_validation and "form_kind" in cleaned:
            live = type(page).objects.filter(pk=page.pk).values_list("form_kind", flat=True)
            services = cleaned.get("services")
            refusals = editing.publication_refusals(
                page_id=page.pk, live_kind=live.first() or "",
                live_service_ids=set(type(page).services.through.objects.filter(
                    procedureformpage_id=page.pk).values_list("service_id", flat=True)),
                new_kind=cleaned["form_kind"],
                new_service_ids={s.pk for s in services} if services is not None else set())
            for field, messages in refusals.items():
                self.add_error(field, messages)
        return cleaned


class ProcedureFormPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    form_kind = models.CharField(_("type de formulaire"), max_length=20,
                                 choices=kinds.choices, default="generic")
    services = ParentalManyToManyField(
        Service, verbose_name=_("services autorisés"), blank=True, related_name="+",
        limit_choices_to={"kind": Service.Kind.PRESCRIBING},
        help_text=_("Aucun : tous les services prescripteurs."))
    validation_required = models.BooleanField(
        _("validation par un ordonnateur"), default=False,
        help_text=_("Une demande doit être validée par un ordonnateur du service dont la "
                    "délégation couvre le montant."))
    validation_above = models.DecimalField(
        _("seulement au-delà de (€ TTC)"), max_digits=14, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(0)])
    required_attachments = models.JSONField(_("pièces obligatoires"), default=list, blank=True)
    confirmation_message = models.CharField(
        _("message de confirmation"), max_length=300, blank=True,
        help_text=_("Affiché au dépôt de la demande."))
    procedure_sheet = models.ForeignKey(
        "conventions.ProcedureSheetPage", verbose_name=_("fiche de procédure"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+")
    fields = StreamField(FieldStream(), verbose_name=_("champs"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel([
            FieldPanel("form_kind"),
            FieldPanel("services", widget=forms.CheckboxSelectMultiple),
            FieldPanel("validation_required"), FieldPanel("validation_above"),
            FieldPanel("required_attachments"),
            FieldPanel("confirmation_message"),
            FieldPanel("procedure_sheet"),
        ], heading=_("Réglages")),
        FieldPanel("fields"),
        OpenCasesPanel(),
    ]
    base_form_class = ProcedureFormPageForm
    copy_form_class = editing.ProcedureFormCopyForm
    preview_modes = preview.MODES
    parent_page_types = ["forms_catalog.FormIndexPage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("form_kind"), APIField("validation_required"),
                  APIField("validation_above"), APIField("required_attachments"),
                  APIField("confirmation_message"), APIField("service_codes"),
                  APIField("field_schema")]

    class Meta:
        verbose_name = _("formulaire du catalogue")
        verbose_name_plural = _("formulaires du catalogue")

    @property
    def service_codes(self) -> list[str]:
        return sorted(self.services.values_list("code", flat=True))

    def _kind_spec(self) -> kinds.KindSpec:
        try:
            return kinds.get(self.form_kind)
        except kinds.UnknownKind:  # a kind no longer installed: its answers only
            return kinds.KindSpec(code=self.form_kind, label=self.form_kind, reference_prefix="",
                                  resume_url="", answers_are_content=True)

    @property
    def field_schema(self) -> dict:
        # Editor fields follow the built-in steps of the other kinds.
        first = _("Votre demande") if self._kind_spec().answers_are_content else _(
            "Informations complémentaires")
        return build_schema(self.fields, str(first))

    def clean(self):
        super().clean()
        try:
            build_schema(self.fields, "")
        except SchemaError as exc:
            raise ValidationError({"fields": str(exc)}) from exc
        unknown = set(self.required_attachments or []) - set(AttachmentKind.values)
        if unknown:
            raise ValidationError({"required_attachments": _("Type de pièce inconnu.")})
        if self.required_attachments and not self._kind_spec().editor_attachments:
            raise ValidationError({"required_attachments": _(
                "Seule la demande d'achat a une étape de pièces : pour ce formulaire, ajoutez "
                "plutôt des champs « Fichier » obligatoires.")})

    def serve_preview(self, request, mode_name):
        # The form as a requester fills it, from the edited (unsaved) page: no case is made.
        return preview.render(request, page=self, schema=self.field_schema, mode=mode_name)

    def validation_policy(self) -> dict:
        return {"required": self.validation_required,
                "above": str(self.validation_above) if self.validation_above is not None
                else None}
