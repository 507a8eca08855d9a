"""Demonstration content: conventions, annexes, job descriptions, procedure sheets.

Written for the demo in our own words; loaded once by `seed_demo` (pages are found again by
their slug, never duplicated).
"""

from datetime import date
from decimal import Decimal

from wagtail.models import Page

from .models import AnnexPage, ConventionPage, JobDescriptionPage, ProcedureSheetPage
from .services import Editorial


def _publish(parent: Page, page: Page) -> tuple[Page, bool]:
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing:
        return existing.specific, False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _commitment(party, text, delay=None, unit="working_days"):
    return ("commitment", {"party": party, "text": text, "delay": delay, "unit": unit})


def _articles(centre_name: str) -> list:
    return [
        ("heading", "Article 1 — Objet"),
        ("paragraph", "<p>La présente convention organise la délégation de la saisie des "
                      f"actes de dépense des services signataires au {centre_name}. Les "
                      "services restent responsables de l'expression du besoin, de la "
                      "disponibilité des crédits et de la constatation du service fait ; le "
                      "centre saisit les actes dans Chorus, édite et signe les bons de "
                      "commande et certifie le service fait.</p>"),
        ("heading", "Article 2 — Engagements du service prescripteur"),
        _commitment("sp", "Transmettre des demandes complètes : imputations budgétaires, "
                          "fournisseur référencé, lignes chiffrées et devis joint."),
        _commitment("sp", "Constater le service fait après chaque livraison, preuve à "
                          "l'appui.", 5),
        ("heading", "Article 3 — Engagements du centre"),
        _commitment("csp", "Saisir l'engagement juridique et signer le bon de commande d'une "
                           "demande d'achat complète.", 5),
        _commitment("csp", "Traiter une demande de création ou de modification de tiers, "
                           "hors temps de validation par la cellule de supervision.", 2),
        _commitment("csp", "Certifier le service fait reçu.", 3),
        ("heading", "Article 4 — Suivi"),
        ("paragraph", "<p>Le centre adresse à chaque service la liste des factures en attente "
                      "de service fait tous les quinze jours, puis chaque semaine pendant les "
                      "quatre derniers mois de l'année. Les délais s'entendent en jours "
                      "ouvrés, jours fériés exclus ; une demande d'information suspend le "
                      "délai jusqu'à la réponse du service.</p>"),
        ("table", {
            "caption": "Délais d'engagement",
            "columns": [{"type": "text", "heading": "Acte"},
                        {"type": "number", "heading": "Jours ouvrés"}],
            "rows": [{"values": ["Demande d'achat", Decimal("5")]},
                     {"values": ["Tiers", Decimal("2")]},
                     {"values": ["Certification du service fait", Decimal("3")]}],
        }),
    ]


JOBS = (
    ("responsable-du-centre", "Responsable du centre de services partagés",
     "Catégorie A — attaché principal", "Directeur des finances",
     "<p>Dirige le centre, répartit la charge entre les agents, valide les conventions et "
     "rend compte des délais aux services.</p>",
     "<ul><li>Attribuer les dossiers</li><li>Suivre les retards</li>"
     "<li>Présenter les restitutions</li></ul>",
     "<ul><li>Management d'équipe</li><li>Chaîne de la dépense</li></ul>"),
    ("adjoint-au-responsable", "Adjoint(e) au responsable du centre",
     "Catégorie A — attaché", "Responsable du centre",
     "<p>Seconde le responsable et le remplace ; anime le contrôle interne comptable.</p>",
     "<ul><li>Contrôles de supervision</li><li>Fin de gestion</li></ul>",
     "<ul><li>Contrôle interne</li><li>Réglementation budgétaire</li></ul>"),
    ("charge-de-prestations-financieres", "Chargé(e) de prestations financières",
     "Catégorie B — secrétaire administratif", "Responsable du centre",
     "<p>Saisit dans Chorus les actes des services rattachés : engagements juridiques, "
     "tiers, services faits, immobilisations.</p>",
     "<ul><li>Traiter la corbeille</li><li>Questionner les services</li>"
     "<li>Signer les bons de commande</li></ul>",
     "<ul><li>Chorus</li><li>Rigueur et sens du service</li></ul>"),
    ("referent-metier-chorus", "Référent(e) métier Chorus",
     "Catégorie B ou A", "Responsable du centre",
     "<p>Assiste les agents sur les règles de gestion de Chorus et relaie les évolutions.</p>",
     "<ul><li>Assistance de premier niveau</li><li>Formation des nouveaux agents</li></ul>",
     "<ul><li>Expertise Chorus</li><li>Pédagogie</li></ul>"),
)

