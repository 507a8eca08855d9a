"""Tiers requests through the services: identity checks, duplicates, the CST step, the
directory record and its append-only history, the paused clock, and the case page context."""

import itertools
import json
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from stdnum import luhn

from cases import sla
from cases.identifiers import mask
from cases.models import CaseEvent, CaseKind, Tiers
from cases.services import CaseError, CaseNotFound, case_draft_create, transition
from cases.workflow import Action, State
from documents.services import attachment_add
from kinds.tiers.identity import clean_identity
from kinds.tiers.models import PostalCode, TiersChange, TiersOperation, TiersRequest
from kinds.tiers.selectors import tiers_case_context, tiers_duplicates
from kinds.tiers.services import tiers_request_fill
from kinds.tiers.sirene.models import Establishment
from portal.models import Role
from tests.factories import TiersFactory, member, valid_iban, valid_siret

pytestmark = pytest.mark.django_db

PARIS = timezone.get_default_timezone()
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
GREEK_VAT = "EL094259216"
GREEK_IBAN, GREEK_BIC = "GR1601101250000000012300695", "ETHNGRAA"
SWISS_IBAN, SWISS_BIC = "CH9300762011623852957", "UBSWCHZH80A"
NIR = "185057800604830"


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args), PARIS)


def company(n: int = 1, **overrides) -> dict:
    return {"category": "company", "name": f"Menuiserie Durand {n} SARL",
            "siret": valid_siret(n), "address": "3 rue des Lilas", "postcode": "57000",
            "city": "Metz", "country": "FR", "iban": valid_iban(n), "bic": "CEPAFRPP751",
            "email": "contact@durand.fr", **overrides}


def same_siren(siret: str, nic: int) -> str:
    """Another establishment (NIC) of the same company (SIREN)."""
    body = siret[:9] + f"{nic:04d}"
    return body + luhn.calc_check_digit(body)


def errors_of(data: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        clean_identity(data)
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


@pytest.fixture
def tiers_case(sp, sp_agent, csp_agent):
    """A tiers request of `sp` filled by sp_agent, driven to `state` (a minute per step)."""
    steps = [(Action.SUBMIT, sp_agent), (Action.CLAIM, csp_agent),
             (Action.SEND_TO_CST, csp_agent)]
    reached = [State.DRAFT, State.SUBMITTED, State.IN_PROGRESS, State.AWAITING_CST]

    def make(identity=None, *, state=State.IN_PROGRESS, at=None, with_rib=True,
             operation=TiersOperation.CREATION, tiers=None):
        clock = itertools.count()

        def tick():
            return (at or timezone.now()) + timedelta(minutes=next(clock))

        case = case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.TIERS, at=tick())
        tiers_request_fill(case=case, actor=sp_agent, identity=identity or company(),
                           operation=operation, tiers=tiers)
        if with_rib:
            attachment_add(case=case, kind="rib", actor=sp_agent,
                           uploaded=SimpleUploadedFile("rib.pdf", PDF, "application/pdf"))
        for action, actor in steps[:reached.index(state)]:
            case = transition(case=case, action=action, actor=actor, at=tick())
        case.refresh_from_db()
        assert case.state == state
        return case

    return make


# --- identity checks -----------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"category": "company", "siret": ""}, "siret", "SIRET est obligatoire"),
    ({"category": "public_body", "siret": ""}, "siret", "SIRET est obligatoire"),
    ({"category": "individual", "last_name": "Durand", "first_name": "Élise"}, "nir", "NIR"),
    ({"category": "agent", "last_name": "Durand", "first_name": "Élise"}, "nir", "NIR"),
    ({"category": "foreign", "country": "GR", "postcode": "10558", "city": "Athènes",
      "iban": GREEK_IBAN, "bic": GREEK_BIC}, "vat_number", "TVA intracommunautaire"),
    ({"category": "foreign", "country": "CH", "postcode": "8001", "city": "Zurich",
      "iban": SWISS_IBAN, "bic": SWISS_BIC}, "foreign_identifier", "identifiant du fournisseur"),
])
def test_each_category_requires_its_own_identifier(overrides, field, message):
    errors = errors_of(company(**{"siret": "", **overrides}))
    assert list(errors) == [field]
    assert message in errors[field]


