"""A read-only panel of the catalogue form's edit view: how many requests are under way with
this form, by published revision, with the way to the full report and to what a change must
respect (editing.py)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .editing import open_cases_of


class OpenCasesPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Demandes en cours avec ce formulaire"))
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "open_cases"

    class BoundPanel(Panel.BoundPanel):
        template_name = "forms_catalog/admin/open_cases_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            counts = {}
            if page.pk:
                counts = {row["state"]: row["count"] for row in (
                    open_cases_of([page.pk]).values("state").annotate(count=Count("id"))
                    .order_by())}
            context.update({"form_page": page, "drafts": counts.get("draft", 0),
                            "total": sum(counts.values())})
            return context
