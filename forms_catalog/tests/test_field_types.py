"""The field types of issue 22 (forms_catalog/forms.py StepForm, schema.py settings): each
accepted and refused on the server with a French message next to the field, stored as JSON
and shown on the summary and the case page (selectors.display_value)."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import nir as std_nir
from stdnum.fr import tva as std_tva

from forms_catalog import referentials
from forms_catalog.blocks import FieldStream
from forms_catalog.forms import StepForm
from forms_catalog.schema import SchemaError, build_schema
from forms_catalog.selectors import answers_by_step

REQUIRED = "Ce champ est obligatoire."
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def block(kind, label="Valeur", *, required=True, **extra):
    return (kind, {"label": label, "help_text": "", "required": required, **extra})


def schema_of(*blocks) -> dict:
    raw = [{"type": kind, "value": value, "id": f"k{n}"}
           for n, (kind, value) in enumerate(blocks, start=1)]
    return build_schema(FieldStream().to_python(raw), "Votre demande")


def form_of(schema, data, **kwargs) -> StepForm:
    return StepForm(data=data, items=schema["steps"][0]["items"], **kwargs)


def one(kind, data, **extra):
    form = form_of(schema_of(block(kind, **extra)), data)
    return form, form.is_valid()


def shown(schema, answers) -> str:
    return answers_by_step(schema, answers)[0]["rows"][0]["value"]


@pytest.fixture
def postcodes(monkeypatch):
    """A referential of two postcodes, as kinds/tiers registers La Poste's."""
    known = {"57000": ["METZ"], "67000": ["STRASBOURG"], "97300": ["CAYENNE"]}
    monkeypatch.setattr(referentials, "_postcode_lookup", known.get)
    return known


# --- NIR, VAT ---------------------------------------------------------------------------------

nir_bodies = st.builds(lambda sex, rest: f"{sex}{rest:012d}", st.sampled_from("12"),
                       st.integers(0, 10**12 - 1))


@FAST
@given(body=nir_bodies)
def test_a_nir_with_its_key_is_accepted_and_a_wrong_key_refused(body):
    number = body + std_nir.calc_check_digits(body)
    form, ok = one("nir", {"k1": " ".join([number[:1], number[1:3], number[3:]])})
    assert ok, form.errors
    assert form.answers() == {"k1": number}
    wrong = body + f"{(int(number[-2:]) + 1) % 98:02d}"
    form, ok = one("nir", {"k1": wrong})
    assert not ok and list(form.errors) == ["k1"]
    assert "NIR" in form.errors["k1"][0]


@FAST
@given(body=st.integers(10**7, 10**8 - 1))
def test_a_french_vat_number_is_accepted_with_its_key_and_refused_without(body):
    siren = f"{body}{luhn.calc_check_digit(str(body))}"
    key = f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"
    assert std_tva.is_valid(f"FR{key}{siren}")
    form, ok = one("vat", {"k1": f"fr {key} {siren}"})
    assert ok, form.errors
    assert form.answers() == {"k1": f"FR{key}{siren}"}
    form, ok = one("vat", {"k1": f"FR{(int(key) + 1) % 100:02d}{siren}"})
    assert not ok and "TVA intracommunautaire" in form.errors["k1"][0]


@pytest.mark.parametrize("kind", ["nir", "vat", "pattern_text", "bounded_number",
                                  "department", "country"])
@FAST
@given(text=st.text(max_size=300))
def test_any_text_gives_a_value_or_a_field_error_never_an_exception(kind, text):
    extra = {"pattern": "[A-Z]{2}[0-9]{6}", "pattern_message": "Deux lettres, six chiffres."}
    form, ok = one(kind, {"k1": text}, **(extra if kind == "pattern_text" else {}))
    assert ok or list(form.errors) == ["k1"]
    json.dumps(form.answers() if ok else {})


# --- bounded number, pattern -------------------------------------------------------------------


@FAST
@given(number=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False))
def test_a_bounded_number_is_accepted_within_its_bounds_only(number):
    form, ok = one("bounded_number", {"k1": str(number).replace(".", ",")}, minimum=Decimal(0),
                   maximum=Decimal("100.5"))
    assert ok == (0 <= number <= Decimal("100.5")), form.errors
    if ok:
        assert Decimal(form.answers()["k1"]) == number
    elif number < 0:
        assert form.errors["k1"] == ["Saisissez un nombre supérieur ou égal à 0."]
    else:
        assert form.errors["k1"] == ["Saisissez un nombre inférieur ou égal à 100,5."]


def test_publication_refuses_a_minimum_above_the_maximum():
    with pytest.raises(SchemaError, match="le minimum \\(10\\) dépasse le maximum \\(2\\)"):
        schema_of(block("bounded_number", minimum=Decimal(10), maximum=Decimal(2)))


@FAST
@given(text=st.one_of(st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True), st.text(max_size=20)))
def test_a_pattern_is_matched_whole_with_the_editors_message(text):
    form, ok = one("pattern_text", {"k1": text}, pattern="[A-Z]{2}[0-9]{6}",
                   pattern_message="Deux lettres puis six chiffres.")
    expected = bool(text.strip()) and re.fullmatch(r"[A-Z]{2}[0-9]{6}", text.strip())
    assert ok == bool(expected)
    if not ok and text.strip() and "\x00" not in text:
        assert form.errors["k1"] == ["Deux lettres puis six chiffres."]


