"""Order forms: rendering (reportlab), PAdES signing (pyHanko) and the `sign` transition."""

import hashlib
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfbase.pdfmetrics import stringWidth

from cases import services as case_services
from cases.models import Case, CaseEvent, PurchaseLine
from cases.selectors import case_timeline
from cases.services import CaseError, CaseNotFound
from cases.workflow import Action, State
from documents.models import IssuedDocument, IssuedDocumentKind
from documents.pdf.case_summary import render_case_summary
from documents.pdf.layout import (
    BODY,
    CONTENT_WIDTH,
    fr_money,
    fr_number,
    fr_quantity,
    mask_iban,
    pdf_text,
)
from documents.pdf.order_form import Signatory, render_order_form
from documents.selectors import issued_documents_of
from documents.services import order_form_sign

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
HOSTILE = "<b>gras</b> & </para><font name='x'> \x00 nul \x07 😀 \u202e fin"


# --- helpers shared with documents/tests/test_views.py -------------------------------------------


def read_pdf(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data), strict=False)


# In a content stream: a literal string, or an operator that ends a run of text.
PDF_TEXT_TOKEN = re.compile(r"\((?:\\.|[^\\()])*\)|\bT\*|\bET\b|\bT[mdD]\b")
PDF_ESCAPE = re.compile(r"\\([0-7]{1,3}|[nrtbf()\\])")
PDF_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _unescape(match) -> str:
    code = match.group(1)
    if code[0] in "01234567":
        return bytes([int(code, 8) & 0xFF]).decode("cp1252", errors="replace")
    return PDF_ESCAPES.get(code, code)


def _text_of(content_stream: str) -> str:
    """The text drawn by a content stream, one line per run of text.

    reportlab writes WinAnsi strings ("é" is stored as "\\351") and splits a line into
    several strings around escaped characters: join them back.
    """
    out = []
    for token in PDF_TEXT_TOKEN.finditer(content_stream):
        value = token.group()
        out.append(PDF_ESCAPE.sub(_unescape, value[1:-1]) if value[0] == "(" else "\n")
    return "".join(out)


def page_streams(data: bytes) -> list[str]:
    """The decompressed content stream of every page, in order (latin-1)."""
    streams = []

    def walk(node):
        if "/Kids" in node:
            kids = node["/Kids"]
            for i in range(len(kids)):
                walk(kids[i])
            return
        contents = node["/Contents"]
        if isinstance(contents, generic.ArrayObject):
            parts = [contents[i] for i in range(len(contents))]
        else:
            parts = [contents]
        streams.append(b"".join(part.data for part in parts).decode("latin-1"))

    walk(read_pdf(data).root["/Pages"])
    return streams


def page_texts(data: bytes) -> list[str]:
    """The text of every page, in order."""
    return [_text_of(stream) for stream in page_streams(data)]


# A run of text placed at (x, y) in the coordinates of what draws it (a table cell's table).
# (String literals are skipped whole: "ET" is also a French word.)
TEXT_RUN = re.compile(
    r"BT 1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm((?:\((?:\\.|[^\\()])*\)|[^(])*?)\bET\b", re.S)


def text_runs(data: bytes) -> list[tuple[float, float, str]]:
    return [(float(m.group(1)), float(m.group(2)), _text_of(m.group(3)).strip("\n"))
            for stream in page_streams(data) for m in TEXT_RUN.finditer(stream)]


def page_count(data: bytes) -> int:
    return int(read_pdf(data).root["/Pages"]["/Count"])


def validation_context() -> ValidationContext:
    roots = list(load_certs_from_pemder([str(settings.SIGNING_TRUST_ROOTS)]))
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def signature_status(data: bytes):
    """pyHanko's verdict on the only signature of `data`."""
    signatures = read_pdf(data).embedded_signatures
    assert len(signatures) == 1
    return validate_pdf_signature(signatures[0], validation_context())


