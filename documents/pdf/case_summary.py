"""The récapitulatif of a case: its answers, its pieces with their sha256, its history."""

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from cases.amounts import line_totals
from cases.sla import due_label
from cases.workflow import event_label
from forms_catalog.selectors import answers_by_step

from .layout import (
    CONTENT_WIDTH,
    HEADING,
    SMALL,
    TITLE,
    PageFrame,
    build,
    cell,
    facts,
    fr_date,
    fr_datetime,
    fr_money,
    fr_number,
    fr_quantity,
    grid,
    mask_iban,
    para,
)


def _dt(value) -> str:
    return fr_datetime(value) if value else "—"


def _person(user) -> str:
    if user is None:
        return _("système")
    return user.get_full_name() or user.get_username()


def _circuits(purchase_request) -> list:
    """The convention's circuits the request went through (the mission, the visa)."""
    rows = []
    if purchase_request.routed_to_mission:
        route = purchase_request.get_procurement_route_display() or _("en attente de décision")
        if purchase_request.contract_reference:
            route = f"{route} — {purchase_request.contract_reference}"
        rows.append((_("Mission des achats"), route))
    if purchase_request.budget_visa_required:
        rows.append((_("Visa du contrôleur budgétaire"), _("n° %(ref)s du %(day)s") % {
            "ref": purchase_request.visa_reference,
            "day": fr_date(purchase_request.visa_date)} if purchase_request.visa_reference
            else _("attendu")))
    return rows


def _purchase_request(purchase_request) -> list:
    tiers = purchase_request.tiers
    story = [
        para(_("Demande d'achat"), HEADING),
        facts([
            (_("Numéro d'EJ"), purchase_request.ej_number or "—"),
            (_("Description du besoin"), purchase_request.description or "—"),
            (_("Référence du marché"), purchase_request.market_reference or "—"),
            (_("Centre financier"), purchase_request.financial_centre),
            (_("Centre de coûts"), purchase_request.cost_centre),
            (_("Activité"), purchase_request.activity),
            (_("Fonds de concours"), purchase_request.funds or "—"),
            (_("Adresse de livraison"), purchase_request.delivery_address or "—"),
            *_circuits(purchase_request),
        ]),
        para(_("Fournisseur"), HEADING),
        facts([
            (_("Raison sociale"), tiers.name),
            (_("SIRET"), tiers.siret or "—"),
            (_("IBAN"), mask_iban(tiers.iban) if tiers.iban else "—"),
            (_("Adresse"), " ".join(p for p in (tiers.address, tiers.postcode, tiers.city) if p)
             or "—"),
        ]),
        para(_("Lignes de commande"), HEADING),
    ]
    widths = [None, 20 * mm, 25 * mm, 22 * mm, 28 * mm]
    widths[0] = CONTENT_WIDTH - sum(w for w in widths if w)
    rows = [[_("Désignation"), _("Quantité"), _("PU HT"), _("TVA"), _("Total TTC")]]
    for line in purchase_request.lines.all():
        rows.append([cell(line.label, widths[0]), fr_quantity(line.quantity),
                     fr_money(line.unit_price_ht), f"{fr_number(line.vat_rate)} %",
                     fr_money(line_totals(line).ttc)])
    rows.append(["", "", "", _("Total HT"), fr_money(purchase_request.amount_ht)])
    rows.append(["", "", "", _("TVA"), fr_money(purchase_request.amount_vat)])
    rows.append(["", "", "", _("Total TTC"), fr_money(purchase_request.amount_ttc)])
    story.append(grid(rows, widths))
    return story


def _tiers_request(request) -> list:
    """The requested supplier record; bank and social security numbers masked (the PDF may
    be read outside the centre)."""
    address = " ".join(p for p in (request.address, request.postcode, request.city,
                                   request.country) if p)
    rows = [
        (_("Opération"), request.get_operation_display()),
        (_("Catégorie"), request.get_category_display()),
        (_("Nom ou raison sociale"), request.name),
        (_("SIRET"), request.siret or "—"),
        (_("N° de TVA intracommunautaire"), request.vat_number or "—"),
        (_("NIR"), mask_iban(request.nir) if request.nir else "—"),
        (_("Identifiant national"), request.foreign_identifier or "—"),
        (_("Adresse"), address or "—"),
        (_("Courriel"), request.email or "—"),
        (_("IBAN"), mask_iban(request.iban) if request.iban else "—"),
        (_("BIC"), request.bic or "—"),
    ]
    return [para(_("Tiers demandé"), HEADING), facts(rows)]


def _statement(statement) -> list:
    rows = [
        (_("Commande"), f"{statement.purchase_request.case.reference} — EJ "
                        f"{statement.purchase_request.ej_number}"),
        (_("Livraison ou achèvement"), fr_date(statement.delivered_on)),
        (_("Référence de la facture"), statement.invoice_reference or "—"),
        (_("Montant TTC constaté"), fr_money(statement.amount_ttc)),
    ]
    if statement.late:
        rows.append((_("Constatation tardive"), " — ".join(
            part for part in (statement.get_lateness_reason_display(),
                              statement.lateness_comment) if part)))
    rows += [(line.purchase_line.label, fr_quantity(line.quantity))
             for line in statement.lines.select_related("purchase_line")]
    return [para(_("Service fait"), HEADING), facts(rows)]


