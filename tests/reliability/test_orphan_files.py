"""A signing whose transaction rolls back leaves a file no row refers to: the nightly
housekeeping removes it (once old enough), and never a file a row refers to."""

import os
import time as clock

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django_q.models import Schedule

from cases import services as case_services
from cases.workflow import State
from documents.housekeeping import orphan_files_remove
from documents.models import IssuedDocument

pytestmark = pytest.mark.django_db


def _age(name: str, seconds: int) -> None:
    path = default_storage.path(name)
    past = clock.time() - seconds
    os.utime(path, (past, past))


def test_a_rolled_back_signing_leaves_a_file_that_housekeeping_removes(
        make_purchase_request, sp_agent, csp_agent, ordonnateur, give_credential):
    give_credential(csp_agent)
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                 ordonnateur=ordonnateur)
    kept = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                 ordonnateur=ordonnateur)
    case_services.transition(case=kept, action="sign", actor=csp_agent)
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.transition(case=case, action="sign", actor=csp_agent)
        raise RuntimeError("the request failed after the document was written")
    assert not IssuedDocument.objects.filter(case=case).exists()
    _folders, files = default_storage.listdir(f"issued/{case.pk}")
    assert len(files) == 1  # the orphan
    orphan = f"issued/{case.pk}/{files[0]}"
    kept_name = IssuedDocument.objects.get(case=kept).file.name
    assert orphan_files_remove() == []  # too recent: a transaction may still commit it
    _age(orphan, 2 * 3600)
    _age(kept_name, 2 * 3600)
    assert orphan_files_remove() == [orphan]
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept_name)


def test_the_housekeeping_is_scheduled():
    assert Schedule.objects.filter(func="documents.tasks.remove_orphan_files").count() == 1
