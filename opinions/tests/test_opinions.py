"""Expert opinions: asking (who, what is checked), what the expert sees (that one case, their
own question), answering once, sharing with the requester, reminders, restitution figures."""

import html
from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import permissions, sla
from cases.workflow import State
from notifications.models import Notification, NotificationEvent
from opinions.models import ExpertOpinion, OpinionFile
from opinions.selectors import opinion_figures
from opinions.services import (
    OpinionRefused,
    default_deadline,
    opinion_answer,
    opinion_ask,
    opinion_reminders,
    opinion_share,
)
from portal.models import Role
from tests.factories import UserFactory, member
from tests.fixtures import TINY_PDF

pytestmark = pytest.mark.django_db


def _text(response):
    return html.unescape(response.content.decode())


def _pdf(name="note.pdf", salt=""):
    return SimpleUploadedFile(name, TINY_PDF + f"% {name}{salt}\n".encode(),
                              content_type="application/pdf")


@pytest.fixture
def expert(db):
    return UserFactory(username="referent", first_name="Rémi", last_name="Férent",
                       email="referent.metier@example.gouv.fr")


@pytest.fixture
def in_progress(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)


@pytest.fixture
def ask(in_progress, csp_agent, expert):
    def make(*, case=None, who=None, **overrides):
        values = {"expert_email": (who or expert).email, "question": "Ce devis est-il conforme ?",
                  "deadline": default_deadline()}
        values.update(overrides)
        return opinion_ask(case=case or in_progress, actor=csp_agent, **values)
    return make


def _fresh(user):
    """The person as a new request reads them (a user object remembers its case access)."""
    return type(user).objects.get(pk=user.pk)


def _ask_url(case):
    return reverse("opinions:ask", args=[case.pk])


def _post_ask(client, case, **overrides):
    data = {"expert_email": "referent.metier@example.gouv.fr",
            "question": "Le prix unitaire est-il cohérent avec le marché ?",
            "deadline": default_deadline().isoformat()}
    data.update(overrides)
    return client.post(_ask_url(case), data)


# --- asking ---------------------------------------------------------------------------------


def test_a_centre_agent_asks_from_the_case_page_and_the_expert_is_told(
        client, in_progress, csp_agent, expert):
    client.force_login(csp_agent)
    page = _text(client.get(in_progress.get_absolute_url()))
    assert f'action="{_ask_url(in_progress)}"' in page and "Demander un avis" in page
    # The proposed deadline: OPINION_DELAY_WORKING_DAYS working days from today.
    assert f'value="{default_deadline().isoformat()}"' in page
    assert not permissions.can_view(expert, in_progress)
    response = client.post(_ask_url(in_progress), {
        "expert_email": "  Referent.Metier@example.gouv.fr ",
        "question": "Le prix unitaire est-il cohérent avec le marché ?",
        "deadline": default_deadline().isoformat(), "question_file": _pdf("bpu.pdf")})
    assert response.status_code == 302 and response.url.endswith("#avis")
    opinion = ExpertOpinion.objects.get()
    assert (opinion.case, opinion.asked_by, opinion.expert, opinion.deadline) == (
        in_progress, csp_agent, expert, default_deadline())
    assert opinion.files.get().part == OpinionFile.Part.QUESTION
    assert permissions.can_view(_fresh(expert), in_progress)
    notice = Notification.objects.get(event=NotificationEvent.OPINION_ASKED)
    assert notice.recipient == expert and "cohérent avec le marché" in notice.body
    assert in_progress.reference in notice.subject
    # Nothing of it in the case's history, which the requester reads.
    assert not in_progress.events.filter(comment__contains="marché").exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"deadline": (timezone.localdate() - timedelta(days=1)).isoformat()},
     "L'échéance ne peut pas être dans le passé."),
    ({"deadline": "31/02/2026"}, "Saisissez une date valide (jj/mm/aaaa)."),
    ({"deadline": (timezone.localdate() + timedelta(days=400)).isoformat()},
     "Choisissez une échéance dans l'année qui vient."),
    ({"deadline": ""}, "Indiquez la date à laquelle l'avis est attendu."),
    ({"question": "   "}, "Écrivez la question posée à l'expert."),
    ({"question": "x" * 3001}, "La question compte au plus 3000 caractères"),
    ({"expert_email": "personne@example.gouv.fr"},
     "Aucun compte actif du portail n'a cette adresse électronique."),
    ({"expert_email": "pas-une-adresse"}, "Saisissez une adresse électronique valide."),
    ({"expert_email": "csp_agent@example.gouv.fr"},
     "Vous ne pouvez pas vous demander un avis à vous-même."),
])
def test_a_request_is_refused_with_a_french_message_beside_its_field(
        client, in_progress, csp_agent, expert, overrides, message):
    client.force_login(csp_agent)
    response = _post_ask(client, in_progress, **overrides)
    assert response.status_code == 400
    assert message in _text(response)
    assert not ExpertOpinion.objects.exists()
    assert not permissions.can_view(_fresh(expert), in_progress)


