"""Demo private annotations: the « Demande d'accès à Chorus » catalogue form gets fields for the
centre (ticket number, rights checked, follow-up), and one request of the DRAAF, in progress at
the CSP Est, has them filled by its agent. Idempotent: the fields are added once (an editor's
later change is kept), the request is made once."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from conventions.demo_content import _field
from forms_catalog.annotations.services import case_annotations_save
from forms_catalog.models import CaseAnnotations, ProcedureFormPage
from forms_catalog.schema import input_items
from portal.models import Service

FORM_SLUG = "acces-chorus"
REQUESTER, AGENT, SERVICE = "agent.sp", "agent.csp", "DRAAF"
TICKET = "Numéro de ticket Chorus (assistance)"
PROFILE_CHECKED = "Profil vérifié dans l'annuaire des habilitations"
GAP = "Écart constaté"
FOLLOW_UP = "Relance prévue le"

ANNOTATION_FIELDS = [
    _field("text", TICKET, help_text="Le numéro du ticket ouvert auprès de l'assistance Chorus."),
    _field("yes_no", PROFILE_CHECKED),
    _field("long_text", GAP, required=False, show_if=(PROFILE_CHECKED, "non")),
    _field("choice", "Priorité", required=False, choices=["Normale", "Haute"]),
    _field("date", FOLLOW_UP, required=False),
]


def _keys(schema: dict) -> dict[str, str]:
    return {item["label"]: item["key"] for item in input_items(schema)}


def _form_with_annotations() -> ProcedureFormPage | None:
    page = ProcedureFormPage.objects.filter(slug=FORM_SLUG).first()
    if page is None:
        return None
    if not page.annotations:
        page.annotations = ANNOTATION_FIELDS
        page.save_revision().publish()
        page = ProcedureFormPage.objects.get(pk=page.pk)
    return page


def seed_annotations(*, now: datetime | None = None) -> int:
    """Returns how many annotated requests were made (0 when already there)."""
    page = _form_with_annotations()
    if page is None or CaseAnnotations.objects.filter(case__procedure=page).exists():
        return 0
    users = get_user_model().objects.filter(username__in=[REQUESTER, AGENT]).in_bulk(
        field_name="username")
    service = Service.objects.filter(code=SERVICE).first()
    if len(users) < 2 or service is None:
        return 0
    requester, agent = users[REQUESTER], users[AGENT]
    start = (now or timezone.now()) - timedelta(days=2)
    case = case_services.catalogue_draft_create(actor=requester, service=service, procedure=page,
                                                at=start)
    answers = _keys(case.extra["schema"])
    case = case_services.answers_record(case=case, actor=requester, answers={
        answers["Nom et prénom de l'agent"]: "Thomas Muller",
        answers["Adresse électronique professionnelle"]: "thomas.muller@draaf.demo.gouv.fr",
        answers["Profil demandé"]: "Saisie des demandes",
        answers["L'agent a-t-il déjà suivi la formation Chorus ?"]: "oui",
        answers["Motif de la demande"]: "Nouvel arrivant au pôle budgétaire.",
    })
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=requester,
                                    at=start + timedelta(minutes=5))
    case = case_services.transition(case=case, action=Action.CLAIM, actor=agent,
                                    at=start + timedelta(days=1))
    keys = _keys(page.annotations_schema)
    case_annotations_save(case=Case.objects.get(pk=case.pk), actor=agent, expected_version=0,
                          at=start + timedelta(days=1, hours=1), values={
                              keys[TICKET]: "SNOW-2026-004512",
                              keys[PROFILE_CHECKED]: "non",
                              keys[GAP]: "Ancien profil « Consultation » encore actif : à "
                                         "clore avant l'ouverture.",
                              keys["Priorité"]: "Normale",
                              keys[FOLLOW_UP]: (start + timedelta(days=5)).date().isoformat(),
                          })
    return 1
