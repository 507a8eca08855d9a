"""Editors' safety net: a change to a catalogue form that would break open drafts is refused.

What a draft pins
-----------------
A draft of a catalogue form (a Case in the « draft » state, including one returned to its
author) is pinned, from its creation, to the page revision live then
(`Case.procedure_revision`) and keeps in `Case.extra` that revision's field schema, its
validation policy and its required attachments (cases.services._pin_procedure). Its wizard
reads them from the case, never from the page. So these edits are SAFE and always accepted:
relabelling, adding, removing or reordering fields, steps, sections and explanations,
changing help texts, the required flags, the choices or the conditions, the validation by an
ordonnateur, the required attachments, the introduction, the confirmation message or the
procedure sheet. Answers are keyed by block id inside each case, against its own schema.

What is BREAKING (refused, with the list of the drafts concerned)
-----------------------------------------------------------------
What a draft does not pin is the page itself, its kind and who may use it:

1. Changing the kind (`form_kind`) while the page has drafts of its current kind: the draft
   was created as a request of that kind (its reference prefix, its wizard, its workflow
   rows); the form would no longer make the request its drafts are.
2. Restricting the services (`services`) so that the requesting service of a draft loses
   access: removing that service from the list, or going from « all prescribing services »
   (empty list) to a list without it. The draft would be filed for a form its service may
   no longer use. (Adding services, or emptying the list, never breaks anything.)
3. Unpublishing the page (hook before_unpublish_page, also a parent unpublished with its
   descendants, and the bulk « unpublish » action) while it has drafts: their authors could
   not find the form again in the catalogue they started from.
4. Deleting the page (hook before_delete_page, also a parent page deleted with its
   children, and the bulk « delete » action) while it has drafts or open cases (any state but
   completed, rejected or cancelled): they would lose their form and its revisions
   (`Case.procedure` and `procedure_revision` are SET_NULL), and the centre the revision a
   case in progress was filled with.
5. Moving the page out of the catalogue (hook before_move_page): its drafts' authors would
   no longer find it in the catalogue. `parent_page_types` already keeps it under the
   catalogue (FormIndexPage, of which there is one) and Wagtail's move action would answer
   403; the hook refuses first with a message (naming the drafts, if any). Moving the
   catalogue itself keeps its forms in it: allowed.

Rules 1 and 2 compare the edited page with the LIVE one (the page row: a live page's row is
only written on publication) and are checked in the page form's clean() when the page is
published or submitted for moderation; saving a draft revision changes nothing a requester
sees and stays allowed (the check runs again when that revision is published, including by
the bulk « publish » action). A revision approved from the moderation dashboard is published
without a form: the catalogue has no moderation workflow (editors publish it themselves);
if one is added, its approvers should publish from the edit view.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.forms.pages import CopyForm

from cases.models import Case
from cases.workflow import FINAL_STATES, State

# How many drafts a refusal names; the rest are counted.
LISTED = 20


def drafts_of(page_ids: Iterable[int]) -> QuerySet[Case]:
    return Case.objects.filter(procedure_id__in=list(page_ids), state=State.DRAFT)


def open_cases_of(page_ids: Iterable[int]) -> QuerySet[Case]:
    """Drafts and cases not yet completed, rejected or cancelled."""
    return Case.objects.filter(procedure_id__in=list(page_ids)).exclude(
        state__in=sorted(FINAL_STATES))


def _allowed(service_ids: set[int]) -> Q:
    """The cases whose service may use a form allowing these services (none: all)."""
    return Q() if not service_ids else Q(requesting_service_id__in=sorted(service_ids))


def drafts_broken_by_kind(*, page_id: int, live_kind: str, new_kind: str) -> QuerySet[Case]:
    if not page_id or live_kind == new_kind:
        return Case.objects.none()
    return drafts_of([page_id]).exclude(kind=new_kind)


def drafts_broken_by_services(*, page_id: int, live_service_ids: set[int],
                              new_service_ids: set[int]) -> QuerySet[Case]:
    if not page_id or not new_service_ids or live_service_ids == new_service_ids:
        return Case.objects.none()
    return (drafts_of([page_id]).filter(_allowed(live_service_ids))
            .exclude(requesting_service_id__in=sorted(new_service_ids)))


def describe(cases: QuerySet[Case], *, listed: int = LISTED) -> list[str]:
    """One French line per case (reference or « Brouillon n° », author, service, last
    update), the first `listed` of them, then how many others."""
    rows = list(cases.select_related("created_by", "requesting_service")
                .order_by("-updated_at", "pk")[:listed + 1])
    total = len(rows) if len(rows) <= listed else cases.count()
    lines = []
    for case in rows[:listed]:
        author = case.created_by.get_full_name() or case.created_by.get_username()
        lines.append(_("%(ref)s — %(author)s, %(service)s, modifié le %(date)s (%(state)s)") % {
            "ref": case.display_reference, "author": author,
            "service": case.requesting_service.code,
            "date": formats.date_format(timezone.localtime(case.updated_at),
                                        "SHORT_DATETIME_FORMAT"),
            "state": case.get_state_display()})
    if total > listed:
        lines.append(ngettext("… et %(count)s autre.", "… et %(count)s autres.",
                              total - listed) % {"count": total - listed})
    return lines


def kind_refusal(drafts: QuerySet[Case]) -> list[str]:
    count = drafts.count()
    if not count:
        return []
    return [ngettext(
        "Le type de formulaire ne peut pas changer : %(count)s brouillon a été commencé avec "
        "le type actuel. Attendez qu'il soit déposé ou abandonné :",
        "Le type de formulaire ne peut pas changer : %(count)s brouillons ont été commencés "
        "avec le type actuel. Attendez qu'ils soient déposés ou abandonnés :",
        count) % {"count": count}, *describe(drafts)]


def services_refusal(drafts: QuerySet[Case]) -> list[str]:
    count = drafts.count()
    if not count:
        return []
    return [ngettext(
        "Ces services ne peuvent pas être retirés : %(count)s brouillon de leurs agents est "
        "en cours sur ce formulaire. Attendez qu'il soit déposé ou abandonné :",
        "Ces services ne peuvent pas être retirés : %(count)s brouillons de leurs agents sont "
        "en cours sur ce formulaire. Attendez qu'ils soient déposés ou abandonnés :",
        count) % {"count": count}, *describe(drafts)]


def publication_refusals(*, page_id: int | None, live_kind: str, live_service_ids: set[int],
                         new_kind: str, new_service_ids: set[int]) -> dict[str, list[str]]:
    """{field name: French messages} for a publication that would break drafts (rules 1, 2)."""
    if not page_id:
        return {}
    # Each message counts its drafts once: no message when there are none.
    refusals = {
        "form_kind": kind_refusal(drafts_broken_by_kind(
            page_id=page_id, live_kind=live_kind, new_kind=new_kind)),
        "services": services_refusal(drafts_broken_by_services(
            page_id=page_id, live_service_ids=live_service_ids,
            new_service_ids=new_service_ids)),
    }
    return {field: messages for field, messages in refusals.items() if messages}


def unpublish_refusal(page_ids: list[int]) -> list[str]:
    drafts = drafts_of(page_ids)
    count = drafts.count()
    if not count:
        return []
    return [ngettext(
        "Ce formulaire ne peut pas être retiré de la publication : %(count)s brouillon est en "
        "cours. Attendez qu'il soit déposé ou abandonné :",
        "Ce formulaire ne peut pas être retiré de la publication : %(count)s brouillons sont "
        "en cours. Attendez qu'ils soient déposés ou abandonnés :",
        count) % {"count": count}, *describe(drafts)]


def delete_refusal(page_ids: list[int]) -> list[str]:
    cases = open_cases_of(page_ids)
    count = cases.count()
    if not count:
        return []
    return [ngettext(
        "Ce formulaire ne peut pas être supprimé : %(count)s demande (brouillon ou dossier en "
        "cours) a été remplie avec lui. Retirez-le plutôt de la publication une fois les "
        "brouillons déposés :",
        "Ce formulaire ne peut pas être supprimé : %(count)s demandes (brouillons ou dossiers "
        "en cours) ont été remplies avec lui. Retirez-le plutôt de la publication une fois "
        "les brouillons déposés :",
        count) % {"count": count}, *describe(cases)]


def move_refusal(page_ids: list[int]) -> list[str]:
    drafts = drafts_of(page_ids)
    count = drafts.count()
    lead = _("Un formulaire du catalogue ne peut être déplacé que dans le catalogue.")
    if not count:
        return [lead]
    return [lead + " " + ngettext(
        "%(count)s brouillon est en cours avec ce formulaire :",
        "%(count)s brouillons sont en cours avec ce formulaire :", count) % {"count": count},
        *describe(drafts)]


# --- duplicating a form --------------------------------------------------------------------------


class ProcedureFormCopyForm(CopyForm):
    """Wagtail's « Copier » for a catalogue form: the copy is named « … (copie) », gets its own
    slug, and always starts as a draft (never published at once, never an alias kept in step
    with the original).

    The copy keeps its blocks' ids: a case's answers are keyed by block id inside that case,
    against the schema pinned on it, so two forms sharing ids never mix answers; and what a
    form's own settings say about its fields (conditions, rules) still points at the right
    fields in the copy. Anything reading answers across forms must key them by
    (procedure, block id)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        title = _("%(title)s (copie)") % {"title": self.page.title}
        self.fields["new_title"].initial = title[:255]
        siblings = set(self.page.get_parent().get_children().values_list("slug", flat=True))
        base = slugify(f"{self.page.slug}-copie")[:240] or "copie"
        slug, number = base, 2
        while slug in siblings:
            slug, number = f"{base}-{number}", number + 1
        self.fields["new_slug"].initial = slug
        for name in ("publish_copies", "alias", "copy_subpages"):
            self.fields.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        cleaned["publish_copies"] = cleaned["alias"] = cleaned["copy_subpages"] = False
        return cleaned