def test_a_pattern_input_is_bounded_so_a_slow_regex_cannot_be_fed():
    form, ok = one("pattern_text", {"k1": "a" * 201}, pattern="[a-z]+", pattern_message="x")
    assert not ok and "200" in form.errors["k1"][0]


@pytest.mark.parametrize("pattern, expected", [
    ("[A-Z", "n'est pas une expression régulière valide"),
    ("(a+)+$", "trop coûteux"),
    ("(\\w*)*", "trop coûteux"),
    ("(x|y+){2,}", "trop coûteux"),
    ("", "motif vide"),
])
def test_publication_refuses_invalid_or_catastrophic_patterns(pattern, expected):
    with pytest.raises(SchemaError, match=expected):
        schema_of(block("pattern_text", pattern=pattern, pattern_message="m"))


# --- date range --------------------------------------------------------------------------------


@FAST
@given(start=st.integers(-60, 400), length=st.integers(-5, 40))
def test_a_date_range_is_ordered_and_within_its_bounds_relative_to_today(start, length):
    today = timezone.localdate()
    first, last = today + timedelta(days=start), today + timedelta(days=start + length)
    form, ok = one("date_range", {"k1__start": first.isoformat(), "k1__end": last.isoformat()},
                   earliest_days=-30, latest_days=365)
    assert ok == (length >= 0 and start >= -30 and start + length <= 365), form.errors
    if ok:
        assert form.answers() == {"k1": {"start": first.isoformat(), "end": last.isoformat()}}
    if length < 0:
        assert form.errors["k1__end"] == [
            "La date de fin doit être égale ou postérieure à la date de début."]
    elif start < -30:
        assert form.errors["k1__start"][0].startswith("La période ne peut pas commencer avant")


def test_a_date_range_needs_both_dates_and_is_shown_in_french():
    form, ok = one("date_range", {"k1__start": "2026-03-02"})
    assert not ok and form.errors == {"k1__end": ["Indiquez les deux dates de la période."]}
    form, ok = one("date_range", {})
    assert not ok and form.errors == {"k1__start": [REQUIRED]}
    schema = schema_of(block("date_range"))
    assert shown(schema, {"k1": {"start": "2026-03-02", "end": "2026-03-05"}}) == (
        "du 02/03/2026 au 05/03/2026")
    with pytest.raises(SchemaError, match="première date permise"):
        schema_of(block("date_range", earliest_days=10, latest_days=-10))


# --- address, commune, département, country ---------------------------------------------------


def test_an_address_is_checked_against_the_registered_postcode_referential(postcodes):
    data = {"k1__street": "1 rue de la Paix", "k1__postcode": "57 000", "k1__commune": "Metz"}
    form, ok = one("address", data)
    assert ok, form.errors
    stored = {"street": "1 rue de la Paix", "postcode": "57000", "commune": "Metz"}
    assert form.answers() == {"k1": stored}
    assert shown(schema_of(block("address")), {"k1": stored}) == "1 rue de la Paix\n57000 Metz"

    form, ok = one("address", {**data, "k1__commune": "Nancy"})
    assert not ok and form.errors == {"k1__commune": [
        "Cette commune n'est pas desservie par le code postal 57000 (communes desservies : "
        "METZ)."]}
    form, ok = one("address", {**data, "k1__postcode": "5700"})
    assert form.errors == {"k1__postcode": ["Un code postal français comporte 5 chiffres."]}
    form, ok = one("address", {**data, "k1__postcode": "96000"})
    assert form.errors == {"k1__postcode": [
        "Ce code postal ne correspond à aucun département français."]}
    form, ok = one("address", {"k1__postcode": "57000"})
    assert set(form.errors) == {"k1__street", "k1__commune"}


def test_without_a_referential_a_well_formed_postcode_is_accepted(monkeypatch):
    monkeypatch.setattr(referentials, "_postcode_lookup", None)
    form, ok = one("commune", {"k1__postcode": "29200", "k1__commune": "Brest"})
    assert ok and form.answers() == {"k1": {"postcode": "29200", "commune": "Brest"}}


def test_the_tiers_kind_registers_la_postes_referential(db):
    from kinds.tiers.models import PostalCode

    PostalCode.objects.create(postcode="67000", insee_code="67482", commune="STRASBOURG",
                              delivery_label="STRASBOURG")
    assert referentials.communes_for("67000") == ["STRASBOURG"]
    assert referentials.communes_for("29200") is None
    form, ok = one("commune", {"k1__postcode": "67000", "k1__commune": "Colmar"})
    assert not ok and "STRASBOURG" in form.errors["k1__commune"][0]
    form, ok = one("commune", {"k1__postcode": "67000", "k1__commune": "strasbourg"})
    assert ok, form.errors


