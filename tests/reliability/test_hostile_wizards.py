"""Hypothesis on every step of every wizard, over HTTP as the owning SP agent: the purchase
request, the tiers request, the service-done statement, the fixed-asset request (Fies and
Fiec) and a catalogue form holding every kind of editor field.

Each step is first reached with valid answers to the steps before it. Then each example
posts, field by field, either a valid value or a hostile one (huge numbers, negative
amounts, NUL, RTL override, zero-width, emoji, 10,000 characters, years 1 and 9999, "NaN",
"1e309"), plus a forged extra key. The answer is never a 500:
- refused → the step is shown again (200) with French messages next to the fields, and the
  draft is exactly as before (no step data, no progress, no attachment, nothing submitted);
- accepted → the wizard moves on (302) and the draft holds what was posted.
After an accepted example the draft is put back, for the next one.
"""

import html
import itertools
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import BudgetImputation, Case, CaseEvent, CaseKind
from cases.workflow import State
from conventions.services import editorial_setup
from documents.models import Attachment
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items

from ..factories import TiersFactory, valid_iban, valid_siret, working_days_ago

pytestmark = pytest.mark.django_db

EXAMPLES = {"step": 30, "summary": 8}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow])

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789 .,-+eE", max_size=30),
    st.text(alphabet="\x00\u202e\u200b\u200d\ufeff\U0001f600\U0001f1eb\U0001f1f7éÉ<>\"'&;%",
            max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just("9" * 10_000),
    st.just("x" * 10_000),
    st.sampled_from(["0001-01-01", "9999-12-31", "31/12/9999", "-1", "-0,01", "-500.00",
                     "1e309", "-1e309", "NaN", "nan", "Infinity", "-Infinity", "0", "0x10",
                     "99999999999999999999.999", "１２３", "\x00", "\u202e1", "1\u200b2",
                     "<script>alert(1)</script>", "' OR 1=1 --", "", " "]),
)
# Messages Django shows when a translation is missing (the site speaks French only).
ENGLISH = re.compile(r"\b(This field|Enter a|Ensure this|Select a valid|is required|"
                     r"Please|must be|valid)\b")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
_files = itertools.count(1)


def pdf(name="piece.pdf"):
    return SimpleUploadedFile(name, PDF + f"%{next(_files)}\n".encode(),
                              content_type="application/pdf")


@dataclass
class Step:
    name: str
    valid: dict  # field -> valid value (unprefixed)
    files: dict = field(default_factory=dict)  # sent the first, valid time only
    fixed: dict = field(default_factory=dict)  # sent as is each time (management forms)
    hostile: tuple = ()  # the fields hypothesis varies (default: all of `valid`)


@dataclass
class Wizard:
    prefix: str
    new_url: str
    steps: list
    resume: object  # case -> url

    def payload(self, step: Step, values: dict, *, files=None) -> dict:
        data = {f"{self.prefix}-current_step": step.name}
        data.update({f"{step.name}-{k}": v for k, v in {**step.fixed, **values}.items()})
        data.update({f"{step.name}-{k}": v for k, v in (files or {}).items()})
        return data


# --- the wizards, their steps and valid answers ----------------------------------------------


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    return make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                 ordonnateur=ordonnateur)


def purchase_request_wizard(sp, **_):
    imputations = {axis: BudgetImputation.objects.create(
        service=sp, axis=axis, code=f"{axis[:3].upper()}-01", label=f"Libellé {axis}").pk
        for axis in ("financial_centre", "cost_centre", "activity", "funds")}
    tiers = TiersFactory()
    return Wizard("purchase_request", reverse("purchases:new"), [
        Step("objet", {"subject": "Renouvellement de postes",
                       "financial_centre": imputations["financial_centre"],
                       "cost_centre": imputations["cost_centre"],
                       "activity": imputations["activity"], "funds": imputations["funds"],
                       "description": "Quatre postes", "market_reference": "M-2026-01",
                       "delivery_address": "3 rue de la République, 67000 Strasbourg"}),
        Step("fournisseur", {"tiers": tiers.pk}),
        Step("lignes", {"0-label": "Poste portable", "0-quantity": "2",
                        "0-unit_price_ht": "500,50", "0-vat_rate": "20.00",
                        "TOTAL_FORMS": "1"},
             fixed={"INITIAL_FORMS": "0", "MIN_NUM_FORMS": "1", "MAX_NUM_FORMS": "50"}),
        Step("pieces", {"quote": "", "other": ""}, files={"quote": pdf("devis.pdf")}),
        Step("recapitulatif", {"confirm": "on"}),
    ], lambda case: reverse("purchases:resume", args=[case.pk]))


