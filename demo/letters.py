"""Demo decision letters: the « Demande d'accès à Chorus » form gets its acceptance and refusal
letters, and the DRAAF one granted access (signed acceptance letter) and one refused (signed
refusal letter). Idempotent: letters written once, cases played once, a missing letter issued.

Runs after the demo credentials are issued (demo_data._seed_credentials): the letters are
signed by the centre agent who decided, with their demo credential, dated from the decision.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from decisions.selectors import decision_event, letter_of
from decisions.services import decision_letter_issue
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items

FORM_SLUG = "acces-chorus"
SERVICE = "DRAAF"

ACCEPTANCE = (
    '<h2>Ouverture de votre accès à Chorus</h2>'
    '<p>Madame, Monsieur,</p>'
    '<p>Par la demande <b>{{ reference }}</b> déposée le {{ date_depot }}, le service '
    '{{ service }} a demandé un accès à Chorus pour <b>{{ champ:Nom et prénom de l\'agent }}'
    '</b>. Le {{ centre }} a fait droit à cette demande le {{ date_decision }}.</p>'
    '<ul><li>Profil ouvert : {{ champ:Profil demandé }}</li>'
    '<li>Identifiant de connexion : {{ champ:Adresse électronique professionnelle }}</li></ul>'
    '<p>Observations du centre : <i>{{ motif }}</i></p>'
    '<p>Le mot de passe provisoire est envoyé séparément à l\'agent.</p>'
)
REFUSAL = (
    '<h2>Refus de votre demande d\'accès à Chorus</h2>'
    '<p>Madame, Monsieur,</p>'
    '<p>Le {{ centre }} ne peut pas donner suite à la demande <b>{{ reference }}</b> '
    '(accès de {{ champ:Nom et prénom de l\'agent }}, profil « {{ champ:Profil demandé }} »).'
    '</p><p>Motif : {{ motif }}</p>'
    '<p>Vous pouvez déposer une nouvelle demande complétée des pièces manquantes.</p>'
)

CASES = (
    # (days ago, profile, name, e-mail, trained, reason, action, comment)
    (12, "Saisie des demandes", "Camille Lefèvre", "camille.lefevre@agriculture.gouv.fr", "oui",
     "Arrivée au pôle budget le 1er du mois : saisie des demandes d'achat du service.",
     Action.COMPLETE, "Accès ouvert ; première connexion à faire sous huit jours."),
    (9, "Validation (ordonnateur)", "Hugo Benoît", "hugo.benoit@agriculture.gouv.fr", "oui",
     "Adjoint au chef de service, futur ordonnateur.", Action.REJECT,
     "L'arrêté de délégation de signature n'est pas joint : le profil « Validation » ne peut "
     "être ouvert sans lui."),
)


def _letters(page: ProcedureFormPage) -> ProcedureFormPage:
    if page.acceptance_letter and page.refusal_letter:
        return page
    page.acceptance_letter = page.acceptance_letter or ACCEPTANCE
    page.refusal_letter = page.refusal_letter or REFUSAL
    page.full_clean()  # the editors' check: every placeholder known
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


def _play(page, service, agent, centre_agent, spec, now: datetime) -> Case:
    days_ago, profile, name, email, trained, reason, action, comment = spec
    at = now - timedelta(days=days_ago)
    case = case_services.catalogue_draft_create(actor=agent, service=service, procedure=page,
                                                at=at)
    keys = {item["label"]: item["key"] for item in input_items(page.field_schema)}
    answers = {"Nom et prénom de l'agent": name, "Adresse électronique professionnelle": email,
               "Profil demandé": profile,
               "L'agent a-t-il déjà suivi la formation Chorus ?": trained,
               "Motif de la demande": reason}
    case = case_services.answers_record(case=case, actor=agent, answers={
        keys[label]: value for label, value in answers.items() if label in keys})
    steps = [(Action.SUBMIT, agent, ""), (Action.CLAIM, centre_agent, ""),
             (action, centre_agent, comment)]
    for number, (step, actor, text) in enumerate(steps):
        case = case_services.transition(case=case, action=step, actor=actor, comment=text,
                                        anomaly="missing_document",
                                        at=at + timedelta(hours=3 * number))
    return case


def seed_letters(*, services, users, now: datetime | None = None) -> int:
    """Letters on the demo form, its two decided cases, their signed letters. Returns how many
    letters were issued by this run."""
    now = now or timezone.now()
    page = ProcedureFormPage.objects.filter(slug=FORM_SLUG).first()
    if page is None:
        return 0
    service = services[SERVICE]
    with transaction.atomic():
        page = _letters(page)
        cases = list(Case.objects.filter(procedure=page, requesting_service=service)
                     .order_by("pk"))
        if not cases:
            cases = [_play(page, service, users["agent.sp"], users["agent.csp"], spec, now)
                     for spec in CASES]
    issued = 0
    for case in cases:
        event = decision_event(case)
        if event is None or letter_of(case) is not None:
            continue
        # Signed twenty minutes after the decision, as the task would have.
        if decision_letter_issue(case=case, at=min(event.created_at + timedelta(minutes=20),
                                                   now)) is not None:
            issued += 1
    return issued
