"""Checks of a supplier's identity as a whole: the identifier its category needs, a French
postcode consistent with its commune, bank details consistent with each other.

`clean_identity()` is used by the wizard's steps and again by the service before anything
is written, so a request never reaches the centre with an inconsistent record.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django_countries import countries
from stdnum.eu import vat as std_vat

from cases.identifiers import (
    clean_bic,
    clean_iban,
    clean_nir,
    clean_siret,
    clean_vat,
    vat_country,
)
from cases.models import TiersCategory
from common.postcodes import normalised_commune, postcode_department_known

from .models import PostalCode

FRANCE = "FR"
EU_COUNTRIES = frozenset(code.upper() for code in std_vat.MEMBER_STATES if code != "xi")
NAMED_CATEGORIES = frozenset({TiersCategory.INDIVIDUAL, TiersCategory.AGENT})
SIRET_CATEGORIES = frozenset({TiersCategory.COMPANY, TiersCategory.PUBLIC_BODY})
POSTCODE_RE = re.compile(r"^[0-9]{5}\Z")


def needs_vat_number(country: str) -> bool:
    """A foreign supplier of the European Union is identified by its VAT number."""
    return country.upper() in EU_COUNTRIES - {FRANCE}




def check_french_postcode(postcode: str, city: str) -> str:
    """The postcode, or ValidationError({field: message}) when it does not exist or does not
    serve the commune (per La Poste's referential, where it has been imported)."""
    postcode = (postcode or "").replace(" ", "")
    if not POSTCODE_RE.match(postcode):
        raise ValidationError({"postcode": _("Un code postal français comporte 5 chiffres.")})
    if not postcode_department_known(postcode):
        raise ValidationError({"postcode": _("Ce code postal ne correspond à aucun "
                                             "département français.")})
    communes = list(PostalCode.objects.filter(postcode=postcode)
                    .values_list("commune", "delivery_label"))
    if communes:
        wanted = normalised_commune(city)
        if not any(wanted in {normalised_commune(commune), normalised_commune(label)}
                   for commune, label in communes):
            names = sorted({commune for commune, _label in communes})
            listed = ", ".join(names[:6]) + ("…" if len(names) > 6 else "")
            raise ValidationError({"city": _(
                "La commune ne correspond pas au code postal %(postcode)s (communes desservies : "
                "%(communes)s).") % {"postcode": postcode, "communes": listed}})
    return postcode


def display_name(category: str, name: str, last_name: str, first_name: str) -> str:
    if category in NAMED_CATEGORIES:
        return f"{last_name.strip().upper()} {first_name.strip()}".strip()
    return name.strip()


def clean_identity(data: dict) -> dict:
    """Every field of a supplier identity checked together; raises a ValidationError whose
    dict names each faulty field with a French message. Returns the cleaned values."""
    errors: dict[str, str] = {}
    cleaned = {key: (value.strip() if isinstance(value, str) else value)
               for key, value in data.items()}
    category = cleaned.get("category") or ""
    country = (cleaned.get("country") or FRANCE).upper()
    cleaned["country"] = country

    def check(field, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, messages[0])
            else:
                errors.setdefault(field, exc.messages[0])
            return None

    if category not in TiersCategory.values:
        errors["category"] = _("Choisissez la catégorie du tiers.")
    if country not in dict(countries):
        errors["country"] = _("Choisissez un pays de la liste.")
    if category == TiersCategory.FOREIGN and country == FRANCE:
        errors["country"] = _("Un fournisseur étranger a son adresse hors de France : sinon, "
                              "choisissez une autre catégorie.")
    elif category and category != TiersCategory.FOREIGN and country != FRANCE:
        errors["country"] = _("Une adresse hors de France : choisissez la catégorie "
                              "« Fournisseur étranger ».")

    if category in NAMED_CATEGORIES:
        for field, message in (("last_name", _("Indiquez le nom.")),
                               ("first_name", _("Indiquez le prénom."))):
            if not cleaned.get(field):
                errors[field] = message
    elif not cleaned.get("name"):
        errors["name"] = _("Indiquez la raison sociale.")
    cleaned["name"] = display_name(category, cleaned.get("name") or "",
                                   cleaned.get("last_name") or "",
                                   cleaned.get("first_name") or "")[:200]

    # Only the identifiers of the category are kept.
    for field in ("siret", "siren", "nir", "vat_number", "foreign_identifier"):
        cleaned.setdefault(field, "")
    identifiers = {"siret": None, "siren": "", "nir": "", "vat_number": "",
                   "foreign_identifier": ""}
    if category in SIRET_CATEGORIES:
        if not cleaned["siret"]:
            errors["siret"] = _("Le SIRET est obligatoire pour cette catégorie.")
        else:
            siret = check("siret", clean_siret, cleaned["siret"])
            if siret:
                identifiers.update(siret=siret, siren=siret[:9])
        if cleaned["vat_number"]:
            identifiers["vat_number"] = check("vat_number", clean_vat,
                                              cleaned["vat_number"]) or ""
    elif category in NAMED_CATEGORIES:
        if not cleaned["nir"]:
            errors["nir"] = _("Le numéro de sécurité sociale (NIR) est obligatoire pour un "
                              "particulier ou un agent.")
        else:
            identifiers["nir"] = check("nir", clean_nir, cleaned["nir"]) or ""
    elif category == TiersCategory.FOREIGN and country != FRANCE:
        if needs_vat_number(country):
            if not cleaned["vat_number"]:
                errors["vat_number"] = _("Un fournisseur de l'Union européenne est identifié "
                                         "par son numéro de TVA intracommunautaire.")
            else:
                vat = check("vat_number", clean_vat, cleaned["vat_number"])
                if vat and vat_country(vat) != country:
                    errors["vat_number"] = _(
                        "Ce numéro de TVA est celui d'un autre pays (%(vat)s) que l'adresse "
                        "(%(country)s).") % {"vat": vat_country(vat), "country": country}
                identifiers["vat_number"] = vat or ""
        elif not cleaned["foreign_identifier"]:
            errors["foreign_identifier"] = _("Indiquez l'identifiant du fournisseur dans son "
                                             "pays (numéro d'entreprise, d'enregistrement…).")
        else:
            identifiers["foreign_identifier"] = cleaned["foreign_identifier"][:40]
    cleaned.update(identifiers)

    if not cleaned.get("address"):
        errors["address"] = _("Indiquez l'adresse (numéro et voie).")
    if not cleaned.get("city"):
        errors["city"] = _("Indiquez la commune.")
    if country == FRANCE:
        postcode = check("postcode", check_french_postcode, cleaned.get("postcode") or "",
                         cleaned.get("city") or "")
        if postcode:
            cleaned["postcode"] = postcode
    elif len(cleaned.get("postcode") or "") > 10:
        errors["postcode"] = _("Un code postal comporte au plus 10 caractères.")

    iban = None
    if not cleaned.get("iban"):
        errors["iban"] = _("L'IBAN est obligatoire.")
    else:
        iban = check("iban", clean_iban, cleaned["iban"])
        cleaned["iban"] = iban or cleaned["iban"]
    if not cleaned.get("bic"):
        errors["bic"] = _("Le BIC est obligatoire.")
    else:
        cleaned["bic"] = check("bic", clean_bic, cleaned["bic"], iban=iban) or cleaned["bic"]

    if not cleaned.get("email"):
        errors["email"] = _("Indiquez le courriel de contact du tiers.")
    else:
        check("email", validate_email, cleaned["email"])
        if "email" in errors:
            errors["email"] = _("Saisissez une adresse électronique valide (nom@domaine.fr).")
    if errors:
        raise ValidationError(errors)
    return cleaned
