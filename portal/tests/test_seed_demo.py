"""`manage.py seed_demo` loads a realistic demo once, and a second run changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision

from cases.models import Case, CaseEvent, Tiers
from cases.workflow import State
from conventions.models import ConventionPage
from dashboards.models import BuiltDay
from dashboards.selectors import Period, dashboard, dashboard_from_cases, dashboard_scope
from documents.models import Attachment, IssuedDocument, IssuedDocumentKind
from forms_catalog.models import CaseAnnotations
from opinions.models import ExpertOpinion

pytestmark = pytest.mark.django_db(transaction=False)


def counts():
    return (Case.objects.count(), CaseEvent.objects.count(), Tiers.objects.count(),
            get_user_model().objects.count(), Attachment.objects.count(),
            IssuedDocument.objects.count(), Page.objects.count(), Revision.objects.count())


def figures(board):
    """The restitutions' rows, processing times to the second."""
    return [(r.service, r.kind, r.received, r.completed, r.rejected, r.on_time,
             r.overdue_open, r.returns,
             *(round(days * 86400) if days is not None else None
               for days in (r.median_days, r.p90_days))) for r in board.rows]


def test_seed_demo_is_complete_and_idempotent(signing_dir):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    # Every centre signatory has credentials; some order forms are signed, some left to sign.
    assert (signing_dir / "agent.csp.p12").exists() and (signing_dir / "chef.csp.p12").exists()
    assert not (signing_dir / "agent.sp.p12").exists()
    completed = Case.objects.filter(state=State.COMPLETED, kind="purchase_request").count()
    # (Order forms only: the certified statements' certificates are issued documents too.)
    order_forms = IssuedDocument.objects.filter(kind=IssuedDocumentKind.ORDER_FORM).count()
    assert 0 < order_forms < completed
    # The editorial content is published, and submitted cases follow their convention.
    assert ConventionPage.objects.live().count() == 2
    submitted = Case.objects.exclude(submitted_at=None)
    assert submitted.exists() and not submitted.filter(convention=None).exists()
    signed = IssuedDocument.objects.select_related("case").first()
    assert signed.case.processing_centre.chorus_siret
    assert first[0] >= 200 and first[2] >= 50
    states = set(Case.objects.values_list("state", flat=True))
    assert {State.DRAFT, State.AWAITING_VALIDATION, State.SUBMITTED, State.IN_PROGRESS,
            State.INFO_REQUESTED, State.COMPLETED, State.REJECTED, State.CANCELLED} <= states
    user = get_user_model().objects.get(username="agent.sp")
    assert user.check_password("demo-csp-2026")
    # The Chorus access form's decisions: one signed letter each, by the deciding agent.
    letters = IssuedDocument.objects.filter(kind__in=[IssuedDocumentKind.ACCEPTANCE_LETTER,
                                                      IssuedDocumentKind.REFUSAL_LETTER])
    assert sorted(letters.values_list("kind", "signed_by__username")) == [
        ("acceptance_letter", "agent.csp"), ("refusal_letter", "agent.csp")]
    # A catalogue form with private annotations, filled on one request in progress.
    annotated = CaseAnnotations.objects.select_related("case").get()
    assert annotated.case.state == State.IN_PROGRESS and annotated.version == 1
    assert annotated.case.procedure.slug == "acces-chorus" and annotated.values
    # The purchasing mission's login is asked two opinions: one answered and shared, one
    # waiting (demo/opinions.py).
    opinions = list(ExpertOpinion.objects.filter(expert__username="mda")
                    .values_list("answered_at", "shared_with_requester").order_by("pk"))
    assert len(opinions) == 2 and opinions[0][0] and opinions[0][1] and opinions[1] == (None,
                                                                                       False)

    # The restitutions' days are built (the nightly task's work), and exact.
    today = timezone.localdate()
    assert BuiltDay.objects.filter(day=today - timedelta(days=1)).exists()
    services, _as_head = dashboard_scope(get_user_model().objects.get(username="chef.csp"))
    for period in (Period(today - timedelta(days=365), today), Period(today.replace(day=1),
                                                                      today)):
        assert figures(dashboard(services=services, period=period)) == figures(
            dashboard_from_cases(services=services, period=period))

    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    assert ExpertOpinion.objects.count() == 2


def test_list_logins_prints_one_account_per_role_without_seeding():
    out = StringIO()
    call_command("seed_demo", "--list-logins", stdout=out)
    for username in ("agent.sp", "ordo.sp", "agent.csp", "chef.csp", "cst", "editeur",
                     "pilotage"):
        assert username in out.getvalue()
    assert not Case.objects.exists()


def test_every_demo_account_takes_the_demo_password_and_a_changed_one_is_put_back(signing_dir):
    call_command("seed_demo", stdout=StringIO())
    users = get_user_model().objects.filter(username__in=[
        "agent.sp", "ordo.sp", "agent.csp", "chef.csp", "cst", "editeur", "autre.sp",
        "pilotage"])
    assert users.count() == 8
    assert all(user.check_password("demo-csp-2026") for user in users)
    assert users.get(username="pilotage").has_perm("portal.steer_all_centres")
    assert not users.get(username="chef.csp").has_perm("portal.steer_all_centres")
    changed = users.get(username="chef.csp")
    changed.set_password("un-autre-mot-de-passe-2026")
    changed.save()

    call_command("seed_demo", stdout=StringIO())
    changed.refresh_from_db()
    assert changed.check_password("demo-csp-2026")
