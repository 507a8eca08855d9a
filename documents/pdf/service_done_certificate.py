"""The certificate of a service-done statement: the centre certifies what was delivered
against an EJ, which is the order to pay."""

from datetime import datetime

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from .layout import (
    CONTENT_WIDTH,
    HEADING,
    SMALL,
    TITLE,
    PageFrame,
    build,
    cell,
    esc,
    facts,
    fr_date,
    fr_money,
    fr_quantity,
    grid,
    markup,
    para,
)
from .order_form import RenderedPdf, Signatory, parties, signature_block, supplier_facts


def _delivered(statement) -> list:
    widths = [None, 25 * mm, 25 * mm, 30 * mm]
    widths[0] = CONTENT_WIDTH - sum(w for w in widths if w)
    rows = [[_("Désignation"), _("Commandé"), _("Livré"), _("Montant TTC")]]
    for line in statement.lines.select_related("purchase_line"):
        ordered = line.purchase_line
        rows.append([cell(ordered.label, widths[0]), fr_quantity(ordered.quantity),
                     fr_quantity(line.quantity), fr_money(line.amount_ttc)])
    rows.append(["", "", _("Total TTC"), fr_money(statement.amount_ttc)])
    table = grid(rows, widths)
    table.setStyle(TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    return [table]


def render_service_done_certificate(statement, *, signatory: Signatory,
                                    issued_at: datetime) -> RenderedPdf:
    case = statement.case
    purchase_request = statement.purchase_request
    ej_number = purchase_request.ej_number or ""
    signature, box = signature_block(signatory, issued_at)
    timing = [(_("Livraison ou achèvement"), fr_date(statement.delivered_on)),
              (_("Constatation déposée le"), fr_date(case.submitted_at or case.created_at)),
              (_("Référence de la facture"), statement.invoice_reference or "—")]
    if statement.late:
        reason = " — ".join(part for part in (statement.get_lateness_reason_display(),
                                              statement.lateness_comment) if part)
        timing.append((_("Constatation tardive"), reason))
    if statement.penalties:
        timing.append((_("Pénalités de retard"), _("à appliquer au fournisseur")))
    story = [
        para(_("Certificat de service fait"), TITLE),
        markup(_("Engagement juridique (EJ) : <b>%(ej)s</b> — constatation %(ref)s")
               % {"ej": esc(ej_number), "ref": esc(case.reference)}),
        para(_("Demande d'achat %(ref)s : %(subject)s")
             % {"ref": purchase_request.case.reference, "subject": purchase_request.case.subject},
             SMALL),
        Spacer(0, 4 * mm),
        parties(case),
        para(_("Fournisseur"), HEADING),
        supplier_facts(purchase_request.tiers),
        para(_("Service fait"), HEADING),
        facts(timing),
        Spacer(0, 2 * mm),
        *_delivered(statement),
        Spacer(0, 4 * mm),
        para(_("Le centre de services partagés certifie le service fait pour le montant "
               "ci-dessus. Ce certificat vaut ordre de payer.")),
        Spacer(0, 6 * mm),
        KeepTogether([signature]),
    ]
    frame = PageFrame(
        header_left=_("Service fait — EJ %(ej)s") % {"ej": ej_number},
        header_right=case.processing_centre.name,
        footer_left=_("%(ref)s — document émis par le portail des centres de services "
                      "partagés") % {"ref": case.reference},
    )
    content = build(story, frame, title=_("Certificat de service fait %(ref)s")
                    % {"ref": case.reference}, author=case.processing_centre.name)
    return RenderedPdf(content=content, signature_page=box.page, signature_box=box.box)