def tiers_wizard(**_):
    return Wizard("tiers", reverse("suppliers:new"), [
        Step("nature", {"operation": "creation", "category": "company", "tiers": ""}),
        Step("identite", {"name": "Menuiserie Durand SARL", "siret": valid_siret(4242),
                          "vat_number": "", "nir": "", "last_name": "", "first_name": "",
                          "foreign_identifier": ""}),
        Step("adresse", {"address": "3 rue des Lilas", "postcode": "57000", "city": "Metz",
                         "email": "contact@durand.fr"}),
        Step("banque", {"iban": valid_iban(4242), "bic": "CEPAFRPP751"},
             files={"rib": pdf("rib.pdf")}),
        Step("recapitulatif", {"confirm": "on"}),
    ], lambda case: reverse("suppliers:resume", args=[case.pk]))


def service_done_wizard(completed, **_):
    line = completed.purchase_request.lines.get()
    # Delivered long ago: the statement is late, so the lateness step is shown too.
    return Wizard("service_done", reverse("service_done:new"), [
        Step("livraison", {"purchase_request": completed.purchase_request.pk,
                           "delivered_on": working_days_ago(20).isoformat(),
                           "invoice_reference": "F-2026-12"},
             files={"proof": pdf("bl.pdf")}),
        Step("quantites", {f"line_{line.pk}": "1"}),
        Step("retard", {"lateness_reason": "other", "lateness_comment": "Facture reçue tard"}),
        Step("recapitulatif", {"confirm": "on"}),
    ], lambda case: reverse("service_done:resume", args=[case.pk]))


def fixed_asset_wizard(asset_kind):
    def build(completed, **_):
        if asset_kind == "fies":
            details = {"commissioned_on": working_days_ago(1).isoformat(),
                       "depreciation_years": "5", "inventory_number": "INV-2026/001",
                       "purchase_requests": completed.purchase_request.pk,
                       "under_construction": ""}
        else:
            details = {"purchase_requests": completed.purchase_request.pk}
        return Wizard("fixed_asset", reverse("fixed_assets:new"), [
            Step("bien", {"asset_kind": asset_kind, "label": "Serveur de calcul",
                          "description": "Pour le laboratoire"}),
            Step("details", details, files={"document": pdf("pv.pdf")}),
            Step("recapitulatif", {"confirm": "on"}),
        ], lambda case: reverse("fixed_assets:resume", args=[case.pk]))
    return build


def _inp(kind, label, **extra):
    return (kind, {"label": label, "help_text": "", "required": extra.pop("required", True),
                   "show_if_field": "", "show_if_value": "", **extra})


CATALOGUE_FIELDS = [
    _inp("text", "Nom"), _inp("long_text", "Motif"), _inp("integer", "Nombre de badges"),
    _inp("decimal", "Surface"), _inp("amount", "Coût estimé"), _inp("date", "Date souhaitée"),
    _inp("choice", "Site", choices=["Metz", "Nancy"]),
    _inp("multiple_choice", "Accès", required=False, choices=["Parking", "Cantine"]),
    _inp("yes_no", "Formation suivie"), _inp("email", "Adresse électronique"),
    _inp("phone", "Téléphone"), _inp("siret", "SIRET du prestataire", required=False),
    _inp("iban", "IBAN du prestataire", required=False),
]