def stored_bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def snapshot(case) -> dict:
    """What a refused signature must leave untouched."""
    fresh = Case.objects.get(pk=case.pk)
    return {
        "state": fresh.state,
        "version": fresh.version,
        "events": CaseEvent.objects.filter(case=fresh).count(),
        "documents": IssuedDocument.objects.filter(case=fresh).count(),
    }


def issued_files() -> list:
    root = settings.MEDIA_ROOT / "issued"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)


@pytest.fixture
def signed(completed, csp_agent, give_credential):
    give_credential(csp_agent)
    return order_form_sign(case=completed, actor=csp_agent)


# --- a signed order form --------------------------------------------------------------------


def test_signing_issues_one_document_and_one_event(completed, csp_agent, give_credential):
    give_credential(csp_agent)
    version = completed.version

    document = order_form_sign(case=completed, actor=csp_agent, expected_version=version)

    assert IssuedDocument.objects.filter(case=completed).count() == 1
    assert document.kind == IssuedDocumentKind.ORDER_FORM
    assert document.signed_by == csp_agent
    assert document.signer_name == csp_agent.get_full_name()
    content = stored_bytes(document)
    assert content.startswith(b"%PDF-")
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()

    events = CaseEvent.objects.filter(case=completed, action=Action.SIGN)
    assert events.count() == 1
    event = events.get()
    assert (event.from_state, event.to_state, event.actor) == (State.COMPLETED, State.COMPLETED,
                                                               csp_agent)
    assert event.data["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.data["document"] == document.pk
    completed.refresh_from_db()
    assert completed.state == State.COMPLETED
    assert completed.version == version + 1


def test_the_signature_is_intact_trusted_and_covers_the_whole_file(signed, csp_agent):
    content = stored_bytes(signed)

    status = signature_status(content)

    assert status.intact and status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == csp_agent.get_full_name()
    assert signed.certificate_fingerprint == hashlib.sha256(
        status.signing_cert.dump()).hexdigest()


def test_the_order_form_carries_the_ej_number_and_the_chorus_identifiers(signed, csp):
    text = "".join(page_texts(stored_bytes(signed)))
    ej_number = signed.case.purchase_request.ej_number
    assert ej_number and ej_number in text
    assert csp.chorus_siret in text
    assert csp.chorus_service_code in text
    assert signed.case.reference in text


def test_signing_twice_is_refused_and_keeps_one_document(signed, completed, csp_agent,
                                                         csp_agent2, give_credential):
    give_credential(csp_agent2)
    before = snapshot(completed)

    for agent in (csp_agent, csp_agent2):
        with pytest.raises(CaseError, match="déjà signé"):
            order_form_sign(case=completed, actor=agent)

    assert snapshot(completed) == before
    assert IssuedDocument.objects.filter(case=completed).count() == 1
    assert CaseEvent.objects.filter(case=completed, action=Action.SIGN).count() == 1


def test_the_issued_document_is_unique_per_case_and_kind_in_the_database(signed):
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedDocument.objects.create(
            case=signed.case, kind=IssuedDocumentKind.ORDER_FORM, file="issued/x.pdf", size=1,
            sha256="0" * 64, signed_by=signed.signed_by, signer_name="x", signer_role="x",
            certificate_fingerprint="0" * 64, issued_at=timezone.now())


# --- tampering ------------------------------------------------------------------------------


def test_one_byte_changed_in_the_signed_range_breaks_the_signature(signed):
    content = stored_bytes(signed)
    signature = read_pdf(content).embedded_signatures[0]
    # Inside the first page's (compressed) content stream, far before the signature value.
    offset = content.index(b"stream", content.index(b"/Type /Page")) + 20
    assert offset < signature.byte_range[1]
    tampered = bytearray(content)
    tampered[offset] ^= 0x01

    status = signature_status(bytes(tampered))

    assert not status.intact  # the digest of the signed bytes no longer matches
    assert not status.bottom_line


def test_bytes_appended_after_the_signature_are_detected(signed):
    content = stored_bytes(signed) + b"\n% tampered\n"

    status = signature_status(content)

    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE


def test_an_incremental_update_after_the_signature_is_detected(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(stored_bytes(signed)), strict=False)
    writer.set_info(generic.DictionaryObject({
        generic.NameObject("/Title"): generic.TextStringObject("Bon de commande modifié")}))
    output = io.BytesIO()
    writer.write(output)

    status = signature_status(output.getvalue())

    assert status.intact  # the signed revision itself is untouched...
    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE  # ...but something was added


# --- refusals -------------------------------------------------------------------------------


def assert_sign_refused(case, actor, *, exc=CaseError, match=None, at=None) -> CaseError:
    before = snapshot(case)
    files_before = issued_files()
    with pytest.raises(exc, match=match) as info:
        case_services.transition(case=case, action=Action.SIGN, actor=actor, at=at)
    assert snapshot(case) == before
    assert issued_files() == files_before
    return info.value


def test_without_credentials_signing_is_refused_with_a_clear_message(completed, csp_agent,
                                                                     signing_dir):
    error = assert_sign_refused(completed, csp_agent)
    assert "certificat" in error.message
    assert not IssuedDocument.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.SIGN).exists()


