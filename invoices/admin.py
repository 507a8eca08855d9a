from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Invoice, MoratoriumRate


@admin.register(MoratoriumRate)
class MoratoriumRateAdmin(admin.ModelAdmin):
    """Editable: a new ECB rate is added here the day the ECB changes it."""

    list_display = ["valid_from", "ecb_rate"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Read-only: invoices come from Chorus Pro's extracts (`import_invoices`)."""

    list_display = ["number", "supplier_siret", "ej_number", "amount_ttc", "received_on",
                    "status", "covered_on"]
    list_filter = ["status", "processing_centre"]
    search_fields = ["=number", "=supplier_siret", "=ej_number"]
