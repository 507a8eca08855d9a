"""Completing a purchase request with its EJ number, and the case page that follows, do no
heavy work in the request: no PDF rendered, no e-mail sent (both go to django-q2 tasks on
commit), and the page that tells the agent whether they can sign reads their certificate
without pyHanko (importing it took 3 to 4.5 s in each fresh web worker, the bulk of the
3 s an agent waited after « Terminer »)."""

import sys
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from reportlab.platypus.doctemplate import BaseDocTemplate

from cases.models import Case
from cases.workflow import State

pytestmark = pytest.mark.django_db

EJ = "4500123456"


@pytest.fixture
def in_progress(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)


@pytest.fixture
def no_pdf_rendering(monkeypatch):
    """Every PDF of the portal is laid out by reportlab's doc templates: none may be."""

    def refuse(*args, **kwargs):
        raise AssertionError("a PDF was rendered inside the request")

    monkeypatch.setattr(BaseDocTemplate, "build", refuse)


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("notifications.services.async_task",
                        lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def complete(client, case):
    return client.post(reverse("cases:action", args=[case.pk, "complete"]),
                       {"version": case.version, "ej_number": EJ})


def test_completion_renders_no_pdf_and_sends_no_mail_in_the_request(
        client, in_progress, csp_agent, no_pdf_rendering, enqueued,
        django_capture_on_commit_callbacks, django_assert_max_num_queries):
    client.force_login(csp_agent)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # A bounded number of queries: nothing per line, per document or per recipient.
        with django_assert_max_num_queries(30):
            response = complete(client, in_progress)
    assert response.status_code == 302
    case = Case.objects.get(pk=in_progress.pk)
    assert case.state == State.COMPLETED and case.purchase_request.ej_number == EJ
    assert case.awaiting_signature  # the order form is signed later, by a signatory
    assert mail.outbox == []  # notifications are e-mailed by a task, after the commit
    assert callbacks, "nothing was scheduled on commit"
    assert [args[0] for args, _ in enqueued] == ["notifications.tasks.send_notifications"]


@pytest.fixture
def without_pyhanko(monkeypatch):
    """From the call on, pyHanko (and the module that signs with it) cannot be imported:
    None in sys.modules makes any `import` of them fail, even when another test already
    loaded them. (Called once the test's credentials are issued: the demo PKI uses them.)"""

    def block():
        for name in list(sys.modules):
            if name.startswith("pyhanko.") or name == "documents.signing":
                monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, "pyhanko", None)
        monkeypatch.setitem(sys.modules, "documents.signing", None)

    return block


def sign_form(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return soup, soup.find("button", attrs={"value": "sign"})


def test_the_page_after_completion_reads_the_certificate_without_pyhanko(
        client, in_progress, csp_agent, give_credential, without_pyhanko):
    give_credential(csp_agent)
    without_pyhanko()
    client.force_login(csp_agent)
    response = complete(client, in_progress)
    assert response.status_code == 302
    soup, button = sign_form(client, in_progress)
    assert button is not None and not button.has_attr("disabled")


@pytest.mark.parametrize("credential, message", [
    (None, "Aucun certificat de signature"),
    ({"not_before": timezone.now() - timedelta(days=400), "valid_days": -5}, "a expiré le"),
    ({"not_before": timezone.now() + timedelta(days=3)}, "pas encore valide"),
])
def test_the_page_still_says_why_the_agent_cannot_sign(client, make_purchase_request, sp_agent,
                                                       csp_agent, give_credential,
                                                       without_pyhanko, credential, message):
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    if credential is not None:
        give_credential(csp_agent, **credential)
    without_pyhanko()
    client.force_login(csp_agent)
    soup, button = sign_form(client, case)
    assert button is not None and button.has_attr("disabled")
    assert message in soup.get_text(" ")


def test_an_unreadable_certificate_is_reported_without_pyhanko(
        client, make_purchase_request, sp_agent, csp_agent, give_credential, signing_dir,
        without_pyhanko):
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    give_credential(csp_agent)
    (signing_dir / f"{csp_agent.get_username()}.pass").write_text("pas la bonne phrase")
    without_pyhanko()
    client.force_login(csp_agent)
    soup, button = sign_form(client, case)
    assert button is not None and button.has_attr("disabled")
    assert "ne peut pas être lu" in soup.get_text(" ")
