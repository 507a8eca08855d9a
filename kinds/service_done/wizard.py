"""The service-done statement wizard: the order and the delivery (with its proof), the
delivered quantities, the reason when the statement comes late (a step shown only then),
the editors' steps, a summary. Opened from a purchase request's page (`?da=<id>`)."""

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.models import CaseKind
from cases.wizard import KindWizard
from documents.models import AttachmentKind
from forms_catalog.selectors import answers_by_step

from .forms import DeliveredLinesForm, DeliveryForm, LatenessForm, StatementSummaryForm
from .selectors import committed_by_line, statable_purchase_requests, statement_delay
from .services import StatementData, is_late, statement_amount, statement_fill

STEPS = [("livraison", DeliveryForm), ("quantites", DeliveredLinesForm),
         ("retard", LatenessForm)]
STEP_TITLES = {
    "livraison": gettext_lazy("Commande et livraison"),
    "quantites": gettext_lazy("Quantités livrées"),
    "retard": gettext_lazy("Motif du retard"),
    "recapitulatif": gettext_lazy("Récapitulatif et dépôt"),
}


def _late_step_shown(wizard) -> bool:
    return wizard.lateness() is not None


class ServiceDoneWizard(KindWizard):
    kind = CaseKind.SERVICE_DONE
    built_in_steps = STEPS
    summary_form = StatementSummaryForm
    resume_url_name = "service_done:resume"
    form_list = [*STEPS, ("recapitulatif", StatementSummaryForm)]
    condition_dict = {"retard": _late_step_shown}
    template_name = "service_done/wizard.html"

    # --- what was typed so far ------------------------------------------------------------

    def delivery(self) -> dict:
        form = self.stored_form("livraison")
        return form.cleaned_data if form is not None else {}

    def lateness(self):
        """(working days since delivery, allowed) when a statement made today is late."""
        delivered_on = self.delivery().get("delivered_on")
        if delivered_on is None:
            return None
        today = timezone.localdate()
        allowed = statement_delay(self.service, self.service.processing_centre, today)
        late, elapsed = is_late(delivered_on, today, allowed)
        return (elapsed, allowed) if late else None

    # --- forms ----------------------------------------------------------------------------

    def get_form_initial(self, step):
        if step == "livraison" and self.case is None:
            return {"purchase_request": self.request.GET.get("da")}
        return super().get_form_initial(step)

    def get_form_kwargs(self, step=None):
        if step == "livraison":
            return {"case": self.case, "purchase_requests": statable_purchase_requests(
                self.service, exclude=self.case)}
        if step == "quantites":
            purchase_request = self.delivery().get("purchase_request")
            if purchase_request is None:
                return {}
            return {"lines": purchase_request.lines.all(),
                    "left": committed_by_line(purchase_request, exclude=self.case)}
        if self.is_catalogue_step(step):
            return self.catalogue_form_kwargs(step)
        return {}

    def _take_uploads(self, request, current, form):
        if current == "livraison" and request.FILES:
            return None, self.take_upload(request, "proof", AttachmentKind.DELIVERY_PROOF,
                                          replace=True)
        return self.take_catalogue_uploads(request, current, form), form

    def _draft_subject(self):
        purchase_request = self.delivery().get("purchase_request")
        if purchase_request is None:
            return None
        return _("Service fait — EJ %(ej)s") % {"ej": purchase_request.ej_number}

    def _draft_amount(self):
        return self._delivered_amount(self._delivered())

    def _delivered(self):
        quantities = self.stored_form("quantites")
        return quantities.delivered() if quantities is not None else []

    def _delivered_amount(self, delivered):
        purchase_request = self.delivery().get("purchase_request")
        if not delivered or purchase_request is None:
            return None
        return statement_amount(delivered, committed_by_line(purchase_request,
                                                             exclude=self.case))

    # --- display --------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        if self.case is None and not statable_purchase_requests(self.service).exists():
            from django.contrib import messages

            messages.info(request, _("Aucune commande de votre service n'attend de constatation "
                                     "du service fait : le service fait se constate sur une "
                                     "demande d'achat terminée (EJ connu)."))
            return redirect("cases:my_requests")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        titles = {**STEP_TITLES, **self.catalogue_titles()}
        context.update({"stepper": self.stepper(titles), "step_titles": titles,
                        "lateness": self.lateness(),
                        "wizard_title": _("Constatation du service fait")})
        if self.case is not None:
            context["proof"] = self.case.attachments.filter(
                kind=AttachmentKind.DELIVERY_PROOF).first()
        if self.steps.current == "recapitulatif":
            context["summary"] = self._summary()
        return context

    def _summary(self) -> dict:
        delivered = self._delivered()
        lateness = self.stored_form("retard")
        amount = self._delivered_amount(delivered)
        return {"delivery": self.delivery(), "delivered": delivered, "amount": amount,
                # Said before submission: who validates it, at what amount.
                "outlook": permissions.submission_outlook(self.request.user, self.case, amount)
                if amount is not None and self.case is not None else None,
                "lateness": lateness.cleaned_data if lateness is not None else None,
                "catalogue": answers_by_step(self.schema, self.catalogue_summary_answers())
                if self.schema else []}

    # --- submission -----------------------------------------------------------------------

    def fill_draft(self, form_dict) -> None:
        from cases import services

        delivery = form_dict["livraison"].cleaned_data
        lateness = form_dict["retard"].cleaned_data if "retard" in form_dict else {}
        data = StatementData(
            purchase_request=delivery["purchase_request"],
            delivered_on=delivery["delivered_on"],
            invoice_reference=delivery.get("invoice_reference", ""),
            lines=form_dict["quantites"].delivered(),
            lateness_reason=lateness.get("lateness_reason", ""),
            lateness_comment=lateness.get("lateness_comment", ""),
        )
        statement_fill(case=self.case, actor=self.request.user, data=data)
        if self.schema:
            services.answers_record(case=self.case, actor=self.request.user,
                                    answers=self.catalogue_answers(form_dict))

    def done(self, form_list, form_dict=None, **kwargs):
        return self._submit(lambda: self.fill_draft(form_dict), awaiting_validation=_(
            "Constatation %(ref)s déposée. Elle attend la validation d'un ordonnateur de votre "
            "service, puis la certification du centre."),
            confirmation=(self.procedure.confirmation_message if self.procedure else "") or "")
