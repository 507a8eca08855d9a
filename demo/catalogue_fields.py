"""A demo catalogue form using the field types and conditions of issue 22: a repetition block
(the trainees), an address checked against the demo postcodes, a département, a country, a
NIR, an intra-EU VAT number, a bounded number, a text with a pattern, a date range bounded
relative to today, several files, a link to another request, and conditions on a number and
a choice combined with « ou ». Published once (idempotent: an existing page is kept)."""

from decimal import Decimal

from conventions.services import Editorial

SLUG = "formation-collective"


def _field(kind, label, *, required=True, help_text="", conditions=None, **settings):
    return (kind, {"label": label, "help_text": help_text, "required": required,
                   "show_if_field": "", "show_if_value": "",
                   "conditions": conditions or {"combine": "and", "rules": []}, **settings})


def _sub(kind, label, *, required=True, **settings):
    return {"type": kind, "value": {"label": label, "help_text": "", "required": required,
                                    **settings}}


def _rule(field, operator, value=""):
    return {"field": field, "operator": operator, "value": value}


TRAINING_FIELDS = [
    ("section", {"title": "La formation"}),
    _field("choice", "Nature de la formation",
           choices=["Chorus Formulaires", "Marchés publics", "Autre"]),
    _field("pattern_text", "Code de la session", help_text="Tel qu'il figure au catalogue, "
           "par exemple CHO-2026-04.", pattern=r"[A-Z]{3}-20[0-9]{2}-[0-9]{2}",
           pattern_message="Trois lettres majuscules, l'année et le numéro de session : "
                           "CHO-2026-04."),
    _field("date_range", "Dates souhaitées", earliest_days=0, latest_days=365,
           help_text="Entre aujourd'hui et dans un an."),
    _field("bounded_number", "Budget estimé par stagiaire (€)", required=False,
           minimum=Decimal("0"), maximum=Decimal("5000")),
    _field("long_text", "Justification du budget",
           help_text="Demandée au-delà de 1 500 € par stagiaire, ou pour une formation "
                     "« Autre ».",
           conditions={"combine": "or", "rules": [
               _rule("Budget estimé par stagiaire (€)", "gt", "1500"),
               _rule("Nature de la formation", "equals", "Autre")]}),
    _field("case_link", "Demande d'achat liée", required=False,
           help_text="La demande d'achat qui finance la formation, si elle est déjà déposée."),
    ("step_break", {"title": "Les stagiaires"}),
    _field("repetition", "Stagiaires", min_rows=1, max_rows=8,
           help_text="Une ligne par stagiaire.",
           fields=[_sub("text", "Nom et prénom"), _sub("email", "Adresse électronique"),
                   _sub("choice", "Profil", choices=["Consultation", "Saisie", "Validation"])]),
    _field("nir", "NIR du référent formation", required=False,
           help_text="Pour l'inscription auprès de l'organisme (15 caractères, clé comprise)."),
    ("step_break", {"title": "Le lieu et l'organisme"}),
    _field("address", "Adresse du lieu de formation"),
    _field("department", "Département de rattachement"),
    _field("country", "Pays de l'organisme de formation"),
    _field("vat", "Numéro de TVA intracommunautaire de l'organisme", required=False,
           conditions={"combine": "and", "rules": [
               _rule("Pays de l'organisme de formation", "filled")]}),
    _field("files", "Programme et devis", max_files=3),
]


def seed_catalogue_fields(editorial: Editorial) -> int:
    """Publish the demo form if missing; returns 1 when it was created."""
    from forms_catalog.models import ProcedureFormPage

    catalogue = editorial.sections["catalogue"]
    if catalogue.get_children().filter(slug=SLUG).exists():
        return 0
    page = ProcedureFormPage(
        title="Inscription à une formation collective", slug=SLUG, form_kind="generic",
        intro="<p>Inscrire plusieurs agents de votre service à une session de formation "
              "organisée par le centre.</p>",
        confirmation_message="Le centre confirme les inscriptions sous cinq jours ouvrés.",
        fields=TRAINING_FIELDS)
    catalogue.add_child(instance=page)
    page.save_revision().publish()
    return 1
