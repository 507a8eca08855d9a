"""Reminders, run every morning by django-q2 (`reminders.tasks.daily_reminders`):

- each centre agent hears of the cases assigned to them that are due by tomorrow or late
  (the centre's heads of such cases nobody has taken);
- each author of a service-done statement still in draft hears of it once its 5 working days
  after delivery are almost over;
- each prescribing service gets the list of its orders whose service done is still missing
  and the list of its invoices received and waiting for it (two XLSX files), every 15 days,
  and every 7 in the last four months of the year (the convention's frequencies). The orders'
  list is kept beside the invoices': an order is delivered, so its service done is due,
  before its invoice reaches Chorus Pro.

Each reminder is recorded (ReminderSent): running twice the same day sends nothing more.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import sla
from cases.models import Case
from cases.workflow import CLOCK_RUNNING_STATES, State
from conventions.selectors import convention_in_force
from documents.spreadsheets import XLSX_CONTENT_TYPE, xlsx_workbook
from invoices.selectors import waiting_for_services, with_delays
from kinds.service_done.models import ServiceDoneStatement
from kinds.service_done.selectors import statable_purchase_requests, statement_delay
from portal.models import Role, Service

from .models import ReminderKind, ReminderSent

YEAR_END_MONTHS = (9, 10, 11, 12)


@dataclass
class ReminderReport:
    agents: int = 0
    statements: int = 0
    lists: int = 0


def _record(kind: str, scope: str, period: date, items: int, **links) -> bool:
    """False when this reminder was already sent for the period."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, scope=scope, period=period, items=items,
                                        sent_at=timezone.now(), **links)
    except IntegrityError:
        return False
    return True


def _send(subject: str, lines: list[str], to: str, attachments=()) -> None:
    message = EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [to])
    for attachment in attachments:
        message.attach(*attachment)
    message.send()


def _url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


# --- centre agents ------------------------------------------------------------------------


def _end_of_tomorrow(now: datetime) -> datetime:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1),
                                                datetime.min.time()))


def agent_reminders(now: datetime) -> int:
    """One email per person with cases due by tomorrow or late."""
    today = timezone.localdate(now)
    due = (Case.objects.filter(state__in=CLOCK_RUNNING_STATES, due_at__lt=_end_of_tomorrow(now))
           .select_related("assigned_to", "processing_centre").order_by("due_at"))
    by_person: dict = {}
    for case in due:
        people = ([case.assigned_to] if case.assigned_to else list(
            get_user_model().objects.filter(memberships__service=case.processing_centre,
                                            memberships__role=Role.CSP_HEAD, is_active=True)))
        for person in people:
            by_person.setdefault(person, []).append(case)
    sent = 0
    for person, cases in by_person.items():
        if not person.email or not _record(ReminderKind.DUE_CASES, f"user:{person.pk}", today,
                                           len(cases), recipient=person):
            continue
        lines = [_("Bonjour,"), "", _("Ces dossiers arrivent à échéance demain ou sont en "
                                      "retard :"), ""]
        for case in cases:
            late = sla.working_days_late(case.due_at, now)
            state = (_("en retard de %(n)s jour(s) ouvré(s)") % {"n": late} if late
                     else _("échéance le %(date)s") % {"date": sla.due_label(case.due_at)})
            lines.append(f"- {case.display_reference} — {case.subject} — {state} — "
                         f"{_url(case.get_absolute_url())}")
        _send(_("[Portail CSP] %(n)s dossier(s) à échéance ou en retard") % {"n": len(cases)},
              lines, person.email)
        sent += 1
    return sent


# --- service-done statements to file ------------------------------------------------------


def statement_reminders(now: datetime) -> int:
    """Drafts of statements whose delivery was (almost) the convention's delay ago."""
    today = timezone.localdate(now)
    sent = 0
    drafts = (ServiceDoneStatement.objects.filter(case__state=State.DRAFT)
              .select_related("case__created_by", "case__requesting_service",
                              "case__processing_centre"))
    for statement in drafts:
        case = statement.case
        allowed = statement_delay(case.requesting_service, case.processing_centre, today)
        elapsed = sla.working_days_between(statement.delivered_on, today)
        author = case.created_by
        if elapsed < allowed - 1 or not author.email:
            continue
        if not _record(ReminderKind.STATEMENTS_DUE, f"case:{case.pk}", today, 1,
                       recipient=author):
            continue
        when = (_("Le délai de %(n)s jours ouvrés après la livraison est dépassé : indiquez le "
                  "motif du retard en la déposant.") % {"n": allowed} if elapsed > allowed
                else _("Elle doit être déposée au plus tard demain (%(n)s jours ouvrés après la "
                       "livraison).") % {"n": allowed})
        _send(_("[Portail CSP] Constatation du service fait à déposer"), [
            _("Bonjour,"), "",
            _("Votre constatation du service fait sur l'EJ %(ej)s (livraison du %(date)s) est "
              "encore en brouillon.") % {"ej": statement.purchase_request.ej_number,
                                         "date": statement.delivered_on.strftime("%d/%m/%Y")},
            when, "", _url(case.get_resume_url())], author.email)
        sent += 1
    return sent


