import os
import secrets

from cases import amounts  # noqa: E402
from kinds.purchases import services as purchases  # noqa: E402

# Before anything imports the Django settings (they refuse to start without a key).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import itertools  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

import pytest  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import services as case_services  # noqa: E402
from cases.anomalies import takes_anomaly  # noqa: E402
from cases.kinds import transitions_for  # noqa: E402
from cases.models import CaseKind  # noqa: E402
from cases.workflow import Action, State  # noqa: E402
from conventions.models import ConventionPage  # noqa: E402
from conventions.services import editorial_setup  # noqa: E402
from documents.models import AttachmentKind  # noqa: E402
from documents.services import attachment_add  # noqa: E402
from portal.models import Delegation, Membership, Role  # noqa: E402
from portal.selectors import prescribing_services_of  # noqa: E402

from .factories import (  # noqa: E402
    ActivityFactory,
    CentreFactory,
    CostCentreFactory,
    FinancialCentreFactory,
    PrescribingServiceFactory,
    TiersFactory,
    member,
)

TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the figures cached under a person's or a
    service's id would otherwise be served to the next test's rows of the same ids."""
    from django.core.cache import cache

    cache.clear()


def tiny_pdf(name: str = "devis.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


# --- organisations and people -----------------------------------------------------------------


@pytest.fixture
def csp(db):
    return CentreFactory(code="CSPEST", name="Centre de services partagés Est")


@pytest.fixture
def sp(csp):
    return PrescribingServiceFactory(code="DRAC", name="Direction régionale", processing_centre=csp)


@pytest.fixture
def other_csp(db):
    return CentreFactory(code="CSPOUEST", name="Centre de services partagés Ouest")


@pytest.fixture
def other_sp(other_csp):
    return PrescribingServiceFactory(code="DREAL", name="Autre direction",
                                     processing_centre=other_csp)


@pytest.fixture
def sp_agent(sp):
    return member(sp, Role.SP_AGENT, ceiling="5000", username="sp_agent")


@pytest.fixture
def ordonnateur(sp):
    return member(sp, Role.ORDONNATEUR, ceiling="100000", username="ordonnateur")


@pytest.fixture
def low_ordonnateur(sp):
    return member(sp, Role.ORDONNATEUR, ceiling="1000", username="low_ordonnateur")


@pytest.fixture
def csp_agent(csp):
    return member(csp, Role.CSP_AGENT, username="csp_agent")


@pytest.fixture
def csp_agent2(csp):
    return member(csp, Role.CSP_AGENT, username="csp_agent2")


@pytest.fixture
def csp_head(csp):
    return member(csp, Role.CSP_HEAD, username="csp_head")


@pytest.fixture
def cst(csp):
    return member(csp, Role.CST, username="cst")


@pytest.fixture
def foreign_sp_agent(other_sp):
    return member(other_sp, Role.SP_AGENT, ceiling="5000", username="foreign_sp_agent")


@pytest.fixture
def foreign_csp_agent(other_csp):
    return member(other_csp, Role.CSP_AGENT, username="foreign_csp_agent")


# --- purchase requests driven through the real services --------------------------------------

# The path from a draft to each state, as (action, who) steps; "creator", "ordonnateur"
# and "agent" are resolved when the request is built.
PATHS = {
    State.DRAFT: [],
    State.AWAITING_VALIDATION: [(Action.SUBMIT, "creator")],
    State.SUBMITTED: [(Action.SUBMIT, "creator"), (Action.VALIDATE, "ordonnateur")],
    State.IN_PROGRESS: [(Action.SUBMIT, "creator"), (Action.VALIDATE, "ordonnateur"),
                        (Action.CLAIM, "agent")],
    State.INFO_REQUESTED: [(Action.SUBMIT, "creator"), (Action.VALIDATE, "ordonnateur"),
                           (Action.CLAIM, "agent"), (Action.REQUEST_INFO, "agent")],
    State.COMPLETED: [(Action.SUBMIT, "creator"), (Action.VALIDATE, "ordonnateur"),
                      (Action.CLAIM, "agent"), (Action.COMPLETE, "agent")],
    State.REJECTED: [(Action.SUBMIT, "creator"), (Action.VALIDATE, "ordonnateur"),
                     (Action.CLAIM, "agent"), (Action.REJECT, "agent")],
    State.CANCELLED: [(Action.CANCEL, "creator")],
}

_ej_numbers = itertools.count(4_500_000_001)


def _one_line_for(amount: Decimal) -> amounts.LineData:
    """A single line whose TTC total is exactly `amount` (20 % VAT when it divides evenly)."""
    ht = (amount / Decimal("1.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    line = amounts.LineData(label="Fournitures", quantity=Decimal("1"), unit_price_ht=ht,
                                  vat_rate=Decimal("20.00"))
    if amounts.line_totals(line).ttc == amount:
        return line
    return amounts.LineData(label="Fournitures", quantity=Decimal("1"),
                                  unit_price_ht=amount, vat_rate=Decimal("0"))


def _ordonnateur_for(service, amount):
    delegations = (Delegation.objects.in_force().filter(service=service, ceiling__gte=amount)
                   .filter(user__memberships__service=service,
                           user__memberships__role=Role.ORDONNATEUR)
                   .select_related("user").order_by("ceiling"))
    delegation = delegations.first()
    assert delegation, f"no ordonnateur of {service.code} may validate {amount} €"
    return delegation.user


def _agent_for(centre):
    membership = (Membership.objects.filter(service=centre, role=Role.CSP_AGENT)
                  .select_related("user").order_by("pk").first())
    assert membership, f"no agent in {centre.code}"
    return membership.user


@pytest.fixture
def purchase_request_data():
    """PurchaseRequestData for `service`, with fresh imputations and a fresh tiers."""

    def build(service, *, amount=Decimal("1200.00"), lines=None, subject="Achat de fournitures"):
        return purchases.PurchaseRequestData(
            subject=subject,
            financial_centre=FinancialCentreFactory(service=service),
            cost_centre=CostCentreFactory(service=service),
            activity=ActivityFactory(service=service),
            funds=None,
            tiers=TiersFactory(),
            lines=lines if lines is not None else [_one_line_for(Decimal(amount))],
        )

    return build


@pytest.fixture
def make_purchase_request(purchase_request_data):
    """Build a purchase request of `actor`'s service and drive it to `state`.

    Every step goes through the real services: case_draft_create, attachment_add (a tiny
    PDF quote), purchase_request_fill, then transition() along PATHS[state]. `ordonnateur`
    and `agent` default to one of the service's ordonnateurs covering the amount and the
    centre's first agent. `at` dates the first step; later ones follow a minute apart.
    """

    def make(actor, *, amount="1200.00", state=State.SUBMITTED, service=None, ordonnateur=None,
             agent=None, at=None, with_quote=True, comment="Commentaire de test",
             anomaly="missing_document"):
        amount = Decimal(amount)
        service = service or prescribing_services_of(actor).order_by("pk").first()
        clock = itertools.count()

        def tick():
            return (at or timezone.now()) + timedelta(minutes=next(clock))

        case = case_services.case_draft_create(actor=actor, service=service,
                                               kind=CaseKind.PURCHASE_REQUEST, at=tick())
        if with_quote:
            attachment_add(case=case, kind=AttachmentKind.QUOTE, uploaded=tiny_pdf(),
                           actor=actor)
        purchases.purchase_request_fill(case=case, actor=actor,
                                            data=purchase_request_data(service, amount=amount))
        case.refresh_from_db()
        assert case.amount == amount
        people = {"creator": actor}
        for action, who in PATHS[State(state)]:
            if action == Action.VALIDATE and case.state == State.SUBMITTED:
                continue  # the creator's own delegation covered the amount
            if who == "ordonnateur" and "ordonnateur" not in people:
                people["ordonnateur"] = ordonnateur or _ordonnateur_for(service, amount)
            if who == "agent" and "agent" not in people:
                people["agent"] = agent or _agent_for(case.processing_centre)
            extra = {}
            if any("comment" in t.requires + t.accepts
                   for t in transitions_for(case.state, action, case.kind)):
                extra["comment"] = comment
            if any(takes_anomaly(t) for t in transitions_for(case.state, action, case.kind)):
                extra["anomaly"] = anomaly
            if action == Action.COMPLETE:
                extra["ej_number"] = str(next(_ej_numbers))
            case = case_services.transition(case=case, action=action, actor=people[who],
                                            at=tick(), **extra)
        assert case.state == state, f"reached {case.state}, not {state}"
        return case

    return make


# --- conventions -----------------------------------------------------------------------------


@pytest.fixture
def editorial(db):
    return editorial_setup()


# --- signatures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path):
    """Credentials and trust roots in a per-test directory (a fresh demo CA each time),
    never in var/."""
    settings.SIGNING_CREDENTIALS_DIR = tmp_path / "signing"
    settings.SIGNING_TRUST_ROOTS = tmp_path / "signing" / "trust-roots.pem"
    return settings.SIGNING_CREDENTIALS_DIR


@pytest.fixture
def give_credential(signing_dir):
    """Issue a PKCS#12 credential to a user (cheap key derivation: tests sign, not attack)."""

    def give(user, **kwargs):
        from documents.demo_pki import issue_credential

        kwargs.setdefault("kdf_rounds", 1000)
        return issue_credential(user.get_username(), user.get_full_name() or user.username,
                                "Centre de services partagés Est", **kwargs)

    return give


# --- conventions ------------------------------------------------------------------------------


@pytest.fixture
def publish_convention(db):
    """Publish a convention between `centre` and `services` (its parameters as keywords;
    `anomaly_types`, a list of conventions.models.AnomalyType, replaces the default
    typology)."""
    section = editorial_setup().sections["conventions"]

    def publish(*, centre, services, valid_from=date(2026, 1, 1), valid_until=None,
                slug=None, live=True, **parameters):
        page = ConventionPage(title=f"Convention {centre.code} {valid_from}",
                              slug=slug or f"convention-{centre.code.lower()}-{valid_from}",
                              centre=centre, valid_from=valid_from, valid_until=valid_until,
                              **parameters)
        page.services = list(services)
        section.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
        else:
            page.live = False
            page.save()
        return ConventionPage.objects.get(pk=page.pk)

    return publish
