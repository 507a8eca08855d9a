"""Purchase totals: each line's HT and VAT are rounded half-up to the cent, then summed; a
draft is opened for editing by its author only."""

from decimal import Decimal

import pytest

from cases.amounts import LineData, line_totals, purchase_totals
from cases.models import PurchaseLine, PurchaseRequest
from cases.services import (
    CaseError,
    draft_for_author,
    may_edit_draft,
    required_message,
    transition,
)
from cases.workflow import State
from kinds.purchases.services import purchase_request_fill


def line(quantity, unit_price_ht, vat_rate, label="Article") -> LineData:
    return LineData(label=label, quantity=Decimal(quantity),
                    unit_price_ht=Decimal(unit_price_ht), vat_rate=Decimal(vat_rate))


def as_strings(totals) -> tuple[str, str, str]:
    return str(totals.ht), str(totals.vat), str(totals.ttc)


@pytest.mark.parametrize(
    ("the_line", "expected"),
    [
        # 3 x 19.99 = 59.97; 20 % = 11.994 -> 11.99.
        (line("3", "19.99", "20"), ("59.97", "11.99", "71.96")),
        # 1.5 x 0.35 = 0.525 -> 0.53 (half-up, not half-even 0.52); 20 % = 0.106 -> 0.11.
        (line("1.5", "0.35", "20"), ("0.53", "0.11", "0.64")),
        # 10 % of 1.25 = 0.125 -> 0.13 (half-up, not half-even 0.12).
        (line("1", "1.25", "10"), ("1.25", "0.13", "1.38")),
        # 2 x 12.35 = 24.70; 5.5 % = 1.3585 -> 1.36.
        (line("2", "12.35", "5.5"), ("24.70", "1.36", "26.06")),
        # 2.333 x 9.99 = 23.30667 -> 23.31; 20 % = 4.662 -> 4.66.
        (line("2.333", "9.99", "20"), ("23.31", "4.66", "27.97")),
        # No VAT.
        (line("4", "250", "0"), ("1000.00", "0.00", "1000.00")),
        # 2.1 % of 10.10 = 0.2121 -> 0.21.
        (line("1", "10.10", "2.10"), ("10.10", "0.21", "10.31")),
    ],
)
def test_line_totals_round_half_up_to_the_cent(the_line, expected):
    assert as_strings(line_totals(the_line)) == expected
    assert as_strings(purchase_totals([the_line])) == expected


def test_vat_is_rounded_per_line_before_summing():
    # Each line: 10 % of 0.05 = 0.005 -> 0.01. Rounding the sum instead would give 0.02.
    totals = purchase_totals([line("1", "0.05", "10")] * 3)
    assert as_strings(totals) == ("0.15", "0.03", "0.18")


def test_totals_of_several_lines():
    totals = purchase_totals([line("3", "19.99", "20"), line("2", "12.35", "5.5"),
                              line("1.5", "0.35", "20")])
    # HT 59.97 + 24.70 + 0.53; VAT 11.99 + 1.36 + 0.11.
    assert as_strings(totals) == ("85.20", "13.46", "98.66")
    assert totals.ttc == totals.ht + totals.vat


def test_no_line_totals_zero_with_two_decimals():
    assert as_strings(purchase_totals([])) == ("0.00", "0.00", "0.00")


def test_fill_stores_the_rounded_totals_on_the_request_and_the_case(
        make_purchase_request, purchase_request_data, sp_agent, sp):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    purchase_request_fill(case=case, actor=sp_agent, data=purchase_request_data(
        sp, lines=[line("3", "19.99", "20"), line("1", "0.05", "10"), line("1", "0.05", "10")]))

    request = PurchaseRequest.objects.get(case=case)
    assert (request.amount_ht, request.amount_vat, request.amount_ttc) == (
        Decimal("60.07"), Decimal("12.01"), Decimal("72.08"))
    assert list(request.lines.values_list("position", flat=True)) == [1, 2, 3]
    case.refresh_from_db()
    assert case.amount == Decimal("72.08")


def test_line_amounts_accept_the_french_decimal_comma():
    from kinds.purchases.forms import LineForm

    form = LineForm({"label": "Ramette", "quantity": "2,5", "unit_price_ht": "12,50",
                     "vat_rate": "20.00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["quantity"] == Decimal("2.5")
    assert form.cleaned_data["unit_price_ht"] == Decimal("12.50")
    assert LineForm({"label": "Ramette", "quantity": "2.5", "unit_price_ht": "12.50",
                     "vat_rate": "20.00"}).is_valid()


@pytest.mark.parametrize(("bad", "message"), [
    # The bounds' own messages (cases.limits), the same as the web form's and the API's.
    (line("0", "10.00", "20"), "Ligne 2 : La quantité doit être strictement positive."),
    (line("1", "-0.01", "20"), "Ligne 2 : Le prix unitaire ne peut pas être négatif."),
    (line("1.0001", "1.00", "20"), "Ligne 2 : Assurez-vous qu’il n’y a pas plus de 3 chiffres"),
])
def test_a_refused_line_says_which_and_leaves_the_draft_as_it_was(
        make_purchase_request, purchase_request_data, sp_agent, sp, bad, message):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    before = list(PurchaseLine.objects.filter(purchase_request__case=case)
                  .values_list("label", "quantity", "unit_price_ht"))

    with pytest.raises(CaseError) as refused:
        purchase_request_fill(case=case, actor=sp_agent, data=purchase_request_data(
            sp, lines=[line("2", "10.00", "20"), bad]))

    assert refused.value.field == "lines"
    assert refused.value.message.startswith(message)
    assert list(PurchaseLine.objects.filter(purchase_request__case=case)
                .values_list("label", "quantity", "unit_price_ht")) == before
    case.refresh_from_db()
    assert case.amount == Decimal("1200.00")


def test_a_draft_is_opened_for_editing_by_its_author_only(
        make_purchase_request, sp_agent, ordonnateur):
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    assert may_edit_draft(draft, sp_agent)
    assert draft_for_author(draft, sp_agent).pk == draft.pk

    # Another member of the service, or the author once the draft is submitted: refused.
    assert not may_edit_draft(draft, ordonnateur)
    submitted = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert not may_edit_draft(submitted, sp_agent)
    for case, actor in ((draft, ordonnateur), (submitted, sp_agent)):
        with pytest.raises(CaseError) as refused:
            draft_for_author(case, actor)
        assert refused.value.message == "Seul l'auteur d'un brouillon peut le modifier."


@pytest.mark.parametrize(("action", "name", "message"), [
    # A kind's own input: its row's message; the core's inputs: the core's.
    ("complete", "ej_number", "Le numéro d'EJ est obligatoire."),
    ("request_info", "comment", "Un commentaire est obligatoire pour cette action."),
])
def test_a_missing_input_reads_the_same_in_the_form_and_the_service(
        make_purchase_request, sp_agent, csp_agent, action, name, message):
    from cases.forms import CaseActionForm
    from cases.kinds import transitions_for

    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    chosen = transitions_for(case.state, action, case.kind)[0]
    assert required_message(chosen, name) == message

    form = CaseActionForm({"version": case.version}, transition=chosen, case=case)
    assert not form.is_valid()
    assert form.errors[name] == [message]
    with pytest.raises(CaseError) as refused:
        transition(case=case, action=action, actor=csp_agent)
    assert (refused.value.field, refused.value.message) == (name, message)