def test_a_deadline_today_is_accepted_and_an_inactive_account_is_not_found(ask, expert):
    assert ask(deadline=timezone.localdate()).deadline == timezone.localdate()
    expert.is_active = False
    expert.save()
    with pytest.raises(OpinionRefused, match="Aucun compte actif"):
        ask(deadline=timezone.localdate(), question="Autre question")


def test_the_same_expert_is_not_asked_twice_while_a_request_waits(ask, expert):
    ask()
    with pytest.raises(OpinionRefused, match="déjà demandé à cette personne"):
        ask(question="Encore ?")
    opinion_answer(opinion=ExpertOpinion.objects.get(), actor=expert, answer="Conforme.")
    assert ask(question="Et la livraison ?").question == "Et la livraison ?"


def test_an_upload_is_checked_like_any_piece(client, in_progress, csp_agent, expert):
    client.force_login(csp_agent)
    forged = SimpleUploadedFile("note.pdf", b"<html><script>alert(1)</script>",
                                content_type="application/pdf")
    response = _post_ask(client, in_progress, question_file=forged)
    assert response.status_code == 400
    assert "Le contenu du fichier ne correspond pas à son extension .pdf." in _text(response)
    assert not ExpertOpinion.objects.exists()


def test_only_the_processing_centre_asks_and_only_while_the_case_is_open(
        client, make_purchase_request, in_progress, sp_agent, csp_agent, cst, expert,
        foreign_csp_agent):
    client.force_login(sp_agent)
    assert 'name="expert_email"' not in _text(client.get(in_progress.get_absolute_url()))
    assert _post_ask(client, in_progress).status_code == 403
    client.force_login(cst)  # a centre member, not one who processes purchase requests
    assert _post_ask(client, in_progress).status_code == 403
    client.force_login(foreign_csp_agent)
    assert _post_ask(client, in_progress).status_code == 404
    completed = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    client.force_login(csp_agent)
    assert 'name="expert_email"' not in _text(client.get(completed.get_absolute_url()))
    assert _post_ask(client, completed).status_code == 403
    assert not ExpertOpinion.objects.exists()


# --- what the expert sees -------------------------------------------------------------------


