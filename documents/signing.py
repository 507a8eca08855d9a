"""PAdES signatures with pyHanko, with each signatory's own PKCS#12 credentials.

A signatory's credentials are two files in `settings.SIGNING_CREDENTIALS_DIR`:
`<username>.p12` (key and certificate chain) and `<username>.pass` (its passphrase).
They are loaded once per process and reused: the PKCS#12 key derivation is deliberately
slow (it protects the key at rest), and pyHanko would otherwise re-parse the key and
rebuild the constant signed attributes for every document.
"""

import asyncio
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash, simple_cms_attribute
from pyhanko.stamp import TextStampStyle

# What the case page reads without pyHanko (documents/credentials.py), re-exported here.
from .credentials import (  # noqa: F401 (SigningUnavailable, credentials_dir: re-exported)
    PerFileCache,
    SigningUnavailable,
    check_validity,
    credential_paths,
    credential_stamp,
    credentials_dir,
    passphrase_of,
    unreadable,
)

# Room reserved in the PDF for the CMS signature: a 2048–4096-bit RSA signature with a
# three-certificate chain fits in well under half of it. Fixing it spares pyHanko a dry-run
# signature per document to estimate the size.
SIGNATURE_BYTES_RESERVED = 16384
FIELD_NAME = "Signature"
# Signed attributes that depend only on the certificate and the digest algorithm.
CONSTANT_SIGNED_ATTRIBUTES = frozenset({"signing_certificate_v2", "cms_algorithm_protection"})
PER_DOCUMENT_SIGNED_ATTRIBUTES = frozenset({"content_type", "message_digest"})

STAMP = TextStampStyle(
    stamp_text="Signé électroniquement par\n%(signer)s\n%(role)s\nle %(date)s",
    text_box_style=TextBoxStyle(font_size=7),
    border_width=1,
)
METADATA = signers.PdfSignatureMetadata(
    field_name=FIELD_NAME,
    md_algorithm="sha256",
    subfilter=fields.SigSeedSubFilter.PADES,
)


class ReusableSigner(signers.SimpleSigner):
    """A SimpleSigner that parses its private key once and reuses its constant attributes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._private_key = serialization.load_der_private_key(self.signing_key.dump(),
                                                               password=None)
        self._constant_attributes: dict[tuple, list[bytes] | None] = {}

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(),
                                          get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)

    async def signed_attrs(self, data_digest, digest_algorithm, attr_settings=None,
                           content_type="data", use_pades=False, timestamper=None,
                           dry_run=False, is_pdf_sig=True):
        key = (digest_algorithm, content_type, use_pades, is_pdf_sig)
        cacheable = timestamper is None and not dry_run
        cached = self._constant_attributes.get(key) if cacheable else None
        if cached is None:
            attributes = await super().signed_attrs(
                data_digest, digest_algorithm, attr_settings=attr_settings,
                content_type=content_type, use_pades=use_pades, timestamper=timestamper,
                dry_run=dry_run, is_pdf_sig=is_pdf_sig)
            types = {attribute["type"].native for attribute in attributes}
            # Reuse only when nothing but the digest varies from one document to the next.
            if cacheable and types <= CONSTANT_SIGNED_ATTRIBUTES | PER_DOCUMENT_SIGNED_ATTRIBUTES:
                self._constant_attributes[key] = [
                    attribute.dump() for attribute in attributes
                    if attribute["type"].native in CONSTANT_SIGNED_ATTRIBUTES]
            return attributes
        return cms.CMSAttributes([
            simple_cms_attribute("content_type", content_type),
            simple_cms_attribute("message_digest", data_digest),
            *(cms.CMSAttribute.load(der) for der in cached),
        ])


@dataclass(frozen=True)
class Credential:
    signer: ReusableSigner
    name: str
    fingerprint: str
    not_before: datetime
    not_after: datetime


def _load(key_path: Path, passphrase_path: Path) -> Credential:
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(key_path.read_bytes(), other_certs=(),
                                                       passphrase=passphrase_of(passphrase_path))
    except (OSError, ValueError, TypeError) as exc:
        raise unreadable() from exc
    if loaded is None:
        raise unreadable()
    signer = ReusableSigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                            cert_registry=loaded.cert_registry)
    cert = signer.signing_cert
    validity = cert["tbs_certificate"]["validity"]
    return Credential(
        signer=signer,
        name=cert.subject.native.get("common_name", cert.subject.human_friendly),
        fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
    )


_credentials = PerFileCache(_load)


def credential_for(user, *, at: datetime | None = None) -> Credential:
    """The user's signing credential, loaded once per process (reloaded if the file changes)."""
    credential = _credentials.get(*credential_paths(user.get_username()))
    check_validity(credential.not_before, credential.not_after, at)
    return credential


def sign_pdf(content: bytes, *, credential: Credential, page: int,
             box: tuple[int, int, int, int], role: str, signed_at: datetime) -> bytes:
    """Sign `content` (PAdES B-B) with a visible stamp in `box` on page `page`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    pdf_signer = signers.PdfSigner(
        METADATA, signer=credential.signer, stamp_style=STAMP,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box),
    )
    params = {"role": role, "date": timezone.localtime(signed_at).strftime("%d/%m/%Y %H:%M")}
    # One event loop per call: callers may run in threads (django-q2 workers, tests).
    output = asyncio.run(pdf_signer.async_sign_pdf(
        writer, bytes_reserved=SIGNATURE_BYTES_RESERVED, appearance_text_params=params))
    return output.getvalue()