# --- the periodic list of missing service done ---------------------------------------------


def list_frequency(service: Service, on: date) -> int:
    """Days between two lists: the convention's, shorter in the last four months."""
    convention = convention_in_force(service=service, centre=service.processing_centre, on=on)
    year_end = on.month in YEAR_END_MONTHS
    if convention is not None:
        return (convention.list_frequency_year_end_days if year_end
                else convention.list_frequency_days)
    return 7 if year_end else 15


def list_is_due(service: Service, on: date) -> bool:
    last = (ReminderSent.objects.filter(kind=ReminderKind.MISSING_SERVICE_DONE, service=service)
            .order_by("-period").values_list("period", flat=True).first())
    return last is None or (on - last).days >= list_frequency(service, on)


def missing_service_done(service: Service):
    return statable_purchase_requests(service).select_related("tiers")


def _xlsx(title: str, header: list[str], rows) -> bytes:
    buffer = io.BytesIO()
    xlsx_workbook(title, header, rows).save(buffer)
    return buffer.getvalue()


def missing_service_done_xlsx(orders) -> bytes:
    return _xlsx(
        _("Services faits manquants"),
        [_("Demande"), _("EJ"), _("Objet"), _("Fournisseur"), _("Montant TTC (€)"),
         _("Déjà constaté (€)"), _("Reste à constater (€)"), _("Terminée le")],
        ([order.case.reference, order.ej_number, order.case.subject, order.tiers.name,
          order.amount_ttc, order.committed, order.amount_ttc - order.committed,
          order.case.completed_at] for order in orders))


def waiting_invoices_xlsx(rows) -> bytes:
    """rows: invoices.selectors.with_delays() of the service's waiting invoices."""
    return _xlsx(
        _("Factures sans service fait"),
        [_("Facture"), _("SIRET fournisseur"), _("EJ"), _("Montant TTC (€)"), _("Reçue le"),
         _("Jours d'attente"), _("Échéance de paiement"), _("Coût estimé du retard (€)")],
        ([row.invoice.number, row.invoice.supplier_siret, row.invoice.ej_number,
          row.invoice.amount_ttc, row.invoice.received_on, row.delay.waiting_days,
          row.delay.due_on, row.delay.cost] for row in rows))


def missing_service_done_lists(now: datetime) -> int:
    today = timezone.localdate(now)
    sent = 0
    for service in Service.objects.filter(kind=Service.Kind.PRESCRIBING).select_related(
            "processing_centre"):
        if not list_is_due(service, today):
            continue
        orders = list(missing_service_done(service))
        invoices = with_delays(waiting_for_services([service]), today=today)
        recipients = list(get_user_model().objects.filter(
            memberships__service=service,
            memberships__role__in=[Role.SP_AGENT, Role.ORDONNATEUR], is_active=True)
            .exclude(email="").distinct())
        if not (orders or invoices) or not recipients:
            continue
        if not _record(ReminderKind.MISSING_SERVICE_DONE, f"service:{service.pk}", today,
                       len(orders) + len(invoices), service=service):
            continue
        attachments = []
        if orders:
            attachments.append((f"services-faits-manquants-{service.code}-{today:%Y%m%d}.xlsx",
                                missing_service_done_xlsx(orders), XLSX_CONTENT_TYPE))
        if invoices:
            attachments.append((f"factures-sans-service-fait-{service.code}-{today:%Y%m%d}"
                                ".xlsx", waiting_invoices_xlsx(invoices), XLSX_CONTENT_TYPE))
        for person in recipients:
            _send(_("[Portail CSP] %(n)s commande(s) sans service fait, %(i)s facture(s) en "
                    "attente — %(service)s")
                  % {"n": len(orders), "i": len(invoices), "service": service.code}, [
                      _("Bonjour,"), "",
                      _("Ces commandes de votre service attendent encore leur constatation du "
                        "service fait : sans elle, les factures ne peuvent pas être payées, et "
                        "passé le délai de paiement l'État doit des intérêts moratoires. Les "
                        "listes sont jointes (commandes, et factures déjà reçues)."), "",
                      _url("/demandes/nouvelle/service-fait/"),
                      _url(reverse("invoices:list") + "?state=waiting")],
                  person.email, attachments)
        sent += 1
    return sent


def daily_reminders(now: datetime | None = None) -> ReminderReport:
    now = now or timezone.now()
    return ReminderReport(agents=agent_reminders(now), statements=statement_reminders(now),
                          lists=missing_service_done_lists(now))

