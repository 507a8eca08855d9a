"""Drafts through the REST API, checked by the very forms of the kind's web wizard.

The API drives the kind's wizard without a browser (`wizard_for`): the wizard's own dispatch
sets it up — the draft, the service, the catalogue page and the schema pinned on the draft,
the steps — for an OPTIONS request, which runs no step. The JSON content becomes the data each
step's form would receive from the page (`WizardDraft.step_data`: built-in fields by their
step's form, catalogue answers by their field type, forms_catalog.api.answer_data), kept as
the wizard's progress (`Case.wizard_state`: the web wizard resumes a draft the API filled, and
the API updates one begun on the web), and every step is checked by its form with the
wizard's own arguments and step conditions (a step or a field that does not apply is
dropped). The content is written by the wizard's `fill_draft()`, the kind's services its
done() calls. Submitting through the API does what done() does: every step checked again,
files included, the content written and the case submitted by `transition()`, in one
transaction.

Files are not JSON: they are attached by POST /api/cases/<id>/attachments/ (a catalogue file
field then names the attachment's id). While a draft is filled a missing file is no error;
at submission it is, as on the web.

A kind registers `ApiDraft("<its WizardDraft subclass>")` in its KindSpec (cases.kinds); the
core knows no kind.
"""

from django import forms
from django.http import Http404, HttpRequest, QueryDict
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import serializers

from forms_catalog.api import FILE_TYPES, AnswerError, answer_data, answer_path
from forms_catalog.forms import SEP
from forms_catalog.schema import input_items

from . import services
from .models import Case
from .workflow import Action, State

CONTENT, ANSWERS = "content", "answers"


class DraftNotFound(Exception):
    """The draft (or the catalogue form for a new one) is not the caller's to fill: 404."""


def _refused(errors: dict[str, list[str]]) -> serializers.ValidationError:
    return serializers.ValidationError({path: messages for path, messages in errors.items()})


def _values(value) -> list[str]:
    """A built-in field's JSON value as the page would post it."""
    if value is True:
        return ["on"]
    if value is False:
        return []
    if isinstance(value, list):
        if any(isinstance(item, dict | list) or item is None for item in value):
            raise AnswerError(_("Une liste de valeurs simples est attendue."))
        return [str(item) for item in value]
    if isinstance(value, dict):
        raise AnswerError(_("Une valeur simple est attendue (texte, nombre ou liste)."))
    return [str(value)]


class WizardDraft:
    """How the API fills a kind's drafts with its wizard. A kind subclasses it in its own
    module and names it in KindSpec.api_draft; the defaults fit a wizard whose built-in fields
    are plain form fields, each named once across the steps."""

    wizard_path: str  # the kind's wizard (cases.wizard.DraftWizard)
    # The body names the catalogue form (`procedure`): a kind that has no form of its own.
    takes_procedure = False

    @property
    def wizard_class(self):
        return import_string(self.wizard_path)

    def new_kwargs(self, procedure: int | None) -> dict:
        """The URL arguments of the wizard's blank form."""
        return {}

    def built_in_steps(self, wizard) -> dict:
        """Step name -> form class of the wizard's own steps (not the catalogue's, not the
        summary's certification, which is the web page's)."""
        steps = dict(wizard.form_list)
        steps.pop(list(steps)[-1])
        return {name: form for name, form in steps.items()
                if not wizard.is_catalogue_step(name)}

    def built_in_data(self, wizard, content: dict, errors: dict) -> dict[str, dict]:
        """{step: {field: [values]}} from the content's built-in fields (all but `answers`),
        each put in the step whose form declares it; errors by content path."""
        steps = self.built_in_steps(wizard)
        owner = {}
        for step, form_class in steps.items():
            for name, field in getattr(form_class, "base_fields", {}).items():
                owner.setdefault(name, (step, field))
        data: dict[str, dict] = {step: {} for step in steps}
        for key, value in content.items():
            if key == ANSWERS:
                continue
            if key not in owner:
                errors[f"{CONTENT}.{str(key)[:100]}"] = [_("Champ inconnu pour ce type de "
                                                            "demande.")]
                continue
            step, field = owner[key]
            if field.widget.needs_multipart_form:
                errors[f"{CONTENT}.{key}"] = [_(
                    "Un fichier se joint au brouillon par POST /api/cases/{id}/attachments/, "
                    "pas dans le contenu.")]
                continue
            if value is None:
                data[step][key] = None
                continue
            try:
                data[step][key] = _values(value)
            except AnswerError as exc:
                errors[f"{CONTENT}.{key}"] = [exc.message]
        return data

    def error_path(self, wizard, step: str, field: str) -> str:
        """Where an error of a built-in step's form field is in the content."""
        return f"{CONTENT}.{field}" if field else CONTENT

    def defaults(self, wizard) -> dict:
        """Content the page shows filled in, used when a new or replaced draft's content
        leaves it out."""
        return {}

    def empty_data(self, wizard, step: str) -> dict:
        """The data of a step the content leaves empty (a formset's management data)."""
        return {}

    def complete(self, wizard, errors: dict) -> None:
        """Once the content is in the wizard's storage: put there what depends on earlier
        steps (the lines of the order a statement names)."""


