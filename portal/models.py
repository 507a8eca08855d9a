"""Organisations: services (SP or CSP), memberships with a role, signature delegations."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret as std_siret


def validate_chorus_siret(value: str) -> None:
    if not std_siret.is_valid(value):
        raise ValidationError(_("Numéro SIRET invalide (14 chiffres, clé de contrôle)."))


class Service(models.Model):
    class Kind(models.TextChoices):
        PRESCRIBING = "sp", _("Service prescripteur")
        SHARED_CENTRE = "csp", _("Centre de services partagés")
        # The convention's other parties, each attached to the centre whose cases it sees.
        PURCHASING_MISSION = "mda", _("Mission des achats")
        BUDGET_CONTROL = "cbcm", _("Contrôle budgétaire (CBCM)")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,12}$", _("2 à 12 majuscules ou chiffres."))],
        help_text=_("Utilisé dans les références des demandes (ex. DA-<code>-2026-000042)."),
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices)
    processing_centre = models.ForeignKey(
        "self",
        verbose_name=_("centre de services partagés"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="served_services",
        limit_choices_to={"kind": Kind.SHARED_CENTRE},
    )
    address = models.TextField(
        _("adresse postale"), blank=True,
        help_text=_("Adresse de livraison proposée par défaut dans les demandes d'achat."),
    )
    # Where suppliers send invoices for the orders a centre issues (printed on order forms).
    chorus_siret = models.CharField(
        _("SIRET du service facturier (Chorus Pro)"), max_length=14, blank=True,
        validators=[validate_chorus_siret],
    )
    chorus_service_code = models.CharField(
        _("code service Chorus Pro"), max_length=100, blank=True,
    )
    # Object permissions on cases are granted to this group (one per service).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["sp", "mda", "cbcm"]) & Q(processing_centre__isnull=False))
                | (Q(kind="csp") & Q(processing_centre__isnull=True)),
                name="service_sp_has_centre",
            ),
        ]
        permissions = [("steer_all_centres", _("Piloter l'ensemble des centres"))]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def is_centre(self) -> bool:
        return self.kind == self.Kind.SHARED_CENTRE


class Role(models.TextChoices):
    SP_AGENT = "sp_agent", _("Agent du service prescripteur")
    ORDONNATEUR = "ordonnateur", _("Ordonnateur")
    CSP_AGENT = "csp_agent", _("Chargé de prestations financières")
    CSP_HEAD = "csp_head", _("Responsable du centre")
    CST = "cst", _("Cellule de supervision des tiers")
    MDA_AGENT = "mda_agent", _("Agent de la mission des achats")
    CBCM_AGENT = "cbcm_agent", _("Contrôleur budgétaire (CBCM)")


SP_ROLES = {Role.SP_AGENT, Role.ORDONNATEUR}
CENTRE_ROLES = {Role.CSP_AGENT, Role.CSP_HEAD, Role.CST}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "service", "role"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["service", "role"])]

    def __str__(self):
        return f"{self.user} — {self.service.code} ({self.get_role_display()})"


class DelegationQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on), valid_from__lte=on)


class Delegation(models.Model):
    """A délégation de signature: the holder may commit the service up to `ceiling` (TTC)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="delegations")
    ceiling = models.DecimalField(
        _("plafond (€ TTC)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    valid_from = models.DateField(_("valable à partir du"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("délégation de signature")
        verbose_name_plural = _("délégations de signature")
        constraints = [
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="delegation_ceiling_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="delegation_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.service.code} ≤ {self.ceiling} €"


class AgentGroup(models.Model):
    """A sub-queue of a centre: the agents who take a family of cases (catalogue forms route
    cases to it by their answers; forms_catalog.routing). Its head manages it."""

    NAME_MAX = 100

    centre = models.ForeignKey(Service, verbose_name=_("centre"), on_delete=models.CASCADE,
                               related_name="agent_groups",
                               limit_choices_to={"kind": Service.Kind.SHARED_CENTRE})
    name = models.CharField(_("nom"), max_length=NAME_MAX)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("membres"),
                                     blank=True, related_name="agent_groups")

    class Meta:
        verbose_name = _("groupe d'agents")
        verbose_name_plural = _("groupes d'agents")
        ordering = ["centre__code", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "centre",
                                    name="agent_group_name_unique_per_centre",
                                    violation_error_message=_(
                                        "Ce centre a déjà un groupe de ce nom.")),
        ]

    def __str__(self):
        return f"{self.centre.code} — {self.name}"