PROCEDURES = (
    ("demande-d-achat", "Demander un achat", "purchase_request", [
        ("Saisir la demande", "agent du service prescripteur",
         "Objet, imputations, fournisseur, lignes et devis.", None),
        ("Valider", "ordonnateur du service", "Au-delà de la délégation de l'agent.", None),
        ("Saisir l'EJ et signer le bon de commande", "centre de services partagés", "", 5),
        ("Envoyer le bon de commande au fournisseur", "service prescripteur", "", None),
    ]),
    ("creation-de-tiers", "Créer ou modifier un fournisseur", "tiers", [
        ("Demander la création", "agent du service prescripteur",
         "Identifiant, adresse, coordonnées bancaires et RIB.", None),
        ("Contrôler et saisir", "centre de services partagés", "", 2),
        ("Valider le tiers", "cellule de supervision des tiers", "", None),
    ]),
    ("service-fait", "Constater le service fait", "service_done", [
        ("Déclarer la livraison", "agent du service prescripteur",
         "Preuve de livraison jointe.", 5),
        ("Valider", "ordonnateur du service", "", None),
        ("Certifier", "centre de services partagés", "La certification vaut ordre de payer.", 3),
    ]),
    ("fiche-immobilisation", "Demander une fiche immobilisation", "fixed_asset", [
        ("Décrire le bien", "agent du service prescripteur",
         "Fiec pour un bien en cours, Fies pour un bien mis en service.", None),
        ("Saisir la fiche", "centre de services partagés", "", 5),
    ]),
)


def _field(kind, label, *, required=True, help_text="", choices=None, show_if=None):
    value = {"label": label, "help_text": help_text, "required": required,
             "show_if_field": show_if[0] if show_if else "",
             "show_if_value": show_if[1] if show_if else ""}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


CHORUS_ACCESS_FIELDS = [
    ("section", {"title": "La personne"}),
    _field("text", "Nom et prénom de l'agent"),
    _field("email", "Adresse électronique professionnelle"),
    _field("choice", "Profil demandé", choices=["Consultation", "Saisie des demandes",
                                                "Validation (ordonnateur)"]),
    _field("yes_no", "L'agent a-t-il déjà suivi la formation Chorus ?"),
    _field("date", "Date de formation souhaitée", required=True,
           show_if=("L'agent a-t-il déjà suivi la formation Chorus ?", "non"),
           help_text="Le centre organise une session par mois."),
    ("step_break", {"title": "Justification"}),
    ("explanation", {"text": "Le profil « Validation » suppose une délégation de signature "
                             "en vigueur : joignez l'arrêté."}),
    _field("long_text", "Motif de la demande"),
    _field("file", "Arrêté de délégation", required=False),
]