def test_a_company_gets_its_siren_from_its_siret_and_keeps_no_other_identifier():
    siret = valid_siret(7)
    cleaned = clean_identity(company(siret=f"{siret[:3]} {siret[3:9]} {siret[9:]}", nir=NIR))
    assert (cleaned["siret"], cleaned["siren"], cleaned["nir"]) == (siret, siret[:9], "")


@pytest.mark.parametrize("category", ["individual", "agent"])
def test_a_person_is_named_last_name_first_name_and_identified_by_the_nir(category):
    cleaned = clean_identity(company(category=category, name="", last_name=" Durand ",
                                     first_name="Élise", nir=NIR))
    assert cleaned["name"] == "DURAND Élise"
    assert (cleaned["nir"], cleaned["siret"], cleaned["siren"]) == (NIR, None, "")


def test_a_foreign_supplier_of_the_eu_is_identified_by_a_vat_number_of_its_country():
    greek = company(category="foreign", siret="", country="gr", postcode="10558",
                    city="Athènes", iban=GREEK_IBAN, bic=GREEK_BIC)
    cleaned = clean_identity({**greek, "vat_number": GREEK_VAT})
    assert (cleaned["country"], cleaned["vat_number"], cleaned["siret"]) == ("GR", GREEK_VAT,
                                                                            None)
    errors = errors_of({**greek, "country": "CY", "vat_number": GREEK_VAT})
    assert "autre pays (GR)" in errors["vat_number"]


def test_a_foreign_supplier_outside_the_eu_is_identified_by_its_foreign_identifier():
    cleaned = clean_identity(company(category="foreign", siret="", country="CH",
                                     postcode="8001", city="Zurich", iban=SWISS_IBAN,
                                     bic=SWISS_BIC, foreign_identifier="CHE-123.456.789"))
    assert (cleaned["foreign_identifier"], cleaned["vat_number"]) == ("CHE-123.456.789", "")


def test_the_country_must_match_the_category():
    errors = errors_of(company(category="foreign", foreign_identifier="X1"))
    assert "hors de France" in errors["country"]
    errors = errors_of(company(country="DE", postcode="10115", city="Berlin"))
    assert "Fournisseur étranger" in errors["country"]


def test_bank_details_are_checked_together():
    iban = valid_iban(3)
    wrong_key = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
    assert "Clé de contrôle IBAN" in errors_of(company(iban=wrong_key))["iban"]
    message = errors_of(company(bic="DEUTDEFF"))["bic"]
    assert "pays DE" in message and "FR" in message


def test_a_reunion_bank_has_a_french_iban_and_a_bic_of_reunion():
    cleaned = clean_identity(company(postcode="97400", city="Saint-Denis", bic="BNPARERX"))
    assert cleaned["bic"] == "BNPARERX"


@pytest.mark.parametrize(("postcode", "message"), [
    ("00100", "aucun département"), ("5700", "5 chiffres"), ("96100", "aucun département")])
def test_a_french_postcode_must_exist(postcode, message):
    assert message in errors_of(company(postcode=postcode))["postcode"]


def test_a_mayotte_postcode_is_a_french_postcode():
    assert clean_identity(company(postcode="97600", city="Mamoudzou"))["postcode"] == "97600"


def test_a_commune_not_served_by_the_postcode_is_refused():
    PostalCode.objects.create(postcode="44800", insee_code="44162", commune="SAINT-HERBLAIN",
                              delivery_label="ST HERBLAIN")
    message = errors_of(company(postcode="44800", city="Nantes"))["city"]
    assert "ne correspond pas au code postal 44800" in message
    assert "SAINT-HERBLAIN" in message


@pytest.mark.parametrize("city", ["St Herblain", "saint-herblain", "Saint Herblain Cedex 2",
                                  "St-Herblain"])
