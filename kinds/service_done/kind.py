"""The service-done statement as the core sees it (cases/kinds.py), and what it adds to the
page of the order it states (the EJ's progress, its certificates)."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.kinds import ApiDraft, CasePagePart, KindSpec, Validation
from cases.models import CaseKind
from cases.services import CaseError
from cases.workflow import Action, State, row
from documents.credentials import signing_problem
from documents.services import DocumentError, certificate_issue
from portal.models import Role
from portal.selectors import user_has_role

from .models import ServiceDoneStatement
from .selectors import certificates_for, ej_progress
from .services import statement_check


def issue_certificate(case, actor, inputs, now, data) -> None:
    try:
        document = certificate_issue(case=case, actor=actor, at=now)
    except DocumentError as exc:
        raise CaseError(exc.message) from exc
    data["document"] = document.pk
    data["sha256"] = document.sha256


def statement_page(case, user, transitions) -> dict:
    context = {"statement": getattr(case, "service_done", None)}
    if any(t.action == Action.CERTIFY for t in transitions):
        # Read without pyHanko (documents.credentials): only signing itself loads it.
        context["signing_problem"] = signing_problem(user)
    return context


def certificates(case, user, transitions) -> dict:
    """Any case's page lists the certificates of its statements (a statement's own, an
    order's statements')."""
    found = certificates_for(case, user)
    return {"certificates": found} if found else None


def order_progress(case, user, transitions) -> dict | None:
    """On a completed order with an EJ: what its statements certified, and the link to state
    the rest."""
    request = getattr(case, "purchase_request", None) if case.state == State.COMPLETED else None
    if request is None or not request.ej_number:
        return None
    progress = ej_progress(request, user=user)
    context = {"ej": progress}
    if progress.remaining > 0 and user_has_role(user, case.requesting_service, Role.SP_AGENT,
                                                Role.ORDONNATEUR):
        query = urlencode({"service": case.requesting_service.code, "da": request.pk})
        context["case_links"] = [{"label": _("Déclarer un service fait"),
                                  "url": f"{reverse('service_done:new')}?{query}",
                                  "icon": "fr-icon-add-line"}]
    return context


def supplier_name():
    return Subquery(ServiceDoneStatement.objects.filter(case=OuterRef("pk"))
                    .values("purchase_request__tiers__name")[:1])


def has_penalties():
    # A subquery, not EXISTS: PostgreSQL would hash every statement with penalties ever
    # written to answer EXISTS for 50 rows.
    return Subquery(ServiceDoneStatement.objects.filter(case=OuterRef("pk"))
                    .values("penalties")[:1])


def late_for_penalties():
    return Q(Exists(ServiceDoneStatement.objects.filter(case=OuterRef("pk"), penalties=True)))


SERVICE_DONE = KindSpec(
    code=CaseKind.SERVICE_DONE,
    label=gettext_lazy("Constatation du service fait"),
    reference_prefix="SF",
    resume_url="service_done:resume",
    new_url="service_done:new",
    default_delay=3,
    validation=Validation.ALWAYS,
    validation_refusal=gettext_lazy(
        "Une constatation du service fait est toujours validée par un ordonnateur."),
    has_amount=True,
    submit_check=statement_check,
    effects={Action.CERTIFY: issue_certificate},
    transitions=(
        # Certifying is the order to pay; it issues a signed certificate.
        row(State.IN_PROGRESS, Action.CERTIFY, State.COMPLETED, "assignee",
            accepts=("comment",)),
        row(State.IN_PROGRESS, Action.RETURN, State.DRAFT, "assignee",
            requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    ),
    case_page=(CasePagePart("service_done/_case_statement.html", statement_page),),
    queue_columns={"supplier_name": supplier_name, "has_penalties": has_penalties},
    queue_filters={"penalties": late_for_penalties},
    api_draft=ApiDraft("kinds.service_done.api.StatementDraft"),
)

# Parts of every case's page, whatever its kind.
CERTIFICATES = CasePagePart(None, certificates)
ORDER_PROGRESS = CasePagePart("service_done/_ej_progress.html", order_progress, slot="follow_up")
