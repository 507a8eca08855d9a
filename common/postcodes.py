"""French postcodes and commune names as La Poste writes them: shared by the supplier checks
(kinds/tiers) and the catalogue's address fields (forms_catalog)."""

import re
import unicodedata


def normalised_commune(name: str) -> str:
    """Commune names as La Poste writes them: no accents, upper case, SAINT in full, no
    CEDEX nor arrondissement number (Paris, Lyon and Marseille are written « PARIS 11 »)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    text = re.sub(r"[^A-Z0-9]+", " ", text).strip()
    text = re.sub(r"\bCEDEX( [0-9]+)?$", "", text).strip()
    text = re.sub(r"\bSTE\b", "SAINTE", re.sub(r"\bST\b", "SAINT", text))
    return re.sub(r" [0-9]{1,2}$", "", text)


def postcode_department_known(postcode: str) -> bool:
    department = int(postcode[:2])
    if department == 0 or department > 98 or department == 96:
        return False
    if department == 97:
        return postcode[2] in "12345678"  # 971 Guadeloupe … 976 Mayotte … 978 Saint-Martin
    if department == 98:
        return postcode[2] in "46789"
    return True
