"""The columns an export may hold: the case's own facts, and what other apps add (the answers
to a catalogue form's fields, the centre's private annotations).

A column has a stable key (saved in export templates and export jobs), a French label, the
group it is listed under in the chooser, and `value(case) -> cell`. A cell is a value the
spreadsheet writers type (text, Decimal, date, datetime, int, None), or — for the fields of a
repetition block — a list of such values, one per repetition: the export either joins them
in one cell or writes one row per repetition (`rows()` in cases/exports.py).

Columns only the centre may read (private annotations) say so: they are offered and written
only in the centre's exports (scope "queue"), never in a service's « Mes demandes ».
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import kinds, sla
from .identifiers import mask
from .selectors import case_is_overdue

QUEUE = "queue"  # the centre's export; "my_requests": the requesting service's


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    value: Callable[[Any], Any]
    centre_only: bool = False
    repeated: bool = False  # its value is a list, one cell per repetition
    in_default: bool = False  # held by the export of the list's buttons
    relations: tuple[str, ...] = ()  # what `value` reads beside the case (select_related)


# A provider: (user, scope, procedure or None) -> the columns it adds. Registered by apps
# the core knows nothing of, from their AppConfig.ready().
Provider = Callable[[Any, str, Any], list[Column]]
_PROVIDERS: list[Provider] = []


def add_provider(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _supplier(case):
    """(name, SIRET, IBAN) of the supplier a case is about, if any."""
    detail = (getattr(case, "purchase_request", None)
              or getattr(getattr(case, "service_done", None), "purchase_request", None))
    if detail is not None:
        tiers = detail.tiers
        return tiers.name, tiers.siret or "", tiers.iban
    request = getattr(case, "tiers_request", None)
    if request is not None:
        return request.name, request.siret or "", request.iban
    return "", "", ""


def _masked_iban(case) -> str:
    iban = _supplier(case)[2]
    return mask(iban) if iban else ""


def _assignee(case) -> str:
    agent = case.assigned_to
    return (agent.get_full_name() or agent.get_username()) if agent else ""


def _overdue(case) -> str:
    return _("oui") if case_is_overdue(case, timezone.now()) else _("non")


def builtin_columns() -> list[Column]:
    """The case's facts, in the order of the default export."""
    group = _("Dossier")

    def column(key, label, value):
        return Column(key=f"case.{key}", label=label, group=group, value=value,
                      in_default=True)

    return [
        column("reference", _("Référence"), lambda c: c.display_reference),
        column("kind", _("Type"), lambda c: c.get_kind_display()),
        column("subject", _("Objet"), lambda c: c.subject),
        column("service", _("Service prescripteur"), lambda c: c.requesting_service.code),
        column("state", _("État"), lambda c: c.get_state_display()),
        column("supplier", _("Fournisseur"), lambda c: _supplier(c)[0]),
        column("siret", _("SIRET"), lambda c: _supplier(c)[1]),
        column("iban", _("IBAN (masqué)"), _masked_iban),
        column("amount", _("Montant TTC (€)"), lambda c: c.amount_shown),
        column("assignee", _("Agent du centre"), _assignee),
        column("submitted_at", _("Déposée le"), lambda c: c.submitted_at),
        column("due", _("Échéance (fin de journée)"), lambda c: sla.due_day(c.due_at)),
        column("overdue", _("En retard"), _overdue),
        column("completed_at", _("Close le"), lambda c: c.completed_at),
        column("circuits", _("Circuits de la convention"), kinds.circuits_label),
        # The centre's own organisation: offered in its exports only.
        Column(key="case.agent_group", label=_("Groupe d'agents"), group=group,
               value=lambda c: c.agent_group.name if c.agent_group_id else "",
               centre_only=True, relations=("agent_group",)),
    ]


def available(*, user, scope: str, procedure=None) -> list[Column]:
    """Every column this person may put in an export of this scope (with the fields of
    `procedure`, a catalogue form, when one is chosen)."""
    columns = builtin_columns()
    for provider in _PROVIDERS:
        columns.extend(provider(user, scope, procedure))
    return [column for column in columns if scope == QUEUE or not column.centre_only]


def default_columns(*, user, scope: str) -> list[Column]:
    """The export of the list's buttons: the case's facts, and what providers add to every
    export (the centre's private annotations, in one column)."""
    return [column for column in available(user=user, scope=scope)
            if column.in_default]


def default_keys(*, user, scope: str) -> list[str]:
    return [column.key for column in default_columns(user=user, scope=scope)]


def resolve(keys: list[str], *, user, scope: str, procedure=None) -> list[Column]:
    """The columns named by `keys`, in that order; unknown or forbidden keys are left out
    (a template saved before a field was removed still exports the rest)."""
    by_key = {column.key: column for column in available(user=user, scope=scope,
                                                         procedure=procedure)}
    return [by_key[key] for key in keys if key in by_key]
