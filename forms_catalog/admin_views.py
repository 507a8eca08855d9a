"""The catalogue's views inside Wagtail's admin (/cms/catalogue/…), registered by
wagtail_hooks.py:

- `revision_cases`: for one form, its open cases (drafts included: not completed, rejected
  nor cancelled) grouped by the published revision they were filled with — revision, date,
  author, live or not, count — then the cases themselves, paginated. For the editors who may
  edit the page; anyone else gets a 404.
- `forms_index`: the forms the editor may edit, with their open cases (the menu's entry).
- `preview_validate`: the « Tester la validation » preview mode posts here (see preview.py).
- `refusal`: the page shown when an unpublication or a deletion is refused (editing.py).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from .models import ProcedureFormPage
from .preview import VALIDATION, render, unsign
from .revisions import forms_with_open_cases, open_cases_by_revision, open_cases_listing

CASES_PER_PAGE = 50


def _editable_form(request, page_id: int) -> ProcedureFormPage:
    page = get_object_or_404(ProcedureFormPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise Http404
    return page


def _breadcrumbs(*items):
    return [{"url": reverse("wagtailadmin_home"), "label": _("Tableau de bord")},
            {"url": reverse("forms_catalog_admin:index"), "label": _("Dossiers par révision")},
            *items]


def forms_index(request):
    pages = [page for page in ProcedureFormPage.objects.order_by("path")
             if page.permissions_for_user(request.user).can_edit()]
    return TemplateResponse(request, "forms_catalog/admin/forms_index.html", {
        "page_title": _("Dossiers par révision"), "header_title": _("Dossiers par révision"),
        "header_icon": "form", "rows": forms_with_open_cases(pages),
        "breadcrumbs_items": _breadcrumbs()[:2]})


def revision_cases(request, page_id: int):
    page = _editable_form(request, page_id)
    paginator = Paginator(open_cases_listing(page), CASES_PER_PAGE)
    cases = paginator.get_page(request.GET.get("p"))
    revisions = open_cases_by_revision(page)
    by_id = {row["revision_id"]: row for row in revisions}
    title = _("Dossiers en cours par révision : %(title)s") % {"title": page.title}
    return TemplateResponse(request, "forms_catalog/admin/revision_cases.html", {
        "page": page, "page_title": title, "header_title": title, "header_icon": "form",
        "revisions": revisions, "cases": cases, "revision_of": by_id,
        "total": paginator.count,
        "breadcrumbs_items": _breadcrumbs({"url": "", "label": page.title})})


@require_POST
@xframe_options_sameorigin
def preview_validate(request):
    """Validate a preview's answers as the wizard would; store nothing (preview.py)."""
    try:
        signed = unsign(request.POST.get("apercu", ""))
    except signing.BadSignature as exc:
        raise Http404 from exc
    if signed.get("page") is not None:
        _editable_form(request, signed["page"])
    page = SimpleNamespace(pk=signed.get("page"), title=signed.get("title", ""),
                           intro=signed.get("intro", ""))
    return render(request, page=page, schema=signed["schema"], mode=VALIDATION,
                  data=request.POST, files=request.FILES)


def refusal(request, *, title: str, messages: list[str], back_url: str):
    return TemplateResponse(request, "forms_catalog/admin/refused.html", {
        "page_title": title, "header_title": title, "header_icon": "warning",
        "lead": messages[0], "lines": messages[1:], "back_url": back_url})