def test_a_commune_matches_whatever_its_accents_case_or_abbreviations(city):
    PostalCode.objects.create(postcode="44800", insee_code="44162", commune="SAINT-HERBLAIN",
                              delivery_label="")
    assert clean_identity(company(postcode="44 800", city=city))["postcode"] == "44800"


def test_a_commune_matches_without_its_accents():
    PostalCode.objects.create(postcode="42000", insee_code="42218", commune="SAINT-ETIENNE")
    assert clean_identity(company(postcode="42000", city="Saint-Étienne"))["city"]


def test_any_commune_is_accepted_when_the_referential_has_nothing_for_the_postcode():
    PostalCode.objects.create(postcode="44800", insee_code="44162", commune="SAINT-HERBLAIN")
    assert clean_identity(company(postcode="57000", city="Nulle Part"))["postcode"] == "57000"


# --- duplicates --------------------------------------------------------------------------------


def test_a_directory_record_with_the_same_siret_is_a_duplicate():
    record = TiersFactory(siret=valid_siret(11))
    identity = clean_identity(company(11))
    [duplicate] = tiers_duplicates(identity)
    assert (duplicate.tiers, duplicate.case, duplicate.reason) == (record, None, "même SIRET")


def test_same_siren_is_a_duplicate_only_with_the_same_name():
    siret = valid_siret(12)
    record = TiersFactory(siret=siret, siren=siret[:9], name="Menuiserie  durand 12 SARL")
    identity = clean_identity(company(12, siret=same_siren(siret, 21)))
    [duplicate] = tiers_duplicates(identity)
    assert (duplicate.tiers, duplicate.reason) == (record, "même SIREN et même raison sociale")
    assert tiers_duplicates({**identity, "name": "Durand Bois SAS"}) == []


def test_a_directory_record_with_the_same_iban_is_a_duplicate():
    record = TiersFactory(iban=valid_iban(13))
    [duplicate] = tiers_duplicates(clean_identity(company(13, siret=valid_siret(99))))
    assert (duplicate.tiers, duplicate.reason) == (record, "même IBAN")


def test_a_greek_vat_number_typed_with_gr_is_the_same_as_with_el():
    record = TiersFactory(siret=None, category="foreign", country="GR", vat_number=GREEK_VAT,
                          iban=GREEK_IBAN, bic=GREEK_BIC)
    identity = clean_identity(company(category="foreign", siret="", country="GR",
                                      postcode="10558", city="Athènes", iban=valid_iban(19),
                                      vat_number="GR094259216"))
    assert [d.tiers for d in tiers_duplicates(identity)] == [record]


def test_an_open_request_with_the_same_siret_is_a_duplicate(tiers_case):
    case = tiers_case(company(14), state=State.SUBMITTED)
    [duplicate] = tiers_duplicates(clean_identity(company(14, iban=valid_iban(98))))
    assert (duplicate.case, duplicate.tiers, duplicate.reason) == (case, None, "même SIRET")
    assert tiers_duplicates(clean_identity(company(14)), exclude_case=case) == []


def test_drafts_and_closed_requests_are_not_duplicates(tiers_case, sp_agent, csp_agent):
    tiers_case(company(15), state=State.DRAFT)
    rejected = tiers_case(company(15), state=State.IN_PROGRESS)
    transition(case=rejected, action=Action.REJECT, actor=csp_agent,
               anomaly="missing_document", comment="Doublon")
    cancelled = tiers_case(company(15), state=State.SUBMITTED)
    transition(case=cancelled, action=Action.CANCEL, actor=sp_agent, comment="Erreur")
    assert tiers_duplicates(clean_identity(company(15))) == []


def test_a_modification_is_not_a_duplicate_of_the_record_it_modifies(tiers_case):
    record = TiersFactory(siret=valid_siret(16), iban=valid_iban(16))
    identity = clean_identity(company(16))
    assert tiers_duplicates(identity, exclude_tiers=record) == []
    case = tiers_case(identity, state=State.SUBMITTED,
                      operation=TiersOperation.MODIFICATION, tiers=record)
    assert case.reference.startswith("TI-DRAC-")


