"""factory_boy factories. Services, groups and memberships go through portal.services."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum import iban as std_iban
from stdnum import luhn

from cases import sla
from cases.models import BudgetImputation, ImputationAxis, Tiers
from portal import services as portal_services
from portal.models import Service

DELEGATION_START = date(2020, 1, 1)


# --- valid identifiers --------------------------------------------------------------------


def valid_siret(n: int) -> str:
    """A unique SIRET passing the Luhn checks of both the SIREN and the SIRET."""
    siren_body = f"{10_000_000 + n % 80_000_000:08d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    siret_body = siren + f"{n % 10_000:04d}"
    return siret_body + luhn.calc_check_digit(siret_body)


def valid_iban(n: int) -> str:
    """A unique French IBAN with a correct RIB key and IBAN check digits."""
    bank, branch, account = "30006", "00001", f"{n:011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    return "FR" + std_iban.calc_check_digits("FR00" + bban) + bban


def working_days_ago(count: int) -> date:
    """The day `count` working days before today (French public holidays excluded)."""
    day = timezone.localdate()
    while count:
        day -= timedelta(days=1)
        count -= sla.is_working_day(day)
    return day


# --- users and organisations ----------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gouv.fr")
    # Unusable password: hashing a real one would slow every test down.
    password = "!"


class _ServiceFactory(factory.Factory):
    """Builds through portal.services.service_get_or_create, exactly like production."""

    class Meta:
        model = Service

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return portal_services.service_get_or_create(**kwargs)


class CentreFactory(_ServiceFactory):
    code = factory.Sequence(lambda n: f"CSP{n:03d}")
    name = factory.Sequence(lambda n: f"Centre de services partagés n° {n}")
    kind = Service.Kind.SHARED_CENTRE
    processing_centre = None
    chorus_siret = factory.Sequence(lambda n: valid_siret(70_000 + n))
    chorus_service_code = "FACTURIER-EST"


class PrescribingServiceFactory(_ServiceFactory):
    code = factory.Sequence(lambda n: f"SP{n:03d}")
    name = factory.Sequence(lambda n: f"Service prescripteur n° {n}")
    kind = Service.Kind.PRESCRIBING
    processing_centre = factory.SubFactory(CentreFactory)
    address = "3 rue de la République\n67000 Strasbourg"


def member(service: Service, role: str, *, ceiling=None, **user_fields):
    """A new user holding `role` in `service` (and a delegation when `ceiling` is given)."""
    user = UserFactory(**user_fields)
    portal_services.membership_grant(user=user, service=service, role=role)
    if ceiling is not None:
        portal_services.delegation_get_or_create(user=user, service=service,
                                                 ceiling=Decimal(ceiling),
                                                 valid_from=DELEGATION_START)
    return user


# --- referentials -----------------------------------------------------------------------------


class BudgetImputationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetImputation

    service = factory.SubFactory(PrescribingServiceFactory)
    axis = ImputationAxis.FINANCIAL_CENTRE
    code = factory.Sequence(lambda n: f"IMP{n:05d}")
    label = factory.LazyAttribute(lambda o: f"{ImputationAxis(o.axis).label} {o.code}")
    active = True


class FinancialCentreFactory(BudgetImputationFactory):
    axis = ImputationAxis.FINANCIAL_CENTRE
    code = factory.Sequence(lambda n: f"0123-CF{n:04d}")


class CostCentreFactory(BudgetImputationFactory):
    axis = ImputationAxis.COST_CENTRE
    code = factory.Sequence(lambda n: f"CC{n:06d}")


class ActivityFactory(BudgetImputationFactory):
    axis = ImputationAxis.ACTIVITY
    # Twelve digits, the first four the programme: that of FinancialCentreFactory (cases.budget).
    code = factory.Sequence(lambda n: f"0123{n:08d}")


class FundsFactory(BudgetImputationFactory):
    axis = ImputationAxis.FUNDS
    code = factory.Sequence(lambda n: f"FDC{n:05d}")


class TiersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tiers

    name = factory.Sequence(lambda n: f"Fournisseur {n} SAS")
    siret = factory.Sequence(valid_siret)
    iban = factory.Sequence(valid_iban)
    bic = "CEPAFRPP751"
    address = "1 rue de la Paix"
    postcode = "75002"
    city = "Paris"
    active = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The model validators (SIRET and IBAN keys) must accept what the factory makes.
        tiers = model_class(*args, **kwargs)
        tiers.full_clean()
        tiers.save()
        return tiers