def wizard_for(adapter: WizardDraft, *, actor, case: Case | None = None, service=None,
               procedure: int | None = None):
    """The kind's wizard set up for `case` (or a blank form for `service`), as its dispatch
    does for its author's browser. DraftNotFound when it would answer 404; CaseError when the
    draft is no longer one."""
    request = HttpRequest()
    request.method = "OPTIONS"  # set up, run no step
    request.user = actor
    request.GET = QueryDict(mutable=True)
    if service is not None:
        request.GET["service"] = service.code
    kwargs = {"pk": case.pk} if case is not None else adapter.new_kwargs(procedure)
    wizard_class = adapter.wizard_class
    wizard = wizard_class(**wizard_class.get_initkwargs())
    wizard.setup(request, **kwargs)
    try:
        response = wizard.dispatch(request, **kwargs)
    except Http404 as exc:
        raise DraftNotFound from exc
    if response.status_code != 200:  # the wizard sends a submitted case to its page
        raise services.CaseError(_("Cette demande a déjà été déposée : elle ne peut plus être "
                                   "modifiée."))
    if service is not None and wizard.service != service:
        raise DraftNotFound
    return wizard


def _answer_data(wizard, content: dict, case: Case | None, errors: dict) -> tuple:
    """({step: {field: [values]}}, {key: stored file}) from the content's catalogue answers."""
    answers = content.get(ANSWERS)
    if answers is None:
        return {}, {}
    if not isinstance(answers, dict):
        errors[f"{CONTENT}.{ANSWERS}"] = [_("Un objet est attendu : les réponses par "
                                            "identifiant de champ.")]
        return {}, {}
    step_of, items = {}, {}
    for step, _form in wizard.catalogue_steps():
        for item in wizard.schema["steps"][wizard._catalogue_index(step)]["items"]:
            step_of[item["key"]] = step
            items[item["key"]] = item
    known = {item["key"] for item in input_items(wizard.schema or {})}
    data: dict[str, dict] = {}
    files: dict[str, dict | None] = {}
    for key, value in answers.items():
        path = f"{CONTENT}.{ANSWERS}.{str(key)[:100]}"
        if key not in known:
            errors[path] = [_("Champ inconnu dans ce formulaire.")]
            continue
        item = items[key]
        if item["type"] == "files":
            files[key] = _attachments(case, item, value, path, errors)
            continue
        if item["type"] in FILE_TYPES:
            files[key] = _attachment(case, value, path, errors)
            continue
        try:
            data.setdefault(step_of[key], {})[key] = answer_data(item, value) or None
        except AnswerError as exc:
            errors[path] = [exc.message]
    return data, files


def _attachment(case, value, path: str, errors: dict) -> dict | None:
    if value is None:
        return None
    if case is None:
        errors[path] = [_("Créez d'abord le brouillon, joignez-y le fichier (POST "
                          "/api/cases/{id}/attachments/), puis indiquez ici l'identifiant de "
                          "la pièce.")]
        return None
    attachment = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        attachment = case.attachments.filter(pk=value, message=None).first()
    if attachment is None:
        errors[path] = [_("Indiquez l'identifiant d'une pièce jointe à ce brouillon.")]
        return None
    return {"attachment": attachment.pk, "name": attachment.original_name}


