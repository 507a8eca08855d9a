"""Whether a signatory can sign now, read without pyHanko.

The case page says before anyone clicks « Signer » whether their certificate is missing,
unreadable, expired or not yet valid. Importing pyHanko (documents/signing.py) for that
took 3 to 4.5 s in each fresh web worker (gunicorn loads the portal once, without pyHanko,
which only the signing task and the signing action need): the page that follows the
completion of a purchase request was the one paying it. Here the certificate's validity is
read with `cryptography` alone, once per credential file and process.
"""

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


class SigningUnavailable(Exception):
    """The user cannot sign now; the message says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def unreadable() -> SigningUnavailable:
    return SigningUnavailable(_("Votre certificat de signature ne peut pas être lu (fichier ou "
                                "phrase de passe incorrects). Contactez l'administrateur du "
                                "portail."))


def credentials_dir() -> Path:
    return Path(settings.SIGNING_CREDENTIALS_DIR)


def credential_paths(username: str) -> tuple[Path, Path]:
    """The user's `<username>.p12` and `<username>.pass`."""
    if not username or Path(username).name != username or username.startswith("."):
        raise SigningUnavailable(_("Aucun certificat de signature n'est configuré pour votre "
                                   "compte."))
    directory = credentials_dir()
    return directory / f"{username}.p12", directory / f"{username}.pass"


def credential_stamp(key_path: Path) -> tuple[int, int]:
    """What tells a credential file changed (its cached reading is then stale)."""
    try:
        stat = key_path.stat()
    except FileNotFoundError as exc:
        raise SigningUnavailable(_("Aucun certificat de signature n'est configuré pour votre "
                                   "compte. Demandez-en un à l'administrateur du portail "
                                   "avant de signer.")) from exc
    return (stat.st_mtime_ns, stat.st_size)


def passphrase_of(passphrase_path: Path) -> bytes | None:
    try:
        return passphrase_path.read_bytes().strip() or None
    except FileNotFoundError:
        return None


def check_validity(not_before: datetime, not_after: datetime, at: datetime | None) -> None:
    now = at or datetime.now(UTC)
    if now < not_before:
        raise SigningUnavailable(_("Votre certificat de signature n'est pas encore valide."))
    if now > not_after:
        raise SigningUnavailable(_("Votre certificat de signature a expiré le %(date)s. "
                                   "Demandez son renouvellement.") % {
            "date": timezone.localtime(not_after).strftime("%d/%m/%Y")})


@dataclass(frozen=True)
class Validity:
    not_before: datetime
    not_after: datetime


class PerFileCache:
    """What `load(key_path, passphrase_path)` made of a credential file, kept once per process
    and made again when the file changes (its stamp): the validity read here, the signer in
    documents/signing.py."""

    def __init__(self, load):
        self._load = load
        self._entries: dict[Path, tuple[tuple, object]] = {}
        self._lock = threading.Lock()

    def get(self, key_path: Path, passphrase_path: Path):
        stamp = credential_stamp(key_path)
        with self._lock:
            cached = self._entries.get(key_path)
            if cached is None or cached[0] != stamp:
                cached = (stamp, self._load(key_path, passphrase_path))
                self._entries[key_path] = cached
        return cached[1]


def _read_validity(key_path: Path, passphrase_path: Path) -> Validity:
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(
            key_path.read_bytes(), passphrase_of(passphrase_path))
    except (OSError, ValueError, TypeError) as exc:
        raise unreadable() from exc
    if key is None or cert is None:
        raise unreadable()
    return Validity(cert.not_valid_before_utc, cert.not_valid_after_utc)


_validities = PerFileCache(_read_validity)


def signing_problem(user, *, at: datetime | None = None) -> str | None:
    """Why `user` cannot sign now (in French), or None when their credential is usable."""
    try:
        validity = _validities.get(*credential_paths(user.get_username()))
        check_validity(validity.not_before, validity.not_after, at)
    except SigningUnavailable as exc:
        return exc.message
    return None
