"""A purchase request created, given its quote, filled and submitted through the services in
one transaction (`cases.services.whole_transaction`): what it costs in statements (guarded,
bench/bench_scale.py measures the time), what it leaves, and that a refusal leaves nothing."""

import pytest
from django.contrib.auth import get_user_model

from cases import permissions, services
from cases.models import Case, CaseGroupObjectPermission, CaseKind
from cases.workflow import State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.purchases import services as purchases
from notifications.models import Notification, NotificationEvent
from notifications.services import preferences_save
from tests.fixtures import tiny_pdf

pytestmark = pytest.mark.django_db

# The person's memberships; the case, its creator's permissions and event; the quote
# (duplicate check, row); the request (looked up, written), its line, the case updated; the
# submission (visibility, delegation, request with its quote, convention, reference, the
# groups' grants, case, event, the centre's staff with their e-mail choice, the notices);
# plus the block's own savepoint and its release inside the test's transaction. It was 39
# statements, in four transactions, before the reads were shared (bench/README.md).
SUBMISSION_QUERIES = 22


def _create_and_submit(actor, service, data, *, with_quote=True):
    with services.whole_transaction():
        case = services.case_draft_create(actor=actor, service=service,
                                          kind=CaseKind.PURCHASE_REQUEST)
        if with_quote:
            attachment_add(case=case, kind=AttachmentKind.QUOTE, uploaded=tiny_pdf(),
                           actor=actor)
        purchases.purchase_request_fill(case=case, actor=actor, data=data)
        return services.transition(case=case, action="submit", actor=actor)


def test_a_submission_is_one_transaction_of_few_statements(
        sp, sp_agent, csp_agent, csp_head, purchase_request_data,
        django_assert_max_num_queries):
    data = purchase_request_data(sp, amount="1200.00")
    # A fresh user object, as a request has: nothing about it read yet; the process's
    # caches warm, as in a running server (the permissions' ids).
    actor = get_user_model().objects.get(pk=sp_agent.pk)
    permissions.permission_id(permissions.VIEW)
    with django_assert_max_num_queries(SUBMISSION_QUERIES) as captured:
        case = _create_and_submit(actor, sp, data)

    statements = [query["sql"] for query in captured.captured_queries]
    # Inside the test's own transaction: the block's savepoint, and no service's.
    assert sum(sql.startswith("SAVEPOINT") for sql in statements) == 1
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.SUBMITTED and case.reference and case.due_at
    assert case.attachments.filter(kind=AttachmentKind.QUOTE).count() == 1
    # The service's group sees it, the centre's group sees and processes it: one statement.
    assert set(CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
        "group_id", "permission__codename")) == {
        (sp.group_id, "view_case"), (sp.processing_centre.group_id, "view_case"),
        (sp.processing_centre.group_id, "process_case")}
    assert set(Notification.objects.filter(case=case, event=NotificationEvent.SUBMITTED)
               .values_list("recipient__username", flat=True)) == {csp_agent.username,
                                                                   csp_head.username}


def test_a_refused_submission_leaves_nothing(sp, sp_agent, purchase_request_data):
    data = purchase_request_data(sp, amount="1200.00")
    with pytest.raises(services.CaseError, match="devis"):
        _create_and_submit(sp_agent, sp, data, with_quote=False)
    # The draft, its permissions, its request: all rolled back with the refusal.
    assert not Case.objects.exists()
    assert not CaseGroupObjectPermission.objects.exists()


def test_the_centre_staff_e_mail_choice_still_counts(sp, sp_agent, csp_agent, csp_head,
                                                     purchase_request_data, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    csp_agent.email, csp_head.email = "agent@example.fr", "chef@example.fr"
    csp_agent.save()
    csp_head.save()
    preferences_save(user=csp_head, by_email=set())  # no e-mail of anything
    queued = []
    monkeypatch.setattr("notifications.services.async_task",
                        lambda name, pks, **kwargs: queued.append(pks))
    data = purchase_request_data(sp, amount="1200.00")
    with django_capture_on_commit_callbacks(execute=True):
        case = _create_and_submit(sp_agent, sp, data)

    notices = Notification.objects.filter(case=case, event=NotificationEvent.SUBMITTED)
    assert notices.count() == 2  # both told in the portal
    assert queued == [[notices.get(recipient=csp_agent).pk]]  # only one by e-mail
