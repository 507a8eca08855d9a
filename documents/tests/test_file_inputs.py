"""Every file input of every wizard, as rendered: a required piece is never labelled
« (Optionnel) » (also once it is on the draft, when it no longer has to be sent again), and
each input says which formats and what size it takes — the text derived from the one
allow-list and size limit of documents.validation."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseKind
from cases.workflow import State
from conventions.services import editorial_setup
from documents.validation import ALLOWED, accepted_formats, max_size_text
from forms_catalog.models import ProcedureFormPage
from forms_catalog.tests.test_wizard import inp, keys, new_url, resume_url

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
OPTIONAL = "Optionnel"


def pdf(name="piece.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class FileInputs(HTMLParser):
    """The page's file inputs: their attributes and their label's text (help text
    included, as DSFR puts it inside the label)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict] = {}
        self.labels: dict[str, str] = {}
        self._label_for = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "file":
            self.inputs[attrs.get("name")] = attrs
        elif tag == "label":
            self._label_for = attrs.get("for")
            self.labels.setdefault(self._label_for, "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[self._label_for] += data

    def fields(self) -> dict[str, tuple[dict, str]]:
        """name -> (attributes, label text with whitespace collapsed)."""
        # Runs of ASCII blanks only: the size's non-breaking space stays as written.
        return {name: (attrs, re.sub(r"[ \t\r\n]+", " ",
                                     self.labels.get(attrs.get("id"), "")).strip())
                for name, attrs in self.inputs.items()}


def file_inputs(response) -> dict[str, tuple[dict, str]]:
    assert response.status_code == 200, response.status_code
    parser = FileInputs()
    parser.feed(response.content.decode())
    return parser.fields()


def assert_says_what_it_takes(attrs, label):
    # Formats and size from documents.validation, not from a copy of them.
    for name in accepted_formats():
        assert name in label, (name, label)
    assert max_size_text() in label, label
    assert set(attrs["accept"].split(",")) == set(ALLOWED)


def assert_required_piece(attrs, label):
    assert OPTIONAL not in label, label
    assert_says_what_it_takes(attrs, label)


def assert_optional_piece(attrs, label):
    assert OPTIONAL in label, label
    assert_says_what_it_takes(attrs, label)


@pytest.fixture
def publish_form(db):
    """A catalogue page published in the catalogue section (as test_http_generic_wizard's)."""
    sections = editorial_setup().sections
    numbers = itertools.count(1)

    def publish(fields, *, title, services=(), **settings):
        page = ProcedureFormPage(title=title, slug=f"piece-{next(numbers)}",
                                 form_kind=settings.pop("form_kind", "generic"), fields=fields,
                                 **settings)
        page.services = list(services)
        sections["catalogue"].add_child(instance=page)
        page.save_revision().publish()
        return ProcedureFormPage.objects.get(pk=page.pk)

    return publish


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


def jump(client, url, prefix, current, goto, **data):
    """"Étape précédente"/"Enregistrer" to any step: keeps a draft, shows that step."""
    response = client.post(url, {f"{prefix}-current_step": current, "wizard_goto_step": goto,
                                 **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


# --- the purchase request --------------------------------------------------------------------


def test_purchase_request_quote_is_required_and_every_piece_says_what_it_takes(agent_client):
    url = jump(agent_client, reverse("purchases:new"), "purchase_request", "objet",
               "pieces")
    fields = file_inputs(agent_client.get(url))

    assert set(fields) == {"pieces-quote", "pieces-price_schedule", "pieces-market",
                           "pieces-other"}
    assert_required_piece(*fields["pieces-quote"])
    assert "required" in fields["pieces-quote"][0]
    for name in ("pieces-price_schedule", "pieces-market", "pieces-other"):
        assert_optional_piece(*fields[name])


def test_a_quote_on_the_draft_keeps_the_field_required_but_need_not_be_sent_again(
        agent_client):
    url = jump(agent_client, reverse("purchases:new"), "purchase_request", "objet",
               "pieces")
    response = agent_client.post(url, {"purchase_request-current_step": "pieces",
                                       "pieces-quote": pdf("devis.pdf")})
    assert response.status_code == 302
    jump(agent_client, url, "purchase_request", "recapitulatif", "pieces")

    attrs, label = file_inputs(agent_client.get(url))["pieces-quote"]
    assert_required_piece(attrs, label)
    assert "devis.pdf" in label
    # The quote on record fulfils the requirement: the browser must not ask for another.
    assert "required" not in attrs
    response = agent_client.post(url, {"purchase_request-current_step": "pieces"})
    assert response.status_code == 302
    assert Case.objects.get().wizard_state["step"] == "recapitulatif"


def test_a_piece_the_catalogue_page_requires_is_not_optional(agent_client, publish_form, sp):
    publish_form(form_kind="purchase_request", fields=[], title="Achat avec BPU",
                 services=[sp], required_attachments=["quote", "price_schedule"])
    url = jump(agent_client, reverse("purchases:new"), "purchase_request", "objet",
               "pieces")
    fields = file_inputs(agent_client.get(url))
    assert_required_piece(*fields["pieces-price_schedule"])
    assert_optional_piece(*fields["pieces-market"])


# --- the tiers request -----------------------------------------------------------------------


def test_tiers_rib_is_required(agent_client):
    url = jump(agent_client, reverse("suppliers:new"), "tiers", "nature", "banque",
               **{"nature-operation": "creation", "nature-category": "company"})
    fields = file_inputs(agent_client.get(url))
    assert set(fields) == {"banque-rib"}
    assert_required_piece(*fields["banque-rib"])


# --- the service-done statement --------------------------------------------------------------


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    return make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=csp_agent, ordonnateur=ordonnateur)


def test_service_done_delivery_proof_is_required_also_once_attached(agent_client, completed):
    page = agent_client.get(reverse("service_done:new") + f"?da={completed.purchase_request.pk}")
    fields = file_inputs(page)
    assert set(fields) == {"livraison-proof"}
    assert_required_piece(*fields["livraison-proof"])

    response = agent_client.post(reverse("service_done:new"), {
        "service_done-current_step": "livraison", "save_draft": "1",
        "livraison-purchase_request": completed.purchase_request.pk,
        "livraison-proof": pdf("bl.pdf")})
    assert response.status_code == 302
    case = Case.objects.get(kind=CaseKind.SERVICE_DONE)
    attrs, label = file_inputs(agent_client.get(
        reverse("service_done:resume", args=[case.pk])))["livraison-proof"]
    assert_required_piece(attrs, label)
    assert "bl.pdf" in label and "required" not in attrs


# --- the fixed-asset request -----------------------------------------------------------------


@pytest.mark.parametrize("asset_kind", ["fiec", "fies"])
def test_fixed_asset_document_is_required(agent_client, asset_kind):
    response = agent_client.post(reverse("fixed_assets:new"), {
        "fixed_asset-current_step": "bien", "bien-asset_kind": asset_kind,
        "bien-label": "Chaudière du bâtiment B"})
    assert response.status_code == 302
    fields = file_inputs(agent_client.get(response["Location"]))
    assert set(fields) == {"details-document"}
    assert_required_piece(*fields["details-document"])


# --- catalogue file fields -------------------------------------------------------------------


def test_catalogue_file_fields_say_what_they_take_and_whether_they_are_required(
        agent_client, publish_form):
    page = publish_form([inp("file", "Justificatif"),
                         inp("file", "Piece complementaire", required=False),
                         inp("yes_no", "Delegation"),
                         inp("file", "Arrete", show_if=("Delegation", "oui"))],
                        title="Demande avec pieces")
    by_label = keys(page.field_schema)
    fields = file_inputs(agent_client.get(new_url(page)))

    assert_required_piece(*fields[f"etape-1-{by_label['Justificatif']}"])
    # Required when shown (the server drops it while hidden): not optional either.
    assert_required_piece(*fields[f"etape-1-{by_label['Arrete']}"])
    assert_optional_piece(*fields[f"etape-1-{by_label['Piece complementaire']}"])


def test_a_required_catalogue_file_on_the_draft_is_not_asked_again(agent_client,
                                                                   publish_form):
    page = publish_form([inp("text", "Objet"), ("step_break", {"title": "Piece"}),
                         inp("file", "Justificatif")], title="Demande avec justificatif")
    response = agent_client.post(new_url(page), {
        "generic-current_step": "etape-1", f"etape-1-{keys(page.field_schema)['Objet']}": "X"})
    case = Case.objects.get()
    url = resume_url(case)
    field = f"etape-2-{keys(page.field_schema)['Justificatif']}"
    assert response.status_code == 302
    agent_client.post(url, {"generic-current_step": "etape-2", field: pdf("arrete.pdf")})
    jump(agent_client, url, "generic", "recapitulatif", "etape-2")

    attrs, label = file_inputs(agent_client.get(url))[field]
    assert_required_piece(attrs, label)
    assert "required" not in attrs


# --- messages --------------------------------------------------------------------------------


def test_message_attachments_say_what_they_take(agent_client, make_purchase_request,
                                                sp_agent):
    case = make_purchase_request(sp_agent)
    fields = file_inputs(agent_client.get(case.get_absolute_url()))
    assert_optional_piece(*fields["files"])
