"""Whether a purchase request's budget imputations hold together.

The referential (BudgetImputation) keeps Chorus codes per prescribing service and axis; the
budget programme is not a field of its own but the head of the code, as Chorus writes it: a
centre financier is « PPPP-BOP-UO » (0206-DR51-DR51), an activité twelve digits whose first
four are the programme (020601010101). A cost centre (AGRDRAAF01) or a fonds de concours
(1-2-00187) does not name a programme: for those only the service's referential counts.

One function says what clashes, used by the wizard's form (errors beside the fields) and by
the services that fill and submit a request (so the API and any other caller are held to
it)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Four digits, then a dash (a centre financier) or eight more digits and the end (an activité).
PROGRAMME_CODE = re.compile(r"^(\d{4})(?:-|\d{8}$)")

AXES = ("financial_centre", "activity", "funds", "cost_centre")
# How a sentence names a value of each axis (« le centre financier 0206-… »).
NAMED = {
    "financial_centre": gettext_lazy("le centre financier %(code)s"),
    "cost_centre": gettext_lazy("le centre de coûts %(code)s"),
    "activity": gettext_lazy("l'activité %(code)s"),
    "funds": gettext_lazy("le fonds de concours %(code)s"),
}


@dataclass(frozen=True)
class Clash:
    field: str
    message: str


def programme_of(code: str) -> int | None:
    """The budget programme a Chorus code belongs to (206 for 0206-DR51-DR51), or None when
    the code does not name one."""
    match = PROGRAMME_CODE.match(code or "")
    return int(match.group(1)) if match else None


def _named(axis: str, imputation, *, first: bool = False) -> str:
    text = str(NAMED[axis]) % {"code": imputation.code}
    # Only the first letter: str.capitalize() would lower the code's letters.
    return text[:1].upper() + text[1:] if first else text


def imputation_clashes(service, **imputations) -> list[Clash]:
    """What is wrong with the imputations chosen for a request of `service` (keyword per
    axis: financial_centre, cost_centre, activity, funds; None when not chosen), as French
    messages naming the clash, at most one per field. Missing required axes are the form's
    business (and the fill service's): they are skipped here."""
    clashes = []
    chosen = {axis: imputations.get(axis) for axis in AXES if imputations.get(axis)}
    for axis, imputation in chosen.items():
        if (imputation.service_id != service.pk or imputation.axis != axis
                or not imputation.active):
            clashes.append(Clash(axis, _("%(value)s n'appartient pas au référentiel en "
                                         "vigueur du service %(service)s.")
                                 % {"value": _named(axis, imputation, first=True),
                                    "service": service.code}))
    wrong = {clash.field for clash in clashes}
    # The first axis naming a programme sets it (the centre financier when it does); every
    # other one naming a programme must name the same.
    reference = None
    for axis, imputation in chosen.items():
        programme = programme_of(imputation.code)
        if programme is None or axis in wrong:
            continue
        if reference is None:
            reference = (axis, imputation, programme)
            continue
        ref_axis, ref_imputation, ref_programme = reference
        if programme != ref_programme:
            clashes.append(Clash(axis, _(
                "%(first)s relève du programme %(first_programme)s mais %(second)s du "
                "programme %(second_programme)s : choisissez des imputations d'un même "
                "programme.") % {
                "first": _named(ref_axis, ref_imputation, first=True),
                "first_programme": ref_programme, "second": _named(axis, imputation),
                "second_programme": programme}))
    return clashes
