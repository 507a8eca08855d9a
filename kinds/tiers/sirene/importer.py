"""Streaming import of an INSEE StockEtablissement extract (CSV), in constant memory.

Rows are read one at a time and written by batches with an upsert on the SIRET, so a
re-import of the same file changes nothing and a newer extract updates what changed.
"""

import csv
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import reset_queries, transaction

from .models import Establishment

BATCH = 5000
SIRET_RE = re.compile(r"^[0-9]{14}$")
REQUIRED_COLUMNS = ("siret", "etatAdministratifEtablissement")
# The register splits names and addresses over many columns; the first non-empty one wins.
NAME_COLUMNS = ("denomination", "denominationUniteLegale", "denominationUsuelleEtablissement",
                "enseigne1Etablissement")
ADDRESS_COLUMNS = ("numeroVoieEtablissement", "indiceRepetitionEtablissement",
                   "typeVoieEtablissement", "libelleVoieEtablissement")
UPDATED_FIELDS = ["siren", "name", "address", "postcode", "city", "state", "last_processed"]


class SireneFormatError(ValueError):
    """The file is not a StockEtablissement extract; the message says why, in French."""


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    skipped: int = 0
    created: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _establishment(row: dict) -> Establishment | None:
    siret = (row.get("siret") or "").strip()
    state = (row.get("etatAdministratifEtablissement") or "").strip().upper()
    if not SIRET_RE.match(siret) or state not in Establishment.State.values:
        return None
    name = next((row[c].strip() for c in NAME_COLUMNS if (row.get(c) or "").strip()), "")
    address = " ".join(row[c].strip() for c in ADDRESS_COLUMNS if (row.get(c) or "").strip())
    city = (row.get("libelleCommuneEtablissement") or row.get("libelleCommuneEtrangerEtablissement")
            or "").strip()
    return Establishment(
        siret=siret, siren=(row.get("siren") or siret[:9]).strip()[:9], name=name[:300],
        address=address[:300], postcode=(row.get("codePostalEtablissement") or "").strip()[:10],
        city=city[:100], state=state,
        last_processed=(row.get("dateDernierTraitementEtablissement") or "").strip()[:30],
    )


def _rows(handle) -> Iterator[dict]:
    reader = csv.DictReader(handle)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SireneFormatError(
            "Ce fichier n'est pas un extrait StockEtablissement : colonne(s) manquante(s) "
            + ", ".join(missing) + ".")
    yield from reader


def _flush(batch: list[Establishment], report: ImportReport) -> None:
    if not batch:
        return
    with transaction.atomic():
        Establishment.objects.bulk_create(batch, update_conflicts=True,
                                          unique_fields=["siret"], update_fields=UPDATED_FIELDS)
    report.written += len(batch)
    batch.clear()
    # Under DEBUG, Django keeps every SQL statement (here ~1 MB each): drop them.
    reset_queries()


def import_file(path: Path, *, progress: Callable[[int, int], None] | None = None
                ) -> ImportReport:
    """Import `path`; `progress(bytes_read, total_bytes)` is called after each batch."""
    report = ImportReport()
    before = Establishment.objects.count()
    started = time.monotonic()
    total = path.stat().st_size
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="replace")
        batch: list[Establishment] = []
        for row in _rows(text):
            report.rows += 1
            establishment = _establishment(row)
            if establishment is None:
                report.skipped += 1
                continue
            batch.append(establishment)
            if len(batch) >= BATCH:
                _flush(batch, report)
                if progress:
                    progress(raw.tell(), total)
        _flush(batch, report)
        if progress:
            progress(total, total)
    report.created = Establishment.objects.count() - before
    report.seconds = time.monotonic() - started
    return report
