"""Demo data for `manage.py seed_demo`: two shared-service centres, four prescribing services,
their people, budget referentials, a supplier directory and ~240 purchase requests.

Cases are played through the services exactly as users would (draft, quote, lines, workflow
actions), only with past `at=` dates. Fixed random seeds make the content reproducible; the
dates are relative to the moment of seeding so that the queues always look like a Monday
morning (some cases overdue, some due soon). Demo only: every account shares one password.
"""

import io
import random
import time as clock
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.fr import siret as std_siret
from wagtail.models import Site

from cases import amounts
from cases import services as case_services
from cases.budget import programme_of
from cases.models import BudgetImputation, Case, CaseKind, ImputationAxis, Tiers
from cases.sla import is_working_day
from cases.workflow import OPEN_STATES, Action, State
from conventions.demo_content import seed_content
from conventions.services import Editorial, editorial_setup
from documents.demo_pki import issue_credential
from documents.models import AttachmentKind, IssuedDocument
from documents.services import attachment_add
from documents.signing import credentials_dir
from kinds.purchases import services as purchases
from notifications.services import emails_suspended
from portal.models import Role, Service
from portal.services import delegation_get_or_create, membership_grant, service_get_or_create

from . import circuits
from .annotations import seed_annotations
from .catalogue_fields import seed_catalogue_fields
from .invoices import seed_invoices
from .letters import seed_letters
from .opinions import seed_opinions
from .routing import seed_routing
from .service_done import seed_statements
from .staffing import LOGIN as STEERING_LOGIN
from .staffing import seed_steering
from .tiers import seed_tiers_requests

PASSWORD = "demo-csp-2026"
DELEGATIONS_FROM = date(2026, 1, 1)
EDITOR = "editor"  # pseudo-role of the content editor (no membership)
EMAIL_DOMAIN = "example"  # reserved TLD: demo addresses can never reach anyone
TIERS_SEED, CASES_SEED = 2026, 44

AGENT_CEILING = Decimal("5000")
ORDONNATEUR_CEILING = Decimal("150000")


# --- organisations ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoService:
    code: str
    name: str
    short: str
    centre: str | None = None
    address: str = ""
    # Where suppliers invoice the orders of a centre (made-up but valid identifiers).
    chorus_siret: str = ""
    chorus_service_code: str = ""
    kind: str | None = None  # by default a prescribing service when it has a centre


CENTRES = (
    DemoService("CSPEST", "Centre de services partagés Est", "CSP Est",
                address="1 place de la Préfecture\n57000 Metz",
                chorus_siret="13002100900019", chorus_service_code="SFACT-EST"),
    DemoService("CSPOUEST", "Centre de services partagés Ouest", "CSP Ouest",
                address="6 quai Ceineray\n44000 Nantes",
                chorus_siret="13002200700012", chorus_service_code="SFACT-OUEST"),
)
PRESCRIBING = (
    DemoService("DRAAF", "Direction régionale de l'alimentation, de l'agriculture et de la forêt "
                "Grand Est", "DRAAF Grand Est", "CSPEST",
                address="Cité administrative, 14 rue du Maréchal Juin\n67000 Strasbourg"),
    DemoService("DREAL", "Direction régionale de l'environnement, de l'aménagement et du "
                "logement Grand Est", "DREAL Grand Est", "CSPEST",
                address="2 rue Augustin Fresnel\n57070 Metz"),
    DemoService("DIRM", "Direction interrégionale de la mer Nord Atlantique-Manche Ouest",
                "DIRM NAMO", "CSPOUEST", address="2 boulevard Allard\n44100 Nantes"),
    DemoService("DDT", "Direction départementale des territoires de Maine-et-Loire",
                "DDT Maine-et-Loire", "CSPOUEST",
                address="15 bis rue Dupetit-Thouars\n49000 Angers"),
)
# The convention's other parties, attached to the Est centre.
PARTIES = (
    DemoService("MDAEST", "Mission des achats — Grand Est", "MdA Grand Est", "CSPEST",
                kind=Service.Kind.PURCHASING_MISSION),
    DemoService("CBCMEST", "Contrôle budgétaire (CBCM) — Grand Est", "CBCM Grand Est",
                "CSPEST", kind=Service.Kind.BUDGET_CONTROL),
)
SERVICES = {s.code: s for s in CENTRES + PRESCRIBING + PARTIES}
SP_CODES = tuple(s.code for s in PRESCRIBING)


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    service: str | None
    role: str
    ceiling: Decimal | None = None


def _agent(username, first, last, service):
    return DemoUser(username, first, last, service, Role.SP_AGENT, AGENT_CEILING)


def _ordo(username, first, last, service):
    return DemoUser(username, first, last, service, Role.ORDONNATEUR, ORDONNATEUR_CEILING)


# The logins to remember come first: they are listed in this order by --list-logins, and the
# first agent of each service is the one who creates most of its requests.
USERS = (
    _agent("agent.sp", "Camille", "Durand", "DRAAF"),
    _ordo("ordo.sp", "Philippe", "Lambert", "DRAAF"),
    DemoUser("agent.csp", "Sophie", "Marchal", "CSPEST", Role.CSP_AGENT),
    DemoUser("chef.csp", "Laurent", "Girard", "CSPEST", Role.CSP_HEAD),
    DemoUser("cst", "Nadia", "Benali", "CSPEST", Role.CST),
    DemoUser("editeur", "Élise", "Martin", None, EDITOR),
    DemoUser("mda", "Karim", "Haddad", "MDAEST", Role.MDA_AGENT),
    DemoUser("cbcm", "Véronique", "Lemaire", "CBCMEST", Role.CBCM_AGENT),
    _agent("autre.sp", "Gwenaëlle", "Le Bihan", "DIRM"),
    _agent("thomas.muller", "Thomas", "Muller", "DRAAF"),
    _agent("claire.schmitt", "Claire", "Schmitt", "DREAL"),
    _agent("marc.weber", "Marc", "Weber", "DREAL"),
    _ordo("helene.klein", "Hélène", "Klein", "DREAL"),
    _agent("loic.morvan", "Loïc", "Morvan", "DIRM"),
    _ordo("catherine.riou", "Catherine", "Riou", "DIRM"),
    _agent("pauline.hamon", "Pauline", "Hamon", "DDT"),
    _agent("nicolas.jegou", "Nicolas", "Jégou", "DDT"),
    _ordo("francois.bertin", "François", "Bertin", "DDT"),
    DemoUser("julien.roux", "Julien", "Roux", "CSPEST", Role.CSP_AGENT),
    DemoUser("ines.fontaine", "Inès", "Fontaine", "CSPEST", Role.CSP_AGENT),
    DemoUser("anne.kervella", "Anne", "Kervella", "CSPOUEST", Role.CSP_HEAD),
    DemoUser("yann.legoff", "Yann", "Le Goff", "CSPOUEST", Role.CSP_AGENT),
    DemoUser("maelle.tanguy", "Maëlle", "Tanguy", "CSPOUEST", Role.CSP_AGENT),
    DemoUser("erwan.guillou", "Erwan", "Guillou", "CSPOUEST", Role.CSP_AGENT),
)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


def _email(spec: DemoUser) -> str:
    host = (spec.service or "contenus").lower()
    return f"{_ascii(spec.first_name)}.{_ascii(spec.last_name)}@{host}.{EMAIL_DOMAIN}"


def _euros(amount: Decimal, cents: bool = True) -> str:
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return (text if cents else text[:-3]) + " €"


def _role_label(spec: DemoUser) -> str:
    if spec.role == EDITOR:
        return "Éditeur des contenus (administration Wagtail)"
    label = str(Role(spec.role).label)
    if spec.ceiling is not None:
        label += f" (délégation ≤ {_euros(spec.ceiling, cents=False)} TTC)"
    return label


def _service_label(spec: DemoUser) -> str:
    if spec.service is None:
        return "Contenus du portail"
    service = SERVICES[spec.service]
    if service.kind:
        return f"{service.short} (rattaché au {SERVICES[service.centre].short})"
    if service.centre:
        return f"{service.short} (traité par le {SERVICES[service.centre].short})"
    return service.short


