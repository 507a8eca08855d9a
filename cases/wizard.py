"""The kinds' wizards' base (django-formtools), whose progress lives in the draft Case.

The formtools storage is backed by `Case.wizard_state` instead of the session: leaving at
any step keeps a draft in the database, and reopening it resumes at the step where it
stopped. Uploads are not kept by formtools: each valid file becomes an Attachment of the
draft at once, so the attachments step only checks that a quote is on record.
"""

import copy
import json
from collections import OrderedDict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import SessionWizardView

from documents.services import attachment_add, attachment_remove
from forms_catalog.selectors import forms_for_service
from forms_catalog.steps import CatalogueStepsMixin
from portal.selectors import prescribing_services_of

from . import permissions, services
from .workflow import State

STRIPPED_KEYS = {"csrfmiddlewaretoken", "save_draft", "wizard_goto_step", "draft_version"}


class CaseDraftStorage(BaseStorage):
    """formtools storage reading and writing `request.draft_case.wizard_state`."""

    def __init__(self, prefix, request=None, file_storage=None):
        super().__init__(prefix, request, file_storage)
        self.init_data()
        case = getattr(request, "draft_case", None)
        if case is not None and case.wizard_state:
            self.data.update(copy.deepcopy(case.wizard_state))
        self.saved = self.snapshot()

    def snapshot(self) -> str:
        return json.dumps(self.data, sort_keys=True, default=str)

    def set_step_files(self, step, files):
        # Files are stored as attachments by the view; nothing is kept here.
        return None

    def get_step_files(self, step):
        return None





