"""The purchase request in the REST API: its content, checked by the wizard's own forms
(cases.api_drafts). Imputations are named by their code, the supplier by its id, the lines as
a list; the quote and the other pieces are attached by POST /api/cases/<id>/attachments/."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cases import limits
from cases.api_drafts import CONTENT, WizardDraft
from cases.api_drafts import prefixed as _prefixed
from cases.models import BudgetImputation

AXES = ("financial_centre", "cost_centre", "activity", "funds")
LINE_FIELDS = ("label", "quantity", "unit_price_ht", "vat_rate")
LINES_STEP = "lignes"


def _vat_rate(value) -> str:
    """The rate as the form's choice spells it (20 and "20.0" are "20.00")."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return next((str(choice) for choice in limits.VAT_RATES if choice == rate), str(value))


class PurchaseRequestDraft(WizardDraft):
    wizard_path = "kinds.purchases.wizard.PurchaseRequestWizard"

    def built_in_data(self, wizard, content: dict, errors: dict) -> dict[str, dict]:
        content = dict(content)
        lines = content.pop("lines", None)
        codes = {axis: content[axis] for axis in AXES
                 if isinstance(content.get(axis), str) and content[axis]}
        for axis, code in codes.items():
            imputation = BudgetImputation.objects.filter(
                service=wizard.service, axis=axis, code=code[:50], active=True).first()
            # An unknown code is no key: the form refuses it with its own message.
            content[axis] = str(imputation.pk) if imputation is not None else f"?{code[:50]}"
        data = super().built_in_data(wizard, content, errors)
        if lines is not None:
            rows = self.lines_data(lines, errors)
            if rows is not None:
                data[LINES_STEP] = {"*": rows}
        return data

    def empty_data(self, wizard, step: str) -> dict:
        # No lines at all: the formset says one is needed (not that its form is broken).
        if step == LINES_STEP:
            return _prefixed(wizard, step, self.lines_data([], {}))
        return {}

    def lines_data(self, lines, errors) -> dict | None:
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            errors[f"{CONTENT}.lines"] = [_("Une liste de lignes est attendue : libellé, "
                                            "quantité, prix unitaire HT et taux de TVA.")]
            return None
        # One line more than allowed is enough for the form to refuse too many.
        lines = lines[:limits.MAX_LINES + 1]
        rows = {"TOTAL_FORMS": [str(len(lines))], "INITIAL_FORMS": ["0"],
                "MIN_NUM_FORMS": [str(limits.MIN_LINES)],
                "MAX_NUM_FORMS": [str(limits.MAX_LINES)]}
        for index, line in enumerate(lines):
            for name, value in line.items():
                if name not in LINE_FIELDS:
                    errors[f"{CONTENT}.lines.{index}.{name}"] = [_("Champ inconnu pour une "
                                                                   "ligne.")]
                elif isinstance(value, dict | list | bool):
                    errors[f"{CONTENT}.lines.{index}.{name}"] = [_("Une valeur simple est "
                                                                   "attendue.")]
                elif value is not None:
                    rows[f"{index}-{name}"] = [_vat_rate(value) if name == "vat_rate"
                                               else str(value)]
        return rows

    def error_path(self, wizard, step: str, field: str) -> str:
        if step == LINES_STEP:
            return f"{CONTENT}.lines" + (f".{field}" if field else "")
        return super().error_path(wizard, step, field)

    def defaults(self, wizard) -> dict:
        """What the page shows filled in: the delivery address is the service's."""
        return {"delivery_address": wizard.service.address}