def logins_table() -> str:
    rows = [("Identifiant", "Rôle", "Service")]
    rows += [(u.username, _role_label(u), _service_label(u)) for u in USERS]
    rows.append(STEERING_LOGIN)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows]
    lines.insert(1, f"  {'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(rows[0][2])}")
    return "\n".join(lines)


# --- budget referentials --------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    bop: str
    label: str
    activities: tuple[str, ...]


PROGRAMMES = {
    "0149": Programme("DGPE", "Compétitivité et durabilité de l'agriculture, de "
                      "l'agroalimentaire et de la forêt",
                      ("Gestion durable de la forêt", "Appui aux filières agricoles",
                       "Installation des jeunes agriculteurs")),
    "0206": Programme("DGAL", "Sécurité et qualité sanitaires de l'alimentation",
                      ("Contrôles officiels en abattoir", "Plans de surveillance et de contrôle",
                       "Lutte contre les maladies animales", "Santé des végétaux")),
    "0215": Programme("CSAG", "Conduite et pilotage des politiques de l'agriculture",
                      ("Fonctionnement courant des services", "Formation continue des agents",
                       "Informatique de proximité")),
    "0113": Programme("PEBI", "Paysages, eau et biodiversité",
                      ("Politique de l'eau", "Sites, paysages et biodiversité",
                       "Espaces naturels protégés")),
    "0135": Programme("CDBU", "Urbanisme, territoires et amélioration de l'habitat",
                      ("Études d'urbanisme et de planification", "Application du droit des sols",
                       "Connaissance des territoires")),
    "0181": Programme("PRRI", "Prévention des risques",
                      ("Inspection des installations classées",
                       "Risques naturels et hydrauliques")),
    "0205": Programme("AMPA", "Affaires maritimes, pêche et aquaculture",
                      ("Sécurité et sûreté maritimes", "Contrôle des pêches",
                       "Gens de mer et enseignement maritime")),
    "0217": Programme("CPPE", "Conduite et pilotage des politiques de l'écologie, du "
                      "développement et de la mobilité durables",
                      ("Fonctionnement courant des services", "Formation des agents",
                       "Action sociale et prévention")),
    "0354": Programme("ATES", "Administration territoriale de l'État",
                      ("Fonctionnement courant des services départementaux",
                       "Immobilier de l'État déconcentré", "Moyens informatiques mutualisés")),
}


@dataclass(frozen=True)
class Referential:
    unit: str  # Chorus "unité opérationnelle" suffix of the centres financiers
    programmes: tuple[str, ...]
    cost_prefix: str
    cost_centres: tuple[str, ...]
    closed_cost_centre: str
    funds: tuple[tuple[str, str], ...]


REFERENTIALS = {
    "DRAAF": Referential(
        "DR51", ("0206", "0215", "0149"), "AGRDRAAF",
        ("Secrétariat général", "Service régional de l'alimentation",
         "Service régional de l'économie agricole", "Service régional de la forêt et du bois"),
        "Mission d'appui aux crises (dissoute)",
        (("1-2-00187", "FEADER — assistance technique du programme régional"),
         ("1-3-00452", "Participation de FranceAgriMer aux contrôles"))),
    "DREAL": Referential(
        "DR57", ("0113", "0135", "0181", "0217"), "DEVDREAL",
        ("Secrétariat général", "Service eau, biodiversité et paysages",
         "Service prévention des risques anthropiques", "Service aménagement et logement"),
        "Unité départementale de Sarreguemines (fermée)",
        (("1-2-00311", "Agence de l'eau Rhin-Meuse — conventions de partenariat"),
         ("1-1-00529", "Participation des collectivités aux plans de prévention des risques"))),
    "DIRM": Referential(
        "DI44", ("0205", "0217"), "MERDIRM",
        ("Secrétariat général", "Service régional des pêches et de l'aquaculture",
         "Division des gens de mer", "Centre de sécurité des navires"),
        "Cellule Europe (ancienne organisation)",
        (("1-2-00640", "FEAMPA — contrôle des pêches"),
         ("1-1-00712", "Participation des régions à la formation maritime"))),
    "DDT": Referential(
        "DD49", ("0135", "0113", "0354", "0215"), "TERDDT49",
        ("Secrétariat général", "Service urbanisme et aménagement",
         "Service eau, environnement et forêt", "Service économie agricole"),
        "Délégation territoriale de Saumur (fermée)",
        (("1-2-00388", "Participation des collectivités aux études d'urbanisme"),
         ("1-3-00274", "FEADER — instruction des aides surfaciques"))),
}


def _imputation_rows(code: str) -> list[tuple[str, str, str, bool]]:
    """(axis, code, label, active) of one service's referential."""
    ref, short = REFERENTIALS[code], SERVICES[code].short
    rows = []
    for number in ref.programmes:
        prog = PROGRAMMES[number]
        rows.append((ImputationAxis.FINANCIAL_CENTRE, f"{number}-{prog.bop}-{ref.unit}",
                     f"BOP {int(number)} {prog.label} — UO {short}", True))
        for i, label in enumerate(prog.activities):
            # 12 digits: programme, action, sub-action, activity (e.g. 013501020101).
            rows.append((ImputationAxis.ACTIVITY, f"{number}{1 + i // 2:02d}{1 + i % 2:02d}0101",
                         label, True))
    labels = ref.cost_centres + (ref.closed_cost_centre,)
    for i, label in enumerate(labels, start=1):
        rows.append((ImputationAxis.COST_CENTRE, f"{ref.cost_prefix}{i:02d}", label,
                     label != ref.closed_cost_centre))
    rows += [(ImputationAxis.FUNDS, fund_code, label, True) for fund_code, label in ref.funds]
    return rows


# --- catalogue: what services buy, from whom ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    price: tuple[float, float]  # unit price HT, euros
    quantity: tuple[int, int]
    vat: str = "20"
    max_scale: int = 12  # how much a large order multiplies the quantity


@dataclass(frozen=True)
class Theme:
    key: str
    weight: int
    trades: tuple[str, ...]
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    items: tuple[Item, ...]