def catalogue_wizard(sp, **_):
    editorial = editorial_setup()
    page = ProcedureFormPage(title="Demande de badge", slug="badge", form_kind="generic",
                             fields=CATALOGUE_FIELDS)
    page.services = [sp]
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    page = ProcedureFormPage.objects.get(pk=page.pk)
    key = {item["label"]: item["key"] for item in input_items(page.field_schema)}
    valid = {"Nom": "Camille Martin", "Motif": "Prise de poste", "Nombre de badges": "2",
             "Surface": "12,5", "Coût estimé": "350,00", "Date souhaitée": "2026-05-04",
             "Site": "Metz", "Accès": "Parking", "Formation suivie": "oui",
             "Adresse électronique": "camille@drac.gouv.fr", "Téléphone": "03 87 00 00 00",
             "SIRET du prestataire": valid_siret(77), "IBAN du prestataire": valid_iban(77)}
    return Wizard("generic", f"/catalogue/{page.pk}/nouvelle/", [
        Step("etape-1", {key[label]: value for label, value in valid.items()}),
        Step("recapitulatif", {"confirm": "on"}),
    ], lambda case: f"/demandes/{case.pk}/formulaire/")


WIZARDS = {
    "purchase_request": purchase_request_wizard,
    "tiers": tiers_wizard,
    "service_done": service_done_wizard,
    "fies": fixed_asset_wizard("fies"),
    "fiec": fixed_asset_wizard("fiec"),
    "catalogue": catalogue_wizard,
}
STEPS = {
    "purchase_request": ["objet", "fournisseur", "lignes", "pieces"],
    "tiers": ["nature", "identite", "adresse", "banque"],
    "service_done": ["livraison", "quantites", "retard"],
    "fies": ["bien", "details"],
    "fiec": ["details"],
    "catalogue": ["etape-1"],
}
WIZARD_STEPS = [(w, s) for w, steps in STEPS.items() for s in steps]


@dataclass
class Reached:
    client: object
    wizard: Wizard
    step: Step
    case: Case
    url: str


def _kind_of(prefix):
    return {"purchase_request": CaseKind.PURCHASE_REQUEST, "tiers": CaseKind.TIERS,
            "service_done": CaseKind.SERVICE_DONE, "fixed_asset": CaseKind.FIXED_ASSET,
            "generic": CaseKind.GENERIC}[prefix]


@pytest.fixture
def reach(agent_client, sp, completed):
    """Fill a wizard validly up to `step_name` (the first step: post it once validly, to have
    a draft, then go back to it); returns where the step is shown."""

    def go(wizard_name, step_name) -> Reached:
        wizard = WIZARDS[wizard_name](sp=sp, completed=completed)
        url, case = wizard.new_url, None
        for step in wizard.steps:
            target = step.name == step_name
            if target and case is not None and not step.files:
                return Reached(agent_client, wizard, step, case, url)
            # Before the step under test; or the step itself when it makes the draft or
            # needs its file on record (then the draft is put back on it).
            response = agent_client.post(url, wizard.payload(step, step.valid, files=step.files))
            assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
            if case is None:
                case = Case.objects.filter(kind=_kind_of(wizard.prefix)).latest("pk")
                url = wizard.resume(case)
            if target:
                state = Case.objects.get(pk=case.pk).wizard_state
                Case.objects.filter(pk=case.pk).update(wizard_state={**state, "step": step.name})
                return Reached(agent_client, wizard, step, case, url)
        raise AssertionError(step_name)

    return go


def _french_errors(response) -> list[str]:
    form = response.context["form"]
    if hasattr(form, "non_form_errors"):  # the lines formset
        return ([str(m) for m in form.non_form_errors()]
                + [str(m) for errors in form.errors for ms in errors.values() for m in ms])
    return [str(m) for ms in form.errors.values() for m in ms]


def _state(case_pk):
    case = Case.objects.get(pk=case_pk)
    return (case.state, case.wizard_state, case.attachments.count(), case.reference,
            Case.objects.exclude(state=State.DRAFT).filter(kind=case.kind,
                                                          created_by=case.created_by).count(),
            CaseEvent.objects.filter(case=case).count())


def _posted_back(reached, values, extra_key, extra_value):
    data = reached.wizard.payload(reached.step, values)
    data[f"{reached.step.name}-{extra_key}"] = extra_value
    return data