class DraftWizard(LoginRequiredMixin, SessionWizardView):
    """What every case wizard shares: progress kept in the draft (CaseDraftStorage), a
    redirect after each step, "Étape précédente" and "Enregistrer le brouillon" that keep
    what was typed. Subclasses set `self.case` (or None) and implement `_ensure_case()` and
    `_wizard_url()`."""

    storage_name = "cases.wizard.CaseDraftStorage"
    # Required by formtools for steps with file fields; unused since uploads become attachments.
    file_storage = FileSystemStorage(location=settings.MEDIA_ROOT / "wizard-tmp")

    def get_form_step_data(self, form):
        return {k: v for k, v in form.data.lists() if k not in STRIPPED_KEYS}

    def _strip_stored_files(self, request, stored: set[str]) -> None:
        # Stored uploads are attachments now: formtools must not see (and re-check) them.
        request._files = MultiValueDict({key: files for key, files in request.FILES.lists()
                                         if key not in stored})

    def post(self, request, *args, **kwargs):
        posted_step = request.POST.get(f"{self.prefix}-current_step")
        if posted_step in self.get_form_list():
            # The page may be older than the stored progress (another tab): trust the page.
            self.storage.current_step = posted_step
        current = self.steps.current
        form = self.get_form(data=request.POST, files=request.FILES)
        posted_version = request.POST.get("draft_version")
        if (self.case is not None and posted_version is not None
                and posted_version != str(self.case.version)):
            # Saved from another tab since this page was shown: keep both — the stored draft
            # untouched, and what this page holds shown again, for the person to choose.
            messages.error(request, _(
                "Ce brouillon a été modifié dans un autre onglet depuis l'affichage de cette "
                "page : rien n'a été enregistré ici. Vos saisies sont ci-dessous ; rechargez "
                "la page pour voir la version enregistrée."))
            response = self.render(form)
            response.status_code = 409
            return response
        refusal, form = self._take_uploads(request, current, form)
        if refusal is not None:
            return refusal
        leaving = self._leave(request, current, form)
        if leaving is not None:
            return leaving
        # A draft exists from the first step that passes its checks (not for a refused one).
        if form.is_valid():
            self._ensure_case()
        if not self._built_alike(form):
            # Built before the draft existed, or before its files were taken: as formtools
            # would build it now.
            form = self.get_form(data=request.POST, files=request.FILES)
        return self._formtools_post(request, form, **kwargs)

    def get_form(self, step=None, data=None, files=None):
        """formtools' get_form, remembering what the form was built from, for post() to tell
        whether it may be used again."""
        step = self.steps.current if step is None else step
        form_class = self.get_form_list()[step]
        kwargs = self.get_form_kwargs(step)
        if issubclass(form_class, forms.ModelForm | forms.models.BaseModelFormSet):
            form = super().get_form(step=step, data=data, files=files)  # with its instance
        else:
            form = form_class(data=data, files=files, initial=self.get_form_initial(step),
                              prefix=self.get_form_prefix(step, form_class), **kwargs)
        form._wizard_built = (step, kwargs, files)
        return form

    def _built_alike(self, form) -> bool:
        """Whether `form`, bound to this request's POST, is the one formtools would build for
        the current step now (same arguments, same files): then it is validated once."""
        built = getattr(form, "_wizard_built", None)
        if built is None or form.data is not self.request.POST:
            return False
        step, kwargs, files = built
        return (step == self.steps.current and kwargs == self.get_form_kwargs(step)
                and (files is self.request.FILES or not (files or self.request.FILES)))

    def _take_uploads(self, request, current, form):
        """Store the step's uploads as attachments; (a response to stop with, the form)."""
        return None, form

    def stored_form(self, step):
        """The step's form bound to what the draft holds for it, when valid (else None).

        Remembered per stored data, so that steps reading earlier ones build each form once
        per request; built from the step's class directly, as step conditions may read it
        (get_form resolves them)."""
        cache = self.__dict__.setdefault("_stored_forms", {})
        key = (step, self.storage.snapshot())
        if key not in cache:
            data = self.storage.get_step_data(step)
            form = None
            if data is not None:
                form_class = self.form_list[step]
                form = form_class(data=data, prefix=self.get_form_prefix(step, form_class),
                                  initial=self.get_form_initial(step),
                                  **self.get_form_kwargs(step))
            cache[key] = form if form is not None and self.step_form_valid(form) else None
        return cache[key]

    def step_form(self, step):
        """The step's form bound to what the draft holds for it: the form validated by this
        very POST while the draft still holds what it posted, else a new one."""
        data = self.storage.get_step_data(step)
        posted = self.__dict__.get("_posted")
        if (posted is not None and posted[0] == step and data is not None
                and dict(data.lists()) == dict(posted[1].lists())):
            return posted[2]
        return self.get_form(step=step, data=data)

    # Set by the REST API while it fills a draft (cases.api_drafts): a file is attached apart
    # from the content, so a missing one is no error yet; submission requires it, as here.
    defer_missing_files = False

    def step_form_valid(self, form) -> bool:
        """Whether a step's form is valid (a missing file forgiven while deferred)."""
        if form.is_valid() or not self.defer_missing_files:
            return form.is_valid()
        for name, field in getattr(form, "fields", {}).items():
            if (isinstance(field, forms.FileField) and name in form.errors
                    and not (form.files or {}).get(form.add_prefix(name))):
                del form.errors[name]
        return form.is_valid()

    def fill_draft(self, form_dict) -> None:
        """Write the draft's content from its valid steps with the kind's services (what
        done() does before submitting; the REST API calls it too)."""
        raise NotImplementedError

    def _leave(self, request, current, form):
        """"Étape précédente" or "Enregistrer le brouillon": keep what was typed, even if
        incomplete — the draft must lose nothing. None when the user is not leaving."""
        if "save_draft" not in request.POST and "wizard_goto_step" not in request.POST:
            return None
        self._ensure_case()
        self.storage.set_step_data(current, self.get_form_step_data(form))
        goto = request.POST.get("wizard_goto_step")
        if goto in self.get_form_list():
            self.storage.current_step = goto
            self._persist()
            return redirect(self._wizard_url())
        self._persist()
        messages.success(request, _("Brouillon enregistré. Vous pourrez le reprendre depuis "
                                    "« Mes demandes »."))
        return redirect("cases:my_requests")

    def _formtools_post(self, request, form, **kwargs):
        self._kept_state = None
        self._submitted = False
        response = self._post_step(form, **kwargs)
        if self._kept_state is not None:
            # formtools resets its storage after done(), even when the submission was refused.
            self.storage.data = self._kept_state
        if not self._submitted:
            self._persist()
        return response

    def _post_step(self, form, **kwargs):
        """formtools' WizardView.post() once the step's form is built (post() handled the
        step it names, "Étape précédente" and the uploads), with that form: formtools would
        build and validate it a second time."""
        management_form = ManagementForm(self.request.POST, prefix=self.prefix)
        if not management_form.is_valid():
            raise SuspiciousOperation(_("ManagementForm data is missing or has been "
                                        "tampered."))
        if not form.is_valid():
            return self.render(form)
        self.storage.set_step_data(self.steps.current, self.process_step(form))
        self.storage.set_step_files(self.steps.current, self.process_step_files(form))
        self._posted = (self.steps.current, self.storage.get_step_data(self.steps.current),
                        form)
        # As formtools: the stored data may change the steps' conditions.
        self.__dict__.pop("_resolved_form_list", None)
        self.__dict__.pop("_cache_signature", None)
        for name in [name for name in self.__dict__ if name.startswith("_cleaned_data_cache_")]:
            delattr(self, name)
        if self.steps.current == self.steps.last:
            return self.render_done(form, **kwargs)
        return self.render_next_step(form)

    def _submit(self, fill, *, awaiting_validation: str, confirmation: str = ""):
        """In done(): `fill()` the case and submit it in one transaction, then say where it
        went; a refusal keeps everything and goes back to the summary."""
        try:
            with services.whole_transaction():
                fill()
                case = services.transition(case=self.case, action="submit",
                                           actor=self.request.user)
        except services.CaseError as exc:
            return self._refused(exc.message)
        self.case, self._submitted = case, True  # no draft left to keep
        if case.state == State.AWAITING_VALIDATION:
            messages.success(self.request, awaiting_validation % {"ref": case.reference})
        else:
            messages.success(self.request, _(
                "Demande %(ref)s déposée et transmise au centre de services partagés.")
                % {"ref": case.reference})
        if confirmation:
            messages.info(self.request, confirmation)
        return redirect(case.get_absolute_url())

    def _refused(self, message: str):
        """In done(): the submission was refused; back to the summary, nothing lost."""
        messages.error(self.request, message)
        self.storage.current_step = self.steps.last
        self._kept_state = copy.deepcopy(self.storage.data)
        return redirect(self._wizard_url())

    def render_next_step(self, form, **kwargs):
        self.storage.current_step = self.get_next_step()
        return redirect(self._wizard_url())

    def render_revalidation_failure(self, step, form, **kwargs):
        self.storage.current_step = step
        messages.error(self.request, _("Une étape est incomplète : corrigez-la avant de déposer "
                                       "la demande."))
        return redirect(self._wizard_url())

    def _draft_subject(self) -> str | None:
        return None

    def _draft_amount(self):
        """The amount the summary would show for what is stored (None: none yet)."""
        return None

    def _persist(self):
        if self.case is None or self.storage.snapshot() == self.storage.saved:
            return
        # The locked row says whether it is still a draft (no read of its state before).
        self.case = services.case_draft_save(case=self.case, actor=self.request.user,
                                             wizard_state=self.storage.data,
                                             subject=self._draft_subject(),
                                             amount=self._draft_amount(), if_draft=True)
        self.storage.saved = self.storage.snapshot()





