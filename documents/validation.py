"""Upload checks: an allow-list of formats recognised by their bytes, not their names."""

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> content type served back
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}
# A compressed office file whose content expands beyond this is refused (zip bombs), and so
# is one that expands more than MAX_COMPRESSION_RATIO times once past RATIO_FLOOR_BYTES (real
# office files compress 5 to 30 times; a bomb of zeros a thousand times), or that holds more
# than MAX_ZIP_MEMBERS entries.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
# What makes a PDF or an image a polyglot a browser would run as a web page.
ACTIVE_MARKUP = (b"<html", b"<script", b"<!doctype html", b"<iframe", b"<svg", b"<body",
                 b"<object", b"<embed")
MARKUP_CHECKED = {".pdf", ".png", ".jpg", ".jpeg"}
ODF_MIMETYPES = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
OOXML_MAIN_PART = {".docx": "word/", ".xlsx": "xl/"}


def accepted_formats() -> list[str]:
    """The formats of ALLOWED as people name them (".jpg" and ".jpeg" are one: JPEG), in the
    allow-list's order: every text that lists them derives from ALLOWED, never by hand."""
    names: list[str] = []
    for ext, content_type in ALLOWED.items():
        name = "JPEG" if content_type == "image/jpeg" else ext.lstrip(".").upper()
        if name not in names:
            names.append(name)
    return names


def accepted_formats_text() -> str:
    """« PDF, PNG, JPEG, … ou CSV »."""
    names = accepted_formats()
    if len(names) == 1:
        return names[0]
    return _("%(list)s ou %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def max_size_text() -> str:
    """The upload size limit as people read it (« 20,0 Mo »)."""
    return filesizeformat(settings.ATTACHMENT_MAX_BYTES)


def upload_help_text(lead: str = "") -> str:
    """The help text of a file input: what it takes (formats, size), after an optional lead
    sentence saying what to attach. The one source of that text for every file input."""
    takes = _("Formats acceptés : %(formats)s ; %(max)s au plus par fichier.") % {
        "formats": accepted_formats_text(), "max": max_size_text()}
    return f"{lead} {takes}" if lead else takes


def accept_attribute() -> str:
    """The file input's `accept` list (the browser's file picker shows these first)."""
    return ",".join(ALLOWED)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


def sanitise_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w.\- ()]", "_", name).strip(" .")
    stem, ext = os.path.splitext(name)
    return (stem[:100] or "piece") + ext.lower()[:10]


def _head(uploaded, size=8192) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(size)
    uploaded.seek(0)
    return head


class ZipBomb(Exception):
    """The archive expands far beyond what an office file does."""


def _inflate_within(archive, infos, budget: int) -> None:
    """Inflate every member for real (their declared sizes may lie), stopping as soon as the
    total passes `budget`; zipfile checks each member's CRC on the way."""
    total = 0
    for info in infos:
        with archive.open(info) as member:
            while chunk := member.read(1 << 20):
                total += len(chunk)
                if total > budget:
                    raise ZipBomb


def _check_zip(uploaded, ext: str) -> bool:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            compressed = max(sum(info.compress_size for info in infos), 1)
            if (len(infos) > MAX_ZIP_MEMBERS or declared > MAX_UNCOMPRESSED_BYTES
                    or (declared > RATIO_FLOOR_BYTES
                        and declared > MAX_COMPRESSION_RATIO * compressed)):
                raise ZipBomb
            _inflate_within(archive, infos, min(
                MAX_UNCOMPRESSED_BYTES, max(RATIO_FLOOR_BYTES, MAX_COMPRESSION_RATIO * compressed)))
            names = {info.filename for info in infos}
            if ext in ODF_MIMETYPES:
                declared_type = archive.read("mimetype").strip() if "mimetype" in names else b""
                return declared_type == ODF_MIMETYPES[ext]
            return "[Content_Types].xml" in names and any(
                n.startswith(OOXML_MAIN_PART[ext]) for n in names
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError,
            NotImplementedError, EOFError, RuntimeError):
        return False
    finally:
        uploaded.seek(0)


def _holds_active_markup(uploaded) -> bool:
    """True when the file carries HTML/script markup anywhere (a PDF/HTML polyglot)."""
    overlap = max(len(marker) for marker in ACTIVE_MARKUP)
    tail = b""
    uploaded.seek(0)
    try:
        for chunk in uploaded.chunks():
            window = (tail + chunk).lower()
            if any(marker in window for marker in ACTIVE_MARKUP):
                return True
            tail = window[-overlap:]
    finally:
        uploaded.seek(0)
    return False


def _bytes_match(uploaded, ext: str) -> bool:
    head = _head(uploaded)
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if ext in ODF_MIMETYPES or ext in OOXML_MAIN_PART:
        return head.startswith(b"PK\x03\x04") and _check_zip(uploaded, ext)
    if ext == ".csv":
        if b"\x00" in head or head.lstrip().lower().startswith((b"<", b"%pdf")):
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is fine; elsewhere it is not.
            if exc.start < len(head) - 4:
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError:
                    return False
        return True
    return False


def check_upload(uploaded) -> CheckedUpload:
    """Validate an uploaded file; raise ValidationError with a French message."""
    name = sanitise_name(uploaded.name or "")
    ext = os.path.splitext(name)[1]
    if ext not in ALLOWED:
        raise ValidationError(
            _("Format non accepté. Formats autorisés : %(formats)s.")
            % {"formats": accepted_formats_text()},
            code="extension",
        )
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(max)s.") % {"max": max_size_text()},
            code="size",
        )
    try:
        matches = _bytes_match(uploaded, ext)
    except ZipBomb:
        raise ValidationError(
            _("Le fichier compressé est anormalement volumineux une fois décompressé : il est "
              "refusé."), code="zip_bomb") from None
    if not matches:
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension %(ext)s.") % {"ext": ext},
            code="content",
        )
    if ext in MARKUP_CHECKED and _holds_active_markup(uploaded):
        raise ValidationError(
            _("Le fichier contient du code de page web (HTML ou script) : il est refusé."),
            code="active_content")
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(name=name, content_type=ALLOWED[ext], size=uploaded.size,
                         sha256=digest.hexdigest())


def check_case_upload(uploaded, case) -> CheckedUpload:
    """check_upload, and refused when the very same file is already on the case."""
    from .selectors import find_duplicate

    checked = check_upload(uploaded)
    existing = find_duplicate(case, checked.sha256) if case is not None else None
    if existing is not None:
        raise ValidationError(_("Ce fichier est déjà joint à la demande (« %(name)s »).")
                              % {"name": existing.original_name}, code="duplicate")
    return checked
