"""The fixed-asset request wizard: Fiec or Fies and the asset, then what its kind needs
(EJs and acquisition documents, or commissioning, depreciation and inventory number with the
commissioning report), the editors' steps, a summary."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import CaseKind
from cases.wizard import KindWizard
from documents.models import AttachmentKind
from forms_catalog.selectors import answers_by_step

from .forms import AssetDetailsForm, AssetNatureForm, AssetSummaryForm
from .models import AssetKind
from .selectors import fiecs_of, linkable_purchase_requests
from .services import AssetData, asset_request_fill

STEPS = [("bien", AssetNatureForm), ("details", AssetDetailsForm)]
STEP_TITLES = {
    "bien": gettext_lazy("Le bien"),
    "details": gettext_lazy("Rattachement et pièces"),
    "recapitulatif": gettext_lazy("Récapitulatif et dépôt"),
}
DOCUMENT_KIND = {AssetKind.UNDER_CONSTRUCTION: AttachmentKind.ACQUISITION,
                 AssetKind.IN_SERVICE: AttachmentKind.COMMISSIONING}


class FixedAssetWizard(KindWizard):
    kind = CaseKind.FIXED_ASSET
    built_in_steps = STEPS
    summary_form = AssetSummaryForm
    resume_url_name = "fixed_assets:resume"
    form_list = [*STEPS, ("recapitulatif", AssetSummaryForm)]
    template_name = "fixed_assets/wizard.html"

    def nature(self) -> dict:
        form = self.stored_form("bien")
        return form.cleaned_data if form is not None else {}

    def asset_kind(self) -> str:
        return self.nature().get("asset_kind") or AssetKind.UNDER_CONSTRUCTION

    def _document(self, asset_kind):
        if self.case is None:
            return None
        return self.case.attachments.filter(kind=DOCUMENT_KIND[asset_kind]).first()

    def get_form_kwargs(self, step=None):
        if step == "details":
            asset_kind = self.asset_kind()
            return {"asset_kind": asset_kind, "case": self.case, "service": self.service,
                    "purchase_requests": linkable_purchase_requests(self.service),
                    "fiecs": fiecs_of(self.service, exclude=self.case),
                    "document_kind": DOCUMENT_KIND[asset_kind],
                    "document_on_record": self._document(asset_kind)}
        if self.is_catalogue_step(step):
            return self.catalogue_form_kwargs(step)
        return {}

    def _take_uploads(self, request, current, form):
        if current == "details" and request.FILES:
            kind = DOCUMENT_KIND[self.asset_kind()]
            # One commissioning report; acquisition pieces add up.
            return None, self.take_upload(request, "document", kind,
                                          replace=kind == AttachmentKind.COMMISSIONING)
        return self.take_catalogue_uploads(request, current, form), form

    def _draft_subject(self):
        label = self.nature().get("label")
        return label[:200] if label else None

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        titles = {**STEP_TITLES, **self.catalogue_titles()}
        context.update({"stepper": self.stepper(titles), "step_titles": titles,
                        "wizard_title": _("Demande de fiche immobilisation"),
                        "document": self._document(self.asset_kind()),
                        "documents": list(self.case.attachments.filter(
                            kind=DOCUMENT_KIND[self.asset_kind()])) if self.case else []})
        if self.steps.current == "recapitulatif":
            details = self.stored_form("details")
            context["summary"] = {
                "nature": self.nature(),
                "details": details.cleaned_data if details is not None else None,
                "catalogue": answers_by_step(self.schema, self.catalogue_summary_answers())
                if self.schema else []}
        return context

    def fill_draft(self, form_dict) -> None:
        from cases import services

        nature = form_dict["bien"].cleaned_data
        details = form_dict["details"].cleaned_data
        data = AssetData(
            asset_kind=nature["asset_kind"], label=nature["label"],
            description=nature.get("description", ""),
            purchase_requests=list(details.get("purchase_requests") or []),
            commissioned_on=details.get("commissioned_on"),
            depreciation_years=details.get("depreciation_years"),
            inventory_number=details.get("inventory_number", ""),
            under_construction=details.get("under_construction"))
        asset_request_fill(case=self.case, actor=self.request.user, data=data)
        if self.schema:
            services.answers_record(case=self.case, actor=self.request.user,
                                    answers=self.catalogue_answers(form_dict))

    def done(self, form_list, form_dict=None, **kwargs):
        return self._submit(lambda: self.fill_draft(form_dict), awaiting_validation=_(
            "Demande %(ref)s déposée. Elle attend la validation d'un ordonnateur de votre "
            "service."), confirmation=(self.procedure.confirmation_message
                                       if self.procedure else "") or "")