def _attachments(case, item: dict, value, path: str, errors: dict) -> list[dict] | None:
    """Several files: a list of ids of attachments of the draft, as many as the field takes."""
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        errors[path] = [_("Une liste d'identifiants de pièces jointes au brouillon est "
                          "attendue.")]
        return None
    if len(value) > item["max_files"]:
        errors[path] = [_("Au plus %(max)s fichiers (vous en avez indiqué %(count)s).")
                        % {"max": item["max_files"], "count": len(value)}]
        return None
    if len(set(map(repr, value))) != len(value):
        errors[path] = [_("La même pièce jointe est indiquée deux fois.")]
        return None
    records = []
    for one in value:
        record = _attachment(case, one, path, errors)
        if record is None:
            return None
        records.append(record)
    return records


def prefixed(wizard, step: str, fields: dict) -> dict:
    prefix = wizard.get_form_prefix(step, None)
    return {f"{prefix}-{name}": values for name, values in fields.items()}


def _merge(wizard, stored: dict, new: dict[str, dict], *, replace: bool) -> dict:
    """The steps' data once the content is applied: the new fields replace the stored ones
    (every field of the form, for PUT); a null clears one."""
    step_data = {} if replace else {step: dict(values) for step, values in stored.items()}
    for step, fields in new.items():
        current = step_data.setdefault(step, {})
        if "*" in fields:  # the whole step (a formset's rows)
            step_data[step] = prefixed(wizard, step, fields["*"])
            continue
        for name, values in fields.items():
            key = f"{wizard.get_form_prefix(step, None)}-{name}"
            # A field posted as several inputs (a formset, a repetition) goes as a whole.
            # A catalogue field of several inputs is `<key>__<part>` (forms_catalog.forms).
            for stale in [k for k in current if k == key or k.startswith((f"{key}-",
                                                                          f"{key}{SEP}"))]:
                del current[stale]
            if values is not None:
                current.update(prefixed(wizard, step, {name: values})
                               if isinstance(values, list) else
                               prefixed(wizard, step, values))
    return step_data


def _form_errors(form) -> list[tuple[str, list[str]]]:
    """(field, messages) of a step's form or formset; "" for the whole, "i.field" for a
    formset's row."""
    if hasattr(form, "forms"):  # a formset
        found = [("", list(form.non_form_errors()))] if form.non_form_errors() else []
        for index, row in enumerate(form.forms):
            for name, messages in row.errors.items():
                found.append((f"{index}" if name == "__all__" else f"{index}.{name}",
                              list(messages)))
        return found
    return [("" if name == "__all__" else name, list(messages))
            for name, messages in form.errors.items()]


def check_steps(adapter: WizardDraft, wizard, *, strict: bool) -> tuple[dict, dict]:
    """Every step that applies, checked by its form as the wizard's last step does: ({step:
    form}, {content path: messages}). Not `strict`: a missing file is no error yet."""
    wizard.defer_missing_files = not strict
    wizard.__dict__.pop("_resolved_form_list", None)
    steps = list(wizard.get_form_list())[:-1]  # the summary's certification is the page's
    stored = wizard.storage.data.get(wizard.storage.step_data_key) or {}
    for step in [s for s in stored if s not in steps]:
        del stored[step]  # a step that does not apply keeps nothing
    form_dict, errors = {}, {}
    for step in steps:
        form = wizard.get_form(step=step, data=wizard.storage.get_step_data(step)
                               or adapter.empty_data(wizard, step))
        catalogue = wizard.is_catalogue_step(step)
        if hasattr(form, "fields") and step in stored and not catalogue:
            # A field that does not apply (another category's identifier) keeps nothing.
            names = {form.add_prefix(name) for name in form.fields}
            stored[step] = {key: values for key, values in stored[step].items()
                            if key in names or not key.startswith(f"{form.prefix}-")}
        valid = wizard.step_form_valid(form)
        if valid and catalogue and step in stored:
            # A field whose condition does not hold (or left blank) keeps nothing, not even
            # what was posted for it.
            answered = form.answers()
            for item in form.items:
                if answered.get(item["key"]) is None and item["type"] not in FILE_TYPES:
                    key = form.add_prefix(item["key"])
                    stored[step] = {name: values for name, values in stored[step].items()
                                    if name != key and not name.startswith(
                                        (f"{key}-", f"{key}{SEP}"))}
        if not valid:
            fields = getattr(form, "fields", {})
            for field, messages in _form_errors(form):
                if catalogue:
                    path = f"{CONTENT}.{ANSWERS}" + (f".{answer_path(field)}" if field
                                                      else "")
                elif isinstance(fields.get(field), forms.FileField):
                    path = field  # a piece to attach: not in the content
                else:
                    path = adapter.error_path(wizard, step, field)
                errors.setdefault(path, []).extend(messages)
        form_dict[step] = form
    return form_dict, errors