@FAST
@given(postcode=st.text(alphabet="0123456789 A", max_size=8), commune=st.text(max_size=120))
def test_any_commune_input_gives_a_value_or_field_errors(postcodes, postcode, commune):
    form, ok = one("commune", {"k1__postcode": postcode, "k1__commune": commune})
    assert ok or set(form.errors) <= {"k1__postcode", "k1__commune"}


@pytest.mark.parametrize("code, ok", [("2A", True), ("2B", True), ("971", True),
                                      ("976", True), ("01", True), ("95", True), ("20", False),
                                      ("96", False), ("975", False), ("977", False),
                                      ("2a", False)])
def test_departements_are_the_official_list(code, ok):
    form, valid = one("department", {"k1": code})
    assert valid == ok
    if ok:
        assert form.answers() == {"k1": code}


def test_departements_and_countries_are_shown_by_their_french_names():
    assert len(referentials.DEPARTMENTS) == 101
    assert shown(schema_of(block("department")), {"k1": "2A"}) == "2A — Corse-du-Sud"
    assert shown(schema_of(block("country")), {"k1": "DE"}) == "Allemagne"
    form, ok = one("country", {"k1": "XX"})
    assert not ok and list(form.errors) == ["k1"]
    form, ok = one("country", {"k1": "BE"})
    assert ok and form.answers() == {"k1": "BE"}


# --- several files -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="piece.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_several_files_up_to_the_maximum():
    schema = schema_of(block("files", max_files=2))
    form = form_of(schema, {}, files=MultiValueDict({"k1": [pdf("a.pdf"), pdf("b.pdf")]}))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["k1"]] == ["a.pdf", "b.pdf"]
    form = form_of(schema, {}, files=MultiValueDict({"k1": [pdf(), pdf(), pdf()]}))
    assert not form.is_valid()
    assert form.errors["k1"] == ["Au plus 2 fichiers (vous en avez choisi 3)."]
    form = form_of(schema, {})
    assert form.errors["k1"] == [REQUIRED]
    # Files on record (a resumed draft) fulfil the requirement.
    on_record = [{"attachment": 1, "name": "a.pdf"}]
    form = form_of(schema, {}, stored_files={"k1": on_record})
    assert form.is_valid(), form.errors
    assert shown(schema, {"k1": on_record + [{"attachment": 2, "name": "b.pdf"}]}) == (
        "a.pdf, b.pdf")


# --- link to another case ----------------------------------------------------------------------


def test_a_case_link_offers_and_accepts_only_the_requesters_visible_cases(
        db, sp_agent, foreign_sp_agent, make_purchase_request):
    mine = make_purchase_request(sp_agent)
    theirs = make_purchase_request(foreign_sp_agent)
    schema = schema_of(block("case_link"))
    form = form_of(schema, {"k1": mine.reference}, user=sp_agent)
    assert [ref for ref, _label in form.fields["k1"].choices][1:] == [mine.reference]
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": mine.reference}
    for forged in (theirs.reference, "DA-XXX-2026-999999", "x" * 500):
        form = form_of(schema, {"k1": forged}, user=sp_agent)
        assert not form.is_valid()
        assert form.errors["k1"] == ["Choisissez l'une de vos demandes dans la liste."]
    # The draft being filled cannot point at itself.
    form = form_of(schema, {"k1": mine.reference}, user=sp_agent, exclude_case=mine)
    assert not form.is_valid()


# --- required, optional, hostile, for every new type ------------------------------------------

NEW_SINGLE = ["nir", "vat", "department", "country", "bounded_number", "case_link"]


@pytest.mark.parametrize("kind", NEW_SINGLE + ["address", "commune", "date_range", "files",
                                               "pattern_text"])
def test_new_types_required_and_optional_when_left_empty(kind):
    extra = {"pattern": "[0-9]+", "pattern_message": "Des chiffres."}
    form, ok = one(kind, {}, **(extra if kind == "pattern_text" else {}))
    assert not ok and list(form.errors.values())[0] == [REQUIRED]
    form, ok = one(kind, {}, required=False, **(extra if kind == "pattern_text" else {}))
    assert ok, form.errors
    assert form.answers() == ({} if kind == "files" else {"k1": None})


@pytest.mark.parametrize("kind", NEW_SINGLE)
@pytest.mark.parametrize("value", ["x" * 10_000, "12\x0034", "9" * 5_000])
def test_hostile_values_give_field_errors(kind, value):
    form, ok = one(kind, MultiValueDict({"k1": [value]}))
    assert not ok and list(form.errors) == ["k1"]


def test_a_new_date_is_today_relative(monkeypatch):
    # The bounds move with the day of filling, not the day of publication.
    schema = schema_of(block("date_range", earliest_days=0, latest_days=0))
    today = timezone.localdate()
    ok = form_of(schema, {"k1__start": today.isoformat(), "k1__end": today.isoformat()})
    assert ok.is_valid(), ok.errors
    monkeypatch.setattr(timezone, "localdate", lambda: today + timedelta(days=1))
    late = form_of(schema, {"k1__start": today.isoformat(), "k1__end": today.isoformat()})
    assert not late.is_valid()
    assert isinstance(date.fromisoformat(ok.answers()["k1"]["start"]), date)
