"""Thin views: pieces, issued documents, case summaries, verification, signing batches.

Every file is served as a download (`Content-Disposition: attachment`, `nosniff`, sandboxed)
and only to someone who may see its case: anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case, CaseKind
from cases.workflow import State

from . import selectors, services
from .forms import VerifyForm
from .models import Attachment, IssuedDocument, SigningBatch


def _protect(response):
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(content: bytes, filename: str):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _protect(response)


def _visible_case_or_404(user, pk) -> Case:
    try:
        return case_selectors.case_get_for_user(user=user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def download(request, pk: int):
    attachment = (
        Attachment.objects.filter(pk=pk, case__in=permissions.visible_cases(request.user)).first()
    )
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return _protect(FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                                 content_type=attachment.content_type))


@login_required
def issued_download(request, pk: int):
    try:
        document = selectors.issued_document_for_user(user=request.user, pk=pk)
    except IssuedDocument.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return _protect(FileResponse(handle, as_attachment=True, filename=document.download_name,
                                 content_type="application/pdf"))


@login_required
def case_summary(request, pk: int):
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from .pdf.case_summary import render_case_summary

    case = _visible_case_or_404(request.user, pk)
    content = render_case_summary(
        case, attachments=list(case.attachments.all()),
        issued_documents=selectors.issued_documents_of(case),
        events=case_selectors.case_timeline(case=case),
    )
    name = (case.reference or f"brouillon-{case.pk}").lower()
    return _pdf_response(content, f"recapitulatif-{name}.pdf")


@login_required
def order_form_preview(request, pk: int):
    """The unsigned order form, for the centre to check it before signing."""
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from .pdf.order_form import InvoicingNotConfigured, render_order_form

    case = _visible_case_or_404(request.user, pk)
    if (case.kind != CaseKind.PURCHASE_REQUEST or case.state != State.COMPLETED
            or not permissions.visible_cases(request.user, permissions.PROCESS)
            .filter(pk=case.pk).exists()):
        raise Http404
    document = selectors.order_form_of(case)
    if document is not None:
        return redirect(document.get_absolute_url())
    try:
        rendered = render_order_form(case.purchase_request, signatory=None,
                                     issued_at=timezone.now())
    except InvoicingNotConfigured:
        messages.error(request, _("Les identifiants Chorus Pro du centre ne sont pas renseignés : "
                                  "le bon de commande ne peut pas être édité."))
        return redirect(case.get_absolute_url())
    return _pdf_response(rendered.content,
                         f"projet-bon-de-commande-{case.purchase_request.ej_number}.pdf")


@login_required
def verify(request):
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from .verification import NotAPdf, verify_pdf

    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = verify_pdf(form.cleaned_data["content"])
        except NotAPdf as exc:
            form.add_error("file", exc.message)
    issued_case_visible = bool(
        report and report.issued
        and permissions.visible_cases(request.user).filter(pk=report.issued.case_id).exists())
    return render(request, "documents/verify.html", {
        "form": form, "report": report, "issued_case_visible": issued_case_visible,
    }, status=400 if form.errors else 200)


# --- signing several order forms at once -------------------------------------------------------


@login_required
@require_POST
def batch_create(request):
    try:
        batch = services.signing_batch_create(actor=request.user,
                                              case_ids=_ids(request.POST.getlist("cases")))
    except services.DocumentError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:queue") + "?to_sign=true")
    messages.success(request, _("Signature de %(n)s bon(s) de commande lancée.")
                     % {"n": batch.items.count()})
    return redirect(batch.get_absolute_url())


def _ids(values) -> list[int]:
    # ASCII digits only ("²".isdigit() is true), and no more than a bigint holds.
    return [int(v) for v in values if v.isascii() and v.isdecimal() and len(v) <= 18][:500]


def _batch_or_404(user, pk) -> SigningBatch:
    try:
        return selectors.signing_batch_for_user(user=user, pk=pk)
    except SigningBatch.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def batch_detail(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    return render(request, "documents/batch.html", {
        "batch": batch,
        "items": selectors.signing_batch_items(batch),
        "progress": selectors.signing_batch_progress(batch),
    })


@login_required
def batch_status(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    progress = selectors.signing_batch_progress(batch)
    progress["items"] = [
        {"id": item.pk, "status": item.status, "label": item.get_status_display(),
         "message": item.message,
         "document": item.document.get_absolute_url() if item.document else None}
        for item in selectors.signing_batch_items(batch)
    ]
    return JsonResponse(progress)


@login_required
@require_POST
def batch_retry(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    count = services.signing_batch_retry(batch=batch, actor=request.user)
    if count:
        messages.success(request, _("Nouvelle tentative pour %(n)s bon(s) de commande.")
                         % {"n": count})
    else:
        messages.info(request, _("Aucun bon de commande en échec à relancer."))
    return redirect(batch.get_absolute_url())
