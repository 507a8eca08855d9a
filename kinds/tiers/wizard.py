"""The tiers request wizard: nature (creation or modification, category), identity, address
and contact, bank details with the RIB, the editors' steps, then a summary that shows any
duplicate and offers to turn the request into a modification of the existing record.

It may be opened from a purchase request's supplier step (`?retour=<draft id>`): after
submission it sends the agent back to that draft.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from cases import permissions
from cases.identifiers import mask
from cases.models import CaseKind, Tiers
from cases.wizard import KindWizard
from cases.workflow import State
from documents.models import AttachmentKind
from forms_catalog.selectors import answers_by_step

from .forms import AddressForm, BankForm, IdentityForm, NatureForm, TiersSummaryForm
from .identity import FRANCE
from .models import TiersOperation
from .selectors import tiers_duplicates
from .services import tiers_request_fill

STEPS = [
    ("nature", NatureForm),
    ("identite", IdentityForm),
    ("adresse", AddressForm),
    ("banque", BankForm),
]
IDENTITY_STEPS = ("nature", "identite", "adresse", "banque")
STEP_TITLES = {
    "nature": gettext_lazy("Nature de la demande"),
    "identite": gettext_lazy("Identité et identifiant"),
    "adresse": gettext_lazy("Adresse et contact"),
    "banque": gettext_lazy("Coordonnées bancaires"),
    "recapitulatif": gettext_lazy("Récapitulatif et dépôt"),
}
# What a directory record pre-fills, per step, when the request modifies it.
PREFILLED = {
    "identite": ("name", "last_name", "first_name", "siret", "vat_number", "nir", "country",
                 "foreign_identifier"),
    "adresse": ("address", "postcode", "city", "email"),
    "banque": ("iban", "bic"),
}


class TiersRequestWizard(KindWizard):
    kind = CaseKind.TIERS
    built_in_steps = STEPS
    summary_form = TiersSummaryForm
    resume_url_name = "suppliers:resume"
    search_step = "nature"
    form_list = [*STEPS, ("recapitulatif", TiersSummaryForm)]
    template_name = "suppliers/wizard.html"

    # --- what was typed so far ----------------------------------------------------------

    def identity_before(self, step) -> dict:
        """The identity as typed at the steps before `step` (None: all of them)."""
        identity: dict = {}
        for name in IDENTITY_STEPS:
            if name == step:
                break
            form = self.stored_form(name)
            if form is not None:
                identity.update(form.identity())
        return identity

    def nature(self) -> dict:
        form = self.stored_form("nature")
        return form.cleaned_data if form is not None else {}

    def target(self) -> Tiers | None:
        nature = self.nature()
        if nature.get("operation") == TiersOperation.MODIFICATION:
            return nature.get("tiers")
        return None

    # --- forms --------------------------------------------------------------------------

    def get_form_initial(self, step):
        if step == "nature":
            saved = self.storage.get_step_data("nature") or {}
            return {"tiers": (saved.get("nature-tiers") or [None])[0]}
        target = self.target() if step in PREFILLED else None
        if target is not None:
            return {name: getattr(target, name) or "" for name in PREFILLED[step]}
        return super().get_form_initial(step)

    def get_form_kwargs(self, step=None):
        if step == "nature":
            return {"search": self.request.GET.get("q", "")}
        if step in IDENTITY_STEPS:
            previous = self.identity_before(step)
            kwargs = {"previous": previous}
            if step == "identite":
                kwargs["category"] = previous.get("category", "")
            elif step == "adresse":
                kwargs["country"] = previous.get("country") or FRANCE
            elif step == "banque":
                kwargs["case"] = self.case
            return kwargs
        if self.is_catalogue_step(step):
            return self.catalogue_form_kwargs(step)
        return {}

    # --- requests -----------------------------------------------------------------------

    def _ensure_case(self):
        created = self.case is None
        super()._ensure_case()
        back = self.request.POST.get("retour", "")
        if created and back.isdigit():
            self.storage.extra_data = {**self.storage.extra_data, "return_to": back}

    def post(self, request, *args, **kwargs):
        if "to_modification" in request.POST and self.case is not None:
            return self._to_modification(request.POST["to_modification"])
        return super().post(request, *args, **kwargs)

    def _to_modification(self, tiers_pk: str):
        """Turn the request into a modification of the directory record it duplicates."""
        identity = self.identity_before(None)
        duplicates = tiers_duplicates(identity, exclude_tiers=self.target(),
                                      exclude_case=self.case)
        record = next((d.tiers for d in duplicates
                       if d.in_directory and str(d.tiers.pk) == tiers_pk and d.tiers.active),
                      None)
        if record is None:
            messages.error(self.request, _("Ce tiers ne peut pas être choisi : il ne fait pas "
                                           "partie des doublons détectés."))
            return redirect(self._wizard_url())
        nature = dict(self.storage.get_step_data("nature") or {})
        nature.update({"nature-operation": [TiersOperation.MODIFICATION],
                       "nature-tiers": [str(record.pk)]})
        self.storage.set_step_data("nature", nature)
        self._persist()
        messages.success(self.request, _(
            "Votre demande porte maintenant sur la modification du tiers « %(name)s » : "
            "vérifiez le récapitulatif puis déposez-la.") % {"name": record.name})
        return redirect(self._wizard_url())

    def _take_uploads(self, request, current, form):
        if current == "banque" and request.FILES:
            # One RIB per request: a new one replaces the previous one.
            return None, self.take_upload(request, "rib", AttachmentKind.RIB, replace=True)
        return self.take_catalogue_uploads(request, current, form), form

    def _draft_subject(self):
        name = self.identity_before(None).get("name")
        return _("Tiers : %(name)s") % {"name": name} if name else None

    # --- display ------------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        titles = {**STEP_TITLES, **self.catalogue_titles()}
        context.update({"stepper": self.stepper(titles), "step_titles": titles,
                        "wizard_title": _("Demande de tiers") if self.case else
                        _("Nouvelle demande de création ou de modification de tiers"),
                        "search": self.request.GET.get("q", ""),
                        "return_to": self._return_case(),
                        "retour": self.request.GET.get("retour", "") if self.case is None
                        else ""})
        if self.case is not None:
            context["rib"] = self.case.attachments.filter(kind=AttachmentKind.RIB).first()
        if self.steps.current == "recapitulatif":
            context["summary"] = self._summary()
        return context

    def _summary(self) -> dict:
        identity = self.identity_before(None)
        target = self.target()
        duplicates = tiers_duplicates(identity, exclude_tiers=target, exclude_case=self.case)
        incomplete = [STEP_TITLES[name] for name in IDENTITY_STEPS
                      if self.stored_form(name) is None]
        catalogue = (answers_by_step(self.schema, self.catalogue_summary_answers())
                     if self.schema else [])
        return {"identity": identity, "target": target, "operation": self.nature().get(
                "operation"), "duplicates": duplicates, "incomplete": incomplete,
                "iban": mask(identity.get("iban", "")),
                "nir": mask(identity.get("nir", "")), "catalogue": catalogue,
                "country": countries.name(identity.get("country") or FRANCE)}

    def _return_case(self):
        """The purchase-request draft to go back to after submission, if still one."""
        pk = str(self.storage.extra_data.get("return_to", ""))
        if not pk.isdigit():
            return None
        return (permissions.visible_cases(self.request.user, permissions.CHANGE)
                .filter(pk=int(pk), kind=CaseKind.PURCHASE_REQUEST,
                        created_by=self.request.user, state=State.DRAFT).first())

    # --- submission ---------------------------------------------------------------------

    def fill_draft(self, form_dict) -> None:
        from cases import services

        identity = {}
        for name in IDENTITY_STEPS:
            identity.update(form_dict[name].identity())
        nature = form_dict["nature"].cleaned_data
        tiers_request_fill(case=self.case, actor=self.request.user, identity=identity,
                           operation=nature["operation"], tiers=nature.get("tiers"))
        if self.schema:
            services.answers_record(case=self.case, actor=self.request.user,
                                    answers=self.catalogue_answers(form_dict))

    def done(self, form_list, form_dict=None, **kwargs):
        return_case = self._return_case()
        response = self._submit(lambda: self.fill_draft(form_dict), awaiting_validation=_(
            "Demande %(ref)s déposée. Elle attend la validation d'un ordonnateur de votre "
            "service."), confirmation=(self.procedure.confirmation_message
                                       if self.procedure else "") or "")
        self.case.refresh_from_db(fields=["state"])
        if return_case is not None and self.case.state != State.DRAFT:
            messages.info(self.request, _(
                "Le nouveau fournisseur pourra être choisi dans votre demande d'achat dès que "
                "la CST l'aura validé. Votre demande d'achat est restée en brouillon."))
            return redirect(reverse("purchases:resume", args=[return_case.pk]))
        return response
