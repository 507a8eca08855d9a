"""Identifiers of suppliers, checked with python-stdnum, with messages that say what is wrong.

Each `clean_*` returns the compact form or raises a ValidationError whose French message
names the faulty part ("clé de contrôle SIRET invalide", not "invalid").
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic as std_bic
from stdnum import exceptions as std_errors
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.eu import vat as std_vat
from stdnum.fr import nir as std_nir
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

LA_POSTE_SIREN = "356000000"
OVERSEAS = ("GF", "GP", "MQ", "RE", "PM", "YT", "NC", "PF", "WF", "BL", "MF")
# Banks of the overseas territories have BICs of their territory (BNPARERX in Réunion) while
# their accounts have French IBANs (and some territories' IBAN codes meet French BICs).
BIC_COUNTRIES_FOR_IBAN = {
    "FR": {"FR", *OVERSEAS},
    "MC": {"MC", "FR"},
    **{code: {code, "FR"} for code in OVERSEAS},
}


def _digits(value: str, length: int, label: str) -> str:
    if not value.isdigit():
        raise ValidationError(_("Un %(label)s ne contient que des chiffres.") % {"label": label},
                              code="format")
    if len(value) != length:
        raise ValidationError(_("Un %(label)s comporte %(length)s chiffres (%(given)s saisis).")
                              % {"label": label, "length": length, "given": len(value)},
                              code="length")
    return value


def clean_siren(value: str) -> str:
    number = _digits(std_siren.compact(value or ""), 9, "SIREN")
    if not luhn.is_valid(number):
        raise ValidationError(_("Clé de contrôle SIREN invalide : vérifiez les 9 chiffres."),
                              code="checksum")
    return number


def clean_siret(value: str) -> str:
    number = _digits(std_siret.compact(value or ""), 14, "SIRET")
    try:
        std_siret.validate(number)
    except std_errors.ValidationError as exc:
        if number[:9] != LA_POSTE_SIREN and luhn.is_valid(number):
            # The whole number passes, its first 9 digits (the SIREN) do not.
            raise ValidationError(_("Clé de contrôle SIREN invalide : les 9 premiers chiffres "
                                    "ne forment pas un SIREN valide."), code="siren") from exc
        raise ValidationError(_("Clé de contrôle SIRET invalide : vérifiez les 14 chiffres."),
                              code="checksum") from exc
    return number


def clean_nir(value: str) -> str:
    number = std_nir.compact(value or "").upper()
    if len(number) != 15:
        raise ValidationError(_("Un numéro de sécurité sociale (NIR) comporte 15 caractères, "
                                "clé comprise (%(given)s saisis).") % {"given": len(number)},
                              code="length")
    try:
        std_nir.validate(number)
    except std_errors.InvalidChecksum as exc:
        raise ValidationError(_("Clé du NIR invalide : les 2 derniers chiffres ne correspondent "
                                "pas aux 13 premiers."), code="checksum") from exc
    except std_errors.ValidationError as exc:
        raise ValidationError(_("NIR mal formé : 13 chiffres (2A ou 2B pour la Corse) puis une "
                                "clé de 2 chiffres."), code="format") from exc
    return number


def clean_vat(value: str) -> str:
    number = "".join((value or "").split()).replace(".", "").replace("-", "").upper()
    country = number[:2]
    # stdnum lists ISO codes in lower case (Greece as "gr"), but Greek VAT numbers are
    # written "EL…"; Northern Ireland's are "XI…".
    if country.lower() not in std_vat.MEMBER_STATES and country != "EL":
        raise ValidationError(_("Numéro de TVA intracommunautaire : il commence par le code du "
                                "pays de l'Union (FR, DE, BE…)."), code="country")
    if country == "GR":
        # The EU writes Greek VAT numbers "EL…": one spelling, so duplicates are found.
        number, country = "EL" + number[2:], "EL"
    try:
        std_vat.validate(number)
    except std_errors.InvalidChecksum as exc:
        raise ValidationError(_("Numéro de TVA intracommunautaire %(country)s : clé de contrôle "
                                "invalide.") % {"country": country}, code="checksum") from exc
    except std_errors.ValidationError as exc:
        raise ValidationError(_("Numéro de TVA intracommunautaire %(country)s mal formé "
                                "(longueur ou caractères).") % {"country": country},
                              code="format") from exc
    return number


def vat_country(number: str) -> str:
    """The ISO country of a (clean) intra-EU VAT number: EL is Greece (GR), XI the UK."""
    prefix = number[:2].upper()
    return {"EL": "GR", "XI": "GB"}.get(prefix, prefix)


def _iban_expected_length(number: str) -> int | None:
    """From stdnum's IBAN registry: None for an unknown country code."""
    entry = std_iban._ibandb.info(number)[0][1]
    if not entry:
        return None
    # The BBAN structure reads like "5!n5!n11!c2!n": lengths of its parts.
    return 4 + sum(int(size) for size in re.findall(r"(\d+)!?[nac]", entry["bban"]))


def clean_iban(value: str) -> str:
    number = std_iban.compact(value or "")
    expected = _iban_expected_length(number) if len(number) >= 4 else None
    if expected is None:
        raise ValidationError(_("IBAN : le code pays %(country)s n'existe pas.")
                              % {"country": number[:2]}, code="country")
    if len(number) != expected:
        raise ValidationError(_("Un IBAN %(country)s comporte %(expected)s caractères "
                                "(%(given)s saisis).") % {"country": number[:2],
                                                          "expected": expected,
                                                          "given": len(number)},
                              code="length")
    try:
        std_iban.validate(number)
    except std_errors.InvalidChecksum as exc:
        raise ValidationError(_("Clé de contrôle IBAN invalide (les 2 chiffres après le code "
                                "pays) : vérifiez la saisie."), code="checksum") from exc
    except std_errors.ValidationError as exc:
        raise ValidationError(_("IBAN mal formé : 2 lettres de pays, 2 chiffres de clé puis le "
                                "numéro de compte."), code="format") from exc
    return number


def clean_bic(value: str, *, iban: str | None = None) -> str:
    number = std_bic.compact(value or "").upper()
    if not std_bic.is_valid(number):
        raise ValidationError(_("BIC invalide : 8 ou 11 caractères (banque, pays, ville, "
                                "agence)."), code="format")
    if iban:
        iban_country = iban[:2].upper()
        allowed = BIC_COUNTRIES_FOR_IBAN.get(iban_country, {iban_country})
        if number[4:6] not in allowed:
            raise ValidationError(_("Le BIC désigne une banque du pays %(bic)s alors que l'IBAN "
                                    "est de %(iban)s : vérifiez les coordonnées bancaires.")
                                  % {"bic": number[4:6], "iban": iban_country},
                                  code="country")
    return number


def mask(value: str) -> str:
    """All but the last 4 characters hidden, by groups of 4: how IBANs and NIRs are shown to
    anyone but the centre."""
    compact = "".join((value or "").split()).upper()
    if len(compact) <= 4:
        return compact
    shown = "*" * (len(compact) - 4) + compact[-4:]
    return " ".join(shown[i:i + 4] for i in range(0, len(shown), 4))
