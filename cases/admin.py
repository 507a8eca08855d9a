from django.contrib import admin

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
class CaseEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["case", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["case__reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
