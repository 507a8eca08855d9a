"""Imports of uploaded extracts, run by a django-q2 task that saves its progress (lines done
out of the total) and its report of bad lines (InvoiceImport)."""

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from .importer import import_stream
from .models import InvoiceImport


@transaction.atomic
def invoice_import_create(*, centre, actor, uploaded, name: str) -> InvoiceImport:
    job = InvoiceImport(centre=centre, uploaded_by=actor, original_name=name[:120])
    job.save()
    job.file.save(f"{job.pk}.csv", uploaded, save=True)
    transaction.on_commit(lambda: async_task("invoices.tasks.run_import", job.pk,
                                             task_name=f"invoice-import-{job.pk}"))
    return job


def invoice_import_run(job_id: int) -> None:
    """Import the job's file, saving the progress as it goes; a finished job is left alone."""
    with transaction.atomic():
        job = InvoiceImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return
        job.status = InvoiceImport.Status.RUNNING
        job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        InvoiceImport.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        with job.file.open("rb") as raw:
            report = import_stream(raw, centre=job.centre, progress=progress)
    except ValueError as exc:
        InvoiceImport.objects.filter(pk=job.pk).update(
            status=InvoiceImport.Status.FAILED, failure=str(exc)[:300],
            finished_at=timezone.now())
    else:
        InvoiceImport.objects.filter(pk=job.pk).update(
            status=InvoiceImport.Status.DONE, total=report.total, done=report.total,
            created=report.created, updated=report.updated, unchanged=report.unchanged,
            error_count=report.error_count, errors=[list(e) for e in report.errors],
            finished_at=timezone.now())
    finally:
        # The extract is not kept: the invoices are, and the report.
        job.file.delete(save=False)
        InvoiceImport.objects.filter(pk=job.pk).update(file="")