def _fixed_asset(asset) -> list:
    rows = [(_("Type de fiche"), asset.get_asset_kind_display()), (_("Bien"), asset.label),
            (_("EJ liés"), ", ".join(pr.ej_number or "" for pr in asset.purchase_requests.all())
             or "—")]
    if asset.commissioned_on:
        rows += [(_("Mise en service"), fr_date(asset.commissioned_on)),
                 (_("Amortissement (années)"), str(asset.depreciation_years)),
                 (_("Numéro d'inventaire"), asset.inventory_number)]
    rows.append((_("Fiche immobilisation Chorus"), asset.asset_number or "—"))
    return [para(_("Fiche immobilisation"), HEADING), facts(rows)]


def render_case_summary(case, *, attachments, issued_documents, events) -> bytes:
    story = [
        para(_("Récapitulatif de la demande"), TITLE),
        para(f"{case.display_reference} — {case.get_kind_display()}"),
        Spacer(0, 3 * mm),
        facts([
            (_("Objet"), case.subject or "—"),
            (_("État"), case.get_state_display()),
            (_("Service prescripteur"), str(case.requesting_service)),
            (_("Centre de services partagés"), str(case.processing_centre)),
            (_("Demandeur"), _person(case.created_by)),
            (_("Agent du centre"), _person(case.assigned_to) if case.assigned_to else "—"),
            (_("Montant TTC"), fr_money(case.amount)),
            (_("Créée le"), _dt(case.created_at)),
            (_("Déposée le"), _dt(case.submitted_at)),
            (_("Échéance"), due_label(case.due_at)),
            (_("Close le"), _dt(case.completed_at)),
        ]),
    ]
    purchase_request = getattr(case, "purchase_request", None)
    if purchase_request is not None:
        story += _purchase_request(purchase_request)
    for name, section in (("tiers_request", _tiers_request), ("service_done", _statement),
                          ("fixed_asset", _fixed_asset)):
        detail = getattr(case, name, None)
        if detail is not None:
            story += section(detail)
    # Catalogue fields, with the schema the case was filled with (not today's form).
    for step in answers_by_step(case.extra.get("schema") or {}, case.extra.get("answers") or {}):
        story.append(para(step["title"], HEADING))
        story.append(facts([(row["label"], row["value"] if row["value"] not in (None, "")
                             else "—") for row in step["rows"]]))

    story.append(para(_("Pièces jointes"), HEADING))
    if attachments:
        rows = [[_("Fichier"), _("Type"), _("Taille"), _("SHA-256")]]
        rows += [[para(a.original_name), para(a.get_kind_display()), filesizeformat(a.size),
                  para(a.sha256, SMALL)] for a in attachments]
        story.append(grid(rows, [50 * mm, 35 * mm, 17 * mm, CONTENT_WIDTH - 102 * mm]))
    else:
        story.append(para(_("Aucune pièce jointe.")))

    if issued_documents:
        story.append(para(_("Documents émis par le portail"), HEADING))
        rows = [[_("Document"), _("Signé par"), _("Le"), _("SHA-256")]]
        rows += [[para(d.get_kind_display()), para(d.signer_name), _dt(d.issued_at),
                  para(d.sha256, SMALL)] for d in issued_documents]
        story.append(grid(rows, [35 * mm, 40 * mm, 27 * mm, CONTENT_WIDTH - 102 * mm]))

    story.append(para(_("Historique"), HEADING))
    rows = [[_("Date"), _("Événement"), _("Par"), _("Commentaire")]]
    for event in events:
        label = event_label(event.action)
        if event.data.get("ej_number"):
            label += f" (EJ {event.data['ej_number']})"
        if event.data.get("anomaly_label"):
            label += " — " + _("anomalie : %(type)s") % {"type": event.data["anomaly_label"]}
            if event.data.get("anomaly_text"):
                label += f" ({event.data['anomaly_text']})"
        rows.append([_dt(event.created_at), para(label), para(_person(event.actor)),
                     para(event.comment or "")])
    story.append(grid(rows, [27 * mm, 45 * mm, 35 * mm, CONTENT_WIDTH - 107 * mm]))

    frame = PageFrame(
        header_left=_("Récapitulatif — %(ref)s") % {"ref": case.display_reference},
        header_right=case.requesting_service.name,
        footer_left=_("Édité le %(date)s par le portail des centres de services partagés")
        % {"date": fr_datetime(timezone.now())},
    )
    return build(story, frame, title=_("Récapitulatif %(ref)s") % {"ref": case.display_reference},
                 author=case.requesting_service.name)
