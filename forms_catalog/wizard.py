"""The wizard of a catalogue ("generic") form: its steps come from the form's schema.

Like the purchase-request wizard, its progress lives in the draft case (CaseDraftStorage):
leaving at any step keeps everything. The schema is the one pinned on the draft, so an
editor publishing a change meanwhile never changes a form being filled.
"""

from collections import OrderedDict

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import kinds, permissions, services
from cases.wizard import DraftWizard
from cases.workflow import State
from portal.selectors import prescribing_services_of

from .forms import GenericSummaryForm
from .models import ProcedureFormPage
from .schema import first_amount, input_items
from .selectors import answers_by_step, forms_for_service
from .steps import CatalogueStepsMixin

SUMMARY = "recapitulatif"


class GenericFormWizard(CatalogueStepsMixin, DraftWizard):
    # Replaced per request by the steps of the form's schema (formtools needs one here).
    form_list = [(SUMMARY, GenericSummaryForm)]
    template_name = "forms_catalog/wizard.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = None
        self.allowed_services = []
        if "pk" in kwargs:
            self.case = (permissions.visible_cases(request.user, permissions.CHANGE)
                         .filter(pk=kwargs["pk"], kind__in=kinds.catalogue_only_codes(),
                                 created_by=request.user)
                         .select_related("requesting_service", "procedure").first())
            if self.case is None:
                raise Http404
            if self.case.state != State.DRAFT:
                return redirect(self.case.get_absolute_url())
            self.service = self.case.requesting_service
            self.procedure = self.case.procedure
            self.schema = self.case.extra.get("schema", {"steps": []})
            self.title = self.case.extra.get("procedure_title", self.case.subject)
        else:
            page = get_object_or_404(ProcedureFormPage.objects.live(), pk=kwargs["page_id"],
                                     form_kind__in=kinds.catalogue_only_codes())
            self.allowed_services = [s for s in prescribing_services_of(request.user)
                                     if forms_for_service(s).filter(pk=page.pk).exists()]
            if not self.allowed_services:
                raise Http404
            code = request.GET.get("service") or request.POST.get("service")
            self.service = next((s for s in self.allowed_services if s.code == code),
                                self.allowed_services[0])
            self.procedure, self.schema, self.title = page, page.field_schema, page.title
        self.form_list = OrderedDict(self.catalogue_steps() + [(SUMMARY, GenericSummaryForm)])
        request.draft_case = self.case
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request, *args, **kwargs):
        return "generic"

    def get_form_kwargs(self, step=None):
        return self.catalogue_form_kwargs(step) if self.is_catalogue_step(step) else {}

    # --- requests -----------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        if self.case is None:
            self.storage.reset()
            self.storage.current_step = self.steps.first
        step = self.storage.current_step or self.steps.first
        self.storage.current_step = step
        return self.render(self.get_form(step=step, data=self.storage.get_step_data(step)))

    def _wizard_url(self):
        return reverse("forms_catalog:resume", args=[self.case.pk])

    def _ensure_case(self):
        if self.case is None:
            self.case = services.catalogue_draft_create(actor=self.request.user,
                                                      service=self.service,
                                                      procedure=self.procedure)
            self.request.draft_case = self.case

    def _draft_amount(self):
        # The figure submission will record (answers_record): the first amount answered.
        if not any(item["type"] == "amount" for item in input_items(self.schema or {})):
            return None
        return first_amount(self.schema, self.catalogue_summary_answers())

    # --- display ------------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        names = list(self.get_form_list())
        titles = [*self.catalogue_titles().values(), _("Récapitulatif et dépôt")]
        index = self.steps.index
        context.update({
            "case": self.case, "service": self.service, "title": self.title,
            "wizard_title": self.title,
            "procedure": self.procedure,
            "stepper": {"current_step_id": index + 1, "current_step_title": titles[index],
                        "next_step_title": titles[index + 1] if index + 1 < len(titles) else "",
                        "total_steps": len(names)},
            "step_names": list(zip(names, titles, strict=True)),
            "stored_files": self.storage.extra_data.get("files", {}),
            "other_services": [s for s in self.allowed_services if s != self.service],
        })
        if self.steps.current == SUMMARY:
            context["summary"] = {"catalogue": answers_by_step(
                self.schema, self.catalogue_summary_answers())}
        return context

    # --- submission ---------------------------------------------------------------------

    def fill_draft(self, form_dict) -> None:
        services.answers_record(case=self.case, actor=self.request.user,
                                answers=self.catalogue_answers(form_dict))

    def done(self, form_list, form_dict=None, **kwargs):
        return self._submit(
            lambda: self.fill_draft(form_dict),
            awaiting_validation=_("Demande %(ref)s déposée. Elle attend la validation d'un "
                                  "ordonnateur de votre service."),
            confirmation=(self.procedure.confirmation_message if self.procedure else "") or "")