def test_an_expired_certificate_is_refused(completed, csp_agent, give_credential):
    expired_on = timezone.now() - timedelta(days=5)
    give_credential(csp_agent, not_before=timezone.now() - timedelta(days=400), valid_days=-5)

    error = assert_sign_refused(completed, csp_agent)

    assert "expiré" in error.message
    assert timezone.localtime(expired_on).strftime("%d/%m/%Y") in error.message
    assert "renouvellement" in error.message


def test_a_certificate_expiring_before_the_signing_time_is_refused(completed, csp_agent,
                                                                   give_credential):
    give_credential(csp_agent, valid_days=2)
    error = assert_sign_refused(completed, csp_agent, at=timezone.now() + timedelta(days=5))
    assert "expiré" in error.message


def test_a_certificate_not_yet_valid_is_refused(completed, csp_agent, give_credential):
    give_credential(csp_agent, not_before=timezone.now() + timedelta(days=2))
    error = assert_sign_refused(completed, csp_agent)
    assert "pas encore valide" in error.message


def test_an_unreadable_credential_is_refused(completed, csp_agent, give_credential,
                                            signing_dir):
    give_credential(csp_agent)
    (signing_dir / f"{csp_agent.username}.pass").write_bytes(b"not the passphrase")

    error = assert_sign_refused(completed, csp_agent)

    assert "ne peut pas être lu" in error.message


def test_a_centre_without_chorus_identifiers_cannot_sign(completed, csp, csp_agent,
                                                        give_credential):
    give_credential(csp_agent)
    csp.chorus_siret = ""
    csp.save()

    error = assert_sign_refused(completed, csp_agent)

    assert "Chorus" in error.message


@pytest.mark.parametrize("name", ["sp_agent", "ordonnateur", "cst"])
def test_people_outside_the_centre_signatories_cannot_sign(request, completed, give_credential,
                                                           name):
    user = request.getfixturevalue(name)
    give_credential(user)
    error = assert_sign_refused(completed, user)
    assert not isinstance(error, CaseNotFound)
    assert "Seuls les agents du centre" in error.message


@pytest.mark.parametrize("name", ["foreign_csp_agent", "foreign_sp_agent"])
def test_users_of_other_services_do_not_even_see_the_case(request, completed, give_credential,
                                                          name):
    user = request.getfixturevalue(name)
    give_credential(user)
    assert_sign_refused(completed, user, exc=CaseNotFound)


def test_the_head_of_the_centre_may_sign(completed, csp_head, give_credential):
    give_credential(csp_head)

    document = order_form_sign(case=completed, actor=csp_head)

    assert document.signed_by == csp_head
    assert document.signer_role == "Responsable du centre de services partagés"
    assert signature_status(stored_bytes(document)).valid


