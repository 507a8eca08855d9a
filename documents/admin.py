from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """Read-only: an issued document is evidence, never edited by hand."""

    list_display = ["case", "kind", "signer_name", "issued_at", "sha256"]
    list_filter = ["kind"]
    search_fields = ["case__reference", "sha256", "signer_name"]
