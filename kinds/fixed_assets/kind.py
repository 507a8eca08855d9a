"""The fixed-asset request as the core sees it (cases/kinds.py)."""

from django.utils.translation import gettext_lazy

from cases.kinds import ApiDraft, CasePagePart, KindSpec
from cases.models import CaseKind
from cases.workflow import Action, State, row

from .services import asset_record_number, asset_request_check, inventory_number_release


def submit_check(case, now) -> None:
    asset_request_check(case)


def record_asset(case, actor, inputs, now, data) -> None:
    data["asset_number"] = asset_record_number(case=case, number=inputs["asset_number"])


def release_inventory_number(case, actor, inputs, now, data) -> None:
    inventory_number_release(case)


def case_page(case, user, transitions) -> dict:
    return {"fixed_asset": getattr(case, "fixed_asset", None)}


FIXED_ASSET = KindSpec(
    code=CaseKind.FIXED_ASSET,
    label=gettext_lazy("Demande de fiche immobilisation"),
    reference_prefix="IM",
    resume_url="fixed_assets:resume",
    new_url="fixed_assets:new",
    default_delay=5,
    submit_check=submit_check,
    effects={Action.COMPLETE: record_asset, Action.REJECT: release_inventory_number,
             Action.CANCEL: release_inventory_number},
    transitions=(
        # A fixed-asset request is done once its record exists in Chorus.
        row(State.IN_PROGRESS, Action.COMPLETE, State.COMPLETED, "assignee",
            requires=("asset_number",), accepts=("comment",),
            messages=(("asset_number", gettext_lazy(
                "Le numéro de la fiche immobilisation créée dans Chorus est obligatoire.")),)),
        row(State.IN_PROGRESS, Action.RETURN, State.DRAFT, "assignee",
            requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    ),
    case_page=(CasePagePart("fixed_assets/_case_asset.html", case_page),),
    api_draft=ApiDraft("kinds.fixed_assets.api.FixedAssetDraft"),
)
