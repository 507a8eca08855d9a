"""Messages on a case: who may write, files, unread markers, who is told. (Notifications of
the workflow's events and their emails: notifications/tests/test_services.py.)"""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services as case_services
from cases.workflow import State
from messaging.models import Message
from messaging.services import message_post
from notifications.models import Notification, NotificationEvent

pytestmark = pytest.mark.django_db
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _text(response):
    return html.unescape(response.content.decode())


def notified(event, case=None):
    notices = Notification.objects.filter(event=event)
    if case is not None:
        notices = notices.filter(case=case)
    return {n.recipient.username for n in notices}


@pytest.fixture
def in_progress(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)


def test_both_sides_exchange_messages_with_files(client, in_progress, sp_agent, csp_agent):
    client.force_login(sp_agent)
    url = reverse("messaging:create", args=[in_progress.pk])
    response = client.post(url, {"body": "Le devis joint remplace le précédent.",
                                 "files": [SimpleUploadedFile("devis2.pdf", PDF + b"% v2\n",
                                                              "application/pdf")]})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.attachments.get().original_name == "devis2.pdf"
    assert notified(NotificationEvent.MESSAGE) == {csp_agent.username}
    client.force_login(csp_agent)
    queue = _text(client.get(reverse("cases:queue")))
    assert "non lu" in queue
    page = _text(client.get(in_progress.get_absolute_url()))
    assert "Le devis joint remplace le précédent." in page and "Nouveau" in page
    assert "non lu" not in _text(client.get(reverse("cases:queue")))  # read now
    client.post(url, {"body": "Bien reçu, merci."})
    assert notified(NotificationEvent.MESSAGE) == {csp_agent.username, sp_agent.username}


def test_bad_messages_are_refused_beside_the_field(client, in_progress, sp_agent):
    client.force_login(sp_agent)
    url = reverse("messaging:create", args=[in_progress.pk])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "Écrivez votre message." in _text(response)
    response = client.post(url, {"body": "Voici", "files": [
        SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>",
                           "application/pdf")]})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_other_services_and_drafts_have_no_thread(client, in_progress, foreign_sp_agent,
                                                  make_purchase_request, sp_agent):
    client.force_login(foreign_sp_agent)
    response = client.post(reverse("messaging:create", args=[in_progress.pk]),
                           {"body": "Bonjour"})
    assert response.status_code == 404
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    with pytest.raises(case_services.CaseError):
        message_post(case=draft, author=sp_agent, body="Bonjour")
