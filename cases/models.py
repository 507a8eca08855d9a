"""Cases, their details, the append-only audit trail, and the referentials cases use."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.models import Service

from . import kinds, limits
from .fields import StoredDecimalField
from .identifiers import clean_iban, clean_siret
from .workflow import OPEN_STATES, Action, State


class CaseKind(models.TextChoices):
    """The codes of the kinds the portal ships with (what each kind app registers under, and
    the API's enumeration). The core reads kinds from the registry (cases/kinds.py), never
    from this list: a kind registered elsewhere is served the same way."""

    PURCHASE_REQUEST = "purchase_request", _("Demande d'achat")
    TIERS = "tiers", _("Demande de création ou modification de tiers")
    SERVICE_DONE = "service_done", _("Constatation du service fait")
    FIXED_ASSET = "fixed_asset", _("Demande de fiche immobilisation")
    GENERIC = "generic", _("Demande générique")




class Case(models.Model):
    reference = models.CharField(_("référence"), max_length=40, unique=True, null=True,
                                 blank=True, editable=False)
    kind = models.CharField(_("type de demande"), max_length=20, choices=kinds.choices)
    state = models.CharField(_("état"), max_length=20, choices=State.choices,
                             default=State.DRAFT, editable=False)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    requesting_service = models.ForeignKey(
        Service, verbose_name=_("service prescripteur"), on_delete=models.PROTECT,
        related_name="requested_cases",
    )
    processing_centre = models.ForeignKey(
        Service, verbose_name=_("centre de services partagés"), on_delete=models.PROTECT,
        related_name="processed_cases",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("demandeur"),
                                   on_delete=models.PROTECT, related_name="created_cases")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_cases")
    # The centre's sub-queue the case was routed to (forms_catalog.routing); none: the
    # centre's general queue. Deleting the group sends its cases back there.
    agent_group = models.ForeignKey("portal.AgentGroup", verbose_name=_("groupe d'agents"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="cases", editable=False)
    amount = StoredDecimalField(_("montant TTC"), max_digits=14, decimal_places=2,
                                default=Decimal("0"))
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    due_at = models.DateTimeField(_("échéance"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    # The convention whose parameters applied at submission, and the delay it gave: later
    # edits of the convention never move this case's due date.
    convention = models.ForeignKey("conventions.ConventionPage", verbose_name=_("convention"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    delay_working_days = models.PositiveSmallIntegerField(_("délai (jours ouvrés)"), null=True,
                                                          blank=True, editable=False)
    # The catalogue form and the revision it was filled with: `extra` keeps that revision's
    # field schema beside the answers, so the case always shows what was asked.
    procedure = models.ForeignKey("forms_catalog.ProcedureFormPage", verbose_name=_("formulaire"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    procedure_revision = models.ForeignKey("wagtailcore.Revision", null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+",
                                           editable=False)
    extra = models.JSONField(default=dict, blank=True)
    # A completed purchase request whose order form is not signed yet (the "à signer" tab),
    # set and cleared by the workflow's complete and sign effects: the tab then counts from a
    # small partial index instead of every completed request of the centre.
    awaiting_signature = models.BooleanField(default=False, editable=False)
    # The wizard's saved steps, so that a draft resumes where it stopped.
    wizard_state = models.JSONField(default=dict, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        permissions = [("process_case", _("Traiter le dossier"))]
        indexes = [
            models.Index(fields=["processing_centre", "state", "due_at"]),
            models.Index(fields=["requesting_service", "state", "created_at"]),
            models.Index(fields=["assigned_to", "state", "due_at"]),
            models.Index(fields=["created_by", "state"]),
            # Restitutions: what a service received and closed over a period, with the
            # columns they count by, so that a year of a centre is read from the indexes
            # alone (its cases are spread over the whole table).
            models.Index(fields=["requesting_service", "submitted_at", "kind", "id"],
                         name="case_received_by_service"),
            models.Index(fields=["requesting_service", "completed_at", "kind", "state",
                                 "submitted_at", "due_at", "id"], name="case_closed_by_service"),
            # The queue: a centre's open cases in due-date order, a few per cent of the table
            # (bench/README.md: the page stops after its 50 rows instead of sorting them all).
            # Its last columns let the tabs' counts (« Mes groupes » too) read the index alone.
            models.Index(fields=["processing_centre", "due_at", "id", "state", "assigned_to",
                                 "kind", "agent_group"],
                         condition=Q(state__in=sorted(OPEN_STATES)), name="case_open_queue"),
            models.Index(fields=["processing_centre"], condition=Q(awaiting_signature=True),
                         name="case_awaiting_signature"),
            # « Mes demandes » and the home page's last five, most recently changed first: read
            # in order from here rather than every case of the service sorted (2,600 for an
            # average service of the million cases: 84 ms).
            models.Index(F("requesting_service"), F("updated_at").desc(), F("id").desc(),
                         name="case_by_service_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="case_amount_positive"),
        ]

    def __str__(self):
        return self.display_reference

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    def get_resume_url(self):
        """Where the author resumes this draft: its kind's wizard."""
        from django.urls import reverse

        return reverse(kinds.get(self.kind).resume_url, args=[self.pk])

    @property
    def display_reference(self) -> str:
        return self.reference or _("Brouillon n° %(pk)s") % {"pk": self.pk}

    @property
    def display_kind(self) -> str:
        """What people call the request: the catalogue form's title for a generic request
        (« Demande générique » is the portal's internal name for "an editor's form")."""
        spec = kinds.get(self.kind)
        return spec.display_kind(self) if spec.display_kind else str(spec.label)

    @property
    def amount_shown(self) -> Decimal | None:
        """The amount lists and exports show; None (« — », an empty cell) for a request that
        carries no amount — a tiers or fixed-asset request, a catalogue form without an amount
        field — whose 0 would read as a request of 0,00 €."""
        spec = kinds.get(self.kind)
        if spec.amount_shown is not None:
            return spec.amount_shown(self)
        return self.amount if spec.has_amount else None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        # Whether one case is permitted, read from the index alone (a page of the queue).
        indexes = [models.Index(fields=["content_object", "permission", "user"],
                                name="case_user_perm_by_case")]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["content_object", "permission", "group"],
                                name="case_group_perm_by_case")]


