"""What the national-scale work (bench/) changed, held by tests: case visibility still says
exactly what guardian says, caches never hide a permission granted in the same request, the
queue's number of queries does not grow with its rows, the "à signer" flag follows the
workflow, notices are written once per person and emailed by one task per event, and the
site configuration is read in one query; a web worker does not load the PDF, signature and
spreadsheet libraries until it uses them."""

import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm, get_objects_for_user

from cases import permissions
from cases import services as case_services
from cases.models import Case, CaseKind
from cases.workflow import State
from config.context_processors import site_config
from documents.services import order_form_sign
from notifications.models import Notification
from notifications.services import notify_event

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("cases:queue")


@pytest.fixture
def world(make_purchase_request, sp_agent, csp_agent, other_sp, foreign_sp_agent):
    """Cases in every visibility situation, and people holding permissions every way."""
    cases = {
        "draft": make_purchase_request(sp_agent, state=State.DRAFT),
        "awaiting": make_purchase_request(sp_agent, amount="9000.00",
                                          state=State.AWAITING_VALIDATION),
        "submitted": make_purchase_request(sp_agent, state=State.SUBMITTED),
        "in_progress": make_purchase_request(sp_agent, state=State.IN_PROGRESS,
                                             agent=csp_agent),
        "foreign": make_purchase_request(foreign_sp_agent, state=State.SUBMITTED),
    }
    # Personal and extra-group permissions, as an administrator could give them.
    auditor = UserFactory(username="auditrice")
    assign_perm(permissions.PROCESS, auditor, cases["foreign"])
    outsiders = Group.objects.create(name="inspection")
    inspector = UserFactory(username="inspecteur")
    inspector.groups.add(outsiders)
    assign_perm(permissions.VIEW, outsiders, cases["submitted"])
    return cases, [auditor, inspector]


def test_visible_cases_is_what_guardian_answers_for_every_person_and_permission(
        world, sp_agent, ordonnateur, csp_agent, csp_head, cst, foreign_sp_agent,
        foreign_csp_agent):
    cases, extra_people = world
    people = [sp_agent, ordonnateur, csp_agent, csp_head, cst, foreign_sp_agent,
              foreign_csp_agent, UserFactory(username="sans-role"), *extra_people]
    checked = 0
    for person in people:
        for perm in (permissions.VIEW, permissions.PROCESS, permissions.CHANGE):
            ours = set(permissions.visible_cases(person, perm).values_list("pk", flat=True))
            guardian = set(get_objects_for_user(
                person, f"cases.{perm}", klass=Case, with_superuser=False,
                accept_global_perms=False).values_list("pk", flat=True))
            assert ours == guardian, (person.username, perm)
            checked += bool(guardian)
    assert checked >= 10  # the comparison is not between empty sets


def test_a_permission_granted_in_the_same_request_is_seen_at_once(sp, sp_agent):
    assert not permissions.visible_cases(sp_agent).exists()  # reads and keeps the access
    case = case_services.case_draft_create(actor=sp_agent, service=sp,
                                           kind=CaseKind.PURCHASE_REQUEST)
    assert permissions.can_view(sp_agent, case)
    assert permissions.visible_cases(sp_agent, permissions.CHANGE).filter(pk=case.pk).exists()


def test_a_membership_granted_to_a_known_person_opens_its_cases_at_once(
        make_purchase_request, sp_agent, csp):
    from portal.services import membership_grant

    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    newcomer = UserFactory(username="nouvelle-agente")
    assert not permissions.visible_cases(newcomer, permissions.PROCESS).exists()
    membership_grant(user=newcomer, service=csp, role="csp_agent")
    assert permissions.can_view(newcomer, case)
    assert list(permissions.visible_cases(newcomer, permissions.PROCESS)) == [case]


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_page_asks_the_same_few_queries_for_3_or_15_rows(
        client, make_purchase_request, sp_agent, csp_agent, django_assert_max_num_queries):
    client.force_login(csp_agent)
    for _ in range(3):
        make_purchase_request(sp_agent, state=State.SUBMITTED)
    _queue_queries(client)  # the figures the page caches
    few = _queue_queries(client)
    for _ in range(12):
        make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    _queue_queries(client)
    assert _queue_queries(client) == few
    # The user, the page's rows, the saved filters, the filter lists (services, agents): the
    # session, the tabs' counts, the memberships, the access, the agent groups, the site
    # configuration and the footer's pages come from the cache.
    with django_assert_max_num_queries(6):
        assert client.get(QUEUE_URL).status_code == 200


def test_a_centre_agents_home_page_counts_the_queue_once(client, make_purchase_request,
                                                          sp_agent, csp_agent):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    client.force_login(csp_agent)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "cases_case" in q["sql"]]
    # The home page's tab counts also give the menu its "to process" badge.
    assert len(counts) == 1, counts
    assert re.search(r'fr-badge--info[^>]*>1<span class="fr-sr-only"> à traiter',
                     response.content.decode())


