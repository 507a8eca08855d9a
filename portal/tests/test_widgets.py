"""common.widgets and common.fields: what Django's widgets and fields give, for less."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.fields import ListedModelChoiceField
from common.widgets import LeanSelect
from portal.models import Service


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.parametrize("value", [None, "", "b", ["b"], "<inconnu>"])
@pytest.mark.parametrize("attrs", [
    {}, {"class": "fr-select", "required": True, "disabled": False,
         "aria-describedby": 'x"y', "data-n": 3}])
def test_a_lean_select_writes_what_djangos_select_writes(value, attrs):
    choices = [("", "Tous"), ("a", "Équipe <A> & co"), ("b", 'Guillemet "b"'),
               ("Groupe", [("c", "C"), ("d", "D")]), (5, "Cinq")]
    expected = forms.Select(choices=choices).render("champ", value, attrs={"id": "id_champ",
                                                                          **attrs})
    lean = LeanSelect(choices=choices).render("champ", value, attrs={"id": "id_champ", **attrs})
    assert normalised(lean) == normalised(expected)
    assert "&lt;A&gt; &amp; co" in lean and "<A>" not in lean


@pytest.mark.django_db
def test_a_listed_model_choice_field_offers_the_same_choices_in_one_plain_query(csp, sp,
                                                                                other_sp):
    services = Service.objects.order_by("code")
    listed = ListedModelChoiceField(queryset=services, empty_label="Tous")
    plain = forms.ModelChoiceField(queryset=services, empty_label="Tous")

    with CaptureQueriesContext(connection) as queries:
        offered = [(str(value), label) for value, label in listed.choices]

    assert offered == [(str(value), label) for value, label in plain.choices]
    assert len(offered) == services.count() + 1
    assert len(queries) == 1 and "DECLARE" not in queries[0]["sql"]
    assert normalised(LeanSelect(choices=listed.choices).render("s", str(sp.pk))).count(
        "selected") == 1
