"""Files left in storage by a transaction that rolled back after writing them (a signing
whose case change failed, an upload in a refused request): no row refers to them. Removed
once old enough that no transaction can still be about to commit them."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from cases.models import ExportJob

from .models import Attachment, IssuedDocument

# Folders of the storage whose files all belong to a row.
MANAGED = ("cases", "issued", "exports")
GRACE = timedelta(hours=1)


def _walk(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


BATCH = 1000


def _referenced(names: list[str]) -> set[str]:
    found = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    found |= set(IssuedDocument.objects.filter(file__in=names).values_list("file", flat=True))
    found |= set(ExportJob.objects.filter(file__in=names).values_list("file", flat=True))
    return found


def orphan_files_remove(*, storage=None, now=None) -> list[str]:
    """Remove the managed files no row refers to, older than GRACE; returns their names.
    Names are checked by batches, so memory stays flat whatever the number of files."""
    storage = storage or default_storage
    now = now or timezone.now()
    removed: list[str] = []
    batch: list[str] = []

    def flush():
        known = _referenced(batch)
        for name in batch:
            if name not in known:
                storage.delete(name)
                removed.append(name)
        batch.clear()

    for folder in MANAGED:
        for name in _walk(storage, folder):
            try:
                if now - storage.get_modified_time(name) < GRACE:
                    continue
            except (FileNotFoundError, NotImplementedError):
                continue
            batch.append(name)
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    return removed