class ReferenceCounter(models.Model):
    """Last number given per service, kind and year: references are gapless."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=kinds.choices)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "year"], name="reference_counter"),
        ]

    def __str__(self):
        return f"{self.service_id}/{self.kind}/{self.year}: {self.last_value}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(self.model.APPEND_ONLY_MESSAGE)

    def delete(self):
        raise PermissionError(self.model.APPEND_ONLY_MESSAGE)


class AppendOnlyModel(models.Model):
    """A journal: rows are added, never updated nor deleted (the model refuses it)."""

    APPEND_ONLY_MESSAGE = "Un journal ne peut être ni modifié ni supprimé."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(self.APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(self.APPEND_ONLY_MESSAGE)


class CaseEvent(AppendOnlyModel):
    """The audit trail: never updated, never deleted (and a trigger on PostgreSQL)."""

    APPEND_ONLY_MESSAGE = "Le journal des dossiers ne peut être ni modifié ni supprimé."

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), db_index=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created_at", "pk"]
        indexes = [
            # The restitutions count the questions asked over a period: a few per cent of
            # the journal.
            models.Index(fields=["created_at"], include=["case"],
                         condition=Q(action=Action.REQUEST_INFO),
                         name="event_question_by_date"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%d/%m/%Y %H:%M})"


# --- referentials ---------------------------------------------------------------------


class ImputationAxis(models.TextChoices):
    FINANCIAL_CENTRE = "financial_centre", _("Centre financier")
    COST_CENTRE = "cost_centre", _("Centre de coûts")
    ACTIVITY = "activity", _("Activité")
    FUNDS = "funds", _("Fonds de concours")


class BudgetImputation(models.Model):
    """One value of a budget axis in a prescribing service's referential."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="imputations")
    axis = models.CharField(_("axe"), max_length=20, choices=ImputationAxis.choices)
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("libellé"), max_length=200)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("imputation budgétaire")
        verbose_name_plural = _("imputations budgétaires")
        ordering = ["axis", "code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "axis", "code"], name="imputation_unique"),
        ]

    def __str__(self):
        return f"{self.code} — {self.label}"


