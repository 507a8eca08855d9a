"""The referentials catalogue fields are checked against.

The postcode referential (La Poste's "base officielle des codes postaux") belongs to the tiers
kind (kinds/tiers/models.PostalCode), which the core may not import: the kind registers a
lookup here in its AppConfig.ready(). Without one (or for a postcode the imported file does
not list — the demo imports a few communes only), a well-formed postcode of a French
département is accepted, as the tiers checks do.

Départements: the official list (COG), 2A/2B for Corsica and the five DROM 971–976.
Countries: django-countries' ISO 3166-1 list (already a dependency), named in French.
"""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import override

from common.postcodes import normalised_commune, postcode_department_known

PostcodeLookup = Callable[[str], list[str] | None]
_postcode_lookup: PostcodeLookup | None = None
POSTCODE_RE = re.compile(r"[0-9]{5}")


def register_postcode_lookup(lookup: PostcodeLookup) -> None:
    """`lookup(postcode)` -> the names of the communes it serves, or None when the
    referential does not know the postcode (then any commune is accepted)."""
    global _postcode_lookup
    _postcode_lookup = lookup


def communes_for(postcode: str) -> list[str] | None:
    """The communes a postcode serves per the referential; None: no referential says."""
    if _postcode_lookup is None:
        return None
    return _postcode_lookup(postcode) or None



def check_commune(postcode: str, commune: str) -> tuple[str | None, str | None]:
    """(postcode error, commune error) in French; (None, None) when they agree."""
    if not POSTCODE_RE.fullmatch(postcode):
        return _("Un code postal français comporte 5 chiffres."), None
    if not postcode_department_known(postcode):
        return _("Ce code postal ne correspond à aucun département français."), None
    communes = communes_for(postcode)
    if communes and normalised_commune(commune) not in {normalised_commune(c)
                                                        for c in communes}:
        names = sorted(set(communes))
        listed = ", ".join(names[:6]) + ("…" if len(names) > 6 else "")
        return None, _("Cette commune n'est pas desservie par le code postal %(postcode)s "
                       "(communes desservies : %(communes)s).") % {"postcode": postcode,
                                                                   "communes": listed}
    return None, None


DEPARTMENTS = (
    ("01", "Ain"), ("02", "Aisne"), ("03", "Allier"), ("04", "Alpes-de-Haute-Provence"),
    ("05", "Hautes-Alpes"), ("06", "Alpes-Maritimes"), ("07", "Ardèche"), ("08", "Ardennes"),
    ("09", "Ariège"), ("10", "Aube"), ("11", "Aude"), ("12", "Aveyron"),
    ("13", "Bouches-du-Rhône"), ("14", "Calvados"), ("15", "Cantal"), ("16", "Charente"),
    ("17", "Charente-Maritime"), ("18", "Cher"), ("19", "Corrèze"), ("2A", "Corse-du-Sud"),
    ("2B", "Haute-Corse"), ("21", "Côte-d'Or"), ("22", "Côtes-d'Armor"), ("23", "Creuse"),
    ("24", "Dordogne"), ("25", "Doubs"), ("26", "Drôme"), ("27", "Eure"),
    ("28", "Eure-et-Loir"), ("29", "Finistère"), ("30", "Gard"), ("31", "Haute-Garonne"),
    ("32", "Gers"), ("33", "Gironde"), ("34", "Hérault"), ("35", "Ille-et-Vilaine"),
    ("36", "Indre"), ("37", "Indre-et-Loire"), ("38", "Isère"), ("39", "Jura"),
    ("40", "Landes"), ("41", "Loir-et-Cher"), ("42", "Loire"), ("43", "Haute-Loire"),
    ("44", "Loire-Atlantique"), ("45", "Loiret"), ("46", "Lot"), ("47", "Lot-et-Garonne"),
    ("48", "Lozère"), ("49", "Maine-et-Loire"), ("50", "Manche"), ("51", "Marne"),
    ("52", "Haute-Marne"), ("53", "Mayenne"), ("54", "Meurthe-et-Moselle"), ("55", "Meuse"),
    ("56", "Morbihan"), ("57", "Moselle"), ("58", "Nièvre"), ("59", "Nord"), ("60", "Oise"),
    ("61", "Orne"), ("62", "Pas-de-Calais"), ("63", "Puy-de-Dôme"),
    ("64", "Pyrénées-Atlantiques"), ("65", "Hautes-Pyrénées"), ("66", "Pyrénées-Orientales"),
    ("67", "Bas-Rhin"), ("68", "Haut-Rhin"), ("69", "Rhône"), ("70", "Haute-Saône"),
    ("71", "Saône-et-Loire"), ("72", "Sarthe"), ("73", "Savoie"), ("74", "Haute-Savoie"),
    ("75", "Paris"), ("76", "Seine-Maritime"), ("77", "Seine-et-Marne"), ("78", "Yvelines"),
    ("79", "Deux-Sèvres"), ("80", "Somme"), ("81", "Tarn"), ("82", "Tarn-et-Garonne"),
    ("83", "Var"), ("84", "Vaucluse"), ("85", "Vendée"), ("86", "Vienne"),
    ("87", "Haute-Vienne"), ("88", "Vosges"), ("89", "Yonne"), ("90", "Territoire de Belfort"),
    ("91", "Essonne"), ("92", "Hauts-de-Seine"), ("93", "Seine-Saint-Denis"),
    ("94", "Val-de-Marne"), ("95", "Val-d'Oise"), ("971", "Guadeloupe"),
    ("972", "Martinique"), ("973", "Guyane"), ("974", "La Réunion"), ("976", "Mayotte"),
)
DEPARTMENT_NAMES = dict(DEPARTMENTS)


def department_label(code: str) -> str:
    name = DEPARTMENT_NAMES.get(code)
    return f"{code} — {name}" if name else code


def countries() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2 code, French name), sorted by name."""
    from django_countries import countries as iso

    with override("fr"):
        return sorted(((code, str(name)) for code, name in iso),
                      key=lambda country: normalised_commune(country[1]))


def country_label(code: str) -> str:
    from django_countries import countries as iso

    with override("fr"):
        return str(iso.name(code)) or code