def test_submitting_a_duplicate_creation_is_refused_and_changes_nothing(tiers_case, sp_agent):
    TiersFactory(siret=valid_siret(17), name="Menuiserie historique")
    case = tiers_case(company(17), state=State.DRAFT)
    with pytest.raises(CaseError) as caught:
        transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert caught.value.field == "duplicates"
    assert "Ce tiers existe déjà" in caught.value.message
    assert "« Menuiserie historique » de l'annuaire (même SIRET)" in caught.value.message
    case.refresh_from_db()
    assert (case.state, case.reference, case.submitted_at) == (State.DRAFT, None, None)
    assert not case.events.filter(action=Action.SUBMIT).exists()


def test_submission_is_refused_without_a_rib(tiers_case, sp_agent):
    case = tiers_case(company(18), state=State.DRAFT, with_rib=False)
    with pytest.raises(CaseError) as caught:
        transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert (caught.value.field, "RIB" in caught.value.message) == ("rib", True)
    case.refresh_from_db()
    assert (case.state, case.reference) == (State.DRAFT, None)


# --- the CST step ------------------------------------------------------------------------------


def test_only_the_assignee_sends_the_request_to_the_cst(tiers_case, csp_agent, csp_agent2,
                                                         csp_head):
    case = tiers_case(company(20))
    for intruder in (csp_agent2, csp_head):
        with pytest.raises(CaseError, match="Seul l'agent en charge"):
            transition(case=case, action=Action.SEND_TO_CST, actor=intruder)
    case = transition(case=case, action=Action.SEND_TO_CST, actor=csp_agent)
    assert (case.state, case.assigned_to) == (State.AWAITING_CST, csp_agent)


@pytest.mark.parametrize("who", ["csp_agent", "csp_head", "sp_agent"])
def test_only_the_cst_may_validate(tiers_case, request, who):
    case = tiers_case(company(21), state=State.AWAITING_CST)
    with pytest.raises(CaseError, match="cellule de supervision des tiers") as caught:
        transition(case=case, action=Action.CST_VALIDATE, actor=request.getfixturevalue(who))
    assert not isinstance(caught.value, CaseNotFound)
    case.refresh_from_db()
    assert case.state == State.AWAITING_CST
    assert not Tiers.objects.filter(siret=valid_siret(21)).exists()


def test_the_cst_of_another_centre_does_not_even_see_the_case(tiers_case, other_csp):
    case = tiers_case(company(22), state=State.AWAITING_CST)
    stranger = member(other_csp, Role.CST, username="other_cst")
    for action in (Action.CST_VALIDATE, Action.CST_RETURN):
        with pytest.raises(CaseNotFound):
            transition(case=case, action=action, actor=stranger, comment="Non")
    case.refresh_from_db()
    assert case.state == State.AWAITING_CST


def test_cst_return_requires_a_comment_and_gives_the_case_back_to_its_agent(
        tiers_case, cst, csp_agent):
    case = tiers_case(company(23), state=State.AWAITING_CST)
    with pytest.raises(CaseError, match="commentaire est obligatoire") as caught:
        transition(case=case, action=Action.CST_RETURN, actor=cst,
                   anomaly="missing_document", comment="   ")
    assert caught.value.field == "comment"
    case = transition(case=case, action=Action.CST_RETURN, actor=cst,
                      anomaly="missing_document", comment="RIB illisible")
    assert (case.state, case.assigned_to, case.paused_at) == (State.IN_PROGRESS, csp_agent,
                                                              None)
    assert case.events.get(action=Action.CST_RETURN).comment == "RIB illisible"


