"""Demo routing: groups of agents in both centres, a catalogue form whose « Domaine » sends
each request to one of them, and a few requests of that form already routed (one left in
the general queue). Idempotent: groups are found by name, the form by its slug, the
requests made once."""

from django.db import transaction

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from forms_catalog.models import ProcedureFormPage, RoutingRule
from portal.services import agent_group_get_or_create

SLUG = "demande-de-support"
DOMAINS = ["Informatique", "Mobilier et fournitures", "Formation", "Autre"]
# (centre, group, members by login)
GROUPS = (
    ("CSPEST", "Achats informatiques", ("agent.csp", "julien.roux")),
    ("CSPEST", "Fournitures et mobilier", ("ines.fontaine",)),
    ("CSPEST", "Prestations et formations", ("agent.csp", "ines.fontaine")),
    ("CSPOUEST", "Achats informatiques", ("yann.legoff", "maelle.tanguy")),
)
# (« Domaine » value, centre, group): the form serves both centres, each rule its own.
RULES = (
    ("Informatique", "CSPEST", "Achats informatiques"),
    ("Informatique", "CSPOUEST", "Achats informatiques"),
    ("Mobilier et fournitures", "CSPEST", "Fournitures et mobilier"),
    ("Formation", "CSPEST", "Prestations et formations"),
)
# Requests of the demo form: (requester, domain, description)
REQUESTS = (
    ("agent.sp", "Informatique", "Trois écrans 27 pouces pour le pôle budget."),
    ("thomas.muller", "Mobilier et fournitures", "Deux armoires fortes pour les archives."),
    ("agent.sp", "Formation", "Session de formation Chorus pour deux nouveaux agents."),
    ("thomas.muller", "Autre", "Location d'une salle pour le séminaire de service."),
)


def _field(kind, label, *, required=True, help_text="", choices=None):
    value = {"label": label, "help_text": help_text, "required": required,
             "show_if_field": "", "show_if_value": ""}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


FIELDS = [
    _field("choice", "Domaine", choices=DOMAINS,
           help_text="Oriente votre demande vers l'équipe du centre qui la traite."),
    _field("long_text", "Description du besoin"),
    _field("amount", "Montant estimé (€ TTC)", required=False),
]


def _form(catalogue, groups) -> ProcedureFormPage:
    existing = catalogue.get_children().filter(slug=SLUG).first()
    if existing:
        return existing.specific
    page = ProcedureFormPage(
        title="Demande de support", slug=SLUG, form_kind="generic",
        intro="<p>Un besoin qui n'entre dans aucun autre formulaire : le centre l'oriente "
              "vers l'équipe compétente selon son domaine.</p>",
        fields=FIELDS,
        routing_rules=[RoutingRule(field_label="Domaine", value=value,
                                   group=groups[(centre, name)])
                       for value, centre, name in RULES])
    catalogue.add_child(instance=page)
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


@transaction.atomic
def seed_routing(*, services, users, editorial) -> int:
    """The groups, the routed form and its requests; returns how many requests were made."""
    groups = {(centre, name): agent_group_get_or_create(
        centre=services[centre], name=name, members=[users[login] for login in members])
        for centre, name, members in GROUPS}
    page = _form(editorial.sections["catalogue"], groups)
    if Case.objects.filter(procedure=page).exists():
        return 0
    domain_key = next(item["key"] for step in page.field_schema["steps"]
                      for item in step["items"] if item["label"] == "Domaine")
    text_key = next(item["key"] for step in page.field_schema["steps"]
                    for item in step["items"] if item["label"] == "Description du besoin")
    for login, domain, text in REQUESTS:
        actor = users[login]
        service = services["DRAAF"]
        case = case_services.catalogue_draft_create(actor=actor, service=service,
                                                    procedure=page)
        case_services.answers_record(case=case, actor=actor,
                                     answers={domain_key: domain, text_key: text})
        case_services.transition(case=case, action=Action.SUBMIT, actor=actor)
    return len(REQUESTS)
