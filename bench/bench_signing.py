"""Order forms per second: rendered, signed, and against a naive signing baseline.

Run with `make bench` (or `.venv/bin/python bench/bench_signing.py [--count N]`). One process,
one core. It builds one completed purchase request in a throw-away SQLite database, then:

- renders its order form N times (reportlab);
- signs the rendered form N times the way the portal does (credentials loaded once per
  process, key parsed once, constant signed attributes reused, signature size fixed);
- signs it with the naive approach: load the PKCS#12 and build a fresh pyHanko signer for
  every document, letting pyHanko estimate the signature size each time;
- renders then signs N times, end to end.

The credentials are issued like the demo's, with the production key-derivation cost.
Targets: >= 100 signed one-page order forms per second, >= 10x the naive baseline.
"""

import argparse
import atexit
import io
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
WORKDIR = Path(tempfile.mkdtemp(prefix="bench-signing-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "1",
    "DATABASE_URL": f"sqlite:///{WORKDIR / 'bench.sqlite3'}",
    "MEDIA_ROOT": str(WORKDIR / "media"),
    "SIGNING_CREDENTIALS_DIR": str(WORKDIR / "signing"),
    "PORTAL_VAR_DIR": str(WORKDIR / "var"),
    "LOG_LEVEL": "WARNING",
})

import django  # noqa: E402
from report import print_machine  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402

from cases import amounts  # noqa: E402
from cases import services as case_services  # noqa: E402
from cases.models import BudgetImputation, CaseKind, Tiers  # noqa: E402
from documents import signing  # noqa: E402
from documents.demo_pki import issue_credential  # noqa: E402
from documents.pdf.order_form import Signatory, render_order_form  # noqa: E402
from documents.services import attachment_add  # noqa: E402
from kinds.purchases import services as purchases  # noqa: E402
from portal.models import Role, Service  # noqa: E402
from portal.services import (  # noqa: E402
    delegation_get_or_create,
    membership_grant,
    service_get_or_create,
)

TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def completed_purchase_request(lines: int):
    users = get_user_model().objects
    centre = service_get_or_create(code="CSPBENCH", name="Centre de services partagés Bench",
                                   kind=Service.Kind.SHARED_CENTRE,
                                   chorus_siret="13002100900019", chorus_service_code="SFACT")
    sp = service_get_or_create(code="SPBENCH", name="Service prescripteur Bench",
                               kind=Service.Kind.PRESCRIBING, processing_centre=centre,
                               address="1 rue de la Paix\n75002 Paris")
    requester = users.create_user("bench.sp", first_name="Alice", last_name="Demandeuse")
    agent = users.create_user("bench.csp", first_name="Bruno", last_name="Signataire")
    membership_grant(user=requester, service=sp, role=Role.SP_AGENT)
    membership_grant(user=agent, service=centre, role=Role.CSP_AGENT)
    delegation_get_or_create(user=requester, service=sp, ceiling=Decimal("1000000"),
                             valid_from=timezone.localdate() - timedelta(days=1))
    imputations = {axis: BudgetImputation.objects.create(service=sp, axis=axis, code=f"{i}",
                                                         label=axis)
                   for i, axis in enumerate(("financial_centre", "cost_centre", "activity"))}
    tiers = Tiers.objects.create(name="Fournisseur Bench SAS", siret="73282932000074",
                                 iban="FR7630006000011234567890189", address="2 avenue Foch",
                                 postcode="54000", city="Nancy")
    case = case_services.case_draft_create(actor=requester, service=sp,
                                           kind=CaseKind.PURCHASE_REQUEST)
    attachment_add(case=case, kind="quote", uploaded=SimpleUploadedFile("devis.pdf", TINY_PDF),
                   actor=requester)
    data = purchases.PurchaseRequestData(
        subject="Renouvellement de postes de travail", tiers=tiers, funds=None,
        delivery_address="1 rue de la Paix\n75002 Paris",
        lines=[amounts.LineData(label=f"Poste de travail n° {n}", quantity=Decimal("2"),
                                      unit_price_ht=Decimal("812.40"), vat_rate=Decimal("20"))
               for n in range(1, lines + 1)],
        **imputations)
    purchases.purchase_request_fill(case=case, actor=requester, data=data)
    for action, actor, extra in (("submit", requester, {}), ("claim", agent, {}),
                                 ("complete", agent, {"ej_number": "1300000001"})):
        case = case_services.transition(case=case, action=action, actor=agent
                                        if actor is agent else requester, **extra)
    return case.purchase_request, agent


def rate(label: str, count: int, work) -> float:
    work()  # warm-up: imports, font metrics, first credential load
    started = time.perf_counter()
    for _ in range(count):
        work()
    per_second = count / (time.perf_counter() - started)
    print(f"  {label:<58} {per_second:8.1f} /s")
    return per_second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="documents per measurement")
    parser.add_argument("--naive-count", type=int, default=20,
                        help="documents for the (slow) naive baseline")
    args = parser.parse_args()
    print_machine()

    call_command("migrate", verbosity=0)
    purchase_request, agent = completed_purchase_request(lines=8)
    p12 = issue_credential(agent.username, agent.get_full_name(), "Centre Bench")
    passphrase = p12.with_suffix(".pass").read_bytes()
    signatory = Signatory(name=agent.get_full_name(), role="Chargé de prestations financières")
    now = timezone.now()
    role = signatory.role

    def render():
        return render_order_form(purchase_request, signatory=signatory, issued_at=now)

    rendered = render()

    def sign_portal(document=rendered):
        credential = signing.credential_for(agent)
        return signing.sign_pdf(document.content, credential=credential,
                                page=document.signature_page, box=document.signature_box,
                                role=role, signed_at=now)

    def sign_naive(document=rendered):
        signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=passphrase)
        writer = IncrementalPdfFileWriter(io.BytesIO(document.content), strict=False)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Signature", md_algorithm="sha256",
                                         subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer, stamp_style=signing.STAMP,
            new_field_spec=fields.SigFieldSpec("Signature", on_page=document.signature_page,
                                               box=document.signature_box))
        return pdf_signer.sign_pdf(writer, appearance_text_params={
            "role": role, "date": now.strftime("%d/%m/%Y %H:%M")}).getvalue()

    def render_and_sign():
        return sign_portal(render())

    print(f"Bon de commande d'une page (8 lignes, {len(rendered.content)} octets), "
          f"{args.count} documents par mesure, un processus :")
    rendered_rate = rate("rendus (reportlab)", args.count, render)
    signed_rate = rate("signés, identifiants chargés une fois (portail)", args.count,
                       sign_portal)
    naive_rate = rate("signés, identifiants rechargés à chaque document (naïf)",
                      args.naive_count, sign_naive)
    both_rate = rate("rendus puis signés (portail, de bout en bout)", args.count,
                     render_and_sign)
    ratio = signed_rate / naive_rate
    print(f"  {'rapport signés portail / naïf':<58} {ratio:8.1f} x")
    goals = [("signés >= 100 /s", signed_rate >= 100), ("rapport >= 10 x", ratio >= 10)]
    for label, met in goals:
        print(f"  objectif {label} : {'atteint' if met else 'NON ATTEINT'}")
    print(f"  (rendu {rendered_rate:.0f} /s, de bout en bout {both_rate:.0f} /s)")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
