"""django-q2 tasks of the documents app: thin wrappers around services."""

from . import services


def sign_batch(batch_id: int) -> None:
    services.signing_batch_run(batch_id)


def remove_orphan_files() -> str:
    from .housekeeping import orphan_files_remove

    return f"{len(orphan_files_remove())} fichier(s) orphelin(s) supprimé(s)"
