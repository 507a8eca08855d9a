"""Messages on a case and notifications: who may write, files, unread markers, who is told
of what, email preferences, one email even when the task runs twice."""

import html

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services as case_services
from cases.workflow import State
from messaging.models import Message
from messaging.services import message_post
from notifications.models import Notification, NotificationEvent
from notifications.services import notification_send, preferences_save

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


def test_workflow_events_notify_the_right_people(make_purchase_request, sp_agent, csp_agent,
                                                 csp_head, ordonnateur):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED, ordonnateur=ordonnateur)
    assert notified(NotificationEvent.SUBMITTED, case) == {csp_agent.username,
                                                           csp_head.username}
    case = case_services.transition(case=case, action="claim", actor=csp_agent)
    case = case_services.transition(case=case, action="release", actor=csp_agent)
    assert Notification.objects.filter(event=NotificationEvent.SUBMITTED).count() == 2
    case = case_services.transition(case=case, action="claim", actor=csp_agent)
    case = case_services.transition(case=case, action="request_info", actor=csp_agent,
                                    comment="Quel bâtiment ?")
    assert notified(NotificationEvent.QUESTION, case) == {sp_agent.username}
    case = case_services.transition(case=case, action="answer", actor=sp_agent,
                                    comment="Le bâtiment B.")
    assert notified(NotificationEvent.ANSWER, case) == {csp_agent.username}
    case_services.transition(case=case, action="reject", actor=csp_agent, comment="Doublon")
    assert notified(NotificationEvent.REJECTED, case) == {sp_agent.username}
    notice = Notification.objects.get(event=NotificationEvent.QUESTION)
    assert "Quel bâtiment ?" in notice.body and case.reference in notice.subject


def test_a_notification_is_emailed_once_even_if_the_task_runs_again(in_progress, sp_agent,
                                                                    csp_agent):
    sp_agent.email = "camille@example.fr"
    sp_agent.save()
    case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                             comment="Précisez la quantité.")
    notice = Notification.objects.get(event=NotificationEvent.QUESTION)
    assert notification_send(notice.pk) is True
    assert notification_send(notice.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille@example.fr"]
    assert "Précisez la quantité." in mail.outbox[0].body


def test_preferences_choose_what_comes_by_email(client, in_progress, sp_agent, csp_agent,
                                                django_capture_on_commit_callbacks):
    sp_agent.email = "camille@example.fr"
    sp_agent.save()
    preferences_save(user=sp_agent, by_email={NotificationEvent.MESSAGE})
    with django_capture_on_commit_callbacks() as callbacks:
        case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                                 comment="Précisez la quantité.")
    assert callbacks == []  # recorded in the portal, no email queued
    client.force_login(sp_agent)
    page = _text(client.get(reverse("notifications:preferences")))
    assert "Question du centre" in page
    client.post(reverse("notifications:preferences"), {"by_email": ["question", "nope"]})
    with django_capture_on_commit_callbacks() as callbacks:
        message_post(case=in_progress, author=csp_agent, body="Autre question")
    assert callbacks == []  # messages no longer by email


def test_suspended_emails_are_recorded_but_not_queued(in_progress, sp_agent, csp_agent,
                                                      django_capture_on_commit_callbacks):
    from notifications.services import emails_suspended

    sp_agent.email = "camille@example.fr"
    sp_agent.save()
    with emails_suspended(), django_capture_on_commit_callbacks() as callbacks:
        case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                                 comment="Précisez.")
    assert callbacks == []
    assert notified(NotificationEvent.QUESTION) == {sp_agent.username}
