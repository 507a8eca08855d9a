"""The preview of a catalogue form in Wagtail (ProcedureFormPage.serve_preview): every step of
the form as a requester fills it, built from the edited page's schema — saved or not — with the
wizard's forms (StepForm) and look, and no case made.

Two modes, chosen in Wagtail's preview panel:
- « Toutes les étapes » (the default): each step with its fields, what is required, the help
  texts, the choices, and for a conditional field the condition it is shown under
  (« Affiché seulement si … »). Not a form: nothing can be sent.
- « Tester la validation »: the same steps inside one form. Sending it validates every step on
  the server as the wizard would (required fields, formats, conditions: a hidden field is
  neither required nor kept, files checked against the upload rules) and shows the errors next
  to the fields. Nothing is stored: no case, no attachment, no session data. Wagtail's preview
  is itself a POST of the whole edit form, so the test form posts elsewhere: to an admin view
  (admin_views.preview_validate) with the schema signed in a hidden field (it may be unsaved),
  which re-renders this page with the answers and their errors.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.validation import check_upload

from .conditions import condition_of, describe
from .forms import FILE_TYPES, StepForm
from .schema import INPUT_TYPES

VALIDATION = "validation"
MODES = [("", gettext_lazy("Toutes les étapes")),
         (VALIDATION, gettext_lazy("Tester la validation"))]
SIGNING_SALT = "forms_catalog.preview"
# The signed schema of a preview is good for a working day.
SIGNED_MAX_AGE = 8 * 3600


def sign(*, page_id: int | None, title: str, intro: str, schema: dict) -> str:
    return signing.dumps({"page": page_id, "title": title, "intro": intro, "schema": schema},
                         salt=SIGNING_SALT, compress=True)


def unsign(value: str) -> dict:
    """The signed preview, or signing.BadSignature (expired, forged or truncated)."""
    data = signing.loads(value, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("schema"), dict):
        raise signing.BadSignature("schema")
    return data


def _condition_text(item: dict, labels: dict[str, str]) -> str:
    return describe(condition_of(item), labels)


def _check_files(form: StepForm) -> None:
    """The upload rules the wizard applies before storing (extension, content, size)."""
    for item in form.items:
        uploaded = form.cleaned_data.get(item["key"]) if hasattr(form, "cleaned_data") else None
        if item["type"] not in FILE_TYPES or not uploaded or item["key"] in form.errors:
            continue
        for upload in uploaded if isinstance(uploaded, list) else [uploaded]:
            try:
                check_upload(upload)
            except ValidationError as exc:
                form.add_error(item["key"], exc.messages[0])
                break


def build_steps(schema: dict, data=None, files=None) -> list[dict]:
    """Each step of the schema with its StepForm (bound when `data` is given, then validated
    in order, the answers of earlier steps deciding the conditions of later ones)."""
    labels = {item["key"]: item.get("label", "") for step in schema.get("steps", [])
              for item in step["items"]}
    steps, answers = [], {}
    for index, step in enumerate(schema.get("steps", [])):
        if not step["items"]:
            continue
        kwargs = {"items": step["items"], "previous_answers": dict(answers),
                  "prefix": f"etape-{index + 1}"}
        form = StepForm(data, files, **kwargs) if data is not None else StepForm(**kwargs)
        if data is not None:
            form.is_valid()
            _check_files(form)
            answers.update(form.answers())
        rows = []
        for block in form.blocks():
            item = block["item"]
            row = {"item": item, "block": block}
            if item["type"] in INPUT_TYPES:
                row.update(input=True, condition=_condition_text(item, labels),
                           required=bool(item.get("required")))
            rows.append(row)
        steps.append({"title": step["title"], "form": form, "rows": rows,
                      "errors": len(form.errors) if data is not None else 0})
    return steps


def render(request, *, page, schema: dict, mode: str, data=None, files=None,
           status: int = 200) -> TemplateResponse:
    steps = build_steps(schema, data, files)
    total = len(steps) + 1
    for number, step in enumerate(steps, start=1):
        step["stepper"] = {
            "current_step_id": number, "current_step_title": step["title"],
            "next_step_title": steps[number]["title"] if number < len(steps)
            else _("Récapitulatif et dépôt"),
            "total_steps": total}
    context = {
        "page": page, "title": page.title, "intro": page.intro, "steps": steps,
        "mode": mode, "validating": mode == VALIDATION, "tested": data is not None,
        "error_count": sum(step["errors"] for step in steps),
        "summary_stepper": {"current_step_id": total,
                            "current_step_title": _("Récapitulatif et dépôt"),
                            "next_step_title": "", "total_steps": total},
    }
    if mode == VALIDATION:
        context["validate_url"] = reverse("forms_catalog_admin:preview_validate")
        context["signed"] = sign(page_id=page.pk, title=page.title, intro=page.intro,
                                 schema=schema)
    response = TemplateResponse(request, "forms_catalog/preview.html", context, status=status)
    # Wagtail draws the preview in a frame of the edit view: the portal's policy forbids any
    # framing (frame-ancestors 'none'), the preview allows its own site's admin only.
    response._csp_replace = {"frame-ancestors": ["'self'"]}
    return response
