"""Notifications: who is told of what, email preferences, one email even when the task runs
twice, emails suspended."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from cases import services as case_services
from cases.workflow import State
from messaging.services import message_post
from messaging.tests import test_views as messaging_views
from messaging.tests.test_views import _text, notified
from notifications.models import Notification, NotificationEvent
from notifications.services import notification_send, preferences_save

pytestmark = pytest.mark.django_db
# A fixture of that module: a purchase request in progress with csp_agent.
in_progress = messaging_views.in_progress


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
                                    anomaly="missing_document", comment="Quel bâtiment ?")
    assert notified(NotificationEvent.QUESTION, case) == {sp_agent.username}
    case = case_services.transition(case=case, action="answer", actor=sp_agent,
                                    comment="Le bâtiment B.")
    assert notified(NotificationEvent.ANSWER, case) == {csp_agent.username}
    case_services.transition(case=case, action="reject", actor=csp_agent,
                             anomaly="missing_document", comment="Doublon")
    assert notified(NotificationEvent.REJECTED, case) == {sp_agent.username}
    notice = Notification.objects.get(event=NotificationEvent.QUESTION)
    assert "Quel bâtiment ?" in notice.body and case.reference in notice.subject


def test_a_notification_is_emailed_once_even_if_the_task_runs_again(in_progress, sp_agent,
                                                                    csp_agent):
    sp_agent.email = "camille@example.fr"
    sp_agent.save()
    case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                             anomaly="missing_document", comment="Précisez la quantité.")
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
    with mock.patch("notifications.services.async_task") as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                                 anomaly="missing_document", comment="Précisez la quantité.")
    enqueue.assert_not_called()  # recorded in the portal, no email queued
    client.force_login(sp_agent)
    page = _text(client.get(reverse("notifications:preferences")))
    assert "Question du centre" in page
    client.post(reverse("notifications:preferences"), {"by_email": ["question", "nope"]})
    with mock.patch("notifications.services.async_task") as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        message_post(case=in_progress, author=csp_agent, body="Autre question")
    enqueue.assert_not_called()  # messages no longer by email


def test_suspended_emails_are_recorded_but_not_queued(in_progress, sp_agent, csp_agent,
                                                      django_capture_on_commit_callbacks):
    from notifications.services import emails_suspended

    sp_agent.email = "camille@example.fr"
    sp_agent.save()
    with emails_suspended(), mock.patch("notifications.services.async_task") as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        case_services.transition(case=in_progress, action="request_info", actor=csp_agent,
                                 anomaly="missing_document", comment="Précisez.")
    enqueue.assert_not_called()
    assert notified(NotificationEvent.QUESTION) == {sp_agent.username}