# --- every step ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("wizard_name", "step_name"), WIZARD_STEPS)
@settings(max_examples=EXAMPLES["step"], **SETTINGS)
@given(data=st.data())
def test_every_step_refuses_hostile_values_with_french_errors_or_moves_on(
        reach, wizard_name, step_name, data):
    reached = getattr(reach, "_cache", {}).get((wizard_name, step_name))
    if reached is None:
        reached = reach(wizard_name, step_name)
        reach.__dict__.setdefault("_cache", {})[(wizard_name, step_name)] = reached
        # Valid answers move on (then the draft is put back on the step).
        saved = Case.objects.get(pk=reached.case.pk).wizard_state
        response = reached.client.post(reached.url, reached.wizard.payload(
            reached.step, {k: str(v) for k, v in reached.step.valid.items()}))
        assert response.status_code == 302
        assert Case.objects.get(pk=reached.case.pk).wizard_state["step"] != step_name
        Case.objects.filter(pk=reached.case.pk).update(wizard_state=saved)
    step = reached.step
    names = step.hostile or tuple(step.valid)
    values = data.draw(st.fixed_dictionaries(
        {name: st.one_of(st.just(str(step.valid[name])), HOSTILE) for name in names}),
        label="values")
    extra_key = data.draw(st.sampled_from(["zzz", "state", "reference", "created_by",
                                           "\u202eevil", "id"]), label="extra key")
    extra_value = data.draw(HOSTILE, label="extra value")
    before = _state(reached.case.pk)

    response = reached.client.post(reached.url, _posted_back(reached, values, extra_key,
                                                            extra_value))

    assert response.status_code in (200, 302)
    after = _state(reached.case.pk)
    if response.status_code == 200:
        errors = _french_errors(response)
        assert errors, "a refused step says why"
        assert not any(ENGLISH.search(e) for e in errors), errors
        assert after == before, "a refused step leaves the draft untouched"
        return
    # Accepted: the draft moved on, holds what was posted, and nothing was submitted.
    state, wizard_state, *_ = after
    assert state == State.DRAFT and after[4:] == before[4:]
    assert wizard_state["step"] != step.name
    stored = wizard_state["step_data"][step.name]
    for name, value in values.items():
        assert stored[f"{step.name}-{name}"] == [value.replace("\x00", "")]
    # Back to the step for the next example.
    Case.objects.filter(pk=reached.case.pk).update(wizard_state=before[1])


# --- summaries: a refused confirmation submits nothing ------------------------------------------


@pytest.mark.parametrize("wizard_name", list(WIZARDS))
@settings(max_examples=EXAMPLES["summary"], **SETTINGS)
# (Django's checkbox reads any other non-empty value, "0" included, as ticked.)
@given(confirm=st.sampled_from(["", "false", "False", "FALSE"]),
       extra=st.dictionaries(st.sampled_from(["state", "reference", "amount", "created_by",
                                              "requesting_service"]), HOSTILE, max_size=3))
def test_a_summary_without_confirmation_submits_nothing(reach, wizard_name, confirm, extra):
    reached = getattr(reach, "_summary", {}).get(wizard_name)
    if reached is None:
        reached = reach(wizard_name, "recapitulatif")
        reach.__dict__.setdefault("_summary", {})[wizard_name] = reached
    before = _state(reached.case.pk)

    response = reached.client.post(reached.url, reached.wizard.payload(
        reached.step, {"confirm": confirm, **extra}))

    assert response.status_code == 200
    errors = _french_errors(response)
    assert any("Cochez cette case" in e for e in errors), errors
    assert _state(reached.case.pk) == before


def test_the_valid_summary_submits_once(reach):
    reached = reach("purchase_request", "recapitulatif")
    response = reached.client.post(reached.url, reached.wizard.payload(reached.step,
                                                                       {"confirm": "on"}))
    assert response.status_code == 302
    case = Case.objects.get(pk=reached.case.pk)
    assert case.state in (State.SUBMITTED, State.AWAITING_VALIDATION)
    assert CaseEvent.objects.filter(case=case, action="submit").count() == 1
    assert Attachment.objects.filter(case=case).count() == 1


def test_the_number_of_examples_is_reported():
    steps = len(WIZARD_STEPS) * EXAMPLES["step"]
    summaries = len(WIZARDS) * EXAMPLES["summary"]
    assert (len(WIZARD_STEPS), steps, summaries) == (15, 450, 48)
