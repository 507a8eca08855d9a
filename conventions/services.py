"""Writes on the editorial side: sections (and the form catalogue), groups, page permissions,
the moderation workflow.

`editorial_setup()` is idempotent; `manage.py setup_editorial` and `seed_demo` call it.
Editors add and edit pages but do not publish conventions: a convention goes through the
workflow "Validation par le responsable du centre", whose task the centre heads approve.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
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

from .models import ContentIndexPage

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


@transaction.atomic
def editorial_setup() -> Editorial:
    site = Site.objects.get(is_default_site=True)
    root = site.root_page
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
                     workflow=workflow)
