"""Documents over HTTP: signed order forms, previews, summaries, the verification page,
bulk signing and uploads in the wizard. Another service's document is a 404, never a 403."""

import html
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from reportlab.pdfgen import canvas

from cases.models import BudgetImputation, Case, CaseEvent, Tiers
from cases.tests.test_wizard import NEW_URL, lines_step, object_step, quote, step
from cases.workflow import Action, State
from documents.demo_pki import CA_CERT_FILE, issue_credential
from documents.models import Attachment, IssuedDocument, SigningBatch, SigningBatchItem
from documents.pdf import order_form
from documents.services import order_form_sign, signing_batch_create, signing_batch_run
from documents.signing import credential_for, sign_pdf
from documents.tests.test_order_forms import page_texts, read_pdf, signature_status, stored_bytes
from portal.models import Role
from portal.services import membership_grant

pytestmark = pytest.mark.django_db

VERIFY_URL = reverse("documents:verify")
BATCH_CREATE_URL = reverse("documents:batch_create")
QUEUE_URL = reverse("cases:queue")


def text(response) -> str:
    return html.unescape(response.content.decode())


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def plain_pdf(message="Facture de démonstration") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, message)
    pdf.save()
    return buffer.getvalue()


def sign_url(case) -> str:
    return reverse("cases:action", args=[case.pk, Action.SIGN.value])


def preview_url(case) -> str:
    return reverse("documents:order_form_preview", args=[case.pk])


def summary_url(case) -> str:
    return reverse("documents:case_summary", args=[case.pk])


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)


@pytest.fixture
def signed(completed, csp_agent, give_credential):
    give_credential(csp_agent)
    return order_form_sign(case=completed, actor=csp_agent)


@pytest.fixture
def foreign_completed(make_purchase_request, foreign_sp_agent, foreign_csp_agent):
    return make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                 agent=foreign_csp_agent)


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs each task at once, in the caller's thread and transaction."""
    monkeypatch.setattr(Conf, "SYNC", True)


# --- the signed order form --------------------------------------------------------------------


def test_the_requesting_agent_downloads_the_signed_order_form_from_the_case_page(
        client, signed, sp_agent):
    client.force_login(sp_agent)
    url = signed.get_absolute_url()

    page = text(client.get(signed.case.get_absolute_url()))
    assert f'href="{url}"' in page
    assert "Bon de commande signé" in page
    assert signed.sha256 in page

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    ej_number = signed.case.purchase_request.ej_number
    assert f"bon-de-commande-{ej_number}.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    content = body(response)
    assert content.startswith(b"%PDF")
    assert content == stored_bytes(signed)
    status = signature_status(content)
    assert status.intact and status.valid and status.trusted


