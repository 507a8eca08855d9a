"""The typology of anomalies: why a case was questioned, returned for correction or rejected.

Each convention keeps its own list (AnomalyType rows, edited in its « Typologie des
anomalies » tab); this is the list a new convention starts with, and the one that applies
where no convention binds a case's service and centre.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AnomalyKind:
    """One type as the workflow reads it, from a convention's row or from the defaults."""

    code: str
    label: str
    needs_text: bool = False


OTHER = "other"

DEFAULT_TYPOLOGY: tuple[AnomalyKind, ...] = (
    AnomalyKind("missing_document", _("Pièce manquante")),
    AnomalyKind("wrong_imputation", _("Imputation erronée")),
    AnomalyKind("wrong_supplier", _("Fournisseur inconnu ou erroné")),
    AnomalyKind("inconsistent_amount", _("Montant incohérent")),
    AnomalyKind("non_compliant_quote", _("Devis non conforme")),
    AnomalyKind("late", _("Hors délai")),
    AnomalyKind("duplicate", _("Doublon")),
    AnomalyKind(OTHER, _("Autre — précisez"), needs_text=True),
)


def default_typology() -> list[AnomalyKind]:
    # Labels translated now (the stored rows and the events keep plain text).
    return [AnomalyKind(kind.code, str(kind.label), kind.needs_text)
            for kind in DEFAULT_TYPOLOGY]
