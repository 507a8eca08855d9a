"""The anomaly types a case's question, return or rejection is classified in: those of the
case's convention (recorded at submission), else of the convention in force today between
its service and its centre (a request returned by its ordonnateur before it was ever
submitted), else the default typology (conventions/anomalies.py)."""

from django.utils import timezone

from conventions.anomalies import AnomalyKind
from conventions.selectors import anomaly_typology, convention_in_force

from .models import Case


def case_typology(case: Case) -> list[AnomalyKind]:
    convention = case.convention
    if convention is None:
        convention = convention_in_force(service=case.requesting_service,
                                         centre=case.processing_centre,
                                         on=timezone.localdate())
    return anomaly_typology(convention)


def takes_anomaly(row) -> bool:
    """Whether a transition row classifies the case in the typology (its inputs say so)."""
    return "anomaly" in row.requires or "anomaly" in row.accepts
