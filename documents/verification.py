"""Checking a PDF someone hands us: its signatures, their integrity, whether we issued it."""

import hashlib
import io
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .models import IssuedDocument
from .selectors import issued_document_by_sha256

logger = logging.getLogger(__name__)


class NotAPdf(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer: str
    issuer: str
    signed_at: datetime | None
    # The signed bytes are unchanged and the cryptographic signature matches them.
    intact: bool
    # Nothing was added to the file after this signature.
    covers_whole_file: bool
    # The signer's certificate chains up to an authority the portal recognises.
    trusted: bool

    @property
    def valid(self) -> bool:
        return self.intact and self.covers_whole_file


@dataclass
class VerificationReport:
    sha256: str
    size: int
    signatures: list[SignatureCheck] = field(default_factory=list)
    issued: IssuedDocument | None = None

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def all_valid(self) -> bool:
        """Intact, untouched since signing, by an authority the portal recognises."""
        return self.signed and all(s.valid and s.trusted for s in self.signatures)

    @property
    def intact_but_unknown_authority(self) -> bool:
        return (self.signed and all(s.valid for s in self.signatures)
                and not all(s.trusted for s in self.signatures))


_roots_cache: dict[Path, tuple[tuple, list]] = {}
_roots_lock = threading.Lock()


def _trust_roots() -> list:
    path = Path(settings.SIGNING_TRUST_ROOTS)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return []
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _roots_lock:
        cached = _roots_cache.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, list(load_certs_from_pemder([str(path)])))
            _roots_cache[path] = cached
    return cached[1]


def _check(embedded, context: ValidationContext) -> SignatureCheck:
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as exc:  # a signature whose structure is broken is simply not valid
        logger.info("Signature illisible : %r", exc)
        return SignatureCheck(field_name=embedded.field_name or "", signer="?", issuer="?",
                              signed_at=None, intact=False, covers_whole_file=False,
                              trusted=False)
    cert = status.signing_cert
    subject = cert.subject.native if cert is not None else {}
    issuer = cert.issuer.native if cert is not None else {}
    return SignatureCheck(
        field_name=embedded.field_name or "",
        signer=subject.get("common_name") or (cert.subject.human_friendly if cert else "?"),
        issuer=issuer.get("common_name") or issuer.get("organization_name") or "?",
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
    )


def verify_pdf(content: bytes) -> VerificationReport:
    """Report on `content`; NotAPdf (with a French message) when it cannot be read as a PDF."""
    if not content:
        raise NotAPdf(_("Le fichier est vide."))
    if not content.lstrip()[:1024].startswith(b"%PDF-"):
        raise NotAPdf(_("Ce fichier n'est pas un PDF."))
    report = VerificationReport(sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    report.issued = issued_document_by_sha256(report.sha256)
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        report.signatures = [_check(embedded, context) for embedded in reader.embedded_signatures]
    except Exception as exc:  # pyHanko raises many kinds of errors on hostile input
        logger.info("PDF illisible soumis à la vérification : %r", exc)
        raise NotAPdf(_("Ce PDF est illisible ou endommagé : sa signature ne peut pas être "
                        "vérifiée.")) from exc
    return report
