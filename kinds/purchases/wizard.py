"""The purchase request's wizard: object and imputations, supplier, lines, attachments, the
steps its catalogue page adds, then the summary (cases.wizard.KindWizard)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import amounts, permissions, services
from cases.models import CaseKind
from cases.wizard import KindWizard
from conventions.selectors import convention_in_force
from documents.services import attachment_add
from forms_catalog.selectors import answers_by_step

from . import services as purchases
from .forms import (
    AttachmentsForm,
    LineFormSet,
    PurchaseObjectForm,
    SummaryForm,
    SupplierForm,
    line_formset_rows,
)

STEP_TITLES = {
    "objet": gettext_lazy("Objet et imputations budgétaires"),
    "fournisseur": gettext_lazy("Fournisseur"),
    "lignes": gettext_lazy("Lignes de commande"),
    "pieces": gettext_lazy("Pièces jointes"),
    "recapitulatif": gettext_lazy("Récapitulatif et dépôt"),
}


BUILT_IN_STEPS = [
    ("objet", PurchaseObjectForm),
    ("fournisseur", SupplierForm),
    ("lignes", LineFormSet),
    ("pieces", AttachmentsForm),
]


class PurchaseRequestWizard(KindWizard):
    kind = CaseKind.PURCHASE_REQUEST
    built_in_steps = BUILT_IN_STEPS
    summary_form = SummaryForm
    resume_url_name = "purchases:resume"
    search_step = "fournisseur"
    form_list = [*BUILT_IN_STEPS, ("recapitulatif", SummaryForm)]
    template_name = "cases/wizard.html"

    # --- forms --------------------------------------------------------------------------

    def get_form_initial(self, step):
        if step == "fournisseur":
            saved = self.storage.get_step_data("fournisseur") or {}
            return {"tiers": saved.get("fournisseur-tiers")}
        return super().get_form_initial(step)

    def get_form_kwargs(self, step=None):
        if step == "objet":
            return {"service": self.service}
        if step == "fournisseur":
            return {"search": self.request.GET.get("q", "")}
        if step == "pieces":
            return {"case": self.case, "required_kinds": self._required_attachments()}
        if self.is_catalogue_step(step):
            return self.catalogue_form_kwargs(step)
        return {}

    def _required_attachments(self) -> list[str]:
        if self.case is not None and "required_attachments" in self.case.extra:
            return self.case.extra["required_attachments"]
        if self.procedure is not None:
            return list(self.procedure.required_attachments or [])
        return ["quote"]

    # --- requests -------------------------------------------------------------------------

    def _take_uploads(self, request, current, form):
        if current == "pieces":
            self._ensure_case()
            form.case = self.case
            self._strip_stored_files(request, self._store_uploads(form))
            return None, self.get_form(data=request.POST)
        return self.take_catalogue_uploads(request, current, form), form

    def _store_uploads(self, form) -> set[str]:
        stored = set()
        for key, kind, uploaded in form.valid_uploads():
            attachment_add(case=self.case, kind=kind, uploaded=uploaded, actor=self.request.user)
            stored.add(key)
        return stored

    def _draft_subject(self):
        return (self.storage.get_step_data("objet") or {}).get("objet-subject")

    def _stored_lines(self) -> list[dict] | None:
        """The lines the draft holds, when they validate."""
        formset = self.step_form("lignes")
        return line_formset_rows(formset) if formset.is_valid() else None

    def _draft_amount(self):
        lines = self._stored_lines()
        if not lines:
            return None
        return amounts.purchase_totals([amounts.LineData(**line) for line in lines]).ttc

    # --- display --------------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        titles = {**STEP_TITLES, **self.catalogue_titles()}
        context.update({
            "step_titles": titles,
            "stepper": self.stepper(titles),
            "search": self.request.GET.get("q", ""),
            "wizard_title": _("Demande d'achat") if self.case else _("Nouvelle demande d'achat"),
        })
        if self.case is not None:
            context["attachments"] = list(self.case.attachments.all())
        if self.steps.current == "recapitulatif":
            context["summary"] = self._summary()
        return context

    def _summary(self) -> dict:
        objet = self.get_cleaned_data_for_step("objet")
        supplier = self.get_cleaned_data_for_step("fournisseur")
        lines = self._stored_lines()
        rows, totals = [], None
        if lines:
            rows = [{**line, "totals": amounts.line_totals(amounts.LineData(**line))}
                    for line in lines]
            totals = amounts.purchase_totals([amounts.LineData(**line) for line in lines])
        catalogue = (answers_by_step(self.schema, self.catalogue_summary_answers())
                     if self.schema else [])
        convention = convention_in_force(service=self.service,
                                         centre=self.service.processing_centre,
                                         on=timezone.localdate())
        threshold = convention.purchasing_mission_threshold_ht if convention else None
        return {"objet": objet, "supplier": supplier, "lines": rows, "totals": totals,
                "catalogue": catalogue,
                # Said before submission: straight to the centre, or an ordonnateur first.
                "outlook": permissions.submission_outlook(self.request.user, self.case,
                                                          totals.ttc)
                if totals and self.case is not None else None,
                "mission_threshold": threshold if totals and threshold is not None
                and totals.ht >= threshold else None,
                "incomplete": [name for name, value in
                               (("objet", objet), ("fournisseur", supplier), ("lignes", lines))
                               if not value]}

    # --- submission -----------------------------------------------------------------------

    def fill_draft(self, form_dict) -> None:
        objet = form_dict["objet"].cleaned_data
        data = purchases.PurchaseRequestData(
            subject=objet["subject"],
            description=objet.get("description", ""),
            market_reference=objet.get("market_reference", ""),
            delivery_address=objet.get("delivery_address", ""),
            financial_centre=objet["financial_centre"],
            cost_centre=objet["cost_centre"],
            activity=objet["activity"],
            funds=objet.get("funds"),
            tiers=form_dict["fournisseur"].cleaned_data["tiers"],
            lines=[amounts.LineData(**row) for row in line_formset_rows(form_dict["lignes"])],
        )
        purchases.purchase_request_fill(case=self.case, actor=self.request.user, data=data)
        if self.schema:
            services.answers_record(case=self.case, actor=self.request.user,
                                    answers=self.catalogue_answers(form_dict))

    def done(self, form_list, form_dict=None, **kwargs):
        return self._submit(lambda: self.fill_draft(form_dict), awaiting_validation=_(
            "Demande %(ref)s déposée. Son montant dépasse votre délégation : elle attend la "
            "validation d'un ordonnateur de votre service."))
