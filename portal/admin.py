from django.contrib import admin

from .models import AgentGroup, Delegation, Membership, Service
from .services import service_group


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are evidence (audit trail, issued documents): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "processing_centre"]
    list_filter = ["kind", "processing_centre"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.group = service_group(obj.code)
        super().save_model(request, obj, form, change)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["user", "service", "ceiling", "valid_from", "valid_until"]
    list_filter = ["service"]
    autocomplete_fields = ["user"]


@admin.register(AgentGroup)
class AgentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "centre"]
    list_filter = ["centre"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]
