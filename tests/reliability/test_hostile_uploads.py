"""Hostile uploads through every door that takes a file: each wizard's file fields (purchase
request pieces of every kind, the tiers RIB, the delivery proof, the Fiec and Fies documents,
a catalogue form's file field), the API's case attachments, message attachments and the
signature verification page.

Hostile contents (an .exe renamed .pdf, a PDF/HTML polyglot, zip bombs in DOCX and XLSX, a
file over the size limit) are refused with a French message next to the field, and nothing
is stored: no Attachment row, no file under MEDIA_ROOT, no draft made by the refusal.
Hostile names (`../`, absolute paths, control characters, NUL, 1,000 characters, RTL
override) are accepted, under a sanitised name, stored inside the case's folder."""

import functools
import html
import io
import itertools
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import Case, CaseKind
from cases.workflow import State
from conventions.services import editorial_setup
from documents.models import Attachment
from documents.validation import sanitise_name
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items
from messaging.models import Message

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/content-types"/>')


def _bomb(main_part: str, megabytes: int) -> bytes:
    """A real office zip whose one member inflates to `megabytes` MiB of zeros (a few
    hundred kilobytes compressed), written in chunks so the test never holds it inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open(main_part, "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


@functools.cache
def docx_bomb() -> bytes:
    # 300 MiB once inflated: over the absolute ceiling (200 MiB).
    return _bomb("word/document.xml", 300)


@functools.cache
def xlsx_bomb() -> bytes:
    # 120 MiB: under the absolute ceiling, caught by its compression ratio (~1000:1).
    return _bomb("xl/worksheets/sheet1.xml", 120)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
POLYGLOT = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n<html><body><script>fetch('/api/cases/')"
            b"</script></body></html>\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

WRONG_BYTES = "ne correspond pas à son extension"
MARKUP = "code de page web"
BOMB = "anormalement volumineux"
TOO_BIG = "taille maximale"
NOT_A_PDF = "n'est pas un PDF"
UNREADABLE = "illisible ou endommagé"

# name: (file name, content builder, expected French message, limit the size?)
HOSTILE = {
    "exe_renamed_pdf": ("devis.pdf", lambda: EXE, WRONG_BYTES, False),
    "pdf_html_polyglot": ("devis.pdf", lambda: POLYGLOT, MARKUP, False),
    "docx_zip_bomb": ("note.docx", docx_bomb, BOMB, False),
    "xlsx_zip_bomb": ("bpu.xlsx", xlsx_bomb, BOMB, False),
    "oversize": ("devis.pdf", lambda: PDF, TOO_BIG, True),
}
NAMES = {
    "dot_dot": "../../../../etc/cron.d/devis.pdf",
    "absolute": "/var/www/media/cases/1/devis.pdf",
    "windows": "C:\\Windows\\System32\\..\\devis.pdf",
    # (CR/LF would break the test client's multipart header, not the portal: browsers escape
    # them in file names.)
    "control": "de\x1b[2Jvis\t\x7f\x08.pdf",
    "nul": "devis\x00.exe.pdf",
    "long": "d" * 1000 + ".pdf",
    "rtl_override": "facture\u202efdp.exe.pdf",
}

_unique = itertools.count(1)


def unique_pdf() -> bytes:
    # A new sha256 each time: the duplicate check must not be what refuses a file.
    return PDF + f"% {next(_unique)}\n".encode()


def media_files() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- the doors ------------------------------------------------------------------------------


@dataclass
class Door:
    """One way in for a file: `post(upload)` sends it; `errors(response)` lists the messages
    shown next to the file field; `case` is the case it would be stored on (None: a new one
    would be made); `stores` is False for the verification page, which keeps nothing."""

    post: object
    errors: object
    refused_status: int
    accepted_status: int
    case: Case | None = None
    stores: bool = True


def _form_errors(field, context_name="form"):
    def errors(response):
        form = response.context[context_name]
        return [str(m) for m in form.errors.get(field, [])]
    return errors


def _wizard_step(prefix, step, **data):
    return {f"{prefix}-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}}


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


def _purchase_request_door(field):
    def build(agent_client, sp_agent, sp, **_):
        case = case_services.case_draft_create(actor=sp_agent, service=sp,
                                               kind=CaseKind.PURCHASE_REQUEST)
        url = reverse("purchases:resume", args=[case.pk])
        return Door(post=lambda f: agent_client.post(url, _wizard_step(
                        "purchase_request", "pieces", **{field: f})),
                    errors=_form_errors(f"{field}"), refused_status=200, accepted_status=200,
                    case=case)
    return build


def _tiers_door(agent_client, **_):
    response = agent_client.post(reverse("suppliers:new"), _wizard_step(
        "tiers", "nature", operation="creation", category="company"))
    assert response.status_code == 302
    case = Case.objects.filter(kind=CaseKind.TIERS).latest("pk")
    url = reverse("suppliers:resume", args=[case.pk])
    return Door(post=lambda f: agent_client.post(url, _wizard_step(
                    "tiers", "banque", iban="", bic="", rib=f)),
                errors=_form_errors("rib"), refused_status=200, accepted_status=200, case=case)


def _service_done_door(agent_client, sp_agent, make_purchase_request, csp_agent, ordonnateur,
                       **_):
    completed = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                      ordonnateur=ordonnateur)
    url = reverse("service_done:new")
    # The proof is on the first step: a refused one must not even make a draft.
    return Door(post=lambda f: agent_client.post(url, _wizard_step(
                    "service_done", "livraison", purchase_request=completed.purchase_request.pk,
                    delivered_on="2000-01-01", invoice_reference="F-1", proof=f)),
                errors=_form_errors("proof"), refused_status=200, accepted_status=200)


def _fixed_asset_door(asset_kind):
    def build(agent_client, **_):
        response = agent_client.post(reverse("fixed_assets:new"), _wizard_step(
            "fixed_asset", "bien", asset_kind=asset_kind, label="Serveur de calcul"))
        assert response.status_code == 302
        case = Case.objects.filter(kind=CaseKind.FIXED_ASSET).latest("pk")
        url = reverse("fixed_assets:resume", args=[case.pk])
        return Door(post=lambda f: agent_client.post(url, _wizard_step(
                        "fixed_asset", "details", document=f)),
                    errors=_form_errors("document"), refused_status=200, accepted_status=200,
                    case=case)
    return build


def _catalogue_door(agent_client, sp, **_):
    editorial = editorial_setup()
    page = ProcedureFormPage(title="Demande de badge", slug="badge", form_kind="generic",
                             fields=[
        ("text", {"label": "Nom", "help_text": "", "required": True,
                  "show_if_field": "", "show_if_value": ""}),
        ("file", {"label": "Justificatif", "help_text": "", "required": False,
                  "show_if_field": "", "show_if_value": ""})])
    page.services = [sp]
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    page = ProcedureFormPage.objects.get(pk=page.pk)
    key = {item["label"]: item["key"] for item in input_items(page.field_schema)}
    url = f"/catalogue/{page.pk}/nouvelle/"
    # The file is on the first step: a refused one must not make a draft.
    return Door(post=lambda f: agent_client.post(url, {
                    "generic-current_step": "etape-1", f"etape-1-{key['Nom']}": "Camille",
                    f"etape-1-{key['Justificatif']}": f}),
                errors=_form_errors(key["Justificatif"]), refused_status=200,
                accepted_status=302)


def _api_door(sp_agent, sp, **_):
    case = case_services.case_draft_create(actor=sp_agent, service=sp,
                                           kind=CaseKind.PURCHASE_REQUEST)
    api = APIClient()
    api.force_authenticate(sp_agent)

    def errors(response):
        body = response.json()
        return [body["detail"]] if body.get("field") == "file" else []

    return Door(post=lambda f: api.post(reverse("api_case_attachments", args=[case.pk]),
                                        {"kind": "other", "file": f}, format="multipart"),
                errors=errors, refused_status=400, accepted_status=201, case=case)


def _message_door(agent_client, sp_agent, make_purchase_request, **_):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)

    def post(f):
        # A good file first: a refused second one must not leave the first on disk.
        good = SimpleUploadedFile("bon.pdf", unique_pdf(), content_type="application/pdf")
        return agent_client.post(reverse("messaging:create", args=[case.pk]),
                                 {"body": "Voici les pièces", "files": [good, f]})

    return Door(post=post, errors=_form_errors("files", "message_form"), refused_status=400,
                accepted_status=302, case=case)


def _verify_door(agent_client, **_):
    return Door(post=lambda f: agent_client.post(reverse("documents:verify"), {"file": f}),
                errors=_form_errors("file"), refused_status=400, accepted_status=200,
                stores=False)


DOORS = {
    "purchase_request_quote": _purchase_request_door("quote"),
    "purchase_request_price_schedule": _purchase_request_door("price_schedule"),
    "purchase_request_market": _purchase_request_door("market"),
    "purchase_request_other": _purchase_request_door("other"),
    "tiers_rib": _tiers_door,
    "service_done_proof": _service_done_door,
    "fiec_document": _fixed_asset_door("fiec"),
    "fies_document": _fixed_asset_door("fies"),
    "catalogue_file": _catalogue_door,
    "api_case_attachment": _api_door,
    "message_attachment": _message_door,
    "signature_verification": _verify_door,
}
STORING_DOORS = [name for name in DOORS if name != "signature_verification"]


@pytest.fixture
def open_door(agent_client, sp_agent, sp, make_purchase_request, csp_agent, ordonnateur):
    def build(name) -> Door:
        return DOORS[name](agent_client=agent_client, sp_agent=sp_agent, sp=sp,
                           make_purchase_request=make_purchase_request, csp_agent=csp_agent,
                           ordonnateur=ordonnateur)
    return build


def _snapshot():
    return (Case.objects.count(), Attachment.objects.count(), Message.objects.count(),
            media_files())


# --- refused contents -----------------------------------------------------------------------


@pytest.mark.parametrize("content", list(HOSTILE))
@pytest.mark.parametrize("door_name", list(DOORS))
def test_a_hostile_file_is_refused_next_to_its_field_and_nothing_is_stored(
        open_door, settings, door_name, content):
    name, build, message, limit_size = HOSTILE[content]
    door = open_door(door_name)
    if limit_size:
        settings.ATTACHMENT_MAX_BYTES = 64
    before = _snapshot()

    response = door.post(SimpleUploadedFile(name, build()))

    assert response.status_code == door.refused_status, text_of(response)[:2000]
    if door_name == "signature_verification" and content != "oversize":
        # The page reads PDFs only and stores nothing: anything else is not a PDF, and the
        # polyglot is an unreadable one.
        message = NOT_A_PDF if content != "pdf_html_polyglot" else UNREADABLE
    errors = door.errors(response)
    assert any(message in error for error in errors), errors
    # Nothing stored: no case made by the refusal, no row, no file.
    assert _snapshot() == before
    if door.case is not None:
        door.case.refresh_from_db()
        assert door.case.state == State.DRAFT or door_name == "message_attachment"


# --- hostile names: accepted, sanitised, inside the case's folder ------------------------------


@pytest.mark.parametrize("name_kind", list(NAMES))
@pytest.mark.parametrize("door_name", STORING_DOORS)
def test_a_hostile_name_is_stored_sanitised_inside_the_case_folder(
        open_door, door_name, name_kind):
    door = open_door(door_name)
    name = NAMES[name_kind]
    before_files = media_files()
    before_ids = set(Attachment.objects.values_list("pk", flat=True))

    response = door.post(SimpleUploadedFile(name, unique_pdf(), content_type="application/pdf"))

    assert response.status_code in (door.accepted_status, 302), text_of(response)[:2000]
    new = Attachment.objects.exclude(pk__in=before_ids).exclude(original_name="bon.pdf").get()
    stored = new.original_name
    assert stored == sanitise_name(name)
    assert stored.endswith(".pdf") and len(stored) <= 150
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
    assert not any(unicodedata.category(ch).startswith("C") for ch in stored)
    # The file itself is named by the portal, in the case's own folder under MEDIA_ROOT.
    root = Path(django_settings.MEDIA_ROOT).resolve()
    path = Path(new.file.path).resolve()
    assert path.parent == root / "cases" / str(new.case_id)
    assert path in media_files() - before_files
    assert ".." not in new.file.name and name not in new.file.name


def test_the_number_of_upload_cases_is_reported():
    refused = len(HOSTILE) * len(DOORS)
    named = len(NAMES) * len(STORING_DOORS)
    assert (refused, named) == (60, 77)
