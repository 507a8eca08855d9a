"""Wizard steps built from a catalogue schema, shared by every wizard (generic forms, and the
editor's steps added to the built-in steps of a kind)."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from documents.models import AttachmentKind
from documents.services import attachment_add
from documents.validation import check_upload

from .forms import FILE_TYPES, StepForm, row_action
from .schema import applicable_answers, input_items

# Never kept in a step's stored data (cases.wizard.STRIPPED_KEYS, which imports this module).
ROW_ACTION_STRIPPED = {"csrfmiddlewaretoken", "save_draft", "wizard_goto_step", "draft_version"}


def step_name(index: int) -> str:
    return f"etape-{index + 1}"


class CatalogueStepsMixin:
    """Needs `self.schema` (a schema dict or None), `self.case`, `self.storage`, and
    `stored_form()` (cases.wizard.DraftWizard)."""

    schema: dict | None = None

    def catalogue_steps(self) -> list[tuple[str, type]]:
        steps = (self.schema or {}).get("steps", [])
        return [(step_name(i), StepForm) for i, step in enumerate(steps) if step["items"]]

    def catalogue_titles(self) -> dict[str, str]:
        steps = (self.schema or {}).get("steps", [])
        return {step_name(i): step["title"] for i, step in enumerate(steps) if step["items"]}

    def is_catalogue_step(self, step) -> bool:
        return step in dict(self.catalogue_steps())

    def _catalogue_index(self, step) -> int:
        return int(step.rsplit("-", 1)[1]) - 1

    def catalogue_answers_before(self, step) -> dict:
        """Answers of the catalogue steps before `step` (None: all of them)."""
        answers = {}
        for name, _form in self.catalogue_steps():
            if name == step:
                break
            form = self.stored_form(name)
            if form is not None:
                answers.update(form.answers())
        return answers

    def catalogue_form_kwargs(self, step) -> dict:
        return {"items": self.schema["steps"][self._catalogue_index(step)]["items"],
                "previous_answers": self.catalogue_answers_before(step),
                "stored_files": self.storage.extra_data.get("files", {}),
                # A « lien vers une autre demande » offers the cases the requester may see.
                "user": self.request.user, "exclude_case": self.case}

    def store_catalogue_uploads(self, form) -> set[str]:
        """Valid files become attachments of the draft at once; returns their field names."""
        form.is_valid()
        files = dict(self.storage.extra_data.get("files", {}))
        stored = set()
        for item in form.items:
            key = item["key"]
            # A hidden field's file is dropped by the form's clean(): never stored.
            uploaded = form.cleaned_data.get(key) if hasattr(form, "cleaned_data") else None
            if item["type"] not in FILE_TYPES or not uploaded or key in form.errors:
                continue
            records = []
            try:
                for one in uploaded if item["type"] == "files" else [uploaded]:
                    attachment = attachment_add(case=self.case, kind=AttachmentKind.OTHER,
                                                uploaded=one, actor=self.request.user)
                    records.append({"attachment": attachment.pk,
                                    "name": attachment.original_name})
            except ValidationError as exc:
                form.add_error(key, exc.messages[0])
                continue
            # Several files: a new selection replaces the one on record (as a single file
            # does); the attachments themselves stay on the draft.
            files[key] = records if item["type"] == "files" else records[0]
            stored.add(form.add_prefix(key))
        self.storage.extra_data = {**self.storage.extra_data, "files": files}
        return stored

    def take_catalogue_uploads(self, request, current, form):
        """On a catalogue step, valid files become attachments; a refused one stops the
        request on its step with the error next to the field."""
        if self.is_catalogue_step(current):
            rows = row_action(request.POST, form)
            if rows is not None:
                return self.take_row_action(current, rows)
        if not (self.is_catalogue_step(current) and request.FILES and form.is_valid()):
            return None
        # Every file is checked before the draft is made: a refused one makes no draft.
        for item in form.items:
            uploaded = form.cleaned_data.get(item["key"])
            if item["type"] not in FILE_TYPES or not uploaded:
                continue
            for one in uploaded if item["type"] == "files" else [uploaded]:
                try:
                    check_upload(one)
                except ValidationError as exc:
                    form.add_error(item["key"], exc.messages[0])
                    break
        if form.errors:
            return self.render(form)
        self._ensure_case()
        stored = self.store_catalogue_uploads(form)
        if form.errors:
            return self.render(form)
        self._strip_stored_files(request, stored)
        return None

    def take_row_action(self, current, data):
        """« Ajouter une ligne » / « Supprimer » of a repetition block, without JavaScript:
        the step is kept as typed with one row more or less, and shown again."""
        self._ensure_case()
        self.storage.set_step_data(current, {key: values for key, values in data.lists()
                                             if key not in ROW_ACTION_STRIPPED})
        self.storage.current_step = current
        self._persist()
        return redirect(self._wizard_url())

    def _take_uploads(self, request, current, form):
        return self.take_catalogue_uploads(request, current, form), form

    def catalogue_answers(self, form_dict) -> dict:
        answers = {}
        for name, form in form_dict.items():
            if self.is_catalogue_step(name):
                answers.update(form.answers())
        files = self.storage.extra_data.get("files", {})
        for item in input_items(self.schema or {}):
            if item["type"] in FILE_TYPES and item["key"] in files:
                answers[item["key"]] = files[item["key"]]
        # Across steps: a field hidden by an answer given (or changed) on another step is
        # neither stored nor shown, whatever its own step held.
        return applicable_answers(self.schema or {}, answers)

    def catalogue_summary_answers(self) -> dict:
        answers = self.catalogue_answers_before(None)
        answers.update(self.storage.extra_data.get("files", {}))
        return applicable_answers(self.schema or {}, answers)
