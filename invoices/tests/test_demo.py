"""The demo's invoices: 300+ over twelve months, some covered, some waiting, some late; a
second seed changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from invoices.models import Invoice
from invoices.selectors import rates

pytestmark = pytest.mark.django_db


def test_the_demo_has_invoices_covered_waiting_and_late(signing_dir):
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    invoices = list(Invoice.objects.all())
    assert len(invoices) >= 300
    assert min(i.received_on for i in invoices) >= today.replace(year=today.year - 1)
    covered = [i for i in invoices if i.covered_on]
    waiting = [i for i in invoices if i.waiting]
    assert covered and waiting
    known = rates()
    late_covered = [i for i in covered if i.delay(today=today, rates=known).late]
    assert late_covered and len(late_covered) < len(covered)
    assert any(i.delay(today=today, rates=known).late for i in waiting)
    before = list(Invoice.objects.order_by("pk").values_list("pk", "covered_on", "status"))
    call_command("seed_demo", stdout=StringIO())
    assert list(Invoice.objects.order_by("pk").values_list("pk", "covered_on", "status")) \
        == before
