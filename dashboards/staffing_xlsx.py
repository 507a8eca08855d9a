"""The staffing page as an XLSX workbook: one row per centre, then one per agent. Every
text cell goes through documents.spreadsheets (no formula from a name)."""

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.spreadsheets import xlsx_workbook

from .staffing import CentreStaffing


def headers() -> list[str]:
    return [_("Centre"), _("Agent"), _("Début de la période"), _("Jours"), _("Actes"),
            _("Actes annualisés"), _("Référence (actes par agent et par an)"),
            _("Agents nécessaires"), _("Agents en poste"), _("Part de la référence (%)"),
            _("Pic de fin d'année (ratio)")]


def rows(items: list[CentreStaffing]):
    for item in items:
        name = f"{item.centre.code} — {item.centre.name}"
        first_day = item.window.first_day
        yield [name, _("Ensemble du centre"), first_day, item.window.days, item.acts,
               round(item.annual, 1), item.reference, item.needed, item.actual, None,
               item.peak]
        for agent in item.agents:
            yield [name, agent.name, first_day, item.window.days, agent.acts,
                   round(agent.annual, 1), item.reference, None, None,
                   agent.share_of_reference, None]
        if item.others:
            yield [name, _("Autres personnes (anciens agents…)"), first_day, item.window.days,
                   item.others, round(item.window.annualised(item.others), 1), item.reference,
                   None, None, None, None]


def xlsx_file(items: list[CentreStaffing]):
    workbook = xlsx_workbook(_("Dimensionnement"), headers(), rows(items))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def filename() -> str:
    return f"dimensionnement-{timezone.localdate():%Y-%m-%d}.xlsx"
