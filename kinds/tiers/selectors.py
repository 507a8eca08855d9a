"""Reads on supplier records: duplicates, masked display of bank and social security numbers,
and who may see them in full."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from cases.identifiers import mask
from cases.models import Case, Tiers
from cases.workflow import NOT_PENDING_STATES
from portal.models import CENTRE_ROLES
from portal.selectors import user_has_role

from .models import TiersChange, TiersRequest


@dataclass(frozen=True)
class Duplicate:
    reason: str
    tiers: Tiers | None = None
    case: Case | None = None

    @property
    def in_directory(self) -> bool:
        return self.tiers is not None


def _normalised_name(name: str) -> str:
    return " ".join((name or "").upper().split())


def _match_reasons(candidate, identity: dict) -> list[str]:
    reasons = []
    if identity.get("siret") and candidate.siret == identity["siret"]:
        reasons.append(_("même SIRET"))
    elif (identity.get("siren") and candidate.siren == identity["siren"]
          and _normalised_name(candidate.name) == _normalised_name(identity.get("name", ""))):
        reasons.append(_("même SIREN et même raison sociale"))
    if identity.get("iban") and candidate.iban == identity["iban"]:
        reasons.append(_("même IBAN"))
    if identity.get("nir") and candidate.nir == identity["nir"]:
        reasons.append(_("même NIR"))
    if identity.get("vat_number") and candidate.vat_number == identity["vat_number"]:
        reasons.append(_("même n° de TVA"))
    return reasons


def _lookup(identity: dict) -> Q:
    query = Q(pk__in=[])
    for field in ("siret", "siren", "iban", "nir", "vat_number"):
        if identity.get(field):
            query |= Q(**{field: identity[field]})
    return query


def tiers_duplicates(identity: dict, *, exclude_tiers: Tiers | None = None,
                     exclude_case: Case | None = None) -> list[Duplicate]:
    """Directory records and open requests that look like the same supplier: same SIRET,
    same SIREN and name, same IBAN (or same NIR or VAT number)."""
    found: list[Duplicate] = []
    records = Tiers.objects.filter(_lookup(identity))
    if exclude_tiers is not None:
        records = records.exclude(pk=exclude_tiers.pk)
    for record in records.order_by("name")[:20]:
        reasons = _match_reasons(record, identity)
        if reasons:
            found.append(Duplicate(reason=", ".join(reasons), tiers=record))
    requests = (TiersRequest.objects.filter(_lookup(identity))
                .exclude(case__state__in=NOT_PENDING_STATES).select_related("case"))
    if exclude_case is not None:
        requests = requests.exclude(case=exclude_case)
    if exclude_tiers is not None:
        # Another open request about the very record being modified is a duplicate too.
        requests = requests | (TiersRequest.objects.filter(tiers=exclude_tiers)
                               .exclude(case__state__in=NOT_PENDING_STATES)
                               .exclude(case=exclude_case).select_related("case"))
    for request in requests.distinct()[:20]:
        reasons = _match_reasons(request, identity)
        if exclude_tiers is not None and request.tiers_id == exclude_tiers.pk:
            reasons.insert(0, _("même tiers"))
        if reasons:
            found.append(Duplicate(reason=", ".join(reasons), case=request.case))
    return found


def may_see_bank_details(user, case: Case) -> bool:
    """Only the centre (agents, head, CST) sees IBANs and NIRs in full, on the case page."""
    return user_has_role(user, case.processing_centre, *CENTRE_ROLES)


def grouped(value: str) -> str:
    compact = "".join((value or "").split()).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def tiers_history(tiers: Tiers):
    return TiersChange.objects.filter(tiers=tiers).select_related("case", "actor")


def tiers_case_context(case: Case, user) -> dict:
    """What the case page shows of a tiers request: the requested record (bank and social
    security numbers in full for the centre only), what Sirene says of its SIRET, the
    duplicates and the record it modifies."""
    from django_countries import countries

    from kinds.tiers.sirene.selectors import sirene_check

    request = TiersRequest.objects.filter(case=case).select_related("tiers").first()
    if request is None:
        return {}
    centre = may_see_bank_details(user, case)
    context = {
        "tiers_request": request,
        "tiers_country": countries.name(request.country),
        "tiers_iban": grouped(request.iban) if centre else mask(request.iban),
        "tiers_nir": (request.nir if centre else mask(request.nir)) if request.nir else "",
        "tiers_for_centre": centre,
    }
    if centre:
        if request.siret:
            context["sirene"] = sirene_check(request.siret)
        identity = {field: getattr(request, field) for field in
                    ("siret", "siren", "name", "iban", "nir", "vat_number")}
        if case.state not in NOT_PENDING_STATES:
            context["tiers_duplicates"] = tiers_duplicates(
                identity, exclude_tiers=request.tiers, exclude_case=case)
    if request.tiers is not None:
        context["tiers_target_iban"] = mask(request.tiers.iban)
    return context


def communes_of_postcode(postcode: str) -> list[str] | None:
    """The communes (and delivery labels) La Poste's referential gives for a postcode; None
    when it does not list it (the referential may be partly imported)."""
    from .models import PostalCode

    names = set()
    for commune, label in PostalCode.objects.filter(postcode=postcode).values_list(
            "commune", "delivery_label"):
        names.add(commune)
        if label:
            names.add(label)
    return sorted(names) or None
