"""Every choice among database rows refuses a posted key that cannot be one (too long for a
database integer) as an unknown choice — found by hypothesis on the Fiec step, where
2**63 made SQLite overflow (a 500)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from cases.forms import ImputationChoiceField, PkChoiceField
from cases.models import BudgetImputation, PurchaseRequest
from kinds.fixed_assets.forms import EjChoiceField, FiecChoiceField
from kinds.fixed_assets.models import FixedAssetRequest
from kinds.service_done.forms import PurchaseRequestChoiceField

pytestmark = pytest.mark.django_db

OVERLONG = ["9223372036854775808", "9" * 30, "9" * 10_000, "１２", "-1", "1e3"]
FIELDS = [
    lambda: ImputationChoiceField(queryset=BudgetImputation.objects.all()),
    lambda: PkChoiceField(queryset=get_user_model().objects.all()),
    lambda: FiecChoiceField(queryset=FixedAssetRequest.objects.all()),
    lambda: PurchaseRequestChoiceField(queryset=PurchaseRequest.objects.all()),
]


@pytest.mark.parametrize("value", OVERLONG)
@pytest.mark.parametrize("make_field", FIELDS)
def test_a_key_that_cannot_be_one_is_an_unknown_choice(make_field, value):
    with pytest.raises(ValidationError) as refused:
        make_field().clean(value)
    assert refused.value.code == "invalid_choice"


@pytest.mark.parametrize("value", OVERLONG)
def test_a_list_of_keys_with_one_that_cannot_be_one_is_refused(value):
    field = EjChoiceField(queryset=PurchaseRequest.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean(["1", value])
    assert refused.value.code == "invalid_choice"
