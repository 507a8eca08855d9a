from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import PostalCode, TiersChange, TiersRequest


@admin.register(TiersRequest)
class TiersRequestAdmin(ReadOnlyAdmin):
    """Read-only: a request changes through its wizard and the workflow."""

    list_display = ["case", "operation", "name", "siret", "city"]
    list_filter = ["operation", "category"]
    search_fields = ["name", "siret", "case__reference"]
    exclude = ["iban", "nir"]


@admin.register(TiersChange)
class TiersChangeAdmin(ReadOnlyAdmin):
    """Read-only: the history is append-only."""

    list_display = ["tiers", "operation", "case", "actor", "created_at"]
    list_filter = ["operation"]
    search_fields = ["tiers__name", "case__reference"]


@admin.register(PostalCode)
class PostalCodeAdmin(ReadOnlyAdmin):
    list_display = ["postcode", "commune", "delivery_label", "insee_code"]
    search_fields = ["postcode", "commune"]
