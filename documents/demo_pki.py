"""A demonstration certificate authority and signatory credentials (never for production).

`seed_demo` calls this to give each demo signatory of a centre a PKCS#12 file in
`settings.SIGNING_CREDENTIALS_DIR`; the CA certificate becomes the portal's trust root so the
verification page recognises the demo signatures. Nothing here is committed to the repo.
"""

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from .signing import credentials_dir

CA_KEY_FILE = "demo-ca.key"
CA_CERT_FILE = "demo-ca.pem"
# Key stretching protects guessable passphrases; each credential's passphrase is 192 random
# bits written beside it, so OWASP's 600,000 rounds (~1 s to write and again to load each
# credential, 8 of them in the demo) bought no protection, only a slower `make demo`.
KDF_ROUNDS = 10_000


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _trust_roots_path() -> Path:
    return Path(settings.SIGNING_TRUST_ROOTS)


def demo_ca(directory: Path | None = None) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The demo CA, created on first use and reused afterwards. Only the CA of the
    configured credentials directory becomes a trust root of the portal."""
    trusted = directory is None
    directory = directory or credentials_dir()
    key_path, cert_path = directory / CA_KEY_FILE, directory / CA_CERT_FILE
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.now(UTC)
        subject = _name("AC de démonstration du portail CSP", "Portail CSP (démonstration)")
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=3650))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    roots = _trust_roots_path()
    pem = cert.public_bytes(serialization.Encoding.PEM)
    if trusted and (not roots.exists() or pem not in roots.read_bytes()):
        roots.parent.mkdir(parents=True, exist_ok=True)
        with roots.open("ab") as handle:
            handle.write(pem)
    return key, cert


def issue_credential(username: str, full_name: str, organisation: str, *,
                     directory: Path | None = None, valid_days: int = 730,
                     not_before: datetime | None = None,
                     kdf_rounds: int = KDF_ROUNDS) -> Path:
    """Write `<username>.p12` and `<username>.pass` for a signatory; return the .p12 path.

    The certificate is valid from `not_before` (default: yesterday) to `valid_days` from now.
    """
    ca_key, ca_cert = demo_ca(directory)
    directory = directory or credentials_dir()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    not_before = not_before or now - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(full_name, organisation)).issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(24).encode()
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(kdf_rounds)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    p12_path = directory / f"{username}.p12"
    _write_private(directory / f"{username}.pass", passphrase)
    _write_private(p12_path, pkcs12.serialize_key_and_certificates(
        username.encode(), key, cert, [ca_cert], encryption))
    return p12_path
