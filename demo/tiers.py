"""Demo tiers requests, played through the services like real ones: one at each step of the
CST circuit, one that Sirene flags (closed establishment), one validated that created a
directory record with its history. Also La Poste's postcodes of the demo communes and a
small Sirene extract of the demo directory. Loaded once (idempotent)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum import iban as std_iban
from stdnum import luhn

from cases import services as case_services
from cases.models import Case, CaseKind, Tiers
from cases.workflow import State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.tiers.models import TiersRequest
from kinds.tiers.postcodes import import_postcodes
from kinds.tiers.services import tiers_request_fill
from kinds.tiers.sirene.models import Establishment

POSTCODES_FILE = Path(__file__).resolve().parent / "data" / "postcodes_demo.csv"


def _siret(seed: int) -> str:
    siren = f"{80_000_000 + seed:08d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def _iban(seed: int) -> str:
    bank, branch, account = "30004", "00123", f"{seed:011d}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return "FR" + std_iban.calc_check_digits("FR00" + bban) + bban


def _rib_pdf(name: str, iban: str) -> SimpleUploadedFile:
    text = f"RIB {name} IBAN {iban}".encode("latin-1", "replace")
    stream = b"BT /F1 11 Tf 50 780 Td (" + text + b") Tj ET"
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
           b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
           b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n" + stream
           + b"\nendstream endobj\n"
           b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")
    return SimpleUploadedFile("RIB.pdf", pdf, content_type="application/pdf")


@dataclass(frozen=True)
class DemoRequest:
    seed: int
    name: str
    address: str
    postcode: str
    city: str
    # Where it stops: submitted, in_progress, awaiting_cst, completed, info_requested.
    target: State
    sirene_state: str | None = "A"  # None: absent from the extract
    days_ago: int = 1


REQUESTS = (
    DemoRequest(1, "Atelier Vosgien de Reliure SARL", "12 rue du Port", "88000", "Épinal",
                State.SUBMITTED),
    DemoRequest(2, "Lorraine Nettoyage Services SAS", "4 allée des Tilleuls", "54000", "Nancy",
                State.IN_PROGRESS, sirene_state="F"),
    DemoRequest(3, "Champagne Audiovisuel SARL", "27 boulevard Lundy", "51100", "Reims",
                State.AWAITING_CST, days_ago=2),
    DemoRequest(4, "Alsace Formation Conseil SAS", "9 quai des Bateliers", "67000",
                "Strasbourg", State.COMPLETED, days_ago=6),
    DemoRequest(5, "Thionville Signalétique EURL", "31 rue de Paris", "57100", "Thionville",
                State.INFO_REQUESTED, sirene_state=None, days_ago=3),
)
SERVICE = "DRAAF"


def _identity(spec: DemoRequest) -> dict:
    return {"category": "company", "name": spec.name, "siret": _siret(spec.seed),
            "address": spec.address, "postcode": spec.postcode, "city": spec.city,
            "country": "FR", "iban": _iban(900 + spec.seed), "bic": "BNPAFRPPXXX",
            "email": f"comptabilite{spec.seed}@exemple.fr"}


def _play(spec: DemoRequest, service, agent, centre_agent, cst, now: datetime) -> Case:
    at = now - timedelta(days=spec.days_ago)
    case = case_services.case_draft_create(actor=agent, service=service, kind=CaseKind.TIERS,
                                           at=at)
    identity = _identity(spec)
    tiers_request_fill(case=case, actor=agent, identity=identity)
    attachment_add(case=case, kind=AttachmentKind.RIB, actor=agent,
                   uploaded=_rib_pdf(spec.name, identity["iban"]))
    steps = [("submit", agent, "")]
    if spec.target != State.SUBMITTED:
        steps.append(("claim", centre_agent, ""))
    if spec.target == State.INFO_REQUESTED:
        steps.append(("request_info", centre_agent,
                      "Le RIB joint ne porte pas le nom de la société : pouvez-vous joindre "
                      "le bon RIB ?"))
    if spec.target in {State.AWAITING_CST, State.COMPLETED}:
        steps.append(("send_to_cst", centre_agent, "Contrôles faits : SIRET actif, RIB conforme."))
    if spec.target == State.COMPLETED:
        steps.append(("cst_validate", cst, ""))
    for number, (action, actor, comment) in enumerate(steps):
        case = case_services.transition(case=case, action=action, actor=actor,
                                        comment=comment, anomaly="missing_document",
                                        at=at + timedelta(hours=2 * number))
    return case


def seed_tiers_requests(*, services, users, now: datetime | None = None) -> int:
    """The demo tiers requests of the DRAAF, once. Returns how many were created."""
    now = now or timezone.now()
    import_postcodes(POSTCODES_FILE)
    Establishment.objects.bulk_create(
        [Establishment(siret=t.siret, siren=t.siret[:9], name=t.name.upper(),
                       address=t.address.upper(), postcode=t.postcode, city=t.city.upper(),
                       state="A")
         for t in Tiers.objects.exclude(siret=None)[:200]]
        + [Establishment(siret=_siret(s.seed), siren=_siret(s.seed)[:9], name=s.name.upper(),
                         address=s.address.upper(), postcode=s.postcode, city=s.city.upper(),
                         state=s.sirene_state) for s in REQUESTS if s.sirene_state],
        ignore_conflicts=True)
    service = services[SERVICE]
    if TiersRequest.objects.filter(case__requesting_service=service).exists():
        return 0
    agent, centre_agent, cst = users["agent.sp"], users["agent.csp"], users["cst"]
    for spec in REQUESTS:
        _play(spec, service, agent, centre_agent, cst, now)
    return len(REQUESTS)
