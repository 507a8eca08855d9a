"""Large exports run as a django-q2 task that reports its progress (ExportJob)."""

import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from . import export_columns, exports
from .models import ExportJob, ExportTemplate


@transaction.atomic
def export_job_create(*, owner, scope: str, fmt: str, query: str, columns: list[str] = (),
                      procedure=None, repetition: str = exports.JOIN) -> ExportJob:
    job = ExportJob.objects.create(owner=owner, scope=scope, fmt=fmt, query=query[:1000],
                                   columns=list(columns), procedure=procedure,
                                   repetition=repetition)
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
        cases = exports.export_queryset(user=job.owner, scope=job.scope, query=job.query,
                                        procedure=job.procedure)
        columns = (export_columns.resolve(job.columns, user=job.owner, scope=job.scope,
                                          procedure=job.procedure) if job.columns
                   else export_columns.default_columns(user=job.owner, scope=job.scope))
        total = cases.count()
        ExportJob.objects.filter(pk=job.pk).update(total=total, done=0)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done=done)

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{'corbeille' if job.scope == 'queue' else 'mes-demandes'}-{stamp}.{job.fmt}"
        if job.fmt == "csv":
            handle = tempfile.TemporaryFile()
            for line in exports.csv_lines(cases, columns, progress, job.repetition):
                handle.write(line.encode("utf-8"))
            handle.seek(0)
        else:
            handle = exports.xlsx_file(cases, columns, progress, job.repetition)
        with handle:
            job.file.save(name, File(handle), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, done=total, status=ExportJob.Status.DONE,
            finished_at=timezone.now())
    except exports.ExportRefused as exc:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                                   error=str(exc)[:300],
                                                   finished_at=timezone.now())


@transaction.atomic
def export_template_save(*, owner, scope: str, name: str, columns: list[str], procedure=None,
                         repetition: str = exports.JOIN) -> tuple[ExportTemplate, bool]:
    """Save a choice of columns under a name; the same name again replaces the choice.
    Returns the template and whether it was created."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au modèle.")})
    if not columns:
        raise ValidationError({"columns": _("Choisissez au moins une colonne.")})
    template, created = ExportTemplate.objects.select_for_update().get_or_create(
        owner=owner, scope=scope, name=name[:100],
        defaults={"columns": list(columns), "procedure": procedure, "repetition": repetition})
    if not created:
        template.columns, template.procedure = list(columns), procedure
        template.repetition = repetition
        template.save(update_fields=["columns", "procedure", "repetition", "updated_at"])
    return template, created


def export_template_delete(*, owner, pk: int) -> bool:
    """Delete one of the owner's templates; False when there is none of that number."""
    deleted, _rows = ExportTemplate.objects.filter(owner=owner, pk=pk).delete()
    return bool(deleted)
