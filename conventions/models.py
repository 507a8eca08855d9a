"""The convention between services and their centre, its annexes, job descriptions and
procedure sheets, as Wagtail pages. The convention also carries the parameters the workflow
reads (delays, thresholds, invoicing identifiers)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cases import kinds
from portal.models import Service, validate_chorus_siret

from .anomalies import default_typology
from .blocks import ArticleStream, ProcedureStepBlock


class ContentIndexPage(Page):
    """A section of the site (conventions, job descriptions, procedure sheets)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["conventions.ConventionPage", "conventions.JobDescriptionPage",
                     "conventions.ProcedureSheetPage"]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("rubrique")
        verbose_name_plural = _("rubriques")


class ConventionPage(Page):
    centre = models.ForeignKey(
        Service, verbose_name=_("centre de services partagés"), on_delete=models.PROTECT,
        related_name="conventions", limit_choices_to={"kind": Service.Kind.SHARED_CENTRE},
    )
    services = ParentalManyToManyField(
        Service, verbose_name=_("services prescripteurs"), related_name="sp_conventions",
        limit_choices_to={"kind": Service.Kind.PRESCRIBING},
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    valid_from = models.DateField(_("en vigueur à partir du"))
    valid_until = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    body = StreamField(ArticleStream(), verbose_name=_("articles"), blank=True)

    # Parameters the workflow reads, in working days unless stated otherwise.
    delay_purchase_request = models.PositiveSmallIntegerField(
        _("traitement d'une demande d'achat (jours ouvrés)"), default=5)
    delay_tiers = models.PositiveSmallIntegerField(
        _("création ou modification d'un tiers (jours ouvrés)"), default=2)
    delay_service_done_certification = models.PositiveSmallIntegerField(
        _("certification du service fait (jours ouvrés)"), default=3)
    delay_service_done_statement = models.PositiveSmallIntegerField(
        _("constatation du service fait après livraison (jours ouvrés)"), default=5)
    delay_fixed_asset = models.PositiveSmallIntegerField(
        _("fiche immobilisation (jours ouvrés)"), default=5)
    delay_generic = models.PositiveSmallIntegerField(
        _("demande générique (jours ouvrés)"), default=5)
    purchasing_mission_threshold_ht = models.DecimalField(
        _("seuil de la mission achat (€ HT)"), max_digits=14, decimal_places=2,
        default=Decimal("25000"), validators=[MinValueValidator(Decimal("0"))])
    budget_control_threshold_ht = models.DecimalField(
        _("seuil du visa du contrôleur budgétaire (€ HT)"), max_digits=14, decimal_places=2,
        null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Un engagement juridique de ce montant ou plus attend le visa du CBCM "
                    "avant la signature de son bon de commande. Vide : aucun visa, sauf pour "
                    "les programmes listés ci-dessous."))
    list_frequency_days = models.PositiveSmallIntegerField(
        _("fréquence de la liste des services faits manquants (jours)"), default=15)
    list_frequency_year_end_days = models.PositiveSmallIntegerField(
        _("fréquence pendant les quatre derniers mois (jours)"), default=7)
    payment_delay_days = models.PositiveSmallIntegerField(
        _("délai de paiement des factures (jours calendaires)"), default=30)
    chorus_siret = models.CharField(
        _("SIRET du service facturier (Chorus Pro)"), max_length=14, blank=True,
        validators=[validate_chorus_siret],
        help_text=_("Vide : celui de la fiche du centre."))
    chorus_service_code = models.CharField(_("code service Chorus Pro"), max_length=100,
                                           blank=True)
    # The 2009 instruction's rule of thumb, read by the staffing page (dashboards).
    reference_acts_per_agent = models.PositiveIntegerField(
        _("actes de référence par agent et par an"), default=3000,
        validators=[MinValueValidator(1)],
        help_text=_("Sert au dimensionnement du centre (3 000 dans l'instruction de 2009)."))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([
            FieldPanel("centre"),
            FieldPanel("services", widget=forms.CheckboxSelectMultiple),
        ], heading=_("Parties")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("version"), FieldPanel("signed_on")]),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        ], heading=_("Version et dates")),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("delay_purchase_request"), FieldPanel("delay_tiers")]),
            FieldRowPanel([FieldPanel("delay_service_done_certification"),
                           FieldPanel("delay_service_done_statement")]),
            FieldRowPanel([FieldPanel("delay_fixed_asset"), FieldPanel("delay_generic")]),
            FieldPanel("purchasing_mission_threshold_ht"),
            FieldPanel("budget_control_threshold_ht"),
            FieldRowPanel([FieldPanel("list_frequency_days"),
                           FieldPanel("list_frequency_year_end_days")]),
            FieldPanel("payment_delay_days"),
            FieldRowPanel([FieldPanel("chorus_siret"), FieldPanel("chorus_service_code")]),
            FieldPanel("reference_acts_per_agent"),
        ], heading=_("Paramètres lus par le portail"),
            help_text=_("Les dossiers déposés appliquent les paramètres de la convention en "
                        "vigueur le jour du dépôt ; les modifier ne change pas les échéances "
                        "des dossiers déjà déposés.")),
        InlinePanel("budget_control_thresholds", heading=_("Seuils du visa par programme"),
                    label=_("Seuil d'un programme")),
    ]
    anomaly_panels = [
        InlinePanel("anomaly_types", heading=_("Typologie des anomalies"),
                    label=_("type d'anomalie"),
                    help_text=_("Chaque demande d'information, renvoi pour correction ou "
                                "rejet est classé dans l'un des types actifs ; les "
                                "restitutions les comptent par code.")),
    ]
    edit_handler = TabbedInterface([
        ObjectList(content_panels, heading=_("Contenu")),
        ObjectList(anomaly_panels, heading=_("Typologie des anomalies")),
        ObjectList(Page.promote_panels, heading=_("Promotion")),
        ObjectList(Page.settings_panels, heading=_("Paramètres")),
    ])
    parent_page_types = ["conventions.ContentIndexPage"]
    subpage_types = ["conventions.AnnexPage"]
    search_fields = [*Page.search_fields, index.SearchField("summary"),
                     index.SearchField("body")]
    api_fields = [
        APIField("centre_code"), APIField("service_codes"), APIField("version"),
        APIField("signed_on"), APIField("valid_from"), APIField("valid_until"),
        APIField("summary"), APIField("body"), APIField("parameters"),
        APIField("anomaly_types"),
    ]

    class Meta:
        verbose_name = _("convention de service")
        verbose_name_plural = _("conventions de service")

    def save(self, *args, **kwargs):
        # A new convention, whether made in the admin or by code, starts with the default
        # typology unless it was given its own (a copied page brings its rows).
        if self._state.adding and not self.anomaly_types.all():
            self.anomaly_types = [
                AnomalyType(code=kind.code, label=kind.label, needs_text=kind.needs_text,
                            sort_order=position)
                for position, kind in enumerate(default_typology())]
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _(
                "La fin de validité doit suivre son début.")})

    @property
    def centre_code(self) -> str:
        return self.centre.code

    @property
    def service_codes(self) -> list[str]:
        return sorted(self.services.values_list("code", flat=True))

    @property
    def parameters(self) -> dict:
        """The machine-readable parameters, as the workflow and the API read them."""
        return {
            "delays_working_days": self.delays_working_days(),
            "service_done_statement_after_delivery_working_days":
                self.delay_service_done_statement,
            "purchasing_mission_threshold_ht": str(self.purchasing_mission_threshold_ht),
            "budget_control_threshold_ht": (None if self.budget_control_threshold_ht is None
                                            else str(self.budget_control_threshold_ht)),
            "budget_control_thresholds_by_programme": {
                str(row.programme): str(row.threshold_ht)
                for row in self.budget_control_thresholds.all()},
            "missing_service_done_list_every_days": self.list_frequency_days,
            "missing_service_done_list_every_days_last_four_months":
                self.list_frequency_year_end_days,
            "chorus_siret": self.chorus_siret or self.centre.chorus_siret,
            "chorus_service_code": self.chorus_service_code or self.centre.chorus_service_code,
        }

    def budget_control_threshold(self, programme: int | None) -> Decimal | None:
        """The amount (HT) from which an EJ of `programme` needs the budget controller's
        visa: the programme's own threshold, else the convention's; None: no visa."""
        for row in self.budget_control_thresholds.all():
            if programme is not None and row.programme == programme:
                return row.threshold_ht
        return self.budget_control_threshold_ht

    def delays_working_days(self) -> dict[str, int]:
        return {
            "purchase_request": self.delay_purchase_request,
            "tiers": self.delay_tiers,
            "service_done": self.delay_service_done_certification,
            "fixed_asset": self.delay_fixed_asset,
            "generic": self.delay_generic,
        }