def test_the_expert_sees_that_case_only_and_their_own_question_only(
        client, ask, in_progress, make_purchase_request, sp_agent, csp_agent, expert, csp):
    other_expert = member(csp, Role.MDA_AGENT, username="mda", email="mda@example.gouv.fr")
    theirs = ask(who=other_expert, question="Question secrète de la mission ?")
    mine = ask(question="Le devis est-il conforme ?", question_file=_pdf())
    same_service = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(expert)
    page = _text(client.get(in_progress.get_absolute_url()))
    assert "Le devis est-il conforme ?" in page
    assert "Question secrète de la mission ?" not in page
    assert reverse("opinions:answer", args=[mine.pk]) in page
    assert reverse("opinions:question_file", args=[mine.pk]) in page
    assert "Demander un avis" not in page and "Prendre en charge" not in page
    # No other case, not even of the same service and centre; no queue, no requests.
    assert client.get(same_service.get_absolute_url()).status_code == 404
    assert client.get(reverse("cases:queue")).status_code == 404
    assert client.get(reverse("cases:my_requests")).status_code == 404
    assert set(permissions.visible_cases(_fresh(expert))) == {in_progress}
    assert not permissions.visible_cases(_fresh(expert), permissions.PROCESS).exists()
    # The other expert's opinion: its URLs are a 404.
    for name in ("opinions:answer", "opinions:share"):
        assert client.post(reverse(name, args=[theirs.pk]),
                           {"answer": "Je réponds à sa place."}).status_code == 404
    assert client.get(reverse("opinions:question_file", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("opinions:question_file", args=[mine.pk])).status_code == 200
    theirs.refresh_from_db()
    assert not theirs.is_answered


def test_the_expert_lists_their_requests_and_the_home_page_says_so(client, ask, expert):
    opinion = ask(question="Conformité du devis ?")
    client.force_login(expert)
    home = _text(client.get(reverse("home")))
    assert "Un centre attend votre avis sur 1 dossier." in home
    assert "Votre compte n'est rattaché à aucun service" not in home
    page = _text(client.get(reverse("opinions:asked_of_me")))
    assert opinion.case.display_reference in page and "1 avis à rendre" in page
    assert f"{opinion.case.get_absolute_url()}#avis-{opinion.pk}" in page


# --- answering ------------------------------------------------------------------------------


def test_the_expert_answers_once_with_a_file_and_the_asker_is_told(
        client, ask, in_progress, expert, csp_agent):
    opinion = ask()
    client.force_login(expert)
    url = reverse("opinions:answer", args=[opinion.pk])
    response = client.post(url, {"answer": "Conforme au marché.",
                                 "answer_file": _pdf("avis.pdf")})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.answer == "Conforme au marché." and opinion.is_answered
    assert opinion.files.get(part=OpinionFile.Part.ANSWER).original_name == "avis.pdf"
    notice = Notification.objects.get(event=NotificationEvent.OPINION_ANSWERED)
    assert notice.recipient == csp_agent and "Conforme au marché." in notice.body
    again = client.post(url, {"answer": "Finalement non."})
    assert again.status_code == 400
    assert "Vous avez déjà répondu à cette demande d'avis" in _text(again)
    opinion.refresh_from_db()
    assert opinion.answer == "Conforme au marché."
    # Answered, the expert keeps reading the case and their answer.
    page = _text(client.get(in_progress.get_absolute_url()))
    assert "Conforme au marché." in page and url not in page


def test_an_empty_answer_is_refused_beside_the_field(client, ask, expert):
    opinion = ask()
    client.force_login(expert)
    response = client.post(reverse("opinions:answer", args=[opinion.pk]), {"answer": "  "})
    assert response.status_code == 400
    assert "Écrivez votre avis." in _text(response)
    assert not ExpertOpinion.objects.get().is_answered


def test_two_answers_read_at_once_make_one(ask, expert):
    """Both requests loaded the unanswered opinion; the second writes nothing."""
    opinion = ask()
    first, second = (ExpertOpinion.objects.get(pk=opinion.pk) for _ in range(2))
    opinion_answer(opinion=first, actor=expert, answer="Premier avis.")
    with pytest.raises(OpinionRefused, match="déjà répondu"):
        opinion_answer(opinion=second, actor=expert, answer="Second avis.",
                       answer_file=_pdf("second.pdf"))
    opinion.refresh_from_db()
    assert opinion.answer == "Premier avis."
    assert not opinion.files.exists()
    assert Notification.objects.filter(event=NotificationEvent.OPINION_ANSWERED).count() == 1


def test_nobody_but_the_expert_answers(ask, csp_agent, sp_agent):
    from cases.services import CaseNotFound

    opinion = ask()
    for someone in (csp_agent, sp_agent):
        with pytest.raises(CaseNotFound):
            opinion_answer(opinion=opinion, actor=someone, answer="À sa place.")
    assert not ExpertOpinion.objects.get().is_answered


# --- sharing ----------------------------------------------------------------------------------


def test_the_answer_reaches_the_requester_only_once_shared(
        client, ask, in_progress, expert, sp_agent, csp_agent):
    opinion = ask(question="Question interne au centre ?", question_file=_pdf("interne.pdf"))
    client.force_login(sp_agent)
    with pytest.raises(OpinionRefused, match="pas encore répondu"):
        opinion_share(opinion=opinion, actor=csp_agent)
    opinion_answer(opinion=opinion, actor=expert, answer="Avis favorable.",
                   answer_file=_pdf("avis.pdf"))
    answer_url = reverse("opinions:answer_file", args=[opinion.pk])
    question_url = reverse("opinions:question_file", args=[opinion.pk])
    page = _text(client.get(in_progress.get_absolute_url()))
    assert "Avis favorable." not in page and "Question interne" not in page
    assert client.get(answer_url).status_code == 404
    # The sharing is a centre agent's: the requester cannot share it themselves.
    assert client.post(reverse("opinions:share", args=[opinion.pk])).status_code == 404
    client.force_login(csp_agent)
    centre_page = _text(client.get(in_progress.get_absolute_url()))
    assert "Avis favorable." in centre_page and "Partager avec le demandeur" in centre_page
    response = client.post(reverse("opinions:share", args=[opinion.pk]))
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.shared_with_requester and opinion.shared_by == csp_agent
    # The requester hears of it, once, with the answer (never the question).
    shared = Notification.objects.get(event=NotificationEvent.OPINION_SHARED)
    assert shared.recipient == in_progress.created_by and "Avis favorable." in shared.body
    assert "Question interne" not in shared.body
    again = client.post(reverse("opinions:share", args=[opinion.pk]), follow=True)
    assert "déjà partagé" in _text(again)
    assert Notification.objects.filter(event=NotificationEvent.OPINION_SHARED).count() == 1
    client.force_login(sp_agent)
    page = _text(client.get(in_progress.get_absolute_url()))
    assert "Avis favorable." in page
    assert "Question interne" not in page and question_url not in page
    assert client.get(answer_url).status_code == 200
    assert client.get(question_url).status_code == 404


# --- reminders --------------------------------------------------------------------------------


def _working_day(after: date, count: int) -> date:
    return sla.working_day_after(after, count)


def test_reminders_go_once_to_experts_due_soon_and_not_answered(ask, expert, csp, settings):
    settings.OPINION_REMINDER_WORKING_DAYS = 2
    today = timezone.localdate()
    soon = ask(deadline=_working_day(today, 2), question="Bientôt ?")
    other = member(csp, Role.MDA_AGENT, username="mda", email="mda@example.gouv.fr")
    later = ask(who=other, deadline=_working_day(today, 3), question="Plus tard ?")
    third = UserFactory(username="tiers.expert")
    answered = ask(who=third, deadline=today, question="Déjà répondu ?")
    opinion_answer(opinion=answered, actor=third, answer="Oui.")
    assert opinion_reminders() == 1
    assert opinion_reminders() == 0  # run again: nobody twice
    reminded = Notification.objects.filter(event=NotificationEvent.OPINION_REMINDER)
    assert [(n.recipient, n.key) for n in reminded] == [
        (expert, f"opinion_reminder:{soon.pk}:{expert.pk}")]
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None and later.reminder_sent_at is None
    # Two days on, the later one comes within the horizon: its reminder, once.
    assert opinion_reminders(now=timezone.now() + timedelta(days=7)) == 1
    assert opinion_reminders(now=timezone.now() + timedelta(days=7)) == 0


def test_a_reminder_mail_is_sent_once_by_the_task(ask, expert, monkeypatch, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    from django.utils.module_loading import import_string

    # The task run at once, as the worker would after the commit.
    monkeypatch.setattr("notifications.services.async_task",
                        lambda func, *args, **kwargs: import_string(func)(*args))
    ask(deadline=timezone.localdate())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert opinion_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert opinion_reminders() == 0
    assert [m.to for m in mailoutbox] == [[expert.email]]
    assert "Rappel : avis attendu" in mailoutbox[0].subject


def test_the_reminder_task_is_scheduled_every_morning():
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="opinions.tasks.opinion_reminders",
                                   schedule_type="D").exists()


# --- restitutions -----------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_figures_count_asked_and_late_with_the_deadline_day_on_time(ask, csp, expert, sp):
    today = timezone.localdate()
    deadline = today - timedelta(days=3)
    first = ask(deadline=today)  # asked today, unanswered, due today: not late

    def opinion(question, *, answered_at=None, deadline=deadline):
        made = ExpertOpinion.objects.create(
            case=first.case, asked_by=first.asked_by, expert=expert, question=question,
            deadline=deadline, created_at=_at(today - timedelta(days=10), 10))
        if answered_at:
            ExpertOpinion.objects.filter(pk=made.pk).update(answer="Avis.",
                                                            answered_at=answered_at)

    # Paris time: 23:59 on the deadline day is on time, 00:10 the day after is late.
    opinion("Rendu le jour même, tard le soir", answered_at=_at(deadline, 23, 59))
    opinion("Rendu le lendemain à minuit dix",
            answered_at=_at(deadline + timedelta(days=1), 0, 10))
    opinion("Sans réponse, échéance hier", deadline=today - timedelta(days=1))
    opinion("Sans réponse, échéance aujourd'hui", deadline=today)
    start, end = _at(today - timedelta(days=30), 0), _at(today + timedelta(days=1), 0)
    [figure] = opinion_figures(services=[sp], start=start, end=end, today=today)
    assert (figure.centre, figure.asked, figure.answered) == (csp.code, 5, 2)
    assert (figure.answered_late, figure.unanswered_late, figure.late) == (1, 1, 2)
    # The period counts the opinions asked in it.
    assert opinion_figures(services=[sp], start=_at(today, 0), end=end, today=today)[0].asked == 1
    assert opinion_figures(services=[sp], start=start, end=end, today=today,
                           kind="tiers") == []


def test_the_centre_head_reads_them_on_the_restitutions_page(client, ask, csp_head, sp_agent):
    ask(deadline=timezone.localdate())
    client.force_login(csp_head)
    page = _text(client.get(reverse("dashboards:restitutions")))
    assert 'id="opinions-table"' in page and "Avis d'experts" in page
    client.force_login(sp_agent)
    assert 'id="opinions-table"' not in _text(client.get(reverse("dashboards:restitutions")))


@pytest.mark.parametrize("pk", ["9" * 23, str(2**63), "0", "-1", "abc"])
def test_hostile_ids_are_a_404(client, ask, expert, pk):
    ask()
    client.force_login(expert)
    for path in (f"/avis/{pk}/repondre/", f"/avis/{pk}/partager/",
                 f"/avis/{pk}/question/piece/", f"/avis/{pk}/reponse/piece/",
                 f"/dossiers/{pk}/avis/"):
        assert client.post(path, {"answer": "x"}).status_code == 404, path
    assert not ExpertOpinion.objects.filter(answered_at__isnull=False).exists()


def test_the_actions_panel_lists_asking_answering_and_sharing(client, ask, in_progress, expert,
                                                              csp_agent):
    from bs4 import BeautifulSoup

    from cases.tests.test_case_page import assert_panel_accounts_for_every_action, panel_of

    def panel_for(user):
        client.force_login(user)
        soup = BeautifulSoup(client.get(in_progress.get_absolute_url()).content.decode(),
                             "html.parser")
        assert_panel_accounts_for_every_action(soup)
        return " ".join(panel_of(soup).get_text(" ").split())

    opinion = ask()
    assert "Demander un avis" in panel_for(csp_agent)
    assert "Donner mon avis" in panel_for(expert)
    opinion_answer(opinion=opinion, actor=expert, answer="Conforme.")
    assert "Aucune action possible" in panel_for(expert)
    assert "Partager avec le demandeur" in panel_for(csp_agent)
