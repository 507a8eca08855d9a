"""« Mes demandes » and its export: a case without a reference never reads « None », a draft's
amount is its current lines' total (the wizard's summary figure), and a request that carries
no amount shows « — » (an empty cell in the export), not 0,00 €."""

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cases import amounts
from cases import services as case_services
from cases.models import Case, CaseKind
from cases.templatetags.case_tags import euros
from cases.tests.test_wizard import (  # noqa: F401
    imputations,
    lines_step,
    object_step,
    step,
    supplier,
)
from cases.workflow import State

pytestmark = pytest.mark.django_db
PAGE = reverse("cases:my_requests")
REFERENCE, AMOUNT = 0, 8  # columns of the export
HTTP = settings(max_examples=10, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def rows_by_case(client) -> dict[int, dict]:
    """Per case shown on the page: its cells' text, then its export's CSV and XLSX rows
    (matched by reference, as the page shows it)."""
    page = client.get(PAGE)
    content = page.content.decode()
    shown = {}
    for case in page.context["page_obj"]:
        row = re.search(rf'<tr>\s*<td><a href="[^"]*/{case.pk}/[^"]*">(.*?)</tr>', content,
                        re.S)
        assert row, case.pk
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                 for cell in re.findall(r"<td>(.*?)</td>", "<td>" + row.group(1), re.S)]
        shown[case.pk] = {"page": cells}
    body = b"".join(client.get(reverse("cases:my_requests_export", args=["csv"]))
                    .streaming_content).decode()
    csv_rows = list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))[1:]
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get(reverse("cases:my_requests_export", args=["xlsx"])).streaming_content))).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))[1:]
    by_reference = {case.display_reference: pk for pk, case in (
        (pk, Case.objects.get(pk=pk)) for pk in shown)}
    assert len(csv_rows) == len(xlsx_rows) == len(shown)
    for csv_row, xlsx_row in zip(csv_rows, xlsx_rows, strict=True):
        pk = by_reference[csv_row[REFERENCE]]
        shown[pk].update(csv=csv_row, xlsx=xlsx_row)
    return shown


# --- references ------------------------------------------------------------------------------


@pytest.fixture
def without_reference(sp, sp_agent):
    """A case of each kind in each state it can have without a reference: draft, and
    cancelled while a draft."""
    cases = []
    for kind in CaseKind.values:
        for cancel in (False, True):
            case = case_services.case_draft_create(actor=sp_agent, service=sp, kind=kind)
            if cancel:
                case = case_services.transition(case=case, action="cancel", actor=sp_agent)
            cases.append(case)
    return cases


def test_a_case_without_a_reference_never_reads_none(client, sp_agent, without_reference):
    client.force_login(sp_agent)
    shown = rows_by_case(client)
    assert set(shown) == {case.pk for case in without_reference}
    for case in without_reference:
        assert case.reference is None
        cells = shown[case.pk]
        for reference in (cells["page"][REFERENCE], cells["csv"][REFERENCE],
                          cells["xlsx"][REFERENCE]):
            assert reference == f"Brouillon n° {case.pk}", (case.state, reference)
    assert "None" not in client.get(PAGE).content.decode()


# --- amounts ---------------------------------------------------------------------------------

LINE = st.tuples(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2),
    st.sampled_from(["0.00", "2.10", "5.50", "10.00", "20.00"]),
)


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


def _typed(lines) -> tuple:
    return tuple((f"Ligne {i}", str(quantity), str(price), vat)
                 for i, (quantity, price, vat) in enumerate(lines))


def _total(lines) -> Decimal:
    return amounts.purchase_totals([
        amounts.LineData(label="", quantity=quantity, unit_price_ht=price,
                               vat_rate=Decimal(vat)) for quantity, price, vat in lines]).ttc


@HTTP
@given(first=st.lists(LINE, min_size=1, max_size=3), second=st.lists(LINE, min_size=1,
                                                                      max_size=3))
def test_a_drafts_amount_is_its_current_lines_total_everywhere(
        agent_client, sp, imputations, supplier, first, second):  # noqa: F811
    url = agent_client.post(reverse("purchases:new"), object_step(sp))["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    for lines in (first, second):
        # The lines typed, then changed ("Étape précédente", new lines): the figure follows.
        agent_client.post(url, {**lines_step(*_typed(lines)), "wizard_goto_step": "lignes"})
        agent_client.post(url, lines_step(*_typed(lines)))
        case = Case.objects.latest("pk")
        assert case.state == State.DRAFT and case.amount == _total(lines)
        agent_client.post(url, {"wizard_goto_step": "recapitulatif",
                                **step("pieces")})
        summary = agent_client.get(url).content.decode()
        assert re.search(r'id="total-ttc">([^<]*)<', summary).group(1) == euros(_total(lines))
        cells = rows_by_case(agent_client)[case.pk]
        assert cells["page"][4] == euros(_total(lines))
        assert cells["csv"][AMOUNT] == f"{_total(lines):.2f}".replace(".", ",")
        assert Decimal(str(cells["xlsx"][AMOUNT])) == _total(lines)


AMOUNT_FIELD = {"steps": [{"title": "Montant", "items": [
    {"type": "amount", "key": "montant", "label": "Montant", "required": False}]}]}
TEXT_FIELD = {"steps": [{"title": "Objet", "items": [
    {"type": "text", "key": "objet", "label": "Objet", "required": False}]}]}


@pytest.mark.parametrize(("kind", "schema", "has_amount"), [
    (CaseKind.TIERS, None, False),
    (CaseKind.FIXED_ASSET, None, False),
    (CaseKind.GENERIC, TEXT_FIELD, False),
    (CaseKind.GENERIC, None, False),
    (CaseKind.GENERIC, AMOUNT_FIELD, True),
    (CaseKind.PURCHASE_REQUEST, None, True),
    (CaseKind.SERVICE_DONE, None, True),
])
@pytest.mark.parametrize("cancel", [False, True])
def test_a_request_without_an_amount_shows_a_dash_not_zero(client, sp, sp_agent, kind, schema,
                                                           has_amount, cancel):
    case = case_services.case_draft_create(actor=sp_agent, service=sp, kind=kind)
    Case.objects.filter(pk=case.pk).update(
        amount=Decimal("0"), extra={"schema": schema} if schema else {})
    if cancel:
        case_services.transition(case=case, action="cancel", actor=sp_agent)
    client.force_login(sp_agent)
    cells = rows_by_case(client)[case.pk]
    if has_amount:
        assert cells["page"][4] == euros(Decimal("0"))
        assert cells["csv"][AMOUNT] == "0,00" and cells["xlsx"][AMOUNT] == 0
    else:
        assert cells["page"][4] == "—"
        assert cells["csv"][AMOUNT] == "" and cells["xlsx"][AMOUNT] is None