class BudgetControlThreshold(Orderable):
    """A programme whose EJs need the visa from another amount than the convention's."""

    convention = ParentalKey(ConventionPage, on_delete=models.CASCADE,
                             related_name="budget_control_thresholds")
    programme = models.PositiveSmallIntegerField(
        _("programme"), validators=[MinValueValidator(1), MaxValueValidator(9999)],
        help_text=_("Numéro du programme budgétaire (ex. 206)."))
    threshold_ht = models.DecimalField(
        _("seuil du visa (€ HT)"), max_digits=14, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))])

    panels = [FieldRowPanel([FieldPanel("programme"), FieldPanel("threshold_ht")])]

    class Meta(Orderable.Meta):
        verbose_name = _("seuil du visa d'un programme")
        verbose_name_plural = _("seuils du visa par programme")
        constraints = [models.UniqueConstraint(fields=["convention", "programme"],
                                               name="budget_threshold_one_per_programme")]


class AnomalyType(Orderable):
    """A type of anomaly of the convention's typology (conventions/anomalies.py)."""

    page = ParentalKey(ConventionPage, on_delete=models.CASCADE, related_name="anomaly_types")
    code = models.SlugField(
        _("code"), max_length=40, allow_unicode=False,
        help_text=_("Identifiant stable (lettres, chiffres, - et _) : les restitutions "
                    "regroupent les anomalies par code ; ne le changez pas une fois utilisé, "
                    "désactivez plutôt le type."))
    label = models.CharField(_("libellé"), max_length=120)
    needs_text = models.BooleanField(
        _("précision obligatoire"), default=False,
        help_text=_("L'agent doit décrire l'anomalie en quelques mots (type « Autre »)."))
    active = models.BooleanField(_("actif"), default=True,
                                 help_text=_("Un type inactif n'est plus proposé."))

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("label")]),
              FieldRowPanel([FieldPanel("needs_text"), FieldPanel("active")])]
    api_fields = [APIField("code"), APIField("label"), APIField("needs_text"),
                  APIField("active")]

    class Meta(Orderable.Meta):
        verbose_name = _("type d'anomalie")
        verbose_name_plural = _("types d'anomalie")
        constraints = [models.UniqueConstraint(fields=["page", "code"],
                                               name="anomaly_type_code_unique_per_convention")]

    def __str__(self):
        return self.label


