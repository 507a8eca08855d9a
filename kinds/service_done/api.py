"""The service-done statement in the REST API: its content, checked by the wizard's own forms
(cases.api_drafts) — `purchase_request` (the id of the completed purchase request's case),
`delivered_on`, `invoice_reference`, `lines` (the quantities
delivered, one per line of the order in its order, 0 for a line not delivered), and, when the
statement is late, `lateness_reason` and `lateness_comment` (dropped when it is not). The
delivery proof is attached by POST /api/cases/<id>/attachments/ (kind `delivery_proof`)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.api_drafts import CONTENT, WizardDraft, prefixed

LINES_STEP = "quantites"


class StatementDraft(WizardDraft):
    wizard_path = "kinds.service_done.wizard.ServiceDoneWizard"

    def __init__(self):
        self.quantities = None
        self.line_index: dict[str, int] = {}

    def built_in_data(self, wizard, content: dict, errors: dict) -> dict[str, dict]:
        content = dict(content)
        self.quantities = content.pop("lines", None)
        if self.quantities is not None and (
                not isinstance(self.quantities, list)
                or any(isinstance(q, dict | list | bool) for q in self.quantities)):
            errors[f"{CONTENT}.lines"] = [_("Une liste est attendue : la quantité livrée de "
                                            "chaque ligne de la commande, dans son ordre.")]
            self.quantities = None
        return super().built_in_data(wizard, content, errors)

    def complete(self, wizard, errors: dict) -> None:
        """The quantities go to the lines of the order the content (or the draft) names."""
        lines = list(wizard.get_form_kwargs(LINES_STEP).get("lines") or [])
        self.line_index = {f"line_{line.pk}": index for index, line in enumerate(lines)}
        if self.quantities is None:
            return
        if lines and len(self.quantities) != len(lines):
            errors[f"{CONTENT}.lines"] = [ngettext(
                "La commande compte %(n)s ligne : indiquez %(n)s quantité.",
                "La commande compte %(n)s lignes : indiquez %(n)s quantités, dans son ordre.",
                len(lines)) % {"n": len(lines)}]
            return
        rows = {f"line_{line.pk}": [] if quantity is None else [str(quantity)]
                for line, quantity in zip(lines, self.quantities, strict=False)}
        wizard.storage.set_step_data(LINES_STEP, prefixed(wizard, LINES_STEP, rows))

    def error_path(self, wizard, step: str, field: str) -> str:
        if step == LINES_STEP:
            if field in self.line_index:
                return f"{CONTENT}.lines.{self.line_index[field]}"
            return f"{CONTENT}.lines"
        return super().error_path(wizard, step, field)
