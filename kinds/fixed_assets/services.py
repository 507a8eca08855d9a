"""Writes on fixed-asset requests: content on the draft, checks at submission, the Chorus
record number on completion, the inventory number released on rejection."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseKind, PurchaseRequest
from cases.services import CaseError, draft_for_author
from documents.models import AttachmentKind

from .models import AssetKind, FixedAssetRequest

ASSET_NUMBER_RE = re.compile(r"^[0-9A-Z]{1,20}\Z")


@dataclass(frozen=True)
class AssetData:
    asset_kind: str
    label: str
    description: str = ""
    purchase_requests: list[PurchaseRequest] = field(default_factory=list)
    commissioned_on: date | None = None
    depreciation_years: int | None = None
    inventory_number: str = ""
    under_construction: FixedAssetRequest | None = None


def clean_inventory_number(value: str) -> str:
    number = (value or "").strip().upper()
    if not re.match(settings.INVENTORY_NUMBER_PATTERN, number):
        raise CaseError(_("Numéro d'inventaire mal formé : %(rule)s")
                        % {"rule": settings.INVENTORY_NUMBER_HELP}, field="inventory_number")
    return number


def inventory_number_taken(service, number: str, *, exclude: Case | None = None) -> bool:
    taken = FixedAssetRequest.objects.filter(service=service, inventory_number=number,
                                             holds_number=True)
    if exclude is not None:
        taken = taken.exclude(case=exclude)
    return taken.exists()


def _check(case: Case, data: AssetData) -> dict:
    if data.asset_kind not in AssetKind.values:
        raise CaseError(_("Choisissez Fiec ou Fies."), field="asset_kind")
    if not data.label.strip():
        raise CaseError(_("Indiquez la désignation du bien."), field="label")
    for purchase_request in data.purchase_requests:
        if (purchase_request.case.requesting_service_id != case.requesting_service_id
                or not purchase_request.ej_number):
            raise CaseError(_("Un EJ lié doit être celui d'une demande d'achat terminée de "
                              "votre service."), field="purchase_requests")
    values = {"asset_kind": data.asset_kind, "label": data.label.strip()[:200],
              "description": data.description.strip(), "commissioned_on": None,
              "depreciation_years": None, "inventory_number": "",
              "under_construction": None}
    if data.asset_kind == AssetKind.UNDER_CONSTRUCTION:
        if not data.purchase_requests:
            raise CaseError(_("Une immobilisation en cours se rattache à au moins un EJ."),
                            field="purchase_requests")
        return values
    if data.commissioned_on is None:
        raise CaseError(_("Indiquez la date de mise en service."), field="commissioned_on")
    if not date(2000, 1, 1) <= data.commissioned_on <= timezone.localdate():
        raise CaseError(_("La date de mise en service ne peut pas être dans le futur."),
                        field="commissioned_on")
    ceiling = settings.FIXED_ASSET_MAX_DEPRECIATION_YEARS
    if data.depreciation_years is None or not 1 <= data.depreciation_years <= ceiling:
        raise CaseError(_("La durée d'amortissement est un nombre entier d'années, de 1 à "
                          "%(max)s.") % {"max": ceiling}, field="depreciation_years")
    number = clean_inventory_number(data.inventory_number)
    if inventory_number_taken(case.requesting_service, number, exclude=case):
        raise CaseError(_("Le numéro d'inventaire %(number)s est déjà utilisé par votre "
                          "service.") % {"number": number}, field="inventory_number")
    fiec = data.under_construction
    if fiec is not None and (fiec.service_id != case.requesting_service_id
                             or fiec.asset_kind != AssetKind.UNDER_CONSTRUCTION
                             or not fiec.holds_number):
        raise CaseError(_("Choisissez une Fiec de votre service."), field="under_construction")
    values.update(commissioned_on=data.commissioned_on,
                  depreciation_years=data.depreciation_years, inventory_number=number,
                  under_construction=fiec)
    return values


@transaction.atomic
def asset_request_fill(*, case: Case, actor, data: AssetData) -> FixedAssetRequest:
    if case.kind != CaseKind.FIXED_ASSET:
        raise CaseError(_("Ce dossier n'est pas une demande de fiche immobilisation."))
    case = draft_for_author(case, actor)
    values = _check(case, data)
    try:
        with transaction.atomic():
            request, _created = FixedAssetRequest.objects.update_or_create(
                case=case, defaults={**values, "service": case.requesting_service,
                                     "holds_number": True})
    except IntegrityError as exc:  # the same number written concurrently
        raise CaseError(_("Le numéro d'inventaire %(number)s est déjà utilisé par votre "
                          "service.") % {"number": values["inventory_number"]},
                        field="inventory_number") from exc
    request.purchase_requests.set(data.purchase_requests)
    case.subject = (f"{request.get_asset_kind_display().split(' — ')[0]} — "
                    f"{request.label}")[:200]
    case.version += 1
    case.save(update_fields=["subject", "version", "updated_at"])
    return request


def asset_request_check(case: Case) -> None:
    """At submission: complete, with the documents its kind needs."""
    request = FixedAssetRequest.objects.filter(case=case).first()
    if request is None:
        raise CaseError(_("La demande de fiche immobilisation est incomplète."))
    needed = (AttachmentKind.ACQUISITION if request.asset_kind == AssetKind.UNDER_CONSTRUCTION
              else AttachmentKind.COMMISSIONING)
    if not case.attachments.filter(kind=needed).exists():
        raise CaseError(_("Pièce obligatoire manquante : %(kind)s.")
                        % {"kind": AttachmentKind(needed).label}, field=needed)


def asset_record_number(*, case: Case, number: str) -> str:
    """On completion: the number of the record the centre created in Chorus."""
    number = (number or "").strip().upper()
    if not ASSET_NUMBER_RE.match(number):
        raise CaseError(_("Le numéro de fiche immobilisation Chorus comporte 1 à 20 chiffres "
                          "ou lettres."), field="asset_number")
    FixedAssetRequest.objects.filter(case=case).update(asset_number=number)
    return number


def inventory_number_release(case: Case) -> None:
    """A rejected or cancelled request gives its inventory number back."""
    FixedAssetRequest.objects.filter(case=case).update(holds_number=False)
