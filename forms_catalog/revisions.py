"""Reads for the editors' report: which published revision each open case of a catalogue form
was filled with (Case.procedure_revision, pinned at the draft's creation)."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet
from wagtail.models import Revision

from cases.models import Case

from .editing import open_cases_of
from .models import ProcedureFormPage


def open_cases_by_revision(page: ProcedureFormPage) -> list[dict]:
    """One row per revision open cases use, newest first: the revision (None when it is
    gone), whether it is the live one, and how many drafts and other open cases use it."""
    counts = (open_cases_of([page.pk]).values("procedure_revision_id", "state")
              .annotate(count=Count("id")).order_by())
    rows: dict[int | None, dict] = {}
    for row in counts:
        entry = rows.setdefault(row["procedure_revision_id"], {
            "revision_id": row["procedure_revision_id"], "count": 0, "drafts": 0})
        entry["count"] += row["count"]
        if row["state"] == "draft":
            entry["drafts"] += row["count"]
    revisions = Revision.objects.filter(pk__in=[pk for pk in rows if pk]).select_related("user")
    for revision in revisions:
        rows[revision.pk]["revision"] = revision
    for entry in rows.values():
        entry.setdefault("revision", None)
        entry["live"] = entry["revision_id"] is not None and (
            entry["revision_id"] == page.live_revision_id)
    return sorted(rows.values(), key=lambda entry: -(entry["revision_id"] or 0))


def open_cases_listing(page: ProcedureFormPage) -> QuerySet[Case]:
    """The open cases of a form, grouped by revision (newest first), then last updated."""
    return (open_cases_of([page.pk])
            .select_related("requesting_service", "created_by")
            .order_by(F("procedure_revision_id").desc(nulls_last=True), "-updated_at", "pk"))


def forms_with_open_cases(pages: list[ProcedureFormPage]) -> list[dict]:
    """The given forms with their count of open cases and of revisions those use."""
    counts = {row["procedure_id"]: row for row in (
        open_cases_of([page.pk for page in pages]).values("procedure_id")
        .annotate(count=Count("id"), revisions=Count("procedure_revision_id", distinct=True))
        .order_by())}
    return [{"page": page, "count": counts.get(page.pk, {}).get("count", 0),
             "revisions": counts.get(page.pk, {}).get("revisions", 0)} for page in pages]