def test_cst_validation_of_a_creation_writes_the_record_and_its_history(tiers_case, cst):
    identity = company(24)
    case = tiers_case(identity, state=State.AWAITING_CST)
    at = paris(2026, 3, 10, 11, 0)
    case = transition(case=case, action=Action.CST_VALIDATE, actor=cst, at=at)

    assert (case.state, case.completed_at) == (State.COMPLETED, at)
    record = Tiers.objects.get(siret=identity["siret"])
    for field in ("name", "address", "postcode", "city", "iban", "bic", "email", "category"):
        assert getattr(record, field) == identity[field], field
    assert (record.siren, record.active) == (identity["siret"][:9], True)
    assert TiersRequest.objects.get(case=case).tiers == record
    [change] = TiersChange.objects.filter(tiers=record)
    assert (change.operation, change.actor, change.case, change.created_at) == (
        TiersOperation.CREATION, cst, case, at)
    assert change.changes["siret"] == ["", identity["siret"]]
    assert change.changes["iban"] == ["", mask(identity["iban"])]
    assert identity["iban"] not in json.dumps(change.changes)
    assert "nir" not in change.changes
    assert case.events.get(action=Action.CST_VALIDATE).data["tiers"] == record.pk


def test_cst_validation_of_a_modification_records_only_the_changed_fields(tiers_case, cst):
    old, new = company(25), company(25, address="12 avenue Foch", iban=valid_iban(26))
    record = TiersFactory(**{**old, "siren": old["siret"][:9]}, active=False)
    case = tiers_case(new, state=State.AWAITING_CST, operation=TiersOperation.MODIFICATION,
                      tiers=record)
    transition(case=case, action=Action.CST_VALIDATE, actor=cst)

    record.refresh_from_db()
    assert (record.address, record.iban, record.active) == ("12 avenue Foch", new["iban"], True)
    assert Tiers.objects.count() == 1
    [change] = TiersChange.objects.filter(tiers=record)
    assert change.operation == TiersOperation.MODIFICATION
    assert change.changes == {"address": ["3 rue des Lilas", "12 avenue Foch"],
                              "iban": [mask(old["iban"]), mask(new["iban"])]}


def test_the_tiers_history_cannot_be_changed_or_deleted(tiers_case, cst):
    case = tiers_case(company(27), state=State.AWAITING_CST)
    transition(case=case, action=Action.CST_VALIDATE, actor=cst)
    change = TiersChange.objects.get(case=case)
    change.changes = {}
    for attempt in (change.save, change.delete,
                    lambda: TiersChange.objects.filter(pk=change.pk).update(changes={}),
                    lambda: TiersChange.objects.all().delete()):
        with pytest.raises(PermissionError, match="historique des tiers"):
            attempt()
    assert TiersChange.objects.get(pk=change.pk).changes["siret"] == ["", valid_siret(27)]


# --- the contractual clock ------------------------------------------------------------------


def test_time_awaiting_the_cst_is_not_counted_nor_weekends_and_holidays(
        tiers_case, sp_agent, csp_agent, cst, settings):
    assert settings.CASE_DELAYS_WORKING_DAYS["tiers"] == 2
    case = tiers_case(company(30), state=State.DRAFT, at=paris(2026, 4, 24, 9, 0))
    case = transition(case=case, action=Action.SUBMIT, actor=sp_agent,
                      at=paris(2026, 4, 24, 10, 0))  # Friday
    assert case.due_at == sla.end_of_day(date(2026, 4, 28))  # Tuesday: the weekend is skipped
    transition(case=case, action=Action.CLAIM, actor=csp_agent, at=paris(2026, 4, 27, 9, 0))
    case = transition(case=case, action=Action.SEND_TO_CST, actor=csp_agent,
                      at=paris(2026, 4, 27, 14, 0))  # Monday, 1 working day left
    assert (case.paused_at, case.due_at) == (paris(2026, 4, 27, 14, 0),
                                             sla.end_of_day(date(2026, 4, 28)))
    # Back on Monday 4 May 11:00, over a weekend and Friday 1 May (Fête du travail).
    case = transition(case=case, action=Action.CST_RETURN, actor=cst,
                      anomaly="missing_document", comment="SIRET fermé",
                      at=paris(2026, 5, 4, 11, 0))

    # Paused: Tuesday 28 to Thursday 30 and Monday 4 (not 1 May, nor the weekend).
    event = case.events.get(action=Action.CST_RETURN)
    assert event.data["paused_working_days"] == 4
    # The working day left is the one after the return.
    assert case.due_at == sla.end_of_day(date(2026, 5, 5))
    assert case.paused_at is None


