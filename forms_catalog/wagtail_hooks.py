"""The catalogue's additions to Wagtail's admin: the « Dossiers par révision » report (menu,
page header and listing buttons), the preview's validation view, and the refusals of an
unpublication or a deletion that would break drafts or open cases (editing.py)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.permissions import page_permission_policy

from . import admin_views, editing
from .models import FormIndexPage, ProcedureFormPage

app_name = "forms_catalog_admin"
urlpatterns = [
    path("", admin_views.forms_index, name="index"),
    path("<int:page_id>/dossiers/", admin_views.revision_cases, name="revision_cases"),
    path("apercu/valider/", admin_views.preview_validate, name="preview_validate"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("catalogue/", include((urlpatterns, app_name), namespace=app_name))]


class EditorsMenuItem(MenuItem):
    def is_shown(self, request):
        return page_permission_policy.user_has_any_permission(request.user, {"change"})


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return EditorsMenuItem(gettext_lazy("Dossiers par révision"),
                           reverse("forms_catalog_admin:index"), icon_name="form", order=250)


def _report_button(page, user, priority):
    if (page.specific_class is not ProcedureFormPage
            or not page.permissions_for_user(user).can_edit()):
        return []
    return [Button(_("Dossiers en cours par révision"),
                   reverse("forms_catalog_admin:revision_cases", args=[page.pk]),
                   icon_name="form", priority=priority)]


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _report_button(page, user, 66)


@hooks.register("register_page_listing_more_buttons")
def page_listing_more_buttons(page, user, next_url=None):
    yield from _report_button(page, user, 55)


# --- refusals -------------------------------------------------------------------------------


def _form_ids(pages, *, descendants: bool) -> list[int]:
    ids = set()
    for page in pages:
        if page.specific_class is ProcedureFormPage:
            ids.add(page.pk)
        if descendants:
            ids.update(ProcedureFormPage.objects.descendant_of(page).values_list("pk", flat=True))
    return sorted(ids)


def _back(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@hooks.register("before_unpublish_page")
def refuse_unpublishing(request, page):
    ids = _form_ids([page], descendants=bool(request.POST.get("include_descendants")))
    messages = editing.unpublish_refusal(ids)
    if messages:
        return admin_views.refusal(request, title=_("Retrait de la publication refusé"),
                                   messages=messages, back_url=_back(page))
    return None


@hooks.register("before_delete_page")
def refuse_deleting(request, page):
    messages = editing.delete_refusal(_form_ids([page], descendants=True))
    if messages:
        return admin_views.refusal(request, title=_("Suppression refusée"),
                                   messages=messages, back_url=_back(page))
    return None


@hooks.register("before_move_page")
def refuse_moving_out(request, page, destination):
    if (page.specific_class is not ProcedureFormPage
            or destination.specific_class is FormIndexPage):
        return None
    return admin_views.refusal(request, title=_("Déplacement refusé"),
                               messages=editing.move_refusal([page.pk]), back_url=_back(page))


def _publication_refusals(pages) -> list[str]:
    """For a bulk publication: the latest revision of each form against its live page."""
    messages = []
    for page in pages:
        if page.specific_class is not ProcedureFormPage:
            continue
        live = ProcedureFormPage.objects.get(pk=page.pk)
        latest = live.get_latest_revision_as_object()
        refusals = editing.publication_refusals(
            page_id=live.pk, live_kind=live.form_kind,
            live_service_ids=set(live.services.values_list("pk", flat=True)),
            new_kind=latest.form_kind,
            new_service_ids={service.pk for service in latest.services.all()})
        for lines in refusals.values():
            messages.extend([f"{live.title} : {lines[0]}", *lines[1:]])
    return messages


@hooks.register("before_bulk_action")
def refuse_bulk(request, action_type, objects, action_class_instance):
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if not pages:
        return None
    if action_type == "delete":
        messages = editing.delete_refusal(_form_ids(pages, descendants=True))
    elif action_type == "unpublish":
        messages = editing.unpublish_refusal(_form_ids(
            pages, descendants=bool(request.POST.get("include_descendants"))))
    elif action_type == "publish":
        messages = _publication_refusals(pages)
    else:
        return None
    if messages:
        return admin_views.refusal(request, title=_("Action groupée refusée"),
                                   messages=messages, back_url=reverse("wagtailadmin_explore_root"))
    return None