def validate_siret(value: str) -> None:
    clean_siret(value)


def validate_iban(value: str) -> None:
    clean_iban(value)


class TiersCategory(models.TextChoices):
    COMPANY = "company", _("Entreprise")
    INDIVIDUAL = "individual", _("Particulier")
    PUBLIC_BODY = "public_body", _("Organisme public")
    FOREIGN = "foreign", _("Fournisseur étranger")
    AGENT = "agent", _("Agent de l'État")


class SupplierIdentity(models.Model):
    """What the directory knows of a supplier; a tiers request carries the same fields."""

    category = models.CharField(_("catégorie"), max_length=20, choices=TiersCategory.choices,
                                default=TiersCategory.COMPANY)
    name = models.CharField(_("raison sociale"), max_length=200)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    # NULL when there is none, as in the directory where the SIRET is unique.
    siret = models.CharField(_("SIRET"), max_length=14, null=True, blank=True,  # noqa: DJ001
                             validators=[validate_siret])
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    nir = models.CharField(_("NIR"), max_length=15, blank=True)
    vat_number = models.CharField(_("n° de TVA intracommunautaire"), max_length=20, blank=True)
    foreign_identifier = models.CharField(_("identifiant étranger"), max_length=40, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    email = models.EmailField(_("courriel"), blank=True)

    class Meta:
        abstract = True


# The identity fields copied from a validated request to the directory (and diffed in history).
IDENTITY_FIELDS = ("category", "name", "last_name", "first_name", "siret", "siren", "nir",
                   "vat_number", "foreign_identifier", "address", "postcode", "city", "country",
                   "iban", "bic", "email")


class Tiers(SupplierIdentity):
    """A supplier record of the directory (kept in Chorus, mirrored here)."""

    siret = models.CharField(_("SIRET"), max_length=14, unique=True, null=True, blank=True,
                             validators=[validate_siret])
    chorus_code = models.CharField(_("code tiers Chorus"), max_length=10, unique=True,
                                   null=True, blank=True)
    active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True, null=True)

    class Meta:
        verbose_name = _("tiers")
        verbose_name_plural = _("tiers")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["siren"]),
                   models.Index(fields=["iban"])]

    def __str__(self):
        return f"{self.name} ({self.siret})" if self.siret else self.name


# --- purchase request -----------------------------------------------------------------


ej_number_validator = RegexValidator(r"^[0-9]{10}\Z", _("Le numéro d'EJ comporte 10 chiffres."))


class ProcurementRoute(models.TextChoices):
    EXISTING_CONTRACT = "existing_contract", _("Marché existant")
    NEW_PROCEDURE = "new_procedure", _("Nouvelle procédure")


