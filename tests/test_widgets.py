"""portal.widgets: the same HTML as Django's widgets, written faster."""

import re

import pytest
from django import forms

from portal.widgets import LeanSelect


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