def test_time_waiting_for_the_service_answer_is_not_counted(tiers_case, sp_agent, csp_agent):
    case = tiers_case(company(31), state=State.DRAFT, at=paris(2026, 3, 2, 9, 0))
    case = transition(case=case, action=Action.SUBMIT, actor=sp_agent,
                      at=paris(2026, 3, 2, 10, 0))  # Monday
    assert case.due_at == sla.end_of_day(date(2026, 3, 4))
    transition(case=case, action=Action.CLAIM, actor=csp_agent, at=paris(2026, 3, 2, 11, 0))
    transition(case=case, action=Action.REQUEST_INFO, actor=csp_agent,
               anomaly="missing_document", comment="Quel RIB ?",
               at=paris(2026, 3, 3, 9, 0))
    case = transition(case=case, action=Action.ANSWER, actor=sp_agent, comment="Le second",
                      at=paris(2026, 3, 9, 9, 0))  # the next Monday
    # Wednesday to Friday and Monday: 4 working days.
    assert case.events.get(action=Action.ANSWER).data["paused_working_days"] == 4
    assert (case.state, case.due_at) == (State.IN_PROGRESS, sla.end_of_day(date(2026, 3, 10)))
    assert CaseEvent.objects.filter(case=case, action=Action.ANSWER).count() == 1


# --- what the case page shows ------------------------------------------------------------------


@pytest.mark.parametrize(("establishment", "found", "flagged"), [
    (None, False, True), ("F", True, True), ("A", True, False)])
def test_the_centre_sees_the_iban_in_full_and_what_sirene_says(tiers_case, csp_agent,
                                                               establishment, found, flagged):
    identity = company(40)
    if establishment:
        Establishment.objects.create(siret=identity["siret"], siren=identity["siret"][:9],
                                     name="DURAND", state=establishment)
    case = tiers_case(identity)
    context = tiers_case_context(case, csp_agent)
    iban = identity["iban"]
    assert context["tiers_iban"] == " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    assert context["tiers_for_centre"] is True
    sirene = context["sirene"]
    assert (sirene.siret, sirene.found, sirene.flagged) == (identity["siret"], found, flagged)
    assert sirene.closed is (establishment == "F")


def test_the_service_sees_a_masked_iban_and_no_sirene_check(tiers_case, sp_agent):
    identity = company(41)
    case = tiers_case(identity)
    context = tiers_case_context(case, sp_agent)
    assert context["tiers_iban"] == mask(identity["iban"])
    shown = context["tiers_iban"].replace(" ", "")
    assert shown.endswith(identity["iban"][-4:]) and set(shown[:-4]) == {"*"}
    assert context["tiers_for_centre"] is False
    assert "sirene" not in context and "tiers_duplicates" not in context


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger only on PostgreSQL")
def test_postgresql_refuses_raw_updates_and_deletes_of_the_tiers_history(tiers_case, cst):
    case = tiers_case(company(31), state=State.AWAITING_CST)
    transition(case=case, action=Action.CST_VALIDATE, actor=cst)
    change = TiersChange.objects.get()
    table = TiersChange._meta.db_table
    for sql in (f"UPDATE {table} SET operation = 'modification' WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [change.pk])
    assert TiersChange.objects.get(pk=change.pk).operation == "creation"


def test_the_queue_shows_a_dash_not_zero_for_a_tiers_request(client, tiers_case, csp_agent):
    # A tiers request carries no amount: « 0,00 € » in the centre's list read as a request
    # of nothing (issue 19, item 12, as « Mes demandes » shows it).
    case = tiers_case(state=State.SUBMITTED)
    client.force_login(csp_agent)
    page = client.get("/corbeille/", {"state": "all"}).content.decode()
    row = page[page.index(case.reference):]
    row = row[:row.index("</tr>")]
    assert 'data-label="Montant TTC" class="queue-nowrap">—</td>' in row
    assert "0,00" not in row