class PurchaseRequest(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="purchase_request")
    financial_centre = models.ForeignKey(BudgetImputation, verbose_name=_("centre financier"),
                                         on_delete=models.PROTECT, related_name="+")
    cost_centre = models.ForeignKey(BudgetImputation, verbose_name=_("centre de coûts"),
                                    on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(BudgetImputation, verbose_name=_("activité"),
                                 on_delete=models.PROTECT, related_name="+")
    funds = models.ForeignKey(BudgetImputation, verbose_name=_("fonds de concours"),
                              null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tiers = models.ForeignKey(Tiers, verbose_name=_("fournisseur"), on_delete=models.PROTECT,
                              related_name="purchase_requests")
    description = models.TextField(_("description du besoin"), blank=True)
    delivery_address = models.TextField(_("adresse de livraison"), blank=True)
    market_reference = models.CharField(_("référence du marché"), max_length=100, blank=True)
    amount_ht = StoredDecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    amount_vat = StoredDecimalField(_("TVA"), max_digits=14, decimal_places=2)
    amount_ttc = StoredDecimalField(_("montant TTC"), max_digits=14, decimal_places=2)
    ej_number = models.CharField(_("numéro d'EJ"), max_length=10, unique=True, null=True,
                                 blank=True, validators=[ej_number_validator])
    # The purchasing mission's circuit (at or above the convention's threshold, HT).
    routed_to_mission = models.BooleanField(_("passée par la mission des achats"),
                                            default=False)
    procurement_route = models.CharField(_("voie d'achat"), max_length=20, blank=True,
                                         choices=ProcurementRoute.choices)
    contract_reference = models.CharField(_("référence du marché"), max_length=100,
                                          blank=True)
    # The budget controller's visa (an EJ at or above the convention's threshold, HT).
    budget_visa_required = models.BooleanField(_("visa du CBCM requis"), default=False)
    visa_reference = models.CharField(_("référence du visa"), max_length=50, blank=True)
    visa_date = models.DateField(_("date du visa"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'achat")
        verbose_name_plural = _("demandes d'achat")

    def __str__(self):
        return str(self.case)


class PurchaseLine(models.Model):
    purchase_request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE,
                                         related_name="lines")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("libellé"), max_length=300)
    # The bounds of cases.limits, the same as the wizard's and the API's.
    quantity = StoredDecimalField(_("quantité"), max_digits=12, decimal_places=3,
                                  validators=limits.QUANTITY_VALIDATORS)
    unit_price_ht = StoredDecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=2,
                                       validators=limits.UNIT_PRICE_VALIDATORS)
    vat_rate = StoredDecimalField(_("taux de TVA (%)"), max_digits=4, decimal_places=2,
                                  validators=[limits.validate_vat_rate])

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_ht__gte=0),
                                   name="line_price_positive"),
        ]

    def __str__(self):
        return self.label


class SavedFilter(models.Model):
    """A queue filter an agent named to come back to it (its query string)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_filters")
    name = models.CharField(_("nom"), max_length=60)
    query = models.CharField(_("filtres"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("filtre enregistré")
        verbose_name_plural = _("filtres enregistrés")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"],
                                               name="saved_filter_name_unique")]

    def __str__(self):
        return self.name


def export_path(instance, filename):
    return f"exports/{instance.owner_id}/{instance.pk or 'new'}-{filename}"


class ExportJob(models.Model):
    """A large export written by a django-q2 task, with its progress; only its owner may
    download it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="export_jobs")
    scope = models.CharField(max_length=20)  # "queue" or "my_requests"
    fmt = models.CharField(max_length=4)
    query = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The columns chosen (export_columns keys; empty: the default ones), the catalogue form
    # whose cases and fields are exported, and how repetition blocks are written.
    columns = models.JSONField(default=list, blank=True)
    procedure = models.ForeignKey("forms_catalog.ProcedureFormPage", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    repetition = models.CharField(max_length=4, default="join")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.scope}.{self.fmt} ({self.get_status_display()})"


class ExportTemplate(models.Model):
    """A named choice of export columns, kept by the person who made it."""

    class Repetition(models.TextChoices):
        JOIN = "join", _("Les répétitions jointes dans une cellule")
        ROWS = "rows", _("Une ligne par répétition")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="export_templates")
    scope = models.CharField(max_length=20)  # "queue" or "my_requests"
    name = models.CharField(_("nom du modèle"), max_length=100)
    procedure = models.ForeignKey("forms_catalog.ProcedureFormPage", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("formulaire"))
    columns = models.JSONField(default=list)
    repetition = models.CharField(max_length=4, choices=Repetition.choices,
                                  default=Repetition.JOIN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("modèle d'export")
        verbose_name_plural = _("modèles d'export")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "scope", "name"],
                                               name="export_template_unique_name")]

    def __str__(self):
        return self.name