THEMES = (
    Theme("it", 20, ("Informatique", "Micro-Systèmes", "Numérique Services", "Bureautique Pro",
                     "Réseaux et Postes", "Solutions Informatiques"),
          ("Renouvellement de postes de travail", "Équipement informatique des nouveaux arrivants",
           "Licences logicielles pour l'année", "Matériel de visioconférence pour les salles",
           "Remplacement des imprimantes du service"),
          ("Postes arrivés en fin de garantie, inventaire joint au devis.",
           "Équipement des agents recrutés à la rentrée."),
          (Item("Poste de travail portable 14 pouces", (690, 1150), (1, 6)),
           Item("Écran 24 pouces", (125, 195), (1, 8)),
           Item("Station d'accueil USB-C", (115, 185), (1, 8)),
           Item("Licence logiciel bureautique (1 an)", (95, 260), (1, 10)),
           Item("Casque audio avec micro", (35, 85), (2, 10)),
           Item("Imprimante multifonction A4", (290, 680), (1, 2), max_scale=4),
           Item("Licence logiciel de cartographie (SIG)", (850, 1600), (1, 2), max_scale=5),
           Item("Caméra de visioconférence", (320, 890), (1, 2), max_scale=5))),
    Theme("office", 14, ("Fournitures de Bureau", "Papeterie", "Bureau Plus",
                         "Fournitures Administratives", "Classement et Archives",
                         "Papiers et Cartons"),
          ("Fournitures de bureau du trimestre", "Papier et consommables d'impression",
           "Mobilier de bureau pour le nouvel étage", "Boîtes d'archives et classement"),
          ("Réapprovisionnement du stock commun du service.",
           "Commande groupée pour l'ensemble des unités du site."),
          (Item("Ramette de papier A4 recyclé (500 feuilles)", (3.5, 5.2), (40, 300)),
           Item("Enveloppes C4 (boîte de 250)", (18, 32), (2, 10)),
           Item("Stylos à bille (boîte de 50)", (9, 19), (2, 12)),
           Item("Cartouche de toner noir", (55, 140), (2, 12)),
           Item("Boîte d'archives dos 10 cm (lot de 50)", (45, 90), (1, 8)),
           Item("Fauteuil de bureau ergonomique", (190, 420), (1, 6)),
           Item("Bureau droit 160 cm", (240, 520), (1, 4)))),
    Theme("cleaning", 10, ("Propreté", "Nettoyage Industriel", "Services Hygiène",
                           "Entretien des Locaux", "Multiservices Propreté", "Net'Services"),
          ("Prestation de nettoyage des locaux", "Nettoyage des vitres du bâtiment",
           "Remise en état des locaux après travaux", "Consommables sanitaires des sites"),
          ("Complément au marché de nettoyage pour le site secondaire.",
           "Intervention ponctuelle avant l'accueil du public."),
          (Item("Prestation de nettoyage des bureaux (forfait mensuel)", (850, 2300), (1, 3)),
           Item("Nettoyage des vitreries (intervention)", (350, 920), (1, 2), max_scale=4),
           Item("Fourniture de consommables sanitaires", (140, 590), (1, 3)),
           Item("Heures de nettoyage complémentaires", (27, 38), (4, 40)),
           Item("Désinfection des locaux", (290, 780), (1, 2), max_scale=4))),
    Theme("training", 10, ("Formation Conseil", "Institut de Formation", "Compétences Publiques",
                           "Formations Sécurité", "Campus Pro", "Savoirs et Métiers"),
          ("Formation des agents aux marchés publics", "Formation sécurité incendie",
           "Formation premiers secours des agents", "Formation à la saisie dans Chorus"),
          ("Inscrite au plan de formation du service.",
           "Obligation réglementaire : recyclage des agents concernés."),
          (Item("Formation « Marchés publics : les fondamentaux » (par stagiaire)", (450, 890),
                (1, 6)),
           Item("Session de formation sécurité incendie (demi-journée)", (590, 1190), (1, 2)),
           Item("Formation premiers secours PSC1 (par stagiaire)", (60, 95), (4, 12)),
           Item("Formation Chorus — engagements juridiques (journée)", (790, 1490), (1, 2)),
           Item("Support pédagogique imprimé", (12, 35), (4, 20)))),
    Theme("events", 8, ("Traiteur", "Réceptions", "Saveurs Régionales", "Événements et Congrès",
                        "Restauration Collective", "Autocars Voyageurs"),
          ("Organisation du séminaire annuel du service", "Journée d'information des usagers",
           "Réunion du comité régional", "Visite de terrain avec les partenaires"),
          ("Une soixantaine de participants attendus, programme joint.",
           "Réunion prévue au programme de travail annuel."),
          (Item("Déjeuner (par personne)", (18, 32), (10, 60), vat="10"),
           Item("Pause café d'accueil (par personne)", (4, 9), (10, 60), vat="10"),
           Item("Location de salle (journée)", (290, 890), (1, 2), max_scale=3),
           Item("Produits régionaux pour buffet", (120, 380), (1, 3), vat="5.5"),
           Item("Transport des participants en autocar (journée)", (540, 980), (1, 2),
                vat="10", max_scale=3))),
    Theme("vehicles", 8, ("Garage", "Automobiles", "Pneus Services", "Auto Entretien",
                          "Carrosserie", "Centre Auto"),
          ("Entretien des véhicules de service", "Remplacement des pneumatiques du parc",
           "Révision annuelle des véhicules de terrain"),
          ("Véhicules immatriculés au parc du service, liste jointe.",
           "Entretien imposé par le constructeur avant l'hiver."),
          (Item("Révision véhicule de service", (160, 390), (1, 4)),
           Item("Pneumatique (pose comprise)", (85, 165), (4, 8)),
           Item("Contrôle technique", (72, 95), (1, 4)),
           Item("Lavage intérieur et extérieur", (18, 38), (2, 10)),
           Item("Réparation de carrosserie", (350, 1200), (1, 1), max_scale=2))),
    Theme("building", 10, ("Bâtiment", "Électricité Générale", "Plomberie Chauffage",
                           "Menuiserie", "Maintenance Technique", "Peinture et Décoration"),
          ("Travaux d'entretien du bâtiment", "Maintenance annuelle de la chaufferie",
           "Remplacement de l'éclairage par des luminaires LED",
           "Vérification des équipements de sécurité incendie"),
          ("Travaux relevant de l'entretien courant du propriétaire occupant.",
           "Suite au rapport de l'assistant de prévention."),
          (Item("Luminaire LED encastré (pose comprise)", (45, 125), (5, 30)),
           Item("Intervention de plomberie", (180, 650), (1, 2), max_scale=3),
           Item("Maintenance annuelle de la chaudière", (450, 1190), (1, 1), max_scale=3),
           Item("Remise en peinture (au m²)", (18, 35), (15, 80)),
           Item("Vérification d'extincteur", (8, 15), (10, 40)),
           Item("Remplacement de serrure", (95, 260), (1, 4)))),
    Theme("books", 6, ("Librairie", "Éditions Techniques", "Documentation Juridique",
                       "Presse et Revues", "Librairie Universitaire", "Cartothèque"),
          ("Ouvrages techniques pour la documentation du service",
           "Abonnement à une base documentaire juridique", "Cartes et atlas pour les équipes"),
          ("Mise à jour du fonds documentaire après la réforme.",
           "Besoin exprimé par les agents instructeurs."),
          (Item("Code de la commande publique commenté", (45, 95), (1, 6), vat="5.5"),
           Item("Ouvrage de référence en droit de l'environnement", (38, 120), (1, 6), vat="5.5"),
           Item("Carte topographique au 1:25 000", (11, 16), (5, 30), vat="5.5"),
           Item("Abonnement base documentaire en ligne (1 an)", (390, 1800), (1, 1),
                max_scale=3))),
    Theme("ppe", 8, ("Équipements de Protection", "Sécurité Industrielle", "Vêtements Pro",
                     "Protection et Terrain", "Équipements Outdoor", "Signalisation"),
          ("Équipements de protection des agents de contrôle",
           "Vêtements de travail pour les missions de terrain",
           "Renouvellement des trousses de secours"),
          ("Dotation individuelle prévue par le document unique.",
           "Renouvellement des équipements usés signalé par les agents."),
          (Item("Chaussures de sécurité", (55, 125), (2, 12)),
           Item("Gilet haute visibilité", (8, 18), (5, 20)),
           Item("Veste de pluie respirante", (45, 95), (2, 12)),
           Item("Gants de protection (lot de 10 paires)", (15, 35), (1, 6)),
           Item("Trousse de premiers secours", (25, 60), (2, 8)))),
    Theme("studies", 6, ("Études et Conseil", "Ingénierie Environnement", "Bureau d'Études",
                         "Laboratoire d'Analyses", "Traductions Techniques", "Géomètres Experts"),
          ("Étude préalable à l'aménagement du site", "Analyses de qualité de l'eau",
           "Traduction de documents techniques", "Relevés topographiques"),
          ("Besoin ponctuel non couvert par les marchés existants, trois devis consultés.",
           "Étude demandée par le comité de pilotage."),
          (Item("Journée d'expertise", (650, 1100), (1, 4)),
           Item("Rédaction du rapport d'étude", (1500, 3900), (1, 1), max_scale=1),
           Item("Analyse en laboratoire (par échantillon)", (80, 250), (3, 15)),
           Item("Traduction de documents techniques (par page)", (25, 45), (10, 50)),
           Item("Relevé topographique (par jour)", (690, 1200), (1, 3)))),
)
THEMES_BY_KEY = {t.key: t for t in THEMES}
TIERS_PER_THEME = 6  # 10 themes: a directory of 60 suppliers


# --- the supplier directory ------------------------------------------------------------------


FAMILY_NAMES = (
    "Moreau", "Lefèvre", "Garnier", "Chevalier", "Rousseau", "Blanchard", "Fournier", "Gauthier",
    "Perrin", "Marchand", "Leroy", "Collin", "Barbier", "Mercier", "Lemoine", "Renaud", "Picard",
    "Humbert", "Kieffer", "Le Gall", "Guégan", "Jacquot", "Thiébaut", "Cadiou", "Ollivier",
)
REGIONS = ("Grand Est", "de l'Est", "Lorraine", "Alsace", "Champagne", "Atlantique",
           "de l'Ouest", "Bretagne", "Anjou", "Val de Loire")