def test_any_agent_of_the_centre_may_sign_not_only_the_assignee(completed, csp_agent2,
                                                                give_credential):
    give_credential(csp_agent2)
    document = order_form_sign(case=completed, actor=csp_agent2)
    assert document.signer_role == "Chargé(e) de prestations financières"


@pytest.mark.parametrize("state", [State.SUBMITTED, State.IN_PROGRESS, State.REJECTED])
def test_only_completed_purchase_requests_are_signed(make_purchase_request, sp_agent, csp_agent,
                                                     give_credential, state):
    give_credential(csp_agent)
    case = make_purchase_request(sp_agent, state=state, agent=csp_agent)
    error = assert_sign_refused(case, csp_agent)
    assert "n'est pas possible" in error.message


# --- rendering ------------------------------------------------------------------------------


def add_lines(purchase_request, count: int, label="Ramette de papier A4 80 g"):
    start = purchase_request.lines.count()
    PurchaseLine.objects.bulk_create(
        PurchaseLine(purchase_request=purchase_request, position=start + i + 1,
                     label=f"{label} n° {i + 1}", quantity=Decimal("2"),
                     unit_price_ht=Decimal("4.50"), vat_rate=Decimal("20.00"))
        for i in range(count))


def test_a_long_order_form_spans_several_numbered_pages(completed, csp_agent, give_credential):
    add_lines(completed.purchase_request, 60)
    give_credential(csp_agent)

    content = stored_bytes(order_form_sign(case=completed, actor=csp_agent))

    total = page_count(content)
    texts = page_texts(content)
    assert total > 1 and len(texts) == total
    for number, text in enumerate(texts, start=1):
        assert f"Page {number}/{total}" in text
    assert "Ramette de papier A4 80 g n° 60" in "".join(texts)  # the last line is printed
    # The signature stamp is on the last page, where the signature block is drawn.
    reader = read_pdf(content)
    annotated = [i for i in range(total)
                 if "/Annots" in reader.root["/Pages"]["/Kids"][i]]
    assert annotated == [total - 1]
    assert signature_status(content).valid


def test_the_supplier_iban_is_masked_on_documents(completed):
    purchase_request = completed.purchase_request
    iban = purchase_request.tiers.iban
    assert len(iban) > 8
    order_form = render_order_form(purchase_request, signatory=None,
                                   issued_at=timezone.now()).content
    summary = render_case_summary(completed, attachments=list(completed.attachments.all()),
                                  issued_documents=[], events=case_timeline(case=completed))

    for content in (order_form, summary):
        text = "".join(page_texts(content))
        assert iban not in text
        assert iban.encode() not in content
        assert iban[4:12] not in text
        assert mask_iban(iban) in text
        assert mask_iban(iban).replace(" ", "").endswith(iban[-4:])


def test_an_unsigned_draft_order_form_says_so(completed):
    rendered = render_order_form(completed.purchase_request, signatory=None,
                                 issued_at=timezone.now())
    assert rendered.content.startswith(b"%PDF-")
    assert "PROJET" in "".join(page_texts(rendered.content))
    assert not read_pdf(rendered.content).embedded_signatures
    assert rendered.signature_page == page_count(rendered.content) - 1
    x1, y1, x2, y2 = rendered.signature_box
    assert 0 < x1 < x2 and 0 < y1 < y2


def hostile_purchase_request(case, *, long_text: str):
    """The case's purchase request with hostile text in what is printed.

    Kept in memory only: PostgreSQL refuses NUL characters. The line label, which is read
    from the database, stays within what the field accepts (300 characters, no NUL).
    """
    purchase_request = case.purchase_request
    PurchaseLine.objects.filter(purchase_request=purchase_request).update(
        label="<b>Ramette</b> & <i>stylos</i> 😀 " + "é" * 250)
    purchase_request.case.subject = HOSTILE + " " + long_text
    purchase_request.market_reference = HOSTILE
    purchase_request.delivery_address = HOSTILE + "\n" + long_text
    purchase_request.description = HOSTILE + " " + long_text
    purchase_request.tiers.name = HOSTILE
    return purchase_request


