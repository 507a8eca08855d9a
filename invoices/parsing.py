"""One line of a Chorus Pro invoice extract, read as Chorus Pro and spreadsheets write it:
French decimals (« 1 234,56 »), dd/mm/yyyy dates, statuses as codes or labels. Each reader
returns the value or raises LineError with the French reason the import report shows."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.identifiers import clean_siret

from .models import InvoiceStatus

EARLIEST = date(2000, 1, 1)
MAX_AMOUNT = Decimal("999999999999.99")  # the columns' 14 digits
AMOUNT_RE = re.compile(r"^[0-9]+(\.[0-9]{1,2})?\Z")
EJ_RE = re.compile(r"^[0-9]{10}\Z")
MAX_NUMBER_LENGTH = 60

# Canonical column -> the headers accepted for it (compared without accents, case, spaces).
COLUMNS = {
    "number": ("numero de facture", "n facture", "numero facture", "facture", "invoice number"),
    "supplier_siret": ("siret fournisseur", "siret du fournisseur", "identifiant fournisseur",
                       "siret"),
    "ej_number": ("numero ej", "n ej", "ej", "engagement juridique",
                  "numero d engagement juridique", "numero de bon de commande"),
    "amount_ht": ("montant ht", "montant hors taxes", "total ht"),
    "amount_ttc": ("montant ttc", "montant toutes taxes comprises", "total ttc"),
    "received_on": ("date de reception", "date reception", "date de depot", "recue le"),
    "status": ("statut", "statut de la facture", "etat"),
}


class LineError(ValueError):
    """A line that cannot be imported; str() is the French reason."""


def plain(text: str) -> str:
    """Without accents, lower case, words separated by one space: how headers and statuses
    are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


HEADER_OF = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
STATUS_OF = {**{plain(value): value for value in InvoiceStatus.values},
             **{plain(str(label)): value for value, label in InvoiceStatus.choices}}


def column_map(header: list[str]) -> dict[str, int]:
    """{canonical column: index}; ValueError (French) naming the missing columns."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = HEADER_OF.get(plain(name))
        if column and column not in found:
            found[column] = index
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        raise ValueError(_("Ce fichier n'est pas un extrait de factures Chorus Pro : colonne(s) "
                           "manquante(s) : %(columns)s.")
                         % {"columns": ", ".join(COLUMNS[c][0] for c in missing)})
    return found


def read_amount(text: str, label: str) -> Decimal:
    raw = (text or "").strip()
    compact = re.sub(r"[\s\u00a0\u202f€]", "", raw)
    if "," in compact and "." in compact:
        # The last one is the decimal mark, the other groups thousands.
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    if compact.startswith("-"):
        raise LineError(_("%(label)s négatif (« %(raw)s ») : les avoirs ne sont pas pris en "
                          "charge.") % {"label": label, "raw": raw[:30]})
    if not AMOUNT_RE.match(compact):
        raise LineError(_("%(label)s illisible (« %(raw)s ») : un montant en euros, deux "
                          "décimales au plus, est attendu.") % {"label": label, "raw": raw[:30]})
    try:
        amount = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern let through a number only
        raise LineError(_("%(label)s illisible.") % {"label": label}) from None
    if amount > MAX_AMOUNT:
        raise LineError(_("%(label)s hors limite (« %(raw)s »).")
                        % {"label": label, "raw": raw[:30]})
    return amount


def read_date(text: str, today: date) -> date:
    raw = (text or "").strip()
    day_part = raw.split(" ")[0].split("T")[0]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            value = datetime.strptime(day_part, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise LineError(_("Date de réception illisible (« %(raw)s ») : JJ/MM/AAAA attendu.")
                        % {"raw": raw[:30]})
    if value > today:
        raise LineError(_("Date de réception dans le futur (%(date)s).")
                        % {"date": value.strftime("%d/%m/%Y")})
    if value < EARLIEST:
        raise LineError(_("Date de réception trop ancienne (%(date)s).")
                        % {"date": value.strftime("%d/%m/%Y")})
    return value


def read_siret(text: str) -> str:
    try:
        return clean_siret((text or "").strip())
    except ValidationError as exc:
        raise LineError(_("SIRET du fournisseur invalide (« %(raw)s ») : %(why)s")
                        % {"raw": (text or "").strip()[:20], "why": exc.messages[0]}) from None


def read_ej(text: str) -> str:
    value = re.sub(r"\s", "", text or "")
    if not EJ_RE.match(value):
        raise LineError(_("Numéro d'EJ invalide (« %(raw)s ») : 10 chiffres attendus.")
                        % {"raw": (text or "").strip()[:20]})
    return value


def read_number(text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise LineError(_("Numéro de facture manquant."))
    if len(value) > MAX_NUMBER_LENGTH:
        raise LineError(_("Numéro de facture trop long (%(n)s caractères au plus).")
                        % {"n": MAX_NUMBER_LENGTH})
    return value


def read_status(text: str) -> str:
    value = STATUS_OF.get(plain(text))
    if value is None:
        raise LineError(_("Statut Chorus Pro inconnu (« %(raw)s »).")
                        % {"raw": (text or "").strip()[:40]})
    return value


@dataclass(frozen=True)
class InvoiceLine:
    line: int
    number: str
    supplier_siret: str
    ej_number: str
    amount_ht: Decimal
    amount_ttc: Decimal
    received_on: date
    status: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.supplier_siret, self.number)


def read_line(line: int, row: list[str], columns: dict[str, int], today: date) -> InvoiceLine:
    def cell(column: str) -> str:
        index = columns[column]
        return row[index] if index < len(row) else ""

    amount_ht = read_amount(cell("amount_ht"), _("Montant HT"))
    amount_ttc = read_amount(cell("amount_ttc"), _("Montant TTC"))
    if amount_ttc < amount_ht:
        raise LineError(_("Montant TTC (%(ttc)s) inférieur au montant HT (%(ht)s).")
                        % {"ttc": amount_ttc, "ht": amount_ht})
    return InvoiceLine(
        line=line, number=read_number(cell("number")),
        supplier_siret=read_siret(cell("supplier_siret")), ej_number=read_ej(cell("ej_number")),
        amount_ht=amount_ht, amount_ttc=amount_ttc,
        received_on=read_date(cell("received_on"), today), status=read_status(cell("status")))