LEGAL_FORMS = ("SAS", "SARL", "SA", "EURL", "SASU")
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue des Tanneurs", "boulevard Pasteur",
    "rue du Général Leclerc", "rue Victor Hugo", "rue des Forges", "quai de la Fosse",
    "rue de la Gare", "avenue de Strasbourg", "rue de Bretagne", "allée des Artisans",
    "rue de l'Industrie", "route de Paris", "rue des Écoles", "boulevard de Lorraine",
)
CITIES = (
    ("57000", "Metz"), ("54000", "Nancy"), ("67000", "Strasbourg"), ("51100", "Reims"),
    ("51000", "Châlons-en-Champagne"), ("88000", "Épinal"), ("68000", "Colmar"),
    ("68100", "Mulhouse"), ("10000", "Troyes"), ("57100", "Thionville"), ("44000", "Nantes"),
    ("44800", "Saint-Herblain"), ("44600", "Saint-Nazaire"), ("49000", "Angers"),
    ("49300", "Cholet"), ("35000", "Rennes"), ("53000", "Laval"), ("72000", "Le Mans"),
    ("85000", "La Roche-sur-Yon"), ("75011", "Paris"),
)
# (bank code, BIC) of French banks.
BANKS = (
    ("30004", "BNPAFRPPXXX"), ("30003", "SOGEFRPPXXX"), ("30002", "CRLYFRPPXXX"),
    ("20041", "PSSTFRPPXXX"), ("30066", "CMCIFRPPXXX"), ("10278", "CMCIFR2AXXX"),
    ("10107", "BREDFRPPXXX"), ("13507", "CCBPFRPPNAN"), ("14445", "CEPAFRPP444"),
)