def test_a_completed_request_awaits_its_signature_until_it_is_signed(
        make_purchase_request, sp_agent, csp_agent, give_credential):
    give_credential(csp_agent)
    completed = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    rejected = make_purchase_request(sp_agent, state=State.REJECTED, agent=csp_agent)
    assert completed.awaiting_signature and not rejected.awaiting_signature
    order_form_sign(case=completed, actor=csp_agent)
    completed.refresh_from_db()
    assert not completed.awaiting_signature


def test_a_submission_notifies_each_centre_member_once_with_one_email_task(
        make_purchase_request, sp_agent, csp_agent, csp_agent2, csp_head,
        django_capture_on_commit_callbacks):
    for person in (csp_agent, csp_agent2, csp_head):
        person.email = f"{person.username}@example.gouv.fr"
        person.save()
    with mock.patch("notifications.services.async_task") as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    staff = {csp_agent.pk, csp_agent2.pk, csp_head.pk}
    notices = Notification.objects.filter(case=case, event="submitted")
    assert set(notices.values_list("recipient_id", flat=True)) == staff
    assert enqueue.call_count == 1
    assert sorted(enqueue.call_args.args[1]) == sorted(notices.values_list("pk", flat=True))
    # The same event told again (a replayed call) notifies nobody twice.
    assert notify_event(case.events.get(action="submit")) == 0
    assert notices.count() == 3


def test_the_site_configuration_of_the_language_is_read_once_then_from_the_cache(db):
    from dsfr.models import DsfrConfig

    DsfrConfig.objects.create(language="en", site_title="CSP portal")
    french = DsfrConfig.objects.create(language="fr", site_title="Portail des CSP")
    request = RequestFactory().get("/")
    with translation.override("fr"), CaptureQueriesContext(connection) as captured:
        assert site_config(request)["SITE_CONFIG"] == french
    assert len(captured) == 1
    with translation.override("fr"), CaptureQueriesContext(connection) as captured:
        assert site_config(request)["SITE_CONFIG"] == french
    assert len(captured) == 0
    with translation.override("de"):
        assert site_config(request)["SITE_CONFIG"].language == "en"  # the first one
    # An editor's change is seen by the next page.
    french.site_title = "Portail des centres de services partagés"
    french.save()
    with translation.override("fr"):
        assert site_config(request)["SITE_CONFIG"].site_title == french.site_title
    french.delete()
    with translation.override("fr"):
        assert site_config(request)["SITE_CONFIG"].language == "en"


def test_a_web_worker_loads_no_pdf_signature_or_spreadsheet_library_before_it_needs_one():
    """pyHanko, reportlab and openpyxl are ~30 MB of a worker's memory: importing the whole
    URLconf must not load them (a module-level import in a view's module would)."""
    script = (
        "import sys, django; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pyhanko', 'reportlab', 'openpyxl'}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "PYTHONPATH": str(settings.BASE_DIR)}
    env.setdefault("SECRET_KEY", "x" * 60)
    loaded = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_gunicorn_loads_the_portal_with_the_repositorys_settings():
    """gunicorn.conf.py (read from the repository's root) is valid and, with preload_app,
    loads the application in the master before forking: a broken file would stop the
    production server from starting."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", "x" * 60)
    checked = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config",
                              "--print-config", "config.wsgi"], cwd=settings.BASE_DIR, env=env,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    printed = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", checked.stdout, re.M))
    assert printed["preload_app"] == "True"
    assert int(printed["max_requests"]) > 0


def test_a_gunicorn_worker_freezes_what_its_first_requests_built():
    import runpy
    from types import SimpleNamespace

    conf = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    worker = SimpleNamespace()
    with mock.patch("gc.freeze") as freeze, mock.patch("gc.collect") as collect:
        for _ in range(600):
            conf["post_request"](worker, None, {}, None)
    # After the 50th and the 500th request, each time after a collection.
    assert freeze.call_count == collect.call_count == len(conf["WARMED_AFTER"]) == 2


@pytest.mark.parametrize("who, budget", [
    # The user, the service's waiting invoices, its last five cases.
    ("sp_agent", 3),
    # The user: the tabs' counts and everything else beside them come from the cache.
    ("csp_agent", 1),
])
def test_a_home_page_once_cached_asks_a_few_queries(client, make_purchase_request, sp_agent,
                                                     csp_agent, who, budget,
                                                     django_assert_max_num_queries):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    person = {"sp_agent": sp_agent, "csp_agent": csp_agent}[who]
    client.force_login(person)
    assert client.get(reverse("home")).status_code == 200  # fills the cache
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("home"))
    assert response.status_code == 200
