"""Large exports run as a django-q2 task that reports its progress (ExportJob)."""

import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from . import exports
from .models import ExportJob


@transaction.atomic
def export_job_create(*, owner, scope: str, fmt: str, query: str) -> ExportJob:
    job = ExportJob.objects.create(owner=owner, scope=scope, fmt=fmt, query=query[:1000])
    transaction.on_commit(lambda: async_task("cases.tasks.run_export", job.pk,
                                             task_name=f"export-{job.pk}"))
    return job


def export_job_run(job_id: int) -> None:
    """Write the file, saving the progress as it goes; a job already done is left alone."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        cases = exports.export_queryset(user=job.owner, scope=job.scope, query=job.query)
        total = cases.count()
        ExportJob.objects.filter(pk=job.pk).update(total=total, done=0)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done=done)

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{'corbeille' if job.scope == 'queue' else 'mes-demandes'}-{stamp}.{job.fmt}"
        centre = job.scope == "queue"  # the centre's export: its private annotations too
        if job.fmt == "csv":
            handle = tempfile.TemporaryFile()
            for line in exports.csv_lines(cases, progress, centre=centre):
                handle.write(line.encode("utf-8"))
            handle.seek(0)
        else:
            handle = exports.xlsx_file(cases, progress, centre=centre)
        with handle:
            job.file.save(name, File(handle), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, done=total, status=ExportJob.Status.DONE,
            finished_at=timezone.now())
    except exports.ExportRefused as exc:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                                   error=str(exc)[:300],
                                                   finished_at=timezone.now())
