"""The form catalogue: editors configure each procedure form as a Wagtail page."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cases import kinds
from cases.models import AppendOnlyModel
from documents.models import AttachmentKind
from portal.models import AgentGroup, Service

from . import editing, preview
from .annotation_schema import AnnotationSchemaError, annotation_schema
from .blocks import FieldStream
from .letters import LETTER_FEATURES, LETTERS_HELP, LetterError, check_letter
from .panels import OpenCasesPanel
from .routing import routing_fields, rule_error
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formset = self.formsets.get("routing_rules")
        if formset is not None:
            # Each group is labelled with its centre's code: read with it, in one query.
            groups = AgentGroup.objects.select_related("centre")
            for form in [*formset.forms, formset.empty_form]:
                form.fields["group"].queryset = groups

    def clean(self):
        cleaned = super().clean()
        self._check_routing_rules(cleaned.get("fields"))
        self._refuse_breaking_changes(cleaned)
        return cleaned

    def _check_routing_rules(self, stream) -> None:
        """Each routing rule names a field of this form a rule may read and a value that
        field can take; the error is shown on the rule, in the rules' panel."""
        formset = self.formsets.get("routing_rules")
        if formset is None or stream is None:
            return
        try:
            fields = routing_fields(build_schema(stream, ""))
        except SchemaError:
            return  # the fields' own error is shown; the rules are checked once it is fixed
        formset.is_valid()  # cleans the rules (once) so that their values can be read
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("field_label"):
                continue
            error = rule_error(fields, data["field_label"], data.get("value") or "")
            if error:
                form.add_error(*error)

    def _refuse_breaking_changes(self, cleaned) -> None:
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
    # Decision letters (the decisions app renders and signs them on completion / rejection).
    acceptance_letter = RichTextField(_("courrier d'acceptation"), blank=True,
                                      features=LETTER_FEATURES)
    refusal_letter = RichTextField(_("courrier de refus"), blank=True, features=LETTER_FEATURES)
    # Private annotations: fields the centre's agents fill while processing a case, never
    # shown to the requester (stored apart from the case: CaseAnnotations).
    annotations = StreamField(FieldStream(), verbose_name=_("annotations privées (centre)"),
                              blank=True)

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
        MultiFieldPanel([FieldPanel("acceptance_letter"), FieldPanel("refusal_letter")],
                        heading=_("Courriers de décision"), help_text=LETTERS_HELP),
        MultiFieldPanel([FieldPanel("annotations")], heading=_("Annotations privées (centre)"),
                        help_text=_("Champs remplis par les agents du centre pendant le "
                                    "traitement. Jamais montrés au demandeur (pages, PDF, API, "
                                    "exports du service).")),
        InlinePanel("routing_rules", heading=_("Orientation vers un groupe d'agents"),
                    label=_("Règle d'orientation"),
                    help_text=_("Au dépôt, la première règle qui correspond aux réponses oriente "
                                "le dossier vers un groupe du centre ; sans règle applicable, "
                                "il va dans la file générale du centre.")),
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

    @property
    def annotations_schema(self) -> dict:
        """The private annotations' schema (forms_catalog.annotation_schema)."""
        return annotation_schema(self.annotations)

    def clean(self):
        super().clean()
        try:
            build_schema(self.fields, "")
        except SchemaError as exc:
            raise ValidationError({"fields": str(exc)}) from exc
        errors = {}
        for name in ("acceptance_letter", "refusal_letter"):
            try:
                check_letter(getattr(self, name) or "", self.field_schema)
            except LetterError as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)
        try:
            annotation_schema(self.annotations)
        except (SchemaError, AnnotationSchemaError) as exc:
            raise ValidationError({"annotations": str(exc)}) from exc
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


class CaseAnnotations(models.Model):
    """A case's private annotations: what the centre's agents noted while processing it.

    Kept apart from the case (Case.extra is what the requester sees) so that no page, PDF,
    API answer or export of the requesting service can show them by accident. `schema` is the
    form's annotation schema pinned at the first save (later edits of the form never change
    the meaning of values already written); `version` guards against lost updates; every save
    is journalled in AnnotationChange (who, when, what changed)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE,
                                related_name="private_annotations")
    revision = models.ForeignKey("wagtailcore.Revision", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    schema = models.JSONField(default=dict)
    values = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("annotations privées d'un dossier")
        verbose_name_plural = _("annotations privées des dossiers")

    def __str__(self):
        return f"{self.case} (v{self.version})"


class AnnotationChange(AppendOnlyModel):
    """The journal of private annotations (not CaseEvent, which the requester reads): one row
    per save, with the values before and after of each field changed."""

    APPEND_ONLY_MESSAGE = "Le journal des annotations ne peut être ni modifié ni supprimé."

    annotations = models.ForeignKey(CaseAnnotations, on_delete=models.PROTECT,
                                    related_name="changes")
    version = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField()
    # {key: {"label": ..., "before": ..., "after": ...}} for each field whose value changed.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["annotations", "version"]
        constraints = [models.UniqueConstraint(fields=["annotations", "version"],
                                               name="annotation_change_once_per_version")]
class RoutingRule(Orderable):
    """« Si le champ … vaut … → groupe … » (forms_catalog.routing reads them)."""

    page = ParentalKey(ProcedureFormPage, on_delete=models.CASCADE,
                       related_name="routing_rules")
    field_label = models.CharField(
        _("si le champ…"), max_length=200,
        help_text=_("Libellé exact d'un champ à choix, oui/non ou texte court du formulaire."))
    value = models.CharField(
        _("…vaut"), max_length=200,
        help_text=_("« oui », « non », l'un des choix proposés (contenu dans la réponse, pour "
                    "un choix multiple) ou le texte attendu ; majuscules indifférentes."))
    group = models.ForeignKey(
        AgentGroup, verbose_name=_("→ groupe d'agents"), on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Une règle dont le groupe appartient à un autre centre que celui du dossier "
                    "ne s'applique pas."))

    panels = [
        FieldPanel("field_label"), FieldPanel("value"),
        FieldPanel("group", widget=forms.Select),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("règle d'orientation")
        verbose_name_plural = _("règles d'orientation")

    def __str__(self):
        return f"{self.field_label} = {self.value} → {self.group_id}"