def test_hostile_text_still_renders_an_order_form(completed):
    # Subject and delivery address are paragraphs of the page: any length may flow on.
    purchase_request = hostile_purchase_request(completed, long_text="x" * 10_000)

    rendered = render_order_form(purchase_request, signatory=Signatory(HOSTILE, HOSTILE),
                                 issued_at=timezone.now())

    assert rendered.content.startswith(b"%PDF-")
    assert page_count(rendered.content) > 1
    text = "".join(page_texts(rendered.content))
    # User text is printed as text, never read as reportlab markup.
    assert "<b>Ramette</b> & <i>stylos</i> ?" in text
    assert "<b>gras</b> & </para><font name='x'> nul ? fin" in text
    assert "\x00" not in text and "\x07" not in text


def test_hostile_text_still_renders_a_case_summary(completed):
    # In the summary these values sit in table cells: keep them within the form's limits.
    hostile_purchase_request(completed, long_text="mot " * 900)
    attachment = completed.attachments.get()
    attachment.original_name = HOSTILE

    content = render_case_summary(completed, attachments=[attachment], issued_documents=[],
                                  events=case_timeline(case=completed))

    assert content.startswith(b"%PDF-")
    text = "".join(page_texts(content))
    assert "<b>gras</b> & </para>" in text
    assert "\x00" not in text


# User text drawn as a plain string (not a Paragraph) is never wrapped by reportlab: it must
# be measured against its column first.


def test_a_designation_wider_than_its_column_does_not_run_into_the_quantity(completed):
    label = "CARTOUCHES D'ENCRE HP 305XL NOIR XXL"  # 36 characters, about 180 pt at 8.5 pt
    PurchaseLine.objects.filter(purchase_request=completed.purchase_request).update(
        label=label, quantity=Decimal("1200"))

    content = render_order_form(completed.purchase_request, signatory=None,
                                issued_at=timezone.now()).content

    runs = text_runs(content)
    assert "CARTOUCHES" in "".join(text for _, _, text in runs)
    for x, y, text in runs:
        if text == label:  # drawn on one line: it must end before the quantity begins
            quantity_x = min(qx for qx, qy, qtext in runs
                             if qy == y and qx > x and qtext.replace(NBSP, " ") == "1 200")
            assert x + stringWidth(label, "Helvetica", 8.5) <= quantity_x


def test_a_long_supplier_name_stays_within_the_page(completed):
    tiers = completed.purchase_request.tiers
    tiers.name = "SOCIETE NATIONALE DES FOURNITURES DE BUREAU ET INFORMATIQUE DE L'EST"
    tiers.save()

    content = render_order_form(completed.purchase_request, signatory=None,
                                issued_at=timezone.now()).content

    runs = text_runs(content)
    assert "SOCIETE NATIONALE" in "".join(text for _, _, text in runs)
    # The facts table spans the content width: its runs start at 0 in its coordinates.
    for x, _y, text in runs:
        if text == tiers.name:
            assert x + stringWidth(text, "Helvetica", BODY.fontSize) <= CONTENT_WIDTH


@pytest.mark.parametrize("label", ["A" * 300, "mot " * 75, "é€" * 150])
def test_a_line_label_of_maximal_length_renders(completed, label):
    PurchaseLine.objects.filter(purchase_request=completed.purchase_request).update(label=label)
    rendered = render_order_form(completed.purchase_request, signatory=None,
                                 issued_at=timezone.now())
    assert rendered.content.startswith(b"%PDF-")


# A table cell taller than a page must continue on the next one (reportlab's splitInRow),
# else LayoutError: the PDF could not be produced at all.


def test_a_line_label_with_many_line_breaks_renders(completed):
    """300 characters (the field's maximum) of line breaks: the line form and
    purchase_request_fill accept it, so the order form must render it."""
    PurchaseLine.objects.filter(purchase_request=completed.purchase_request).update(
        label="a\n" * 150)
    rendered = render_order_form(completed.purchase_request, signatory=None,
                                 issued_at=timezone.now())
    assert rendered.content.startswith(b"%PDF-")