def _seed_catalogue(editorial: Editorial) -> int:
    from forms_catalog.models import ProcedureFormPage

    catalogue = editorial.sections["catalogue"]
    sheets = {page.slug: page for page in ProcedureSheetPage.objects.all()}
    created = 0
    for page in (
        ProcedureFormPage(
            title="Demande d'achat", slug="demande-d-achat", form_kind="purchase_request",
            intro="<p>Commander une fourniture ou une prestation : le centre saisit "
                  "l'engagement juridique et vous renvoie le bon de commande signé.</p>",
            validation_required=True, required_attachments=["quote"],
            procedure_sheet=sheets.get("demande-d-achat"),
            fields=[_field("yes_no", "Commande urgente ?", help_text="Une commande urgente est "
                           "traitée en priorité par le centre."),
                    _field("date", "Livraison attendue au plus tard le",
                           show_if=("Commande urgente ?", "oui")),
                    _field("long_text", "Motif de l'urgence",
                           show_if=("Commande urgente ?", "oui"))]),
        ProcedureFormPage(
            title="Demande de création ou de modification de tiers", slug="tiers",
            form_kind="tiers",
            intro="<p>Faire créer un fournisseur dans l'annuaire des tiers, ou modifier ses "
                  "coordonnées (adresse, coordonnées bancaires). Le centre traite la demande "
                  "en 2 jours ouvrés, hors délai de contrôle par la CST.</p>",
            confirmation_message="Le fournisseur pourra être choisi dans vos demandes d'achat "
                                 "dès sa validation par la CST.",
            procedure_sheet=sheets.get("creation-de-tiers"),
            fields=[_field("choice", "Motif de la demande",
                           choices=["Nouveau fournisseur", "Changement de coordonnées bancaires",
                                    "Changement d'adresse", "Autre"]),
                    _field("long_text", "Précisez", show_if=("Motif de la demande", "Autre"))]),
        ProcedureFormPage(
            title="Constatation du service fait", slug="service-fait", form_kind="service_done",
            intro="<p>Déclarer qu'une commande a été livrée ou une prestation réalisée, au plus "
                  "tard 5 jours ouvrés après la livraison, avec le bon de livraison ou le "
                  "procès-verbal de réception. Un ordonnateur valide, puis le centre certifie "
                  "(ordre de payer).</p>",
            validation_required=True,
            procedure_sheet=sheets.get("service-fait")),
        ProcedureFormPage(
            title="Demande de fiche immobilisation", slug="immobilisation",
            form_kind="fixed_asset",
            intro="<p>Faire créer dans Chorus la fiche d'un bien immobilisé : Fiec pour un bien "
                  "en cours, Fies pour un bien mis en service (date, durée d'amortissement, "
                  "numéro d'inventaire).</p>",
            procedure_sheet=sheets.get("fiche-immobilisation")),
        ProcedureFormPage(
            title="Demande d'accès à Chorus", slug="acces-chorus", form_kind="generic",
            intro="<p>Ouvrir ou modifier l'accès d'un agent de votre service à Chorus.</p>",
            confirmation_message="Le centre vous écrit dès que l'accès est ouvert.",
            fields=CHORUS_ACCESS_FIELDS),
    ):
        _page, was_created = _publish(catalogue, page)
        created += was_created
    return created


def seed_content(editorial: Editorial, services: dict) -> int:
    """Publish the demo pages that are missing; returns how many were created."""
    created = 0
    conventions = editorial.sections["conventions"]
    for centre_code, sp_codes, slug in (("CSPEST", ("DRAAF", "DREAL"), "convention-cspest"),
                                        ("CSPOUEST", ("DIRM", "DDT"), "convention-cspouest")):
        centre = services[centre_code]
        convention = ConventionPage(
            title=f"Convention de service — {centre.name}", slug=slug, centre=centre,
            version="2026.1", signed_on=date(2025, 12, 15), valid_from=date(2026, 1, 1),
            summary=f"Délégation de la saisie des actes de dépense au {centre.name}.",
            body=_articles(centre.name),
            # The Est centre's EJs from 40,000 € HT wait for the budget controller's visa.
            budget_control_threshold_ht=Decimal("40000") if centre_code == "CSPEST" else None,
        )
        convention.services = [services[code] for code in sp_codes]
        page, was_created = _publish(conventions, convention)
        created += was_created
        for annex_slug, title, body in (
            ("annuaire", "Annexe 1 — Annuaire des correspondants",
             [("paragraph", "<p>Chaque service désigne un correspondant et un suppléant ; le "
                            "centre publie ici les adresses fonctionnelles de ses équipes."
                            "</p>")]),
            ("nommage", "Annexe 2 — Règles de nommage des demandes",
             [("paragraph", "<p>L'objet d'une demande d'achat commence par le code du service "
                            "et l'année, puis décrit l'achat en quelques mots.</p>")]),
        ):
            _annex, was_created = _publish(page, AnnexPage(title=title, slug=annex_slug,
                                                           body=body))
            created += was_created
    for slug, role, grade, line, missions, activities, skills in JOBS:
        _job, was_created = _publish(editorial.sections["jobs"], JobDescriptionPage(
            title=role, slug=slug, role=role, grade=grade, reporting_line=line,
            missions=missions, activities=activities, skills=skills))
        created += was_created
    for slug, title, kind, steps in PROCEDURES:
        _sheet, was_created = _publish(editorial.sections["procedures"], ProcedureSheetPage(
            title=title, slug=slug, form_kind=kind,
            steps=[("step", {"title": t, "actor": a, "description": d, "delay": n})
                   for t, a, d, n in steps]))
        created += was_created
    return created + _seed_catalogue(editorial)
