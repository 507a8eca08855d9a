"""The tiers (supplier) request as the core sees it (cases/kinds.py)."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.kinds import ApiDraft, CasePagePart, KindSpec, Validation
from cases.models import CaseKind
from cases.workflow import Action, State, row
from portal.models import Role
from portal.selectors import user_has_role

from .models import TiersRequest
from .selectors import tiers_case_context
from .services import directory_conflict, tiers_directory_apply, tiers_request_check


def submit_check(case, now) -> None:
    tiers_request_check(case)


def record_in_directory(case, actor, inputs, now, data) -> None:
    data["tiers"] = tiers_directory_apply(case=case, actor=actor, at=now).pk


def cst_member(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CST):
        return _("Seule la cellule de supervision des tiers du centre peut effectuer cette "
                 "action.")
    return None


def tiers_unique(user, case) -> str | None:
    return directory_conflict(case)


def supplier_name():
    return Subquery(TiersRequest.objects.filter(case=OuterRef("pk")).values("name")[:1])


TIERS = KindSpec(
    code=CaseKind.TIERS,
    label=gettext_lazy("Demande de création ou modification de tiers"),
    reference_prefix="TI",
    resume_url="suppliers:resume",
    new_url="suppliers:new",
    default_delay=2,
    # A supplier record commits no money: no ordonnateur unless the catalogue asks.
    validation=Validation.NEVER,
    submit_check=submit_check,
    effects={Action.CST_VALIDATE: record_in_directory},
    # The centre checks, then the CST validates and the directory record is written.
    transitions=(
        row(State.IN_PROGRESS, Action.SEND_TO_CST, State.AWAITING_CST, "assignee",
            guard="tiers_unique", accepts=("comment",)),
        row(State.AWAITING_CST, Action.CST_VALIDATE, State.COMPLETED, "cst_member",
            accepts=("comment",)),
        # A return for correction like any other: classified in the typology of anomalies.
        row(State.AWAITING_CST, Action.CST_RETURN, State.IN_PROGRESS, "cst_member",
            requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    ),
    rules={"cst_member": cst_member, "tiers_unique": tiers_unique},
    case_page=(CasePagePart("suppliers/_case_tiers.html",
                            lambda case, user, transitions: tiers_case_context(case, user)),),
    queue_columns={"supplier_name": supplier_name},
    api_draft=ApiDraft("kinds.tiers.api.TiersRequestDraft"),
)
