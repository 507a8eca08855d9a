from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import BudgetImputation, CaseEvent, Tiers


@admin.register(BudgetImputation)
class BudgetImputationAdmin(admin.ModelAdmin):
    list_display = ["service", "axis", "code", "label", "active"]
    list_filter = ["service", "axis", "active"]
    search_fields = ["code", "label"]


@admin.register(Tiers)
class TiersAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "city", "active"]
    list_filter = ["active"]
    search_fields = ["name", "siret", "city"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["case", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["case__reference"]
