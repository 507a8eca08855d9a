"""Streaming import of La Poste's "base officielle des codes postaux" (CSV, ";"-separated),
used to check that a French supplier's postcode serves its commune.

Both layouts La Poste has published are read (`#Code_commune_INSEE;Nom_commune;Code_postal;
Ligne_5;Libellé_d_acheminement` and `code_commune_insee;nom_de_la_commune;code_postal;
libelle_d_acheminement;ligne_5`); rows already known are left as they are, so a re-import
changes nothing.
"""

import csv
import io
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import reset_queries, transaction

from .models import PostalCode

BATCH = 5000
COLUMNS = {
    "code_commune_insee": "insee_code",
    "nom_commune": "commune",
    "nom_de_la_commune": "commune",
    "code_postal": "postcode",
    "libelle_d_acheminement": "delivery_label",
}
POSTCODE_RE = re.compile(r"^[0-9]{5}$")


class PostcodeFormatError(ValueError):
    """Not La Poste's file; the message says why, in French."""


@dataclass
class PostcodeReport:
    rows: int = 0
    skipped: int = 0
    created: int = 0
    seconds: float = 0.0


def _column(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.strip().lstrip("#"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return COLUMNS.get(re.sub(r"[^a-z0-9]+", "_", text).strip("_"), "")


def _flush(batch: list[PostalCode]) -> None:
    if batch:
        with transaction.atomic():
            PostalCode.objects.bulk_create(batch, ignore_conflicts=True)
        batch.clear()
        reset_queries()


def import_postcodes(path: Path, *, progress: Callable[[int, int], None] | None = None
                     ) -> PostcodeReport:
    report = PostcodeReport()
    before = PostalCode.objects.count()
    started = time.monotonic()
    total = path.stat().st_size
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="replace")
        reader = csv.reader(text, delimiter=";")
        header = [_column(name) for name in next(reader, [])]
        missing = {"insee_code", "commune", "postcode"} - set(header)
        if missing:
            raise PostcodeFormatError(
                "Ce fichier n'est pas la base officielle des codes postaux de La Poste "
                "(colonnes code_commune_insee, nom_de_la_commune, code_postal attendues).")
        batch: list[PostalCode] = []
        for row in reader:
            report.rows += 1
            values = {key: value.strip() for key, value in zip(header, row, strict=False)
                      if key}
            if (not POSTCODE_RE.match(values.get("postcode", ""))
                    or not values.get("commune") or not values.get("insee_code")):
                report.skipped += 1
                continue
            batch.append(PostalCode(postcode=values["postcode"],
                                    insee_code=values["insee_code"][:5],
                                    commune=values["commune"][:100],
                                    delivery_label=values.get("delivery_label", "")[:100]))
            if len(batch) >= BATCH:
                _flush(batch)
                if progress:
                    progress(raw.tell(), total)
        _flush(batch)
        if progress:
            progress(total, total)
    report.created = PostalCode.objects.count() - before
    report.seconds = time.monotonic() - started
    return report