def _siret(rng: random.Random) -> str:
    siren = str(rng.randint(30_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randint(1, 99):04d}"  # head offices and early establishments
    siret = siren + nic + luhn.calc_check_digit(siren + nic)
    assert std_siret.is_valid(siret), siret
    return siret


def _rib_key(bank: str, branch: str, account: str) -> int:
    # The national RIB key (stdnum only checks the IBAN's own digits); account is all digits.
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97


def _iban(rng: random.Random) -> tuple[str, str]:
    bank, bic = rng.choice(BANKS)
    branch = f"{rng.randint(1, 99_999):05d}"
    account = f"{rng.randint(1, 10**11 - 1):011d}"
    bban = f"{bank}{branch}{account}{_rib_key(bank, branch, account):02d}"
    iban = "FR" + std_iban.calc_check_digits("FR00" + bban) + bban
    assert std_iban.is_valid(iban), iban
    return iban, bic


def _supplier_name(rng: random.Random, trade: str) -> str:
    family, region = rng.choice(FAMILY_NAMES), rng.choice(REGIONS)
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{trade} {family} {rng.choice(LEGAL_FORMS)}"
    if pattern == 1:
        return f"{trade} {region}"
    if pattern == 2:
        return f"{family} et Fils — {trade}"
    return f"{family} {trade} {rng.choice(LEGAL_FORMS)}"


def tiers_rows() -> list[tuple[str, dict]]:
    """(theme key, Tiers fields) of the directory; the same on every run."""
    rng = random.Random(TIERS_SEED)
    rows, names, sirets, codes = [], set(), set(), set()
    for theme in THEMES:
        for trade in theme.trades[:TIERS_PER_THEME]:
            name = _supplier_name(rng, trade)
            while name in names:
                name = _supplier_name(rng, trade)
            siret = _siret(rng)
            while siret in sirets:
                siret = _siret(rng)
            code = str(rng.randint(1_000_000_000, 1_999_999_999))
            while code in codes:
                code = str(rng.randint(1_000_000_000, 1_999_999_999))
            names.add(name)
            sirets.add(siret)
            codes.add(code)
            iban, bic = _iban(rng)
            postcode, city = rng.choice(CITIES)
            rows.append((theme.key, {
                "name": name, "siret": siret, "iban": iban, "bic": bic,
                "address": f"{rng.randint(1, 148)} {rng.choice(STREETS)}",
                "postcode": postcode, "city": city, "chorus_code": code,
            }))
    return rows


# --- seeding: organisations, people, referentials, tiers ---------------------------------------


@dataclass
class SeedReport:
    services_created: int = 0
    users_created: int = 0
    imputations_created: int = 0
    imputations_total: int = 0
    tiers_created: int = 0
    tiers_total: int = 0
    cases_created: int = 0
    seconds: float = 0.0
    pages_created: int = 0
    signatories_total: int = 0
    credentials_created: int = 0
    order_forms_signed: int = 0
    order_forms_total: int = 0
    tiers_requests_created: int = 0
    statements_created: int = 0
    letters_issued: int = 0
    wagtail_site: bool = True
    states: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        def status(created: int, total: int, noun: str, ending: str = "s") -> str:
            if created:
                return f"{total} {noun}, dont {created} créé{ending}"
            return f"{total} {noun}, déjà chargé{ending}"

        lines = [
            "Données de démonstration :",
            "  Organisations : " + status(self.services_created, len(SERVICES),
                                          f"services ({len(CENTRES)} centres, {len(PRESCRIBING)} "
                                          f"services prescripteurs, mission des achats et "
                                          f"contrôle budgétaire)"),
            "  Comptes : " + status(self.users_created, len(USERS), "comptes")
            + f" — mot de passe de démonstration : {PASSWORD}",
            "  Référentiels budgétaires : " + status(
                self.imputations_created, self.imputations_total, "imputations", "es"),
            "  Annuaire des tiers : " + status(self.tiers_created, self.tiers_total,
                                               "fournisseurs"),
        ]
        total = sum(self.states.values())
        if self.cases_created:
            lines.append(f"  Dossiers : {self.cases_created} demandes d'achat créées "
                         f"en {self.seconds:.0f} s")
        else:
            lines.append(f"  Dossiers : {total} demandes d'achat déjà chargées, rien n'a été "
                         "modifié")
        lines.append("  Par état : " + ", ".join(
            f"{State(state).label} {count}" for state, count in sorted(
                self.states.items(), key=lambda item: list(State.values).index(item[0]))))
        lines.append("  Demandes de tiers (circuit CSP puis CST) : " + (
            f"{self.tiers_requests_created} créées" if self.tiers_requests_created
            else "déjà chargées"))
        lines.append("  Service fait et immobilisations : " + (
            f"{self.statements_created} dossiers créés" if self.statements_created
            else "déjà chargés"))
        lines.append("  Contenus Wagtail (conventions, annexes, fiches) : " + (
            f"{self.pages_created} pages publiées" if self.pages_created else "déjà publiés"))
        lines.append("  Certificats de signature (AC de démonstration) : " + status(
            self.credentials_created, self.signatories_total, "signataires des centres"))
        lines.append("  Bons de commande signés : " + status(
            self.order_forms_signed, self.order_forms_total, "bons de commande"))
        lines.append("  Courriers de décision signés (demandes d'accès à Chorus) : " + (
            f"{self.letters_issued} émis" if self.letters_issued else "déjà émis"))
        if not self.wagtail_site:
            lines.append("  Attention : aucun site Wagtail par défaut (lancez « migrate »).")
        return lines


def _seed_services(report: SeedReport) -> dict[str, Service]:
    services = {}
    for spec in CENTRES + PRESCRIBING + PARTIES:
        existed = Service.objects.filter(code=spec.code).exists()
        kind = spec.kind or (Service.Kind.PRESCRIBING if spec.centre
                             else Service.Kind.SHARED_CENTRE)
        details = {"address": spec.address, "chorus_siret": spec.chorus_siret,
                   "chorus_service_code": spec.chorus_service_code}
        service = services[spec.code] = service_get_or_create(
            code=spec.code, name=spec.name, kind=kind,
            processing_centre=services[spec.centre] if spec.centre else None, **details)
        # Fields added after a first seeding are filled in, never overwritten.
        missing = [name for name, value in details.items() if value and not getattr(service, name)]
        if missing:
            for name in missing:
                setattr(service, name, details[name])
            service.save(update_fields=missing)
        report.services_created += not existed
    return services


class _DemoPasswordHash:
    """The demo password hashed once per seeding: hashing is deliberately slow (~0.4 s), and
    every demo account shares the one published password, so one salted hash serves them all.
    An account whose stored hash is that string needs no check of its own."""

    def __init__(self):
        self.encoded = None

    def matches(self, user) -> bool:
        if self.encoded is not None and user.password == self.encoded:
            return True
        if user.check_password(PASSWORD):
            self.encoded = self.encoded or user.password
            return True
        return False

    def get(self) -> str:
        if self.encoded is None:
            self.encoded = make_password(PASSWORD)
        return self.encoded


def _ensure_user(spec: DemoUser, report: SeedReport, password: _DemoPasswordHash):
    user, created = get_user_model().objects.get_or_create(
        username=spec.username,
        defaults={"first_name": spec.first_name, "last_name": spec.last_name,
                  "email": _email(spec), "is_staff": spec.role == EDITOR,
                  "password": password.get()})
    # Someone may have changed a demo password while trying the portal: put it back.
    if not created and not password.matches(user):
        user.password = password.get()
        user.save(update_fields=["password"])
    if spec.role == EDITOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    report.users_created += created
    return user


def _seed_users(services: dict[str, Service], report: SeedReport,
                editorial: Editorial) -> dict[str, object]:
    users, password = {}, _DemoPasswordHash()
    for spec in USERS:
        user = users[spec.username] = _ensure_user(spec, report, password)
        if spec.role == EDITOR:
            user.groups.add(editorial.editors)
            continue
        if spec.role == Role.CSP_HEAD:
            user.groups.add(editorial.approvers)
        membership_grant(user=user, service=services[spec.service], role=spec.role)
        if spec.ceiling is not None:
            delegation_get_or_create(user=user, service=services[spec.service],
                                     ceiling=spec.ceiling, valid_from=DELEGATIONS_FROM)
    return users


def _seed_referentials(services: dict[str, Service], report: SeedReport) -> None:
    for code in SP_CODES:
        for axis, imputation_code, label, active in _imputation_rows(code):
            _imputation, created = BudgetImputation.objects.get_or_create(
                service=services[code], axis=axis, code=imputation_code,
                defaults={"label": label, "active": active})
            report.imputations_created += created
            report.imputations_total += 1


def _seed_tiers(report: SeedReport) -> dict[str, list[Tiers]]:
    by_theme: dict[str, list[Tiers]] = {}
    for theme, fields in tiers_rows():
        tiers = Tiers.objects.filter(siret=fields["siret"]).first()
        if tiers is None:
            tiers = Tiers(**fields)
            tiers.full_clean()
            tiers.save()
            report.tiers_created += 1
        by_theme.setdefault(theme, []).append(tiers)
        report.tiers_total += 1
    return by_theme


# --- seeding: purchase requests ------------------------------------------------------------------


# How many cases end in each state. Open ones are recent, closed ones span eight weeks.
STATE_MIX = (
    (State.DRAFT, 18), (State.AWAITING_VALIDATION, 16), (State.SUBMITTED, 42),
    (State.IN_PROGRESS, 38), (State.INFO_REQUESTED, 16), (State.COMPLETED, 80),
    (State.REJECTED, 14), (State.CANCELLED, 16),
)
# Working days between the creation of the draft and today, by final state.
AGE = {
    State.DRAFT: (0, 12), State.AWAITING_VALIDATION: (0, 6), State.SUBMITTED: (0, 9),
    State.IN_PROGRESS: (1, 12), State.INFO_REQUESTED: (2, 14), State.COMPLETED: (3, 39),
    State.REJECTED: (3, 39), State.CANCELLED: (1, 35),
    State.AT_MISSION: (1, 6), State.MISSION_INFO: (2, 8), State.AWAITING_VISA: (4, 12),
}
OFFICE_OPENS, OFFICE_CLOSES = time(8, 30), time(18, 0)
SMALL_MAX, LARGE_MIN, LARGE_MAX = Decimal("4950"), Decimal("5100"), Decimal("60000")
PROCUREMENT_THRESHOLD_HT = Decimal("25000")
LARGE_SHARE = 0.2  # requests above the agents' delegation, validated by an ordonnateur
WIZARD_STEPS = ("objet", "fournisseur", "lignes", "pieces", "recapitulatif")

VALIDATE_COMMENTS = (
    "", "Crédits disponibles, bon pour engagement.", "Vu et validé.",
    "Dépense prévue au budget du service, validée.",
    "Validé. Merci de rappeler au fournisseur le délai de livraison annoncé.",
)
RETURN_COMMENTS = (
    "Le devis joint date de plus de trois mois : merci d'en demander un à jour.",
    "Mauvais centre de coûts : cette dépense relève du secrétariat général.",
    "Merci de vérifier que ce besoin n'est pas couvert par le marché régional avant de "
    "redéposer la demande.",
    "Quantités à revoir avec le chef de service avant validation.",
)
ASSIGN_COMMENTS = (
    "", "Tu connais bien ce fournisseur, je te le confie.",
    "À traiter en priorité : livraison attendue avant la fin du mois.",
    "Répartition de la corbeille du jour.",
)
RELEASE_COMMENTS = (
    "", "Absence prévue la semaine prochaine : je remets le dossier dans la corbeille.",
    "Je ne pourrai pas le traiter dans les délais, je le libère pour un collègue.",
)
MARKET_QUESTION = "Cet achat relève-t-il d'un marché existant ? Merci de préciser la référence."
INFO_EXCHANGES = (
    ("Le devis n'est pas signé par le fournisseur. Pouvez-vous nous confirmer qu'il est "
     "toujours valable ?",
     "Le fournisseur nous a confirmé son devis par courriel ce matin, il est valable en "
     "l'état."),
    ("Le SIRET du devis ne correspond pas exactement au tiers choisi. Confirmez-vous le "
     "fournisseur à engager ?",
     "C'est bien ce tiers : le devis a été émis par un autre établissement de la même "
     "société."),
    (MARKET_QUESTION,
     "Non, aucun marché ne couvre ce besoin ; trois devis ont été comparés."),
    ("L'activité choisie ne correspond pas à la nature de la dépense. Confirmez-vous "
     "l'imputation ?",
     "Nous confirmons l'imputation, vue avec notre contrôleur de gestion."),
    ("La quantité de la ligne 1 diffère de celle du devis. Laquelle fait foi ?",
     "La quantité de la demande fait foi, le fournisseur nous envoie un devis rectifié."),
    ("Pouvez-vous préciser l'adresse de livraison ? Le devis mentionne un autre site.",
     "Livraison au site principal du service, accueil du rez-de-chaussée, du lundi au "
     "vendredi de 9 h à 16 h."),
)
COMPLETE_COMMENTS = (
    "", "EJ créé dans Chorus. Le bon de commande signé est à envoyer au fournisseur.",
    "Bon de commande édité et signé, transmis au service.",
)
REJECT_COMMENTS = (
    "Cet achat relève d'un marché interministériel : merci de commander par la centrale "
    "d'achat.",
    "Demande en double : le même besoin a déjà été engagé.",
    "Le fournisseur n'est plus actif dans Chorus : déposez d'abord une demande de "
    "modification de tiers.",
    "Crédits insuffisants sur le centre financier indiqué, confirmé par le service.",
)
REJECT_PROCUREMENT = ("Montant supérieur à 25 000 € HT : la demande doit être instruite par la "
                      "mission des achats.")
# The type of anomaly (the default typology's code, and the precision an « Autre » needs)
# of each question, return and rejection above.
ANOMALY_OF_COMMENT = {
    INFO_EXCHANGES[0][0]: ("non_compliant_quote", ""),
    INFO_EXCHANGES[1][0]: ("wrong_supplier", ""),
    MARKET_QUESTION: ("other", "Marché existant à vérifier"),
    INFO_EXCHANGES[3][0]: ("wrong_imputation", ""),
    INFO_EXCHANGES[4][0]: ("inconsistent_amount", ""),
    INFO_EXCHANGES[5][0]: ("missing_document", ""),
    RETURN_COMMENTS[0]: ("non_compliant_quote", ""),
    RETURN_COMMENTS[1]: ("wrong_imputation", ""),
    RETURN_COMMENTS[2]: ("other", "Marché régional à consulter"),
    RETURN_COMMENTS[3]: ("inconsistent_amount", ""),
    REJECT_COMMENTS[0]: ("other", "Relève de la centrale d'achat"),
    REJECT_COMMENTS[1]: ("duplicate", ""),
    REJECT_COMMENTS[2]: ("wrong_supplier", ""),
    REJECT_COMMENTS[3]: ("wrong_imputation", ""),
    REJECT_PROCUREMENT: ("other", "Seuil de la mission des achats"),
}
CANCEL_DRAFT_COMMENTS = ("", "Besoin abandonné.", "Doublon : une autre demande a été créée.")
CANCEL_COMMENTS = (
    "Besoin couvert par un autre achat du service.",
    "Erreur de fournisseur : une nouvelle demande a été déposée.",
    "Le fournisseur ne peut plus livrer dans les délais, achat reporté.",
    "Projet ajourné par la direction.",
)


@dataclass
class Cast:
    """The people of one prescribing service and of its centre."""

    service: Service
    agents: list
    ordonnateur: object
    centre_agents: list
    head: object
    pool: dict = field(default_factory=dict)  # the service's active imputations, by axis


@dataclass
class Move:
    action: str
    actor: object
    hours: tuple[float, float]  # delay after the previous step (clock hours, office time)
    comment: str = ""
    assignee: object = None
    ej_number: str | None = None
    at: datetime | None = None
    inputs: dict = field(default_factory=dict)  # a circuit's own (procurement route, visa)


@dataclass
class Content:
    subject: str
    description: str
    market_reference: str
    imputations: dict
    tiers: Tiers
    lines: list
    quote_number: str

    def data(self) -> purchases.PurchaseRequestData:
        return purchases.PurchaseRequestData(
            subject=self.subject, description=self.description,
            market_reference=self.market_reference, tiers=self.tiers, lines=self.lines,
            **self.imputations)


@dataclass
class Plan:
    target: str
    cast: Cast
    creator: object
    content: Content
    wizard_step: str  # where the author left the wizard
    submitted: bool  # whether the content was filled and the request deposited
    moves: list[Move]
    quote_age: int  # days between the supplier's quote and the draft
    created_at: datetime | None = None


def _casts(services, users) -> dict[str, Cast]:
    def members(code, *roles):
        return [users[u.username] for u in USERS if u.service == code and u.role in roles]

    casts = {}
    for spec in PRESCRIBING:
        casts[spec.code] = Cast(
            service=services[spec.code], agents=members(spec.code, Role.SP_AGENT),
            ordonnateur=members(spec.code, Role.ORDONNATEUR)[0],
            centre_agents=members(spec.centre, Role.CSP_AGENT),
            head=members(spec.centre, Role.CSP_HEAD)[0],
            pool=_imputation_pool(services[spec.code]))
    return casts


def _ceiling(user) -> Decimal:
    return next(u.ceiling for u in USERS if u.username == user.username)


# --- content of a request ---


def _price(rng: random.Random, low: float, high: float) -> Decimal:
    value = rng.uniform(low, high)
    step = Decimal("0.05") if high < 20 else Decimal("0.10") if high < 200 else Decimal("1")
    return (Decimal(str(value)) / step).quantize(Decimal("1")) * step


def _lines(rng: random.Random, theme: Theme, large: bool) -> list:
    for _attempt in range(500):
        count = min(rng.choice((1, 1, 2, 2, 3, 3, 4, 5)), len(theme.items))
        scale = rng.randint(3, 12) if large else 1
        lines = [
            amounts.LineData(
                label=item.label,
                quantity=Decimal(rng.randint(*item.quantity) * min(scale, item.max_scale)),
                unit_price_ht=_price(rng, *item.price), vat_rate=Decimal(item.vat))
            for item in rng.sample(theme.items, count)
        ]
        ttc = amounts.purchase_totals(lines).ttc
        if (LARGE_MIN < ttc < LARGE_MAX) if large else (ttc <= SMALL_MAX):
            return lines
    raise RuntimeError(f"Catalogue « {theme.key} » : aucun montant ne convient.")


def _imputation_pool(service: Service) -> dict[str, list[BudgetImputation]]:
    pool: dict[str, list[BudgetImputation]] = {}
    for imputation in BudgetImputation.objects.filter(service=service, active=True):
        pool.setdefault(imputation.axis, []).append(imputation)
    return pool


def _imputations(rng: random.Random, pool: dict[str, list[BudgetImputation]]) -> dict:
    funds = rng.choice(pool[ImputationAxis.FUNDS]) if rng.random() < 0.1 else None
    financial_centre = rng.choice(pool[ImputationAxis.FINANCIAL_CENTRE])
    # An activity of the centre financier's programme (cases.budget refuses any other).
    programme = programme_of(financial_centre.code)
    return {
        "financial_centre": financial_centre,
        "cost_centre": rng.choice(pool[ImputationAxis.COST_CENTRE]),
        "activity": rng.choice([activity for activity in pool[ImputationAxis.ACTIVITY]
                                if programme_of(activity.code) == programme]),
        "funds": funds,
    }


def _content(rng, cast: Cast, large: bool, tiers_by_theme) -> Content:
    theme = rng.choices(THEMES, weights=[t.weight for t in THEMES])[0]
    lines = _lines(rng, theme, large)
    market = ""
    # From 25,000 € HT the mission des achats buys: the request then orders on its market.
    procured = amounts.purchase_totals(lines).ht >= PROCUREMENT_THRESHOLD_HT
    if rng.random() < (0.85 if procured else 0.4 if large else 0.15):
        market = rng.choice(("Commande sur le catalogue de la centrale d'achat",
                             f"Marché {cast.service.code}-2025-{rng.randint(1, 40):03d}",
                             "Accord-cadre interministériel, lot 2"))
    return Content(subject=rng.choice(theme.subjects), description=rng.choice(theme.descriptions),
                   market_reference=market, imputations=_imputations(rng, cast.pool),
                   tiers=rng.choice(tiers_by_theme[theme.key]), lines=lines,
                   quote_number=f"DEV-2026-{rng.randint(100, 9999):04d}")


# --- the story of a request ---


def _pick_processor(rng: random.Random, cast: Cast, besides=None):
    people = [a for a in cast.centre_agents + [cast.head] if a is not besides]
    weights = [4 if a is cast.centre_agents[0] else 1 if a is cast.head else 3 for a in people]
    return rng.choices(people, weights=weights)[0]


def _submission(rng, cast: Cast, creator, needs_validation: bool) -> list[Move]:
    moves = [Move(Action.SUBMIT, creator, (0.15, 0.8))]
    if needs_validation:
        moves.append(Move(Action.VALIDATE, cast.ordonnateur, (1, 30),
                          comment=rng.choice(VALIDATE_COMMENTS)))
    return moves


def _take(rng, cast: Cast, besides=None):
    agent = _pick_processor(rng, cast, besides)
    if agent is not cast.head and rng.random() < 0.2:
        return agent, [Move(Action.ASSIGN, cast.head, (1, 24), assignee=agent,
                            comment=rng.choice(ASSIGN_COMMENTS))]
    return agent, [Move(Action.CLAIM, agent, (0.5, 40))]


def _info_round(rng, cast: Cast, agent, creator, content, answered=True,
                asked=()) -> list[Move]:
    exchanges = [pair for pair in INFO_EXCHANGES if pair[0] not in asked
                 and not (content.market_reference and pair[0] == MARKET_QUESTION)]
    question, answer = rng.choice(exchanges)
    moves = [Move(Action.REQUEST_INFO, agent, (1, 20), comment=question)]
    if answered:
        answerer = creator if rng.random() < 0.8 else rng.choice(cast.agents)
        moves.append(Move(Action.ANSWER, answerer, (2, 40), comment=answer))
    return moves


def _processing(rng, cast, creator, target, content) -> list[Move]:
    """Moves from 'submitted' to the target state, for the centre's side of the story."""
    agent, moves = _take(rng, cast)
    if target == State.SUBMITTED:
        return moves + [Move(Action.RELEASE, agent, (1, 30),
                             comment=rng.choice(RELEASE_COMMENTS))]
    if target == State.IN_PROGRESS and rng.random() < 0.1:
        moves.append(Move(Action.RELEASE, agent, (1, 30), comment=rng.choice(RELEASE_COMMENTS)))
        agent, more = _take(rng, cast, besides=agent)
        moves += more
    rounds = {State.INFO_REQUESTED: 0.2, State.IN_PROGRESS: 0.2, State.COMPLETED: 0.25,
              State.REJECTED: 0.3}[target]
    if rng.random() < rounds:
        moves += _info_round(rng, cast, agent, creator, content)
    if target == State.INFO_REQUESTED:
        asked = {m.comment for m in moves if m.action == Action.REQUEST_INFO}
        moves += _info_round(rng, cast, agent, creator, content, answered=False, asked=asked)
    elif target == State.COMPLETED:
        moves.append(Move(Action.COMPLETE, agent, (1, 50),
                          comment=rng.choice(COMPLETE_COMMENTS)))
    elif target == State.REJECTED:
        ht = amounts.purchase_totals(content.lines).ht
        procured = ht >= PROCUREMENT_THRESHOLD_HT and not content.market_reference
        reason = REJECT_PROCUREMENT if procured else rng.choice(REJECT_COMMENTS)
        moves.append(Move(Action.REJECT, agent, (2, 40), comment=reason))
    return moves


def _story(rng, cast: Cast, creator, target: str, needs_validation: bool, content):
    """(wizard step reached, deposited?, moves) leading a new draft to `target`."""
    if target == State.DRAFT and not needs_validation:
        return rng.choice(WIZARD_STEPS[1:]), False, []
    if target == State.DRAFT:  # deposited, then sent back by the ordonnateur
        return WIZARD_STEPS[-1], True, [
            Move(Action.SUBMIT, creator, (0.15, 0.8)),
            Move(Action.RETURN, cast.ordonnateur, (1, 30), comment=rng.choice(RETURN_COMMENTS))]
    if target == State.CANCELLED:
        return _cancellation(rng, cast, creator, needs_validation)
    moves = _submission(rng, cast, creator, needs_validation)
    if target == State.AWAITING_VALIDATION:
        return WIZARD_STEPS[-1], True, moves[:1]
    if target == State.SUBMITTED and rng.random() > 0.15:
        return WIZARD_STEPS[-1], True, moves
    return WIZARD_STEPS[-1], True, moves + _processing(rng, cast, creator, target, content)


def _cancellation(rng, cast: Cast, creator, needs_validation: bool):
    canceller = creator if rng.random() < 0.8 else rng.choice(cast.agents)
    if not needs_validation and rng.random() < 0.35:
        return rng.choice(WIZARD_STEPS[1:]), False, [
            Move(Action.CANCEL, creator, (1, 60), comment=rng.choice(CANCEL_DRAFT_COMMENTS))]
    moves = _submission(rng, cast, creator, needs_validation)
    if needs_validation and rng.random() < 0.5:
        moves = moves[:1]  # withdrawn while waiting for the ordonnateur
    return WIZARD_STEPS[-1], True, moves + [
        Move(Action.CANCEL, canceller, (2, 48), comment=rng.choice(CANCEL_COMMENTS))]


# --- dates ---


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _working_day_back(today: date, count: int) -> date:
    day = today
    while not is_working_day(day):
        day -= timedelta(days=1)
    for _ in range(count):
        day -= timedelta(days=1)
        while not is_working_day(day):
            day -= timedelta(days=1)
    return day


def _office_hours(rng: random.Random, moment: datetime) -> datetime:
    """`moment`, or the next opening of a working day (people act during office hours)."""
    local = timezone.localtime(moment)
    if is_working_day(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
        return moment
    day = local.date() if local.time() < OFFICE_OPENS else local.date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return _local(day, OFFICE_OPENS) + timedelta(minutes=rng.randint(0, 150))


def _schedule(rng: random.Random, now: datetime, target: str, moves: list[Move]) -> datetime:
    """Date the moves (strictly increasing, in the past); returns the draft's creation date."""
    age = rng.randint(*AGE[target])
    if target in OPEN_STATES:  # a backlog is mostly recent: only part of it is overdue
        age = min(age, rng.randint(*AGE[target]))
    start_minutes = rng.randint(0, 7 * 60)
    gaps = [timedelta(hours=rng.uniform(*move.hours)) for move in moves]
    today = timezone.localtime(now).date()
    for extra in range(60):
        created = _local(_working_day_back(today, age + extra), OFFICE_OPENS)
        created += timedelta(minutes=start_minutes)
        moment = created
        for move, gap in zip(moves, gaps, strict=True):
            moment = move.at = _office_hours(rng, moment + gap)
        if moment < now - timedelta(minutes=5):
            return created
    raise RuntimeError("Impossible de dater l'historique d'une demande.")


# --- playing a plan through the services ---


def _wizard_state(content: Content, step: str) -> dict:
    """The wizard's saved progress, as its formtools storage writes it (steps before `step`)."""
    fields = {
        "objet": {
            "objet-subject": [content.subject], "objet-description": [content.description],
            "objet-market_reference": [content.market_reference],
            **{f"objet-{name}": [str(imp.pk) if imp else ""]
               for name, imp in content.imputations.items()},
        },
        "fournisseur": {"fournisseur-tiers": [str(content.tiers.pk)]},
        "lignes": {
            "lignes-TOTAL_FORMS": [str(len(content.lines))], "lignes-INITIAL_FORMS": ["0"],
            "lignes-MIN_NUM_FORMS": ["1"], "lignes-MAX_NUM_FORMS": ["50"],
        },
        "pieces": {},
    }
    for i, line in enumerate(content.lines):
        fields["lignes"].update({
            f"lignes-{i}-label": [line.label], f"lignes-{i}-quantity": [str(line.quantity)],
            f"lignes-{i}-unit_price_ht": [str(line.unit_price_ht)],
            f"lignes-{i}-vat_rate": [f"{line.vat_rate:.2f}"],
        })
    done = WIZARD_STEPS[:WIZARD_STEPS.index(step)]
    step_data = {name: {"purchase_request-current_step": [name], **fields[name]} for name in done}
    return {"step": step, "step_data": step_data, "step_files": {}, "extra_data": {}}


def quote_pdf(content: Content, client: str, day: date) -> SimpleUploadedFile:
    """A one-page supplier quote matching the request's lines."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"Devis {content.quote_number}")
    tiers, y = content.tiers, 800
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(50, y, tiers.name)
    pdf.setFont("Helvetica", 9)
    for text in (tiers.address, f"{tiers.postcode} {tiers.city}", f"SIRET {tiers.siret}"):
        y -= 13
        pdf.drawString(50, y, text)
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(50, y - 35, f"DEVIS n° {content.quote_number} du {day:%d/%m/%Y}")
    pdf.setFont("Helvetica", 9)
    pdf.drawString(50, y - 52, f"Client : {client}")
    y -= 85
    pdf.drawString(50, y, "Désignation")
    for x, title in ((355, "Qté"), (430, "PU HT"), (470, "TVA"), (545, "Total HT")):
        pdf.drawRightString(x, y, title)
    for line in content.lines:
        y -= 15
        totals = amounts.line_totals(line)
        pdf.drawString(50, y, line.label[:55])
        pdf.drawRightString(355, y, f"{line.quantity:g}")
        pdf.drawRightString(430, y, _euros(line.unit_price_ht))
        pdf.drawRightString(470, y, f"{line.vat_rate:g} %".replace(".", ","))
        pdf.drawRightString(545, y, _euros(totals.ht))
    totals = amounts.purchase_totals(content.lines)
    for label, value in (("Total HT", totals.ht), ("TVA", totals.vat), ("Total TTC", totals.ttc)):
        y -= 18
        pdf.drawString(400, y, label)
        pdf.drawRightString(545, y, _euros(value))
    pdf.drawString(50, y - 40, "Devis valable trois mois. Document fictif de démonstration.")
    pdf.showPage()
    pdf.save()
    return SimpleUploadedFile(f"devis-{content.quote_number}.pdf", buffer.getvalue(),
                              content_type="application/pdf")


def _ej_number(rng: random.Random, used: set[str]) -> str:
    number = f"21{rng.randint(0, 99_999_999):08d}"
    while number in used:
        number = f"21{rng.randint(0, 99_999_999):08d}"
    used.add(number)
    return number


def _play(plan: Plan) -> Case:
    creator, content = plan.creator, plan.content
    case = case_services.case_draft_create(actor=creator, service=plan.cast.service,
                                           kind=CaseKind.PURCHASE_REQUEST, at=plan.created_at)
    # The draft's amount as the wizard records it: its lines' total once they are stored.
    lines_stored = WIZARD_STEPS.index(plan.wizard_step) > WIZARD_STEPS.index("lignes")
    case = case_services.case_draft_save(
        case=case, actor=creator, subject=content.subject,
        wizard_state=_wizard_state(content, plan.wizard_step),
        amount=amounts.purchase_totals(content.lines).ttc if lines_stored else None)
    if plan.wizard_step == WIZARD_STEPS[-1]:
        quote_day = timezone.localtime(plan.created_at).date() - timedelta(days=plan.quote_age)
        attachment_add(case=case, kind=AttachmentKind.QUOTE, actor=creator,
                       uploaded=quote_pdf(content, plan.cast.service.name, quote_day))
    if plan.submitted:
        purchases.purchase_request_fill(case=case, actor=creator, data=content.data())
    for index, move in enumerate(plan.moves):
        anomaly, anomaly_text = ANOMALY_OF_COMMENT.get(move.comment, ("", ""))
        case = case_services.transition(
            case=case, action=move.action, comment=move.comment,
            # A move without actor is the purchasing mission's (its member is the centre's).
            actor=move.actor or circuits.mission_member(case),
            assignee=move.assignee, ej_number=move.ej_number, at=move.at,
            inputs={"anomaly": anomaly, "anomaly_text": anomaly_text, **move.inputs})
        following = plan.moves[index + 1].at if index + 1 < len(plan.moves) else None
        case = circuits.pass_through(case, content, plan.target, after=move.at, before=following)
    if case.state != plan.target:
        raise RuntimeError(f"{case}: état {case.state} au lieu de {plan.target}")
    return case


def _plans(now: datetime, casts, tiers_by_theme) -> list[Plan]:
    # Contents come from one seed, dates from another: what is bought does not depend on the
    # day of seeding, only when it happened does.
    rng, dates = random.Random(CASES_SEED), random.Random(CASES_SEED + 1)
    plans, used_ej = [], set()
    for target, count in STATE_MIX:
        for i in range(count):
            cast = casts[SP_CODES[i % len(SP_CODES)]]
            people = cast.agents + [cast.ordonnateur]
            must_wait = target == State.AWAITING_VALIDATION
            large = must_wait or rng.random() < LARGE_SHARE
            # Only agents wait for a validation; the ordonnateur's own requests go straight on.
            creator = rng.choices(people, weights=[6, 3, 1] if not must_wait else [6, 3, 0])[0]
            content = _content(rng, cast, large, tiers_by_theme)
            amount = amounts.purchase_totals(content.lines).ttc
            needs_validation = amount > _ceiling(creator)
            step, submitted, moves = _story(rng, cast, creator, target, needs_validation, content)
            for move in moves:
                if move.action == Action.COMPLETE:
                    move.ej_number = _ej_number(rng, used_ej)
            plans.append(Plan(target, cast, creator, content, step, submitted, moves,
                              quote_age=rng.randint(1, 20)))
    plans += _circuit_plans(rng, casts, tiers_by_theme, used_ej)
    for plan in plans:
        plan.created_at = _schedule(dates, now, plan.target, plan.moves)
    # Played in creation order, so that references and creation dates follow the histories.
    plans.sort(key=lambda plan: plan.created_at)
    return plans


def _circuit_plans(rng, casts, tiers_by_theme, used_ej) -> list[Plan]:
    """Requests left at the purchasing mission or waiting for the visa (Est centre)."""
    plans = []
    for target, count in circuits.TARGETS:
        for i in range(count):
            cast = casts[("DRAAF", "DREAL")[i % 2]]
            creator = cast.agents[0]
            # Large enough for the circuit: the mission's threshold, or the visa's.
            floor = Decimal("40000") if target == State.AWAITING_VISA else \
                PROCUREMENT_THRESHOLD_HT
            content = _content(rng, cast, True, tiers_by_theme)
            while amounts.purchase_totals(content.lines).ht < floor:
                content = _content(rng, cast, True, tiers_by_theme)
            moves = _submission(rng, cast, creator, needs_validation=True)
            if target == State.MISSION_INFO:
                moves.append(Move(Action.REQUEST_INFO, None, (1, 20),
                                  comment=circuits.mission_question(rng),
                                  inputs={"anomaly": "missing_document"}))
            elif target == State.AWAITING_VISA:
                agent, taken = _take(rng, cast)
                moves += taken + [Move(Action.COMPLETE, agent, (1, 30),
                                       ej_number=_ej_number(rng, used_ej))]
            plans.append(Plan(target, cast, creator, content, WIZARD_STEPS[-1], True, moves,
                              quote_age=rng.randint(1, 20)))
    return plans


def _seed_cases(now, casts, tiers_by_theme, report: SeedReport) -> None:
    plans = _plans(now, casts, tiers_by_theme)
    started = clock.monotonic()
    # One transaction for the whole batch: a failure leaves no half-seeded demo behind.
    with transaction.atomic():
        for plan in plans:
            _play(plan)
            report.cases_created += 1
    report.seconds = clock.monotonic() - started


SIGNATORY_ROLES = (Role.CSP_AGENT, Role.CSP_HEAD)


def _seed_credentials(users, report: SeedReport, now: datetime) -> None:
    """A demo CA and one PKCS#12 credential per centre signatory, in var/signing/."""
    for spec in USERS:
        if spec.role not in SIGNATORY_ROLES:
            continue
        report.signatories_total += 1
        if (credentials_dir() / f"{spec.username}.p12").exists():
            continue
        # Valid since before the oldest demo case, so that its order form can be signed.
        issue_credential(spec.username, f"{spec.first_name} {spec.last_name}",
                         SERVICES[spec.service].name, not_before=now - timedelta(days=400))
        report.credentials_created += 1


def _seed_order_forms(report: SeedReport) -> None:
    """Sign two completed requests out of three, by the agent who completed them; the rest
    stays in the centres' "à signer" lists."""
    completed = (demo_cases().filter(kind=CaseKind.PURCHASE_REQUEST, state=State.COMPLETED)
                 .select_related("assigned_to").order_by("pk"))
    with transaction.atomic():
        for position, case in enumerate(completed):
            if position % 3 == 2 or case.issued_documents.exists():
                continue
            case_services.transition(case=case, action=Action.SIGN, actor=case.assigned_to,
                                     at=case.completed_at + timedelta(minutes=20))
            report.order_forms_signed += 1
    report.order_forms_total = IssuedDocument.objects.filter(case__in=demo_cases()).count()


def demo_cases():
    return Case.objects.filter(requesting_service__code__in=SP_CODES)


def seed(now: datetime | None = None) -> SeedReport:
    """Load the demo data; organisations, accounts, referentials and tiers are re-checked on
    every run, cases only once (the presence of demo cases means they were loaded). Past
    events are recorded as notifications but email nobody."""
    with emails_suspended():
        return _seed(now)


def _seed(now: datetime | None = None) -> SeedReport:
    now = now or timezone.now()
    report = SeedReport()
    services = _seed_services(report)
    editorial = editorial_setup()
    users = _seed_users(services, report, editorial)
    seed_steering(users=users)
    report.pages_created = seed_content(editorial, services)
    report.pages_created += seed_catalogue_fields(editorial)
    _seed_referentials(services, report)
    tiers_by_theme = _seed_tiers(report)
    if not demo_cases().exists():
        _seed_cases(now, _casts(services, users), tiers_by_theme, report)
    report.tiers_requests_created = seed_tiers_requests(services=services, users=users,
                                                         now=now)
    _seed_credentials(users, report, now)
    _seed_order_forms(report)
    report.letters_issued = seed_letters(services=services, users=users, now=now)
    report.statements_created = seed_statements(services=services, users=users, now=now)
    seed_invoices(sp_codes=SP_CODES, now=now)
    seed_annotations(now=now)
    seed_routing(services=services, users=users, editorial=editorial)
    seed_opinions(now=now)
    report.states = Counter(demo_cases().filter(kind=CaseKind.PURCHASE_REQUEST)
                            .values_list("state", flat=True))
    report.wagtail_site = Site.objects.filter(is_default_site=True).exists()
    return report