def test_the_centre_downloads_it_too(client, signed, csp_agent2, cst):
    for user in (csp_agent2, cst):
        client.force_login(user)
        assert client.get(signed.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("name", ["foreign_sp_agent", "foreign_csp_agent"])
def test_documents_of_another_service_are_a_404(request, client, signed, make_purchase_request,
                                                sp_agent, name):
    unsigned = make_purchase_request(sp_agent, state=State.COMPLETED)
    client.force_login(request.getfixturevalue(name))
    for url in (signed.get_absolute_url(), summary_url(signed.case), preview_url(unsigned),
                summary_url(unsigned), signed.case.attachments.get().get_absolute_url()):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login_page(client, signed, make_purchase_request,
                                                    sp_agent):
    unsigned = make_purchase_request(sp_agent, state=State.COMPLETED)
    for url in (signed.get_absolute_url(), summary_url(signed.case), preview_url(unsigned),
                signed.case.attachments.get().get_absolute_url(), VERIFY_URL):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_unknown_document_ids_are_a_404(client, sp_agent):
    client.force_login(sp_agent)
    assert client.get(reverse("documents:issued", args=[999999])).status_code == 404
    assert client.get(reverse("documents:case_summary", args=[999999])).status_code == 404


# --- case summary ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sp_agent", "ordonnateur", "csp_agent", "cst"])
def test_the_case_summary_is_downloadable_by_both_sides(request, client, signed, name):
    client.force_login(request.getfixturevalue(name))

    response = client.get(summary_url(signed.case))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="recapitulatif-{signed.case.reference.lower()}.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    content = body(response)
    assert content.startswith(b"%PDF")
    pages = "".join(page_texts(content))
    assert signed.case.attachments.get().original_name in pages
    assert signed.sha256[:16] in pages


def test_a_long_multi_line_rejection_reason_does_not_break_the_summary(
        client, make_purchase_request, sp_agent, csp_agent):
    """A reason typed in the textarea, one point per line, well under its 4,000 characters."""
    case = make_purchase_request(sp_agent, state=State.REJECTED,
                                 comment="Motif du rejet, point par point\n" * 80)
    client.force_login(sp_agent)
    response = client.get(summary_url(case))
    assert response.status_code == 200
    assert "".join(page_texts(body(response))).count("Motif du rejet, point par point") == 80


def test_a_draft_summary_is_named_after_the_draft(client, make_purchase_request, sp_agent):
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    client.force_login(sp_agent)
    response = client.get(summary_url(draft))
    assert response.status_code == 200
    assert f'filename="recapitulatif-brouillon-{draft.pk}.pdf"' in response[
        "Content-Disposition"]


# --- preview of the unsigned order form -----------------------------------------------------


def test_the_centre_previews_the_unsigned_order_form(client, completed, csp_agent, sp_agent):
    client.force_login(csp_agent)
    page = text(client.get(completed.get_absolute_url()))
    assert f'href="{preview_url(completed)}"' in page

    response = client.get(preview_url(completed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    content = body(response)
    assert content.startswith(b"%PDF")
    assert not read_pdf(content).embedded_signatures
    assert "PROJET" in "".join(page_texts(content))
    assert not IssuedDocument.objects.exists()

    client.force_login(sp_agent)
    assert preview_url(completed) not in text(client.get(completed.get_absolute_url()))
    assert client.get(preview_url(completed)).status_code == 404


def test_there_is_no_preview_before_completion(client, make_purchase_request, sp_agent,
                                               csp_agent):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(csp_agent)
    assert client.get(preview_url(case)).status_code == 404


def test_once_signed_the_preview_redirects_to_the_signed_document(client, signed, csp_agent):
    client.force_login(csp_agent)
    response = client.get(preview_url(signed.case))
    assert response.status_code == 302
    assert response["Location"] == signed.get_absolute_url()


def test_the_preview_explains_missing_chorus_identifiers(client, completed, csp, csp_agent):
    csp.chorus_service_code = ""
    csp.save()
    client.force_login(csp_agent)
    response = client.get(preview_url(completed), follow=True)
    assert response.redirect_chain[-1][0] == completed.get_absolute_url()
    assert "identifiants Chorus Pro" in text(response)


# --- signing from the case page -------------------------------------------------------------

SIGN_BUTTON = re.compile(r'<button[^>]*value="sign"[^>]*>')


def test_a_centre_agent_signs_from_the_case_page(client, completed, csp_agent, sp_agent,
                                                 give_credential):
    give_credential(csp_agent)
    client.force_login(csp_agent)
    page = text(client.get(completed.get_absolute_url()))
    button = SIGN_BUTTON.search(page)
    assert button and "disabled" not in button.group()
    assert "signé avec votre certificat" in page

    response = client.post(sign_url(completed), {"version": completed.version})

    assert response.status_code == 302
    assert response["Location"] == completed.get_absolute_url()
    document = IssuedDocument.objects.get(case=completed)
    assert signature_status(stored_bytes(document)).valid
    page = text(client.get(completed.get_absolute_url()))
    assert "Bon de commande signé" in page
    assert document.get_absolute_url() in page
    assert not SIGN_BUTTON.search(page)  # nothing left to sign
    # The requesting service is told and can download it.
    client.force_login(sp_agent)
    assert document.get_absolute_url() in text(client.get(completed.get_absolute_url()))


def test_without_a_certificate_the_sign_button_is_disabled_and_explained(
        client, completed, csp_agent, signing_dir):
    client.force_login(csp_agent)

    page = text(client.get(completed.get_absolute_url()))

    button = SIGN_BUTTON.search(page)
    assert button and "disabled" in button.group()
    assert "Aucun certificat de signature n'est configuré pour votre compte" in page


def test_an_expired_certificate_disables_the_sign_button(client, completed, csp_agent,
                                                         give_credential):
    give_credential(csp_agent, not_before=timezone.now() - timedelta(days=400), valid_days=-1)
    client.force_login(csp_agent)

    page = text(client.get(completed.get_absolute_url()))

    assert "disabled" in SIGN_BUTTON.search(page).group()
    assert "Votre certificat de signature a expiré" in page


def test_signing_without_a_certificate_shows_the_error_and_issues_nothing(
        client, completed, csp_agent, signing_dir):
    client.force_login(csp_agent)
    version = completed.version

    response = client.post(sign_url(completed), {"version": version})

    assert response.status_code == 403
    assert "Aucun certificat de signature" in text(response)
    assert not IssuedDocument.objects.exists()
    completed.refresh_from_db()
    assert completed.version == version
    assert not CaseEvent.objects.filter(case=completed, action=Action.SIGN).exists()


def test_the_requesting_service_has_no_sign_button_and_cannot_sign(client, completed, sp_agent,
                                                                   give_credential):
    give_credential(sp_agent)
    client.force_login(sp_agent)
    assert not SIGN_BUTTON.search(text(client.get(completed.get_absolute_url())))
    response = client.post(sign_url(completed), {"version": completed.version})
    assert response.status_code == 403
    assert not IssuedDocument.objects.exists()


def test_signing_from_a_stale_page_is_a_conflict(client, completed, csp_agent, give_credential):
    give_credential(csp_agent)
    client.force_login(csp_agent)
    response = client.post(sign_url(completed), {"version": completed.version - 1})
    assert response.status_code == 409
    assert not IssuedDocument.objects.exists()


def test_signing_twice_from_two_tabs_keeps_one_document(client, completed, csp_agent,
                                                        give_credential):
    give_credential(csp_agent)
    client.force_login(csp_agent)
    client.post(sign_url(completed), {"version": completed.version})
    response = client.post(sign_url(completed), {"version": completed.version + 1})
    assert response.status_code == 403
    assert "déjà signé" in text(response)
    assert IssuedDocument.objects.filter(case=completed).count() == 1


# --- the verification page ------------------------------------------------------------------


def verify(client, content: bytes, name="bon-de-commande.pdf"):
    return client.post(VERIFY_URL, {"file": SimpleUploadedFile(name, content,
                                                               content_type="application/pdf")})


@pytest.fixture
def foreign_credential(settings, signing_dir, tmp_path):
    """A credential from another certificate authority, which the portal does not trust.

    A CA created in another directory never becomes a trust root of the portal; the
    credential is loaded from that directory (credential_for reads the configured one).
    """
    portal = (settings.SIGNING_CREDENTIALS_DIR, settings.SIGNING_TRUST_ROOTS)
    other = tmp_path / "autre-ac"
    # Its CA has the very same name as the portal's demo CA: only its key differs.
    issue_credential("faussaire", "Jeanne Faussaire", "Autre organisme",
                     directory=other, kdf_rounds=1000)
    settings.SIGNING_CREDENTIALS_DIR = other
    try:
        credential = credential_for(SimpleNamespace(get_username=lambda: "faussaire"))
    finally:
        settings.SIGNING_CREDENTIALS_DIR = portal[0]
    foreign_ca = (other / CA_CERT_FILE).read_bytes()
    assert not portal[1].exists() or foreign_ca not in portal[1].read_bytes()
    return credential


def test_verification_needs_a_login(client):
    response = client.post(VERIFY_URL, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def stored_files(settings) -> set:
    return {p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}


def test_a_portal_signed_order_form_is_reported_valid_and_issued_by_the_portal(
        client, signed, sp_agent, settings):
    client.force_login(sp_agent)
    assert client.get(VERIFY_URL).status_code == 200
    files = stored_files(settings)

    response = verify(client, stored_bytes(signed))

    assert response.status_code == 200
    page = text(response)
    assert "Signature valide" in page
    assert "autorité reconnue par le portail" in page
    assert "autorité non reconnue" not in page
    assert "Émis par le portail" in page
    assert "Inconnu du portail" not in page
    assert signed.signer_name in page
    assert signed.sha256 in page
    assert f'href="{signed.case.get_absolute_url()}"' in page
    assert stored_files(settings) == files  # the checked file is not kept


def test_the_case_link_is_shown_only_to_who_may_see_the_case(client, signed, foreign_sp_agent):
    client.force_login(foreign_sp_agent)

    page = text(verify(client, stored_bytes(signed)))

    assert "Signature valide" in page
    assert "Émis par le portail" in page
    assert signed.case.get_absolute_url() not in page
    assert signed.case.reference not in page


def test_one_changed_byte_is_reported_as_a_modified_document(client, signed, sp_agent):
    content = bytearray(stored_bytes(signed))
    offset = content.index(b"stream", content.index(b"/Type /Page")) + 20
    content[offset] ^= 0x01
    client.force_login(sp_agent)

    response = verify(client, bytes(content))

    assert response.status_code == 200
    page = text(response)
    assert "le document a été modifié" in page
    assert "rompue : le contenu signé a été modifié" in page
    assert "Signature valide" not in page
    assert "Inconnu du portail" in page
    assert "Émis par le portail" not in page


def test_content_added_after_the_signature_is_reported(client, signed, sp_agent):
    client.force_login(sp_agent)

    page = text(verify(client, stored_bytes(signed) + b"\n% tampered\n"))

    assert "le document a été modifié" in page
    assert "des modifications ont été ajoutées après la signature" in page
    assert "Signature valide" not in page
    assert "Inconnu du portail" in page


def test_a_pdf_signed_by_an_unknown_authority_is_not_recognised(client, sp_agent, signed,
                                                               foreign_credential):
    forged = sign_pdf(plain_pdf(), credential=foreign_credential, page=0,
                      box=(72, 72, 300, 150), role="Chargé(e) de prestations financières",
                      signed_at=timezone.now())
    client.force_login(sp_agent)

    response = verify(client, forged)

    assert response.status_code == 200
    page = text(response)
    assert "n'est pas signé" not in page
    assert "Jeanne Faussaire" in page  # the signer's name, as claimed
    assert "intacte" in page
    assert "autorité non reconnue par le portail" in page
    assert "Inconnu du portail" in page
    assert "Émis par le portail" not in page
    # Intact is not enough for the green verdict: the signer's identity is unproven.
    assert "Signature valide" not in page
    assert "certificat que le portail ne reconnaît pas" in page


def test_an_unsigned_pdf_is_reported_as_not_signed(client, sp_agent):
    client.force_login(sp_agent)
    response = verify(client, plain_pdf())
    assert response.status_code == 200
    page = text(response)
    assert "Ce document n'est pas signé." in page
    assert "Inconnu du portail" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE html><html><body>Bon de commande</body></html>", "n'est pas un PDF"),
        (b"", "vide"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "illisible"),
        (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 9 0 R>>",
         "illisible"),
    ],
    ids=["html", "empty", "garbage", "broken-structure"],
)
def test_what_is_not_a_readable_pdf_is_refused_with_a_message(client, sp_agent, content,
                                                              message):
    client.force_login(sp_agent)
    response = verify(client, content)
    assert response.status_code == 400
    assert message in text(response)


def test_a_truncated_signed_pdf_is_not_a_server_error(client, signed, sp_agent):
    content = stored_bytes(signed)
    client.force_login(sp_agent)
    for cut in (len(content) // 3, len(content) // 2, len(content) - 100):
        response = verify(client, content[:cut])
        assert response.status_code == 400
        assert "illisible" in text(response)


def test_a_file_over_the_size_limit_is_refused(client, sp_agent, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    client.force_login(sp_agent)
    response = verify(client, plain_pdf() + b"%" + b" " * 1000)
    assert response.status_code == 400
    assert "taille maximale" in text(response)


def test_posting_no_file_asks_for_one(client, sp_agent):
    client.force_login(sp_agent)
    # What a browser sends when no file was chosen (an empty file part), and an empty POST.
    for data in ({"file": ""}, {}):
        response = client.post(VERIFY_URL, data)
        assert response.status_code == 400
        assert "Choisissez un fichier PDF." in text(response)


# --- the queue of order forms to sign -------------------------------------------------------


@pytest.fixture
def to_sign(make_purchase_request, sp_agent, csp_agent):
    return [make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
            for _ in range(3)]


def checkbox(case) -> str:
    return f'name="cases" value="{case.pk}"'


def test_the_queue_lists_completed_unsigned_requests_to_sign(
        client, to_sign, csp_agent, give_credential, make_purchase_request, sp_agent,
        foreign_completed):
    in_progress = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    give_credential(csp_agent)
    already = order_form_sign(case=to_sign[0], actor=csp_agent)
    client.force_login(csp_agent)

    response = client.get(QUEUE_URL, {"to_sign": "true"})

    assert response.status_code == 200
    page = text(response)
    assert "À signer (2)" in page
    assert 'id="bulk-sign"' in page
    assert {c.pk for c in response.context["page_obj"]} == {to_sign[1].pk, to_sign[2].pk}
    for case in to_sign[1:]:
        assert checkbox(case) in page
    for case in (already.case, in_progress, foreign_completed):
        assert checkbox(case) not in page
    # The default queue has no checkboxes.
    assert 'name="cases"' not in text(client.get(QUEUE_URL))


# --- bulk signing ---------------------------------------------------------------------------


def start_batch(client, django_capture_on_commit_callbacks, cases, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(BATCH_CREATE_URL, {"cases": [c.pk for c in cases], **extra})


def test_bulk_signing_signs_every_selected_order_form(
        client, to_sign, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    client.force_login(csp_agent)

    response = start_batch(client, django_capture_on_commit_callbacks, to_sign)

    batch = SigningBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert batch.created_by == csp_agent
    for case in to_sign:
        document = IssuedDocument.objects.get(case=case)
        assert document.signed_by == csp_agent
        assert signature_status(stored_bytes(document)).valid
        assert CaseEvent.objects.filter(case=case, action=Action.SIGN).count() == 1
    assert set(batch.items.values_list("status", flat=True)) == {SigningBatchItem.Status.SIGNED}

    page = text(client.get(batch.get_absolute_url()))
    assert "3 sur 3 traités : 3 signés, 0 en échec." in page
    assert "Signature en cours" not in page
    for case in to_sign:
        assert case.reference in page

    status = client.get(reverse("documents:batch_status", args=[batch.pk])).json()
    assert (status["total"], status["signed"], status["failed"], status["pending"]) == (3, 3, 0, 0)
    assert status["finished"] is True and status["percent"] == 100
    assert {item["status"] for item in status["items"]} == {"signed"}
    assert {item["document"] for item in status["items"]} == {
        d.get_absolute_url() for d in IssuedDocument.objects.all()}


def test_a_failed_item_is_reported_and_retried_without_duplicates(
        client, to_sign, csp_agent, give_credential, sync_tasks, monkeypatch,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    broken = to_sign[1]
    real_render = order_form.render_order_form

    def render_failing_once(purchase_request, **kwargs):
        if purchase_request.case_id == broken.pk:
            raise RuntimeError("panne simulée")
        return real_render(purchase_request, **kwargs)

    monkeypatch.setattr(order_form, "render_order_form", render_failing_once)
    client.force_login(csp_agent)

    start_batch(client, django_capture_on_commit_callbacks, to_sign)

    batch = SigningBatch.objects.get()
    failed = batch.items.get(case=broken)
    assert failed.status == SigningBatchItem.Status.FAILED
    assert "Erreur technique" in failed.message
    assert failed.document is None and failed.attempts == 1
    assert not IssuedDocument.objects.filter(case=broken).exists()
    assert not CaseEvent.objects.filter(case=broken, action=Action.SIGN).exists()
    assert IssuedDocument.objects.count() == 2
    status = client.get(reverse("documents:batch_status", args=[batch.pk])).json()
    assert (status["signed"], status["failed"], status["finished"]) == (2, 1, True)
    page = text(client.get(batch.get_absolute_url()))
    assert "Erreur technique" in page
    assert reverse("documents:batch_retry", args=[batch.pk]) in page

    monkeypatch.setattr(order_form, "render_order_form", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:batch_retry", args=[batch.pk]))

    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    failed.refresh_from_db()
    assert failed.status == SigningBatchItem.Status.SIGNED and failed.message == ""
    assert failed.attempts == 2
    for case in to_sign:
        assert IssuedDocument.objects.filter(case=case).count() == 1
        assert CaseEvent.objects.filter(case=case, action=Action.SIGN).count() == 1
    # Nothing left to retry.
    follow = client.post(reverse("documents:batch_retry", args=[batch.pk]), follow=True)
    assert "Aucun bon de commande en échec" in text(follow)


def test_bulk_signing_without_a_certificate_fails_each_item_with_the_reason(
        client, to_sign, csp_agent, signing_dir, sync_tasks, django_capture_on_commit_callbacks):
    client.force_login(csp_agent)
    start_batch(client, django_capture_on_commit_callbacks, to_sign)
    batch = SigningBatch.objects.get()
    messages = set(batch.items.values_list("message", flat=True))
    assert len(messages) == 1 and "Aucun certificat de signature" in messages.pop()
    assert not IssuedDocument.objects.exists()


def test_running_a_batch_again_never_signs_twice(to_sign, csp_agent, give_credential):
    give_credential(csp_agent)
    # Without the on-commit hook running: the task is run by hand below.
    batch = signing_batch_create(actor=csp_agent, case_ids=[c.pk for c in to_sign])

    signing_batch_run(batch.pk)
    signing_batch_run(batch.pk)

    assert IssuedDocument.objects.count() == 3
    assert CaseEvent.objects.filter(action=Action.SIGN).count() == 3
    assert set(batch.items.values_list("status", "attempts")) == {("signed", 1)}


def test_a_batch_item_signed_meanwhile_reuses_the_existing_document(to_sign, csp_agent,
                                                                    csp_agent2,
                                                                    give_credential):
    """As after a crash between signing and recording the item: never a second copy."""
    give_credential(csp_agent)
    give_credential(csp_agent2)
    batch = signing_batch_create(actor=csp_agent, case_ids=[c.pk for c in to_sign])
    signed_elsewhere = order_form_sign(case=to_sign[0], actor=csp_agent2)

    signing_batch_run(batch.pk)

    item = batch.items.get(case=to_sign[0])
    assert item.status == SigningBatchItem.Status.SIGNED
    assert item.document == signed_elsewhere
    assert IssuedDocument.objects.filter(case=to_sign[0]).count() == 1
    assert CaseEvent.objects.filter(case=to_sign[0], action=Action.SIGN).count() == 1
    assert IssuedDocument.objects.count() == 3


@pytest.mark.parametrize("name", ["csp_agent2", "csp_head", "sp_agent", "foreign_csp_agent"])
def test_a_batch_is_only_shown_to_the_agent_who_started_it(request, client, to_sign, csp_agent,
                                                            name):
    batch = signing_batch_create(actor=csp_agent, case_ids=[to_sign[0].pk])
    client.force_login(request.getfixturevalue(name))
    assert client.get(batch.get_absolute_url()).status_code == 404
    assert client.get(reverse("documents:batch_status", args=[batch.pk])).status_code == 404
    assert client.post(reverse("documents:batch_retry", args=[batch.pk])).status_code == 404


def test_cases_of_another_centre_are_ignored_in_a_batch(
        client, to_sign, foreign_completed, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    client.force_login(csp_agent)

    start_batch(client, django_capture_on_commit_callbacks, [to_sign[0], foreign_completed])

    batch = SigningBatch.objects.get()
    assert list(batch.items.values_list("case", flat=True)) == [to_sign[0].pk]
    assert not IssuedDocument.objects.filter(case=foreign_completed).exists()


def test_a_batch_of_only_foreign_or_signed_cases_is_refused(client, signed, foreign_completed,
                                                            csp_agent):
    client.force_login(csp_agent)
    response = client.post(BATCH_CREATE_URL, {"cases": [signed.case.pk, foreign_completed.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE_URL}?to_sign=true"
    assert not SigningBatch.objects.exists()


def test_selecting_nothing_asks_to_select(client, to_sign, csp_agent):
    client.force_login(csp_agent)

    response = client.post(BATCH_CREATE_URL, {"cases": ["", "abc", "-1"]}, follow=True)

    assert response.redirect_chain[0] == (f"{QUEUE_URL}?to_sign=true", 302)
    assert "Sélectionnez au moins une demande terminée" in text(response)
    assert not SigningBatch.objects.exists()


def test_a_batch_spanning_two_centres_is_refused(client, to_sign, foreign_completed, csp_agent,
                                                 other_csp):
    membership_grant(user=csp_agent, service=other_csp, role=Role.CSP_AGENT)
    client.force_login(csp_agent)

    response = client.post(BATCH_CREATE_URL, {"cases": [to_sign[0].pk, foreign_completed.pk]},
                           follow=True)

    assert "relèvent de plusieurs centres" in text(response)
    assert not SigningBatch.objects.exists()


# "²".isdigit() is true but int("²") fails; SQLite cannot bind a number beyond 64 bits.
@pytest.mark.parametrize("value", ["²", "٣", "9" * 30, " 1", "1e3"],
                         ids=["superscript-two", "arabic-indic-three", "huge", "space", "exp"])
def test_odd_case_ids_in_a_batch_are_ignored_not_a_server_error(client, to_sign, csp_agent,
                                                               value):
    client.force_login(csp_agent)
    response = client.post(BATCH_CREATE_URL, {"cases": [value]})
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE_URL}?to_sign=true"


def test_the_queue_offers_no_signing_form_to_who_may_not_sign(client, to_sign, cst):
    client.force_login(cst)
    page = text(client.get(QUEUE_URL, {"to_sign": "true"}))
    assert "À signer (0)" in page  # the badge already knows: nothing for a CST to sign
    assert 'id="bulk-sign"' not in page
    assert 'name="cases"' not in page


def test_people_who_may_not_sign_cannot_start_a_batch(client, to_sign, cst, sp_agent):
    for user in (cst, sp_agent):
        client.force_login(user)
        response = client.post(BATCH_CREATE_URL, {"cases": [c.pk for c in to_sign]})
        assert response.status_code == 302
    assert not SigningBatch.objects.exists()


def test_starting_a_batch_needs_a_post(client, csp_agent):
    client.force_login(csp_agent)
    assert client.get(BATCH_CREATE_URL).status_code == 405


# --- uploads in the wizard ------------------------------------------------------------------


@pytest.fixture
def imputations(sp):
    for axis in ("financial_centre", "cost_centre", "activity", "funds"):
        BudgetImputation.objects.get_or_create(service=sp, axis=axis, code=f"{axis[:3]}-01",
                                               defaults={"label": f"Libellé {axis}"})


@pytest.fixture
def supplier():
    return Tiers.objects.create(name="Bureautique de l'Est", siret="73282932000074",
                                iban="FR7630006000011234567890189", city="Nancy",
                                postcode="54000")


@pytest.fixture
def pieces_url(client, sp_agent, sp, imputations, supplier):
    """A draft whose wizard stands at the attachments step."""
    client.force_login(sp_agent)
    url = client.post(NEW_URL, object_step(sp))["Location"]
    client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    client.post(url, lines_step(("Poste", "1", "100", "20.00")))
    return url


@pytest.mark.parametrize("field", ["quote", "other"])
def test_the_same_file_uploaded_twice_is_refused(client, pieces_url, field):
    content = plain_pdf("Devis 2026-014")
    assert client.post(pieces_url, step("pieces", **{"pieces-quote": quote(
        "devis.pdf", content)})).status_code == 302

    # Back to the attachments step (another tab, or the "previous" button), same file again.
    response = client.post(pieces_url, step("pieces", **{f"pieces-{field}": quote(
        "devis-copie.pdf", content)}))

    assert response.status_code == 200
    assert "Ce fichier est déjà joint à la demande (« devis.pdf »)." in text(response)
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["devis.pdf"]


def test_two_identical_files_in_one_post_are_refused(client, pieces_url):
    content = plain_pdf("Devis 2026-015")

    response = client.post(pieces_url, step("pieces", **{
        "pieces-quote": quote("devis.pdf", content),
        "pieces-other": quote("devis-bis.pdf", content)}))

    assert response.status_code == 200
    # The quote is kept; the copy is then refused as a piece the draft already has.
    assert "Ce fichier est déjà joint à la demande (« devis.pdf »)." in text(response)
    assert Attachment.objects.count() == 1
    assert Attachment.objects.get().original_name == "devis.pdf"


def test_a_real_pdf_with_a_forbidden_extension_is_refused(client, pieces_url):
    response = client.post(pieces_url, step("pieces", **{
        "pieces-quote": quote("devis.exe", plain_pdf())}))
    assert response.status_code == 200
    assert "Format non accepté" in text(response)
    assert not Attachment.objects.exists()


def test_a_path_in_the_file_name_never_escapes_the_media_root(client, pieces_url, settings,
                                                             tmp_path):
    response = client.post(pieces_url, step("pieces", **{
        "pieces-quote": quote("../../etc/passwd.pdf", plain_pdf())}))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    media_root = settings.MEDIA_ROOT.resolve()
    stored = (media_root / attachment.file.name).resolve()
    assert stored.is_file()
    assert stored.is_relative_to(media_root / "cases" / str(attachment.case_id))
    assert "passwd" not in attachment.file.name and ".." not in attachment.file.name
    assert not (tmp_path / "etc").exists() and not (settings.MEDIA_ROOT.parent / "etc").exists()
    # Served back under its sanitised name, as a download.
    download = client.get(attachment.get_absolute_url())
    assert 'filename="passwd.pdf"' in download["Content-Disposition"]


def test_replaying_the_pieces_step_after_submission_adds_nothing(client, make_purchase_request,
                                                                 sp_agent):
    """Pieces are never added to a submitted case, even by replaying the wizard's POST."""
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    client.force_login(sp_agent)
    url = reverse("purchases:resume", args=[case.pk])
    response = client.post(url, step("pieces", **{"pieces-other": quote("autre.pdf",
                                                                        plain_pdf())}))
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert Case.objects.get(pk=case.pk).attachments.count() == 1
