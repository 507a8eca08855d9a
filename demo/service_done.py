"""Demo service-done statements and fixed-asset requests of the DRAAF, played through the
services like real ones: a certified statement (signed certificate), a late one for which the
supplier is at fault (penalties), one waiting for the ordonnateur; a Fiec completed with its
Chorus number and the Fies that puts it into service. Loaded once."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseKind, PurchaseRequest
from cases.sla import is_working_day
from cases.workflow import State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.fixed_assets.services import AssetData, asset_request_fill
from kinds.service_done.models import ServiceDoneStatement
from kinds.service_done.services import StatementData, statement_fill
from portal.selectors import delegation_ceiling

SERVICE = "DRAAF"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _pdf(name: str, marker: str) -> SimpleUploadedFile:
    # A distinct file per case (the same file twice on a case is refused).
    return SimpleUploadedFile(name, PDF + f"% {marker}\n".encode(), "application/pdf")


def _working_days_before(moment: datetime, count: int) -> datetime:
    while count:
        moment -= timedelta(days=1)
        count -= is_working_day(moment.date())
    return moment


def _statement(purchase_request, *, agent, delivered_days_ago: int, now: datetime,
               reason: str = "", comment: str = ""):
    at = now - timedelta(days=1)
    delivered_on = _working_days_before(at, delivered_days_ago).date()
    case = case_services.case_draft_create(actor=agent, service=purchase_request.case
                                           .requesting_service, kind=CaseKind.SERVICE_DONE,
                                           at=at)
    attachment_add(case=case, kind=AttachmentKind.DELIVERY_PROOF, actor=agent,
                   uploaded=_pdf("bon-de-livraison.pdf", f"BL {purchase_request.ej_number}"))
    statement_fill(case=case, actor=agent, data=StatementData(
        purchase_request=purchase_request, delivered_on=delivered_on,
        lines=[(line, line.quantity) for line in purchase_request.lines.all()],
        invoice_reference=f"FA-{purchase_request.ej_number[-5:]}", lateness_reason=reason,
        lateness_comment=comment))
    return case_services.transition(case=case, action="submit", actor=agent, at=at)


def seed_statements(*, services, users, now: datetime | None = None) -> int:
    """Statements and asset requests of the DRAAF, once. Returns how many cases were made."""
    now = now or timezone.now()
    service = services[SERVICE]
    if ServiceDoneStatement.objects.filter(case__requesting_service=service).exists():
        return 0
    agent, ordonnateur, centre_agent = users["agent.sp"], users["ordo.sp"], users["agent.csp"]
    ceiling = delegation_ceiling(ordonnateur, service) or Decimal("0")
    orders = list(PurchaseRequest.objects.filter(
        case__requesting_service=service, case__state=State.COMPLETED,
        ej_number__isnull=False, amount_ttc__lte=ceiling).order_by("case__completed_at")[:4])
    if len(orders) < 4:
        return 0
    made = 0
    certified = _statement(orders[0], agent=agent, delivered_days_ago=2, now=now)
    late = _statement(orders[1], agent=agent, delivered_days_ago=9, now=now, reason="supplier",
                      comment="Livraison reçue avec trois semaines de retard sur la date "
                              "prévue au bon de commande.")
    _statement(orders[2], agent=agent, delivered_days_ago=1, now=now)
    made += 3
    for case in (certified, late):
        case = case_services.transition(case=case, action="validate", actor=ordonnateur,
                                        at=now - timedelta(hours=20))
        case = case_services.transition(case=case, action="claim", actor=centre_agent,
                                        at=now - timedelta(hours=6))
    case_services.transition(case=certified, action="certify", actor=centre_agent,
                             at=now - timedelta(hours=2))

    fiec = case_services.case_draft_create(actor=agent, service=service,
                                           kind=CaseKind.FIXED_ASSET, at=now - timedelta(days=40))
    attachment_add(case=fiec, kind=AttachmentKind.ACQUISITION, actor=agent,
                   uploaded=_pdf("acte-acquisition.pdf", "Fiec"))
    fiec_request = asset_request_fill(case=fiec, actor=agent, data=AssetData(
        asset_kind="fiec", label="Aménagement du laboratoire d'analyses",
        description="Travaux et équipements du laboratoire, en cours de réalisation.",
        purchase_requests=[orders[3]]))
    for action, actor, hours in (("submit", agent, 0), ("validate", ordonnateur, 2),
                                 ("claim", centre_agent, 26)):
        if action == "validate" and fiec.state != State.AWAITING_VALIDATION:
            continue  # the agent's own delegation covered it
        fiec = case_services.transition(case=fiec, action=action, actor=actor,
                                        at=now - timedelta(days=40) + timedelta(hours=hours))
    case_services.transition(case=fiec, action="complete", actor=centre_agent,
                             asset_number="2000104587", at=now - timedelta(days=38))
    fies = case_services.case_draft_create(actor=agent, service=service,
                                           kind=CaseKind.FIXED_ASSET, at=now - timedelta(days=2))
    attachment_add(case=fies, kind=AttachmentKind.COMMISSIONING, actor=agent,
                   uploaded=_pdf("pv-mise-en-service.pdf", "Fies"))
    asset_request_fill(case=fies, actor=agent, data=AssetData(
        asset_kind="fies", label="Laboratoire d'analyses", purchase_requests=[orders[3]],
        commissioned_on=(now - timedelta(days=3)).date(), depreciation_years=10,
        inventory_number=f"{SERVICE}-2026-0001", under_construction=fiec_request))
    case_services.transition(case=fies, action="submit", actor=agent, at=now - timedelta(days=2))
    return made + 2