class AnnexPage(Page):
    """An annex of a convention: directory of correspondents, delays table, naming rules…"""

    body = StreamField(ArticleStream(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["conventions.ConventionPage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("body")]
    api_fields = [APIField("body")]

    class Meta:
        verbose_name = _("annexe")
        verbose_name_plural = _("annexes")


class JobDescriptionPage(Page):
    role = models.CharField(_("intitulé du poste"), max_length=200)
    grade = models.CharField(_("catégorie / grade"), max_length=100, blank=True)
    reporting_line = models.CharField(_("rattachement hiérarchique"), max_length=200,
                                      blank=True)
    missions = RichTextField(_("missions"), features=["bold", "italic", "ul", "ol"])
    activities = RichTextField(_("activités"), blank=True, features=["bold", "italic", "ul"])
    skills = RichTextField(_("compétences"), blank=True, features=["bold", "italic", "ul"])

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("role"), FieldPanel("grade")]),
        FieldPanel("reporting_line"),
        FieldPanel("missions"), FieldPanel("activities"), FieldPanel("skills"),
    ]
    parent_page_types = ["conventions.ContentIndexPage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("role"),
                     index.SearchField("missions"), index.SearchField("activities"),
                     index.SearchField("skills")]
    api_fields = [APIField("role"), APIField("grade"), APIField("reporting_line"),
                  APIField("missions"), APIField("activities"), APIField("skills")]

    class Meta:
        verbose_name = _("fiche de poste")
        verbose_name_plural = _("fiches de poste")


class ProcedureSheetPage(Page):
    form_kind = models.CharField(
        _("formulaire documenté"), max_length=20, blank=True, choices=kinds.choices,
        help_text=_("Le formulaire du catalogue que cette fiche explique."))
    intro = RichTextField(_("objet de la procédure"), blank=True,
                          features=["bold", "italic", "link"])
    steps = StreamField([("step", ProcedureStepBlock())], verbose_name=_("étapes"),
                        blank=True)

    content_panels = [*Page.content_panels, FieldPanel("form_kind"), FieldPanel("intro"),
                      FieldPanel("steps")]
    parent_page_types = ["conventions.ContentIndexPage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("intro"),
                     index.SearchField("steps")]
    api_fields = [APIField("form_kind"), APIField("intro"), APIField("steps")]

    class Meta:
        verbose_name = _("fiche de procédure")
        verbose_name_plural = _("fiches de procédure")


class HomePage(Page):
    """The site's home in Wagtail (served at /pages/): what the documentation holds, one card
    per section. Wagtail's installation left a plain page titled « Welcome to your new Wagtail
    site! » there; conventions.services.editorial_setup turns it into this one."""

    intro = RichTextField(_("introduction"), blank=True,
                          features=["bold", "italic", "link", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["conventions.ContentIndexPage", "forms_catalog.FormIndexPage",
                     "conventions.LegalPage"]
    max_count = 1
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("accueil de la documentation")
        verbose_name_plural = _("accueils de la documentation")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The sections as cards; the legal pages are in every page's footer.
        context["sections"] = self.get_children().live().not_type(LegalPage).specific()
        return context


class LegalPage(Page):
    """A page every State site must have (accessibility statement, legal notice, personal
    data), linked from the footer of every page by its slug."""

    footer_label = models.CharField(
        _("libellé dans le pied de page"), max_length=100, blank=True,
        help_text=_("Vide : le titre. Pour l'accessibilité, l'état de conformité (« "
                    "Accessibilité : non conforme », « partiellement conforme » ou « totalement "
                    "conforme »), qui suit le dernier audit."))
    body = RichTextField(_("contenu"), features=["h2", "h3", "bold", "italic", "ol", "ul",
                                                 "link"])

    content_panels = [*Page.content_panels, FieldPanel("footer_label"), FieldPanel("body")]
    parent_page_types = ["conventions.HomePage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("body")]
    api_fields = [APIField("body")]

    class Meta:
        verbose_name = _("page réglementaire")
        verbose_name_plural = _("pages réglementaires")
