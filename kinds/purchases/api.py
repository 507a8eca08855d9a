"""The purchase request in the REST API: the content of a draft (cases.api creates it through
the kind's KindSpec.api_draft)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cases import amounts, limits
from cases.api_fields import MAX_ID, too_large_messages
from cases.models import BudgetImputation, Tiers
from cases.services import CaseError
from portal.models import Service

from . import services as purchases


class LineSerializer(serializers.Serializer):
    """A line, within the bounds of the web form (cases.limits)."""

    label = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(
        max_digits=limits.QUANTITY_MAX_DIGITS, decimal_places=limits.QUANTITY_DECIMAL_PLACES,
        validators=limits.QUANTITY_VALIDATORS,
        error_messages=too_large_messages(limits.QUANTITY_VALIDATORS),
        help_text="De 0,001 à 999 999 999,999, trois décimales au plus.")
    unit_price_ht = serializers.DecimalField(
        max_digits=limits.PRICE_MAX_DIGITS, decimal_places=limits.PRICE_DECIMAL_PLACES,
        validators=limits.UNIT_PRICE_VALIDATORS,
        error_messages=too_large_messages(limits.UNIT_PRICE_VALIDATORS),
        help_text="Prix unitaire HT (€), de 0 à 999 999 999,99.")
    vat_rate = serializers.DecimalField(
        max_digits=4, decimal_places=2, validators=[limits.validate_vat_rate],
        help_text="Taux de TVA (%) : 20, 10, 5.5, 2.1 ou 0.")

    def validate(self, attrs):
        line = amounts.LineData(**attrs)
        try:
            limits.validate_line_total(amounts.line_totals(line).ht)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"unit_price_ht": exc.messages}) from exc
        return attrs


class PurchaseRequestSerializer(serializers.Serializer):
    """The content of a purchase request: imputations by code, the supplier by id."""

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                        default="")
    delivery_address = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                             default="")
    market_reference = serializers.CharField(max_length=100, required=False,
                                             allow_blank=True, default="")
    financial_centre = serializers.CharField(max_length=20)
    cost_centre = serializers.CharField(max_length=20)
    activity = serializers.CharField(max_length=20)
    funds = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    tiers = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                     help_text="Identifiant du fournisseur (annuaire des tiers).")
    # A ListField, whose bounds the schema shows (minItems, maxItems).
    lines = serializers.ListField(
        child=LineSerializer(), min_length=limits.MIN_LINES, max_length=limits.MAX_LINES,
        help_text="De 1 à 50 lignes ; total TTC de 999 999 999,99 € au plus.")

    def validate_lines(self, lines):
        totals = amounts.purchase_totals([amounts.LineData(**line) for line in lines])
        try:
            limits.validate_request_total(totals.ttc)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return lines


def _purchase_data(service: Service, content: dict) -> purchases.PurchaseRequestData:
    imputations = {}
    for axis in ("financial_centre", "cost_centre", "activity", "funds"):
        code = content.get(axis) or ""
        if not code:
            imputations[axis] = None
            continue
        imputation = BudgetImputation.objects.filter(service=service, axis=axis, code=code,
                                                     active=True).first()
        if imputation is None:
            raise CaseError("Cette imputation n'appartient pas au référentiel du "
                                     "service.", field=axis)
        imputations[axis] = imputation
    tiers = Tiers.objects.filter(pk=content["tiers"], active=True).first()
    if tiers is None:
        raise CaseError("Ce fournisseur n'existe pas ou n'est plus actif.",
                                 field="tiers")
    return purchases.PurchaseRequestData(
        subject=content["subject"], description=content["description"],
        delivery_address=content["delivery_address"],
        market_reference=content["market_reference"], tiers=tiers,
        lines=[amounts.LineData(**line) for line in content["lines"]], **imputations)


def fill_draft(*, case, actor, service: Service, content: dict) -> None:
    purchases.purchase_request_fill(case=case, actor=actor, data=_purchase_data(service, content))