def test_a_long_multi_line_description_renders_in_the_case_summary(completed):
    """What the wizard accepts (a description of at most 4,000 characters typed in a
    textarea, one need per line) must not make the récapitulatif impossible to produce."""
    completed.purchase_request.description = "Besoin détaillé, une ligne par article\n" * 100
    assert len(completed.purchase_request.description) <= 4000
    content = render_case_summary(completed, attachments=list(completed.attachments.all()),
                                  issued_documents=[], events=case_timeline(case=completed))
    assert content.startswith(b"%PDF-")
    # Nothing is lost where the cell continues on the next page.
    assert "".join(page_texts(content)).count("Besoin détaillé, une ligne par article") == 100


def test_the_case_summary_lists_pieces_documents_and_history(signed, completed):
    attachment = completed.attachments.get()

    content = render_case_summary(completed, attachments=list(completed.attachments.all()),
                                  issued_documents=issued_documents_of(completed),
                                  events=case_timeline(case=completed))

    text = "".join(page_texts(content))
    assert attachment.original_name in text
    # The sha256 wraps in its narrow column; its beginning is always on the first line.
    assert attachment.sha256[:16] in text
    assert signed.sha256[:16] in text
    assert signed.signer_name in text
    assert completed.reference in text
    assert "Bon de commande sign" in text  # the signature event of the history
    assert completed.purchase_request.ej_number in text


# --- layout helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234567.5"), f"1{NBSP}234{NBSP}567,50{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("999.995"), f"1{NBSP}000,00{NBSP}€"),
        (Decimal("0.005"), f"0,01{NBSP}€"),
        (Decimal("-1234.5"), f"-1{NBSP}234,50{NBSP}€"),
        (Decimal("100"), f"100,00{NBSP}€"),
    ],
)
def test_fr_money(value, expected):
    assert fr_money(value) == expected


def test_fr_number_and_quantity():
    assert fr_number(Decimal("5.5")) == "5,50"
    assert fr_number(20) == "20,00"
    assert fr_number(Decimal("1234"), 0) == f"1{NBSP}234"
    assert fr_quantity(Decimal("2.500")) == "2,5"
    assert fr_quantity(Decimal("3.000")) == "3"
    assert fr_quantity(Decimal("1250.125")) == f"1{NBSP}250,125"


@pytest.mark.parametrize(
    ("iban", "expected"),
    [
        ("FR7630006000011234567890189", "**** **** **** **** **** ***0 189"),
        ("FR76 3000 6000 0112 3456 7890 189", "**** **** **** **** **** ***0 189"),
        ("fr7630006000011234567890189", "**** **** **** **** **** ***0 189"),
        ("DE89370400440532013000", "**** **** **** **** **30 00"),
        ("1234", "1234"),
        ("", ""),
    ],
)
def test_mask_iban_shows_only_the_last_four_characters(iban, expected):
    masked = mask_iban(iban)
    assert masked == expected
    compact = "".join(iban.split()).upper()
    assert masked.replace(" ", "").endswith(compact[-4:])
    if len(compact) > 4:
        assert compact[:-4] not in masked.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Équipe d'été — 12 €", "Équipe d'été — 12 €"),  # cp1252 is kept as is
        ("a\x00b\x07c\x1bd", "abcd"),  # control characters are dropped
        ("ligne 1\nligne 2\tfin", "ligne 1\nligne 2\tfin"),
        ("fin\r\n", "fin\n"),
        ("sens\u202einversé\u200b", "sensinversé"),  # format characters are dropped
        ("Łódź Dvořák Erdős", "?ódz Dvorák Erdos"),  # base letters kept when there is one
        ("café 😀 漢字", "café ? ??"),
        (None, ""),
        (42, "42"),
    ],
)
def test_pdf_text_makes_any_input_drawable(value, expected):
    result = pdf_text(value)
    assert result == expected
    result.encode("cp1252")
