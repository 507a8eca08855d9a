"""The order form (bon de commande) of a completed purchase request, drawn with reportlab."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from cases.amounts import line_totals
from conventions.selectors import invoicing_identifiers

from .layout import (
    BODY,
    CONTENT_WIDTH,
    GREY_LINE,
    HEADING,
    LABEL,
    RIGHT,
    SMALL,
    TITLE,
    PageFrame,
    build,
    cell,
    esc,
    facts,
    fr_date,
    fr_money,
    fr_number,
    fr_quantity,
    grid,
    markup,
    mask_iban,
    para,
)

SIGNATURE_WIDTH = 80 * mm
SIGNATURE_HEIGHT = 26 * mm


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    # Where the signature stamp goes: 0-based page index and (x1, y1, x2, y2) in points.
    signature_page: int
    signature_box: tuple[int, int, int, int]


class InvoicingNotConfigured(Exception):
    """The centre has no Chorus Pro identifiers: an order form cannot tell where to invoice."""


class _SignatureBox(Flowable):
    """An empty frame for the signature stamp; remembers where it was drawn."""

    def __init__(self, caption: str):
        super().__init__()
        self.width, self.height = SIGNATURE_WIDTH, SIGNATURE_HEIGHT
        self.caption = caption
        self.page: int | None = None
        self.box: tuple[int, int, int, int] | None = None

    def draw(self):
        self.canv.setStrokeColor(GREY_LINE)
        self.canv.setDash(2, 2)
        self.canv.rect(0, 0, self.width, self.height)
        self.canv.setFont("Helvetica-Oblique", 7.5)
        self.canv.drawString(2 * mm, self.height - 4 * mm, self.caption)
        x, y = self.canv.absolutePosition(0, 0)
        self.page = self.canv.getPageNumber() - 1
        self.box = (round(x) + 1, round(y) + 1, round(x + self.width) - 1,
                    round(y + self.height) - 5 * mm)


def signature_block(signatory: Signatory | None, issued_at: datetime
                    ) -> tuple[Table, _SignatureBox]:
    """"Fait le …", the signatory, and the frame the signature stamp goes in (right-aligned);
    without a signatory, a draft marked as not signed."""
    box = _SignatureBox(_("Signature électronique") if signatory else
                        _("PROJET — NON SIGNÉ"))
    block = [para(_("Fait le %(date)s") % {"date": fr_date(issued_at)}), Spacer(0, 1 * mm)]
    if signatory:
        block += [para(signatory.name, LABEL), para(signatory.role)]
    # The words beside the frame rather than above it: the block is as tall as the frame
    # alone, so that it fits under the totals more often (see render_order_form).
    words = 60 * mm
    table = Table([["", block, box]],
                  colWidths=[CONTENT_WIDTH - SIGNATURE_WIDTH - 4 * mm - words, words,
                             SIGNATURE_WIDTH + 4 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table, box


def parties(case) -> Table:
    sp, centre = case.requesting_service, case.processing_centre
    left = [markup(f"<b>{esc(_('Service prescripteur'))}</b>"), para(sp.name),
            para(_("Code %(code)s") % {"code": sp.code}, SMALL), para(sp.address, SMALL)]
    right = [markup(f"<b>{esc(_('Centre de services partagés'))}</b>"), para(centre.name),
             para(_("Code %(code)s") % {"code": centre.code}, SMALL)]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH / 2] * 2, splitInRow=1)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOX", (0, 0), (0, 0), 0.5, GREY_LINE),
                               ("BOX", (1, 0), (1, 0), 0.5, GREY_LINE)]))
    return table


def supplier_facts(tiers) -> Table:
    address = " ".join(part for part in (tiers.address, tiers.postcode, tiers.city) if part)
    return facts([
        (_("Raison sociale"), tiers.name),
        (_("Adresse"), address or "—"),
        (_("SIRET"), tiers.siret or "—"),
        (_("IBAN"), mask_iban(tiers.iban) if tiers.iban else "—"),
    ])


def _lines_table(lines) -> Table:
    header = [_("N°"), _("Désignation"), _("Quantité"), _("Prix unitaire HT"), _("TVA"),
              _("Total HT"), _("Total TTC")]
    widths = [9 * mm, None, 17 * mm, 25 * mm, 15 * mm, 25 * mm, 25 * mm]
    widths[1] = CONTENT_WIDTH - sum(w for w in widths if w)
    rows = [header]
    for line in lines:
        totals = line_totals(line)
        rows.append([str(line.position), cell(line.label, widths[1]), fr_quantity(line.quantity),
                     fr_money(line.unit_price_ht), f"{fr_number(line.vat_rate)} %",
                     fr_money(totals.ht), fr_money(totals.ttc)])
    table = grid(rows, widths)
    table.setStyle(TableStyle([("ALIGN", (2, 0), (-1, -1), "RIGHT")]))
    return table


def _totals(purchase_request) -> Table:
    totals = Table([
        [para(_("Total HT"), LABEL), para(fr_money(purchase_request.amount_ht), RIGHT)],
        [para(_("TVA"), LABEL), para(fr_money(purchase_request.amount_vat), RIGHT)],
        [para(_("Total TTC"), LABEL), markup(f"<b>{esc(fr_money(purchase_request.amount_ttc))}</b>",
                                             RIGHT)],
    ], colWidths=[35 * mm, 35 * mm], hAlign="RIGHT")
    totals.setStyle(TableStyle([("LINEABOVE", (0, 2), (-1, 2), 0.75, GREY_LINE)]))
    return totals


def _imputations(purchase_request) -> Table:
    return facts([
        (_("Centre financier"), purchase_request.financial_centre),
        (_("Centre de coûts"), purchase_request.cost_centre),
        (_("Activité"), purchase_request.activity),
        (_("Fonds de concours"), purchase_request.funds or "—"),
    ])


def _invoicing(case, ej_number: str, on):
    siret, code = invoicing_identifiers(service=case.requesting_service,
                                        centre=case.processing_centre, on=on)
    if not (siret and code):
        raise InvoicingNotConfigured
    return markup(
        _("Les factures sont à déposer exclusivement sur Chorus Pro "
          "(chorus-pro.gouv.fr), à destination du service facturier de l'État : "
          "SIRET <b>%(siret)s</b>, code service <b>%(code)s</b>. Elles rappellent le numéro "
          "d'engagement juridique <b>%(ej)s</b>. Aucune facture papier n'est acceptée.")
        % {"siret": esc(siret), "code": esc(code), "ej": esc(ej_number)}, BODY)


def render_order_form(purchase_request, *, signatory: Signatory | None,
                      issued_at: datetime) -> RenderedPdf:
    """The order form; without a signatory it is a draft marked as not signed."""
    case = purchase_request.case
    ej_number = purchase_request.ej_number or ""
    lines = list(purchase_request.lines.all())
    signature, box = signature_block(signatory, issued_at)
    story = [
        para(_("Bon de commande"), TITLE),
        markup(_("Numéro d'engagement juridique (EJ) : <b>%(ej)s</b>") % {"ej": esc(ej_number)}),
        para(_("Demande d'achat %(ref)s du %(date)s") % {
            "ref": case.reference, "date": fr_date(case.submitted_at or case.created_at)}),
        Spacer(0, 4 * mm),
        parties(case),
        para(_("Fournisseur"), HEADING),
        supplier_facts(purchase_request.tiers),
        para(_("Objet"), HEADING),
        para(case.subject),
    ]
    if purchase_request.market_reference:
        story.append(para(_("Marché : %(ref)s") % {"ref": purchase_request.market_reference},
                          SMALL))
    # The conditions come before the lines so that the signature follows the totals it
    # commits to: the totals and the signature block are kept on one page (a page break
    # before the totals rather than a signature alone on the last page), the lines alone
    # flowing from page to page.
    story += [para(_("Imputation budgétaire"), HEADING), _imputations(purchase_request),
              para(_("Livraison"), HEADING),
              para(purchase_request.delivery_address or case.requesting_service.address or "—"),
              para(_("Facturation"), HEADING),
              _invoicing(case, ej_number, timezone.localdate(issued_at)),
              para(_("Lignes de commande"), HEADING), _lines_table(lines),
              KeepTogether([Spacer(0, 2 * mm), _totals(purchase_request), Spacer(0, 6 * mm),
                            signature])]
    frame = PageFrame(
        header_left=_("Bon de commande n° %(ej)s") % {"ej": ej_number},
        header_right=case.processing_centre.name,
        footer_left=_("%(ref)s — document émis par le portail des centres de services "
                      "partagés") % {"ref": case.reference},
    )
    content = build(story, frame, title=_("Bon de commande %(ej)s") % {"ej": ej_number},
                    author=case.processing_centre.name)
    return RenderedPdf(content=content, signature_page=box.page, signature_box=box.box)