def _apply(adapter: WizardDraft, wizard, content, *, replace: bool) -> None:
    """Put the content in the wizard's storage; ValidationError for a content of the wrong
    shape (unknown fields, values that no form could read)."""
    if not isinstance(content, dict):
        raise _refused({CONTENT: [_("Un objet est attendu.")]})
    errors: dict[str, list[str]] = {}
    if replace:
        content = {**adapter.defaults(wizard), **content}
    data = adapter.built_in_data(wizard, content, errors)
    answers, files = _answer_data(wizard, content, wizard.case, errors)
    if errors:
        raise _refused(errors)
    for step, fields in answers.items():
        data.setdefault(step, {}).update(fields)
    storage = wizard.storage
    stored = storage.data.get(storage.step_data_key) or {}
    storage.data[storage.step_data_key] = _merge(wizard, stored, data, replace=replace)
    kept = {} if replace else dict(storage.extra_data.get("files", {}))
    for key, stored_file in files.items():
        if stored_file is None:
            kept.pop(key, None)
        else:
            kept[key] = stored_file
    storage.extra_data = {**storage.extra_data, "files": kept}
    wizard.defer_missing_files = True
    adapter.complete(wizard, errors)
    if errors:
        raise _refused(errors)


def _content_refusal(exc: services.CaseError) -> services.CaseError:
    """A service's refusal names a field of the content."""
    if exc.field and not isinstance(exc, services.CaseConflict | services.CaseNotFound):
        return type(exc)(exc.message, field=f"{CONTENT}.{exc.field}")
    return exc


def draft_write(adapter: WizardDraft, wizard, *, content, actor, replace: bool,
                expected_version: int | None = None) -> Case:
    """Create (a blank wizard) or update the draft with `content`, checked step by step by
    the wizard's forms; nothing is written unless all of it is accepted."""
    _apply(adapter, wizard, content, replace=replace)
    form_dict, errors = check_steps(adapter, wizard, strict=False)
    if errors:
        raise _refused(errors)
    try:
        with services.whole_transaction():
            wizard._ensure_case()
            case = services.case_draft_save(
                case=wizard.case, actor=actor, wizard_state=wizard.storage.data,
                subject=wizard._draft_subject(), amount=wizard._draft_amount(),
                expected_version=expected_version)
            wizard.case = case
            wizard.fill_draft(form_dict)
    except services.CaseError as exc:
        raise _content_refusal(exc) from exc
    return Case.objects.get(pk=wizard.case.pk)


def has_wizard_progress(case: Case) -> bool:
    return bool((case.wizard_state or {}).get("step_data"))


def draft_submit(adapter: WizardDraft, wizard, *, actor,
                 expected_version: int | None = None) -> Case:
    """Submit the draft as the wizard's last step does: every step checked again (files
    required now), the content written and the case submitted, in one transaction."""
    form_dict, errors = check_steps(adapter, wizard, strict=True)
    if errors:
        raise _refused(errors)
    if expected_version is not None and expected_version != wizard.case.version:
        raise services.CaseConflict(_("Le dossier a changé depuis la version lue : "
                                      "relisez-le."))
    try:
        with services.whole_transaction():
            wizard.fill_draft(form_dict)
            case = services.transition(case=wizard.case, action=Action.SUBMIT, actor=actor)
    except services.CaseError as exc:
        raise _content_refusal(exc) from exc
    return case


def submits_by_wizard(case: Case, actor) -> bool:
    """A draft whose author submits it and whose content is the wizard's progress (the web's
    or the API's): submitted as its wizard would."""
    return (case.state == State.DRAFT and case.created_by_id == actor.pk
            and has_wizard_progress(case))
