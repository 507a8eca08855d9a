"""django-q2 tasks of cases (thin: the work is in export_services)."""

from .export_services import export_job_run


def run_export(job_id: int) -> None:
    export_job_run(job_id)