class KindWizard(CatalogueStepsMixin, DraftWizard):
    """The wizard of a form kind: its built-in steps, then the steps the editors added on the
    kind's catalogue page (pinned to the revision the draft was started with), then the
    summary. Subclasses set `kind`, `built_in_steps`, `summary_form` and `resume_url_name`."""

    kind: str
    built_in_steps: list[tuple[str, type]]
    summary_form: type
    resume_url_name: str

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = None
        pk = kwargs.get("pk")
        if pk is not None:
            self.case = (
                permissions.visible_cases(request.user, permissions.CHANGE)
                .filter(pk=pk, kind=self.kind, created_by=request.user)
                .select_related("requesting_service__processing_centre").first()
            )
            if self.case is None:
                raise Http404
            if self.case.state != State.DRAFT:
                return redirect(self.case.get_absolute_url())
            self.service = self.case.requesting_service
            self.procedure = self.case.procedure
            self.schema = self.case.extra.get("schema")
        else:
            self.service = self._chosen_service(request)
            if self.service is None:
                raise Http404
            self.procedure = forms_for_service(self.service).filter(form_kind=self.kind).first()
            self.schema = self.procedure.field_schema if self.procedure else None
        self.form_list = OrderedDict([*self.built_in_steps, *self.catalogue_steps(),
                                      ("recapitulatif", self.summary_form)])
        request.draft_case = self.case
        return super().dispatch(request, *args, **kwargs)

    # The step with a directory search (?q=): a new search shows fresh results.
    search_step: str | None = None

    def get(self, request, *args, **kwargs):
        if self.case is None:
            self.storage.reset()
            self.storage.current_step = self.steps.first
        step = self.storage.current_step or self.steps.first
        self.storage.current_step = step
        data = self.storage.get_step_data(step)
        if step == self.search_step and request.GET.get("q") is not None:
            data = None  # the saved choice stays stored
        return self.render(self.get_form(step=step, data=data))

    def _chosen_service(self, request):
        services_qs = prescribing_services_of(request.user)
        code = request.GET.get("service") or request.POST.get("service")
        if code:
            return services_qs.filter(code=code).first()
        return services_qs.order_by("code").first()

    def get_prefix(self, request, *args, **kwargs):
        return self.kind

    def _wizard_url(self):
        return reverse(self.resume_url_name, args=[self.case.pk])

    def _ensure_case(self):
        if self.case is None:
            if self.procedure is not None:
                self.case = services.catalogue_draft_create(
                    actor=self.request.user, service=self.service, procedure=self.procedure)
            else:
                self.case = services.case_draft_create(
                    actor=self.request.user, service=self.service, kind=self.kind)
            self.request.draft_case = self.case

    def take_upload(self, request, field: str, kind: str, *, replace: bool):
        """A step's file field becomes an attachment of the draft as soon as the file passes
        its own checks, even if other fields of the step do not (nothing typed is lost);
        `replace` drops the previous attachment of that kind. Returns the step's form to go
        on with (bound to the text fields only)."""
        form = self.get_form(data=request.POST, files=request.FILES)
        form.is_valid()
        uploaded = form.cleaned_data.get(field) if field not in form.errors else None
        if not uploaded:
            return form  # a refused file makes no draft
        self._ensure_case()
        if replace:
            for previous in self.case.attachments.filter(kind=kind):
                attachment_remove(attachment=previous)
        attachment_add(case=self.case, kind=kind, uploaded=uploaded, actor=request.user)
        self._strip_stored_files(request, {form.add_prefix(field)})
        return self.get_form(data=request.POST)

    def stepper(self, titles: dict) -> dict:
        index = self.steps.index
        steps = list(self.get_form_list())
        return {
            "current_step_id": index + 1,
            "current_step_title": titles[self.steps.current],
            "next_step_title": titles[steps[index + 1]] if index + 1 < len(steps) else "",
            "total_steps": len(steps),
        }

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context.update({
            "case": self.case,
            "service": self.service,
            "procedure": self.procedure,
            "stored_files": self.storage.extra_data.get("files", {}),
            "other_services": [] if self.case else
            list(prescribing_services_of(self.request.user).exclude(pk=self.service.pk)),
        })
        return context
