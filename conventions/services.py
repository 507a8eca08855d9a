"""Writes on the editorial side: the site's home and its mandatory pages (accessibility,
legal notice, personal data), sections (and the form catalogue), groups, page permissions,
the moderation workflow.

`editorial_setup()` is idempotent; `manage.py setup_editorial` and `seed_demo` call it.
Editors add and edit pages but do not publish conventions: a convention goes through the
workflow "Validation par le responsable du centre", whose task the centre heads approve.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from . import legal_content
from .models import ContentIndexPage, HomePage, LegalPage

EDITORS_GROUP = "Éditeurs"
APPROVERS_GROUP = "Responsables de centre (validation des conventions)"
WORKFLOW_NAME = "Validation des conventions par le responsable du centre"
SECTIONS = {
    "conventions": ("Conventions de service", "conventions"),
    "jobs": ("Fiches de poste", "fiches-de-poste"),
    "procedures": ("Fiches de procédure", "fiches-de-procedure"),
}


@dataclass
class Editorial:
    sections: dict[str, Page]
    editors: Group
    approvers: Group
    workflow: Workflow
    home: Page | None = None
    legal_pages: dict[str, Page] = field(default_factory=dict)


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _admin_group(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                 codename="access_admin"))
    return group


def _section(root: Page, title: str, slug: str) -> ContentIndexPage:
    existing = ContentIndexPage.objects.child_of(root).filter(slug=slug).first()
    if existing:
        return existing
    section = ContentIndexPage(title=title, slug=slug)
    root.add_child(instance=section)
    section.save_revision().publish()
    return section


def _catalogue(root: Page):
    from forms_catalog.models import FormIndexPage

    existing = FormIndexPage.objects.first()
    if existing:
        return existing
    catalogue = FormIndexPage(title="Catalogue des formulaires", slug="catalogue")
    root.add_child(instance=catalogue)
    catalogue.save_revision().publish()
    return catalogue


def _home(site: Site) -> Page:
    """The site's home as a HomePage titled in French. Wagtail's installation leaves a plain
    page there, « Welcome to your new Wagtail site! »: it becomes a HomePage in place (same
    id, so its children, permissions and history stay), once."""
    page = site.root_page
    if page.specific_class is Page:
        HomePage(page_ptr_id=page.pk, intro=legal_content.HOME_INTRO).save_base(raw=True)
        Page.objects.filter(pk=page.pk).update(
            content_type=ContentType.objects.get_for_model(HomePage))
        home = HomePage.objects.get(pk=page.pk)
        home.title = home.draft_title = legal_content.HOME_TITLE
        home.save_revision().publish()
        return home
    home = page.specific
    if home.title == legal_content.WAGTAIL_WELCOME_TITLE:
        # Another page type, still with Wagtail's English title.
        home.title = home.draft_title = legal_content.HOME_TITLE
        home.save_revision().publish()
    return home


def _legal_pages(home: Page) -> dict[str, Page]:
    """The accessibility statement, legal notice and personal data pages, created with their
    first text when missing; an editor's version is never overwritten."""
    pages = {}
    for slug, (title, footer_label, body) in legal_content.LEGAL_PAGES.items():
        existing = LegalPage.objects.child_of(home).filter(slug=slug).first()
        if existing is None:
            existing = LegalPage(title=title, slug=slug, footer_label=footer_label,
                                 body=body.strip())
            home.add_child(instance=existing)
            existing.save_revision().publish()
        pages[slug] = existing
    return pages


@transaction.atomic
def editorial_setup() -> Editorial:
    site = Site.objects.get(is_default_site=True)
    if not site.site_name or site.site_name == site.hostname:
        # Wagtail's dashboard is titled with it (else with the host name, « localhost »).
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save(update_fields=["site_name"])
    root = _home(site)
    sections: dict[str, Page] = {key: _section(root, title, slug)
                                 for key, (title, slug) in SECTIONS.items()}
    sections["catalogue"] = _catalogue(root)
    editors, approvers = _admin_group(EDITORS_GROUP), _admin_group(APPROVERS_GROUP)
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.get_or_create(group=editors, page=root,
                                                  permission=_page_permission(codename))
    # Editors publish sheets and job descriptions themselves; conventions need a head.
    for key in ("jobs", "procedures", "catalogue"):
        GroupPagePermission.objects.get_or_create(group=editors, page=sections[key],
                                                  permission=_page_permission("publish_page"))
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(group=approvers, page=sections["conventions"],
                                                  permission=_page_permission(codename))
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.create(
            name=_("Approbation par un responsable de centre"))
        task.groups.set([approvers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=sections["conventions"],
                                          defaults={"workflow": workflow})
    return Editorial(sections=sections, editors=editors, approvers=approvers,
                     workflow=workflow, home=root, legal_pages=_legal_pages(root))
