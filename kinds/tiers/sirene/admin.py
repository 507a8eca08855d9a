from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Establishment


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    """Read-only: the register is loaded by `manage.py import_sirene`, never edited."""

    list_display = ["siret", "name", "postcode", "city", "state"]
    list_filter = ["state"]
    search_fields = ["=siret", "=siren", "name"]
