"""documents.validation: an allow-list of formats recognised by their bytes, not their names."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen import canvas

from documents import validation
from documents.validation import check_upload, sanitise_name

CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Devis n° 42")
    pdf.save()
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format=fmt)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Libellé", "Quantité", "Prix"])
    workbook.active.append(["Ramette A4", 10, 4.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data, *stored in entries:
            archive.writestr(name, data,
                             compress_type=zipfile.ZIP_STORED if stored else compression)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes([
        ("[Content_Types].xml", CONTENT_TYPES_XML),
        ("word/document.xml", b'<?xml version="1.0"?><w:document '
                              b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                              b'2006/main"><w:body/></w:document>'),
    ])


def odf_bytes(mimetype: bytes) -> bytes:
    # The mimetype entry comes first and uncompressed, as the ODF specification requires.
    return zip_bytes([
        ("mimetype", mimetype, "stored"),
        ("content.xml", b'<?xml version="1.0"?><office:document-content '
                        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
        ("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>'),
    ])


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        ("devis.pdf", pdf_bytes, "application/pdf"),
        ("plan.png", lambda: image_bytes("PNG"), "image/png"),
        ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("bpu.xlsx", xlsx_bytes,
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("note.docx", docx_bytes,
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("note.odt", lambda: odf_bytes(b"application/vnd.oasis.opendocument.text"),
         "application/vnd.oasis.opendocument.text"),
        ("tableau.ods", lambda: odf_bytes(b"application/vnd.oasis.opendocument.spreadsheet"),
         "application/vnd.oasis.opendocument.spreadsheet"),
        ("lignes.csv", lambda: "libellé;quantité\nRamette;10\n".encode(), "text/csv"),
        ("lignes-windows.csv", lambda: "libellé;quantité\r\nRamette;10\r\n".encode("cp1252"),
         "text/csv"),
    ],
)
def test_accepted_formats(name, build, content_type):
    content = build()

    checked = check_upload(upload(name, content))

    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.name == sanitise_name(name)


def test_the_file_is_rewound_after_the_check():
    uploaded = upload("devis.pdf", pdf_bytes())
    check_upload(uploaded)
    assert uploaded.read(5) == b"%PDF-"


# --- refused --------------------------------------------------------------------------------


def assert_refused(uploaded, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_upload(uploaded)
    assert info.value.code == code


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "page.htm", "script.js", "devis",
                                  "devis.pdf.exe", "image.svg", "archive.zip", "macro.xlsm"])
def test_extensions_outside_the_allow_list_are_refused(name):
    assert_refused(upload(name, pdf_bytes()), "extension")


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("image.png", pdf_bytes),  # PDF bytes named .png
        ("devis.pdf", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("devis.pdf", lambda: image_bytes("PNG")),
        ("photo.jpg", lambda: image_bytes("PNG")),
        ("plan.png", lambda: image_bytes("JPEG")),
        # A zip named .docx without the OOXML parts.
        ("note.docx", lambda: zip_bytes([("readme.txt", b"hello")])),
        ("note.docx", lambda: zip_bytes([("[Content_Types].xml", CONTENT_TYPES_XML)])),
        # A spreadsheet is not a text document, and the other way round.
        ("note.docx", xlsx_bytes),
        ("bpu.xlsx", docx_bytes),
        ("note.odt", lambda: odf_bytes(b"application/vnd.oasis.opendocument.spreadsheet")),
        ("note.odt", lambda: zip_bytes([("content.xml", b"<x/>")])),
        ("note.odt", docx_bytes),
        # Not a zip at all, or a truncated one.
        ("bpu.xlsx", pdf_bytes),
        ("bpu.xlsx", lambda: xlsx_bytes()[:200]),
        # CSV must be text: no binaries, no markup, no PDF.
        ("lignes.csv", lambda: b"a;b\x00c\n"),
        ("lignes.csv", lambda: b"  <html><body>hello</body></html>"),
        ("lignes.csv", pdf_bytes),
        ("lignes.csv", lambda: image_bytes("PNG")),
    ],
)
def test_content_not_matching_the_extension_is_refused(name, build):
    assert_refused(upload(name, build()), "content")


def test_an_empty_file_is_refused():
    assert_refused(upload("devis.pdf", b""), "empty")


def test_a_file_over_the_size_limit_is_refused(settings):
    content = pdf_bytes()
    settings.ATTACHMENT_MAX_BYTES = len(content) - 1
    assert_refused(upload("devis.pdf", content), "size")

    settings.ATTACHMENT_MAX_BYTES = len(content)
    assert check_upload(upload("devis.pdf", content)).size == len(content)


def test_a_zip_bomb_is_refused(monkeypatch):
    # 2 MiB of zeros compress to a few kilobytes: the declared size is what counts.
    bomb = zip_bytes([
        ("[Content_Types].xml", CONTENT_TYPES_XML),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", b"\x00" * (2 * 1024 * 1024)),
    ])
    assert len(bomb) < 50 * 1024
    assert check_upload(upload("bpu.xlsx", bomb)).size == len(bomb)

    monkeypatch.setattr(validation, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    assert_refused(upload("bpu.xlsx", bomb), "zip_bomb")


def test_a_real_xlsx_over_the_uncompressed_limit_is_refused(monkeypatch):
    monkeypatch.setattr(validation, "MAX_UNCOMPRESSED_BYTES", 100)
    assert_refused(upload("bpu.xlsx", xlsx_bytes()), "zip_bomb")


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\boot.ini.pdf", "boot.ini.pdf"),
        ("/var/www/devis.pdf", "devis.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("in\x07voice\r\n.pdf", "invoice.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # right-to-left override removed
        ("<script>.pdf", "_script_.pdf"),
        ("Devis ÉTÉ 2026.PDF", "Devis ÉTÉ 2026.pdf"),
        ("  .cache.pdf ", "cache.pdf"),
        ("..", "piece"),
        ("../", "piece"),
        ("", "piece"),
    ],
)
def test_sanitise_name(name, expected):
    assert sanitise_name(name) == expected


def test_sanitised_names_are_bounded():
    name = sanitise_name("x" * 300 + ".pdf")
    assert name == "x" * 100 + ".pdf"


def test_a_nul_byte_cannot_hide_the_real_extension():
    assert sanitise_name("devis.pdf\x00.exe") == "devis.pdf.exe"
    assert_refused(upload("devis.pdf\x00.exe", pdf_bytes()), "extension")
