"""The queue's template helpers write what Django's filters and templates wrote."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cases.templatetags.case_tags import day, state_badge
from cases.workflow import State


@pytest.mark.parametrize("value", [
    datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # already 1 April in Paris (summer time)
    datetime(2026, 12, 31, 23, 59, tzinfo=UTC),  # 1 January 2027 in Paris
    datetime(2026, 6, 5, 8, 0, tzinfo=UTC),
    date(2026, 2, 28),
])
def test_day_is_djangos_d_m_y_date_in_the_portals_time_zone(value):
    with timezone.override("Europe/Paris"):
        assert day(value) == Template('{{ v|date:"d/m/Y" }}').render(Context({"v": value}))
    assert day(None) == ""


@pytest.mark.parametrize("state", State.values)
def test_a_state_badge_shows_the_translated_label(state):
    with translation.override("fr"):
        badge = state_badge(SimpleNamespace(state=state))
    assert badge.startswith('<p class="fr-badge fr-badge--sm fr-badge--no-icon')
    assert f">{State(state).label}</p>" in badge
