"""Rating a completed case: who may, once only, the score's range, what each side sees."""

import html
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from cases.workflow import State
from satisfaction.models import Rating
from satisfaction.selectors import ratings_summary
from satisfaction.services import RatingRefused, rating_create

pytestmark = pytest.mark.django_db


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)


def _url(case):
    return reverse("satisfaction:rate", args=[case.pk])


def test_the_creator_rates_once_and_sees_the_score(client, completed, sp_agent):
    client.force_login(sp_agent)
    page = _text(client.get(completed.get_absolute_url()))
    assert f'action="{_url(completed)}"' in page and 'name="score"' in page
    response = client.post(_url(completed), {"score": "4", "comment": "Rapide et clair."})
    assert response.status_code == 302 and response.url.endswith("#satisfaction")
    rating = Rating.objects.get(case=completed)
    assert (rating.score, rating.comment, rating.rated_by) == (4, "Rapide et clair.", sp_agent)
    page = _text(client.get(response.url))
    assert "Merci : votre note a été enregistrée." in page
    assert "Vous avez noté ce service : 4/5" in page and _url(completed) not in page
    again = client.post(_url(completed), {"score": "1"})
    assert again.status_code == 400
    assert "Vous avez déjà noté ce service pour ce dossier" in _text(again)
    assert Rating.objects.get(case=completed).score == 4


@pytest.mark.parametrize("score", ["0", "6", "quatre", "", "4.5", "99999999999999999999"])
def test_a_score_outside_1_to_5_is_refused_beside_the_field(client, completed, sp_agent,
                                                            score):
    client.force_login(sp_agent)
    response = client.post(_url(completed), {"score": score})
    assert response.status_code == 400
    assert "Choisissez une note de 1 à 5." in _text(response)
    assert not Rating.objects.exists()


def test_bounds_1_and_5_are_accepted(completed, make_purchase_request, sp_agent, csp_agent):
    assert rating_create(case=completed, actor=sp_agent, score=1).score == 1
    other = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    assert rating_create(case=other, actor=sp_agent, score=5).score == 5
    with pytest.raises(RatingRefused):
        rating_create(case=other, actor=sp_agent, score=5)


def test_a_comment_is_bounded(client, completed, sp_agent):
    client.force_login(sp_agent)
    response = client.post(_url(completed), {"score": "3", "comment": "x" * 1001})
    assert response.status_code == 400
    assert "Le commentaire ne peut dépasser 1 000 caractères" in _text(response)
    assert client.post(_url(completed), {"score": "3", "comment": "x" * 1000}).status_code == 302


def test_the_database_refuses_a_second_rating_and_a_score_out_of_range(completed, sp_agent):
    Rating.objects.create(case=completed, score=2, rated_by=sp_agent)
    with pytest.raises(IntegrityError):
        Rating.objects.create(case=completed, score=3, rated_by=sp_agent)


def test_the_check_constraint_refuses_six(completed, sp_agent):
    with pytest.raises(IntegrityError):
        Rating.objects.create(case=completed, score=6, rated_by=sp_agent)


def test_a_race_lost_on_the_unique_key_is_refused_in_french(completed, sp_agent, monkeypatch):
    # The other request's rating lands between the check and the insert (here in the same
    # transaction, rolled back with it: SQLite runs one writer at a time).
    from satisfaction import services

    class LateCheck:
        def exists(self):
            Rating.objects.create(case=completed, score=5, rated_by=sp_agent)
            return False

    monkeypatch.setattr(services.Rating.objects, "filter", lambda **kw: LateCheck())
    with pytest.raises(RatingRefused, match="déjà noté"):
        rating_create(case=completed, actor=sp_agent, score=2)


def test_only_the_creator_of_a_completed_case_rates(client, make_purchase_request, completed,
                                                    sp_agent, ordonnateur, csp_agent):
    in_progress = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(sp_agent)
    assert client.post(_url(in_progress), {"score": "4"}).status_code == 403
    for someone in (ordonnateur, csp_agent):
        client.force_login(someone)
        assert 'name="score"' not in _text(client.get(completed.get_absolute_url()))
        assert client.post(_url(completed), {"score": "4"}).status_code == 403
    assert not Rating.objects.exists()


def test_the_centre_sees_the_rating_read_only(client, completed, sp_agent, csp_agent):
    rating_create(case=completed, actor=sp_agent, score=4, comment="Bien.")
    client.force_login(csp_agent)
    page = _text(client.get(completed.get_absolute_url()))
    assert "Note du service demandeur : 4/5" in page and "Bien." in page
    assert _url(completed) not in page


def test_another_service_gets_a_404(client, completed, foreign_sp_agent, foreign_csp_agent):
    for someone in (foreign_sp_agent, foreign_csp_agent):
        client.force_login(someone)
        assert client.post(_url(completed), {"score": "4"}).status_code == 404
    assert client.post(reverse("satisfaction:rate", args=[10**12]), {"score": "4"}
                       ).status_code == 404
    assert not Rating.objects.exists()


def test_averages_by_kind_and_service(make_purchase_request, sp_agent, csp_agent, sp):
    for score in (5, 4, 2):
        case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
        rating_create(case=case, actor=sp_agent, score=score)
    now = timezone.now()
    summary = ratings_summary(services=[sp], start=now - timedelta(days=1),
                              end=now + timedelta(days=1))
    [by_kind] = summary.by_kind
    assert (by_kind.average, by_kind.count) == (3.7, 3)
    [by_service] = summary.by_service
    assert (by_service.label, by_service.average, by_service.count) == ("DRAC", 3.7, 3)
    assert ratings_summary(services=[sp], start=now + timedelta(days=1),
                           end=now + timedelta(days=2)).total is None


def test_the_restitutions_show_the_averages(client, make_purchase_request, sp_agent,
                                            csp_agent, csp_head):
    for score in (5, 2):
        case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
        rating_create(case=case, actor=sp_agent, score=score)
    client.force_login(csp_head)
    today = timezone.localdate()
    page = _text(client.get(reverse("dashboards:restitutions"),
                            {"start": today.isoformat(), "end": today.isoformat()}))
    assert "Note moyenne : 3,5/5 sur 2 notes." in page
    assert 'id="chart-ratings-service"' in page and "DRAC : 3,5 /5" in page
    yesterday = (today - timedelta(days=1)).isoformat()
    page = _text(client.get(reverse("dashboards:restitutions"),
                            {"start": yesterday, "end": yesterday}))
    assert "Aucune note sur cette période." in page
