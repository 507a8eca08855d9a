"""Decision letters: placeholders filled and escaped, one signed PDF per decision issued after
the commit, downloaded by those who see the case only, nothing when the form has no letter."""

import pytest
from django.core.exceptions import ValidationError
from django_q.conf import Conf
from reportlab.platypus import Paragraph

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from decisions import services
from decisions.pdf import letter_story
from decisions.selectors import (
    MAX_VALUE_CHARS,
    MAX_VALUE_LINES,
    bounded,
    placeholder_values,
    readable,
)
from documents.models import IssuedDocument, IssuedDocumentKind
from documents.tests.test_order_forms import page_texts
from documents.verification import verify_pdf
from forms_catalog.letters import CASE_PLACEHOLDERS, LetterError, check_letter
from forms_catalog.models import ProcedureFormPage
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import answers_for, draft, inp, schema_of
from portal.models import Role
from tests.factories import member

publish_form = _test_schema.publish_form
editorial = _test_schema.editorial

SUBJECT = "Objet de la demande"
FIELDS = [inp("text", SUBJECT), inp("long_text", "Précisions", required=False),
          inp("multiple_choice", "Sites", choices=["Metz", "Nancy"], required=False),
          inp("text", "Nom & prénom", required=False)]
ACCEPTANCE = (
    '<h2 data-block-key="a1">Votre demande {{ reference }}</h2>'
    '<p data-block-key="a2">Bonjour {{demandeur}},</p>'
    '<p data-block-key="a3">Objet : <b>{{ champ:Objet de la demande }}</b></p>'
    '<ul><li data-block-key="a4">Sites : {{ CHAMP:sites }}</li></ul>'
    '<p data-block-key="a5">Précisions : {{ champ:  précisions }}</p>'
    '<p data-block-key="a6">Titulaire : {{ champ:Nom &amp; prénom }}</p>'
    '<p data-block-key="a7">Décidé le {{ date_decision }} par {{ agent }} ({{ centre }}).</p>'
)
REFUSAL = '<p data-block-key="r1">Refus de {{ reference }} : {{ motif }}</p>'


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs each task at once, in the caller's thread."""
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def letters_form(publish_form):
    return publish_form(FIELDS, title="Demande d'accès", acceptance_letter=ACCEPTANCE,
                        refusal_letter=REFUSAL)


def in_progress(page, sp, sp_agent, csp_agent, **answers) -> Case:
    case = draft(page, sp_agent, sp)
    answers = {SUBJECT: "Badge du site de Metz", **answers}
    case = case_services.answers_record(case=case, actor=sp_agent,
                                        answers=answers_for(page, **answers))
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    return case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)


def decide(case, actor, callbacks, action=Action.COMPLETE, comment="Accès ouvert") -> Case:
    extra = {"anomaly": "missing_document"} if action == Action.REJECT else {}
    with callbacks(execute=True):
        return case_services.transition(case=case, action=action, actor=actor, comment=comment,
                                        **extra)


def text_of(document: IssuedDocument) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page_texts(handle.read()))


def content_of(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


# --- publication: only known placeholders -----------------------------------------------------


def test_known_placeholders_are_accepted_case_and_spacing_ignored():
    schema = schema_of(*FIELDS)
    check_letter(ACCEPTANCE, schema)
    check_letter(REFUSAL + "".join(f"<p>{{{{ {name} }}}}</p>" for name in CASE_PLACEHOLDERS),
                 schema)


@pytest.mark.parametrize("letter, message", [
    ("<p>{{ numero }}</p>", "{{ numero }}"),
    ("<p>{{ champ:Objet }}</p>", "{{ champ:Objet }}"),
    ("<p>{{ }}</p>", "inconnu"),
    ("<p>{{ reference</p>", "mal écrit"),
    ("<p>{{ <b>reference</b> }}</p>", "mal écrit"),
    ("<p>reference }}</p>", "mal écrit"),
])
def test_unknown_or_broken_placeholders_are_refused(letter, message):
    with pytest.raises(LetterError, match=message.replace("{", r"\{").replace("}", r"\}")):
        check_letter(letter, schema_of(*FIELDS))


def test_a_page_naming_an_unknown_placeholder_is_refused_with_the_known_ones(letters_form):
    page = ProcedureFormPage.objects.get(pk=letters_form.pk)
    page.refusal_letter = "<p>Motif : {{ raison }} — {{ champ:Budget }}</p>"

    with pytest.raises(ValidationError) as refused:
        page.full_clean()

    message = " ".join(refused.value.message_dict["refusal_letter"])
    assert "{{ raison }}, {{ champ:Budget }}" in message
    assert "{{ motif }}" in message and "{{ champ:Objet de la demande }}" in message
    assert "acceptance_letter" not in refused.value.message_dict


def test_the_editor_sees_the_letters_and_their_placeholders_in_the_admin(client, letters_form):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("redac", "r@example.org", "x"))
    page = client.get(f"/cms/pages/{letters_form.pk}/edit/").content.decode()

    assert "Courriers de décision" in page
    assert "{{ date_decision }}" in page and "{{ champ:Libellé du champ }}" in page


# --- filling the placeholders -----------------------------------------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    '<para fontSize="90">gros</para>',
    "</b></i></link><font color=red>rouge",
    'Dupont & Fils <a href="javascript:x">lien</a>',
    "&amp; &lt; &#0; &bogus;",
    "Zoë Łukasz 北京 🚀 ﬁn ‮inversé",
    "ligne 1\nligne 2\r\n\tligne 3\x07\x1b",
    "{{ reference }} {{ champ:Objet de la demande }}",
    "x" * 30_000,
    ("mot " * 8_000).strip(),
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_are_escaped_into_plain_text(value):
    story = letter_story("<p>Début {{ champ:Objet }} fin</p><ul><li>{{ motif }}</li></ul>",
                         lambda name: value)

    assert len(story) == 2 and all(isinstance(p, Paragraph) for p in story)
    for paragraph in story:
        drawn = paragraph.getPlainText()
        # What is drawn is the value's own characters, not markup made of them.
        for fragment in ("<script>", "<para", "<font", "</b>", "{{ reference }}"):
            if fragment in value:
                assert fragment in drawn
        assert not any(frag.link for frag in paragraph.frags)
        assert not any(getattr(frag, "fontSize", 10) > 12 for frag in paragraph.frags)


def test_editor_markup_keeps_its_form_and_safe_links_only():
    story = letter_story(
        '<h2>Titre</h2><p>Un <b>gras</b> et <i>italique</i> <a href="https://exemple.fr/?a=1&amp;b=2">'
        'ici</a> <a href="javascript:alert(1)">là</a> <a linktype="page" id="3">page</a></p>'
        "<ol><li>un</li><li>deux</li></ol>", lambda name: "")

    titles, body, first, second = story
    assert titles.getPlainText() == "Titre"
    assert body.getPlainText() == "Un gras et italique ici là page"
    bold = [frag.text for frag in body.frags if frag.fontName == "Helvetica-Bold"]
    assert "gras" in bold
    links = {(frag.text, target) for frag in body.frags for _n, target in frag.link}
    assert links == {("ici", "https://exemple.fr/?a=1&b=2")}  # no javascript:, no page id
    assert (first.bulletText, second.bulletText) == ("1.", "2.")


def test_answers_become_readable_text_whatever_their_shape():
    labels = {"k1": "Nom", "k2": "Quantité"}
    assert readable("texte") == "texte"
    assert readable(True) == "oui" and readable(False) == "non"
    assert readable(["Metz", "Nancy"]) == "Metz, Nancy"
    assert readable({"name": "devis.pdf", "size": 12}) == "devis.pdf"
    assert readable([{"k1": "Stylo", "k2": 3}, {"k1": "Gomme", "k2": None}],
                    labels) == "Nom : Stylo ; Quantité : 3\nNom : Gomme"
    assert readable({"rue": "1 rue Haute", "commune": {"name": "Metz"}}) == (
        "rue : 1 rue Haute ; commune : Metz")
    assert readable(None) == readable("") == readable([]) == ""


def test_values_are_bounded_so_no_answer_makes_an_endless_letter():
    assert bounded("court\ntexte") == "court\ntexte"
    assert bounded("x" * 20_000) == "x" * MAX_VALUE_CHARS + " […]"
    assert bounded("a\n" * 1000) == "a\n" * (MAX_VALUE_LINES - 1) + "a […]"


def test_placeholder_values_of_a_decided_case(letters_form, sp, sp_agent, csp_agent):
    case = in_progress(letters_form, sp, sp_agent, csp_agent, Sites=["Metz", "Nancy"])
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    comment="Accès ouvert")
    value_of = placeholder_values(case, case.events.get(action=Action.COMPLETE))

    assert value_of("reference") == case.reference
    assert value_of("champ:objet de la DEMANDE") == "Badge du site de Metz"
    assert value_of("champ:Sites") == "Metz, Nancy"
    assert value_of("champ:Précisions") == "—"  # not answered
    assert value_of("motif") == "Accès ouvert"
    assert value_of("agent") == csp_agent.get_full_name()
    assert value_of("service") == sp.name
    assert value_of("inconnu") == "—"


# --- issued on the decision, signed, once -----------------------------------------------------


def test_completion_issues_a_signed_acceptance_letter_after_the_commit(
        letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    case = in_progress(letters_form, sp, sp_agent, csp_agent, Sites=["Metz", "Nancy"],
                       **{"Nom & prénom": "Zoë <b>Durand</b> & Cie"})

    decide(case, csp_agent, django_capture_on_commit_callbacks)

    document = IssuedDocument.objects.get(case=case)
    assert document.kind == IssuedDocumentKind.ACCEPTANCE_LETTER
    assert document.signed_by == csp_agent
    assert document.download_name == f"courrier-acceptation-{case.reference}.pdf"
    text = text_of(document)
    assert f"Votre demande {case.reference}" in text
    assert "Badge du site de Metz" in text and "Metz, Nancy" in text
    assert "Zoë <b>Durand</b> & Cie" in text
    assert "{{" not in text
    report = verify_pdf(content_of(document))
    assert report.issued == document and report.all_valid
    assert [s.signer for s in report.signatures] == [document.signer_name]


def test_rejection_issues_the_refusal_letter_with_the_reason(
        letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    case = in_progress(letters_form, sp, sp_agent, csp_agent)

    decide(case, csp_agent, django_capture_on_commit_callbacks, action=Action.REJECT,
           comment="Pièce <manquante> & périmée")

    document = IssuedDocument.objects.get(case=case)
    assert document.kind == IssuedDocumentKind.REFUSAL_LETTER
    assert f"Refus de {case.reference} : Pièce <manquante> & périmée" in text_of(document)
    assert verify_pdf(content_of(document)).all_valid


def test_hostile_answers_give_a_valid_signed_pdf(
        letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    hostile = "\n".join(HOSTILE[:8]) + "\n" + ("très long " * 1500)
    case = in_progress(letters_form, sp, sp_agent, csp_agent,
                       **{SUBJECT: '<para>§ & "x" 🚀</para>', "Précisions": hostile})

    decide(case, csp_agent, django_capture_on_commit_callbacks)

    document = IssuedDocument.objects.get(case=case)
    text = text_of(document)
    assert "<para>§ & \"x\" ?</para>" in text and "<script>alert(1)</script>" in text
    report = verify_pdf(content_of(document))
    assert report.all_valid and report.issued == document


def test_a_retry_never_makes_a_second_letter(
        letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    case = decide(in_progress(letters_form, sp, sp_agent, csp_agent), csp_agent,
                  django_capture_on_commit_callbacks)
    first = IssuedDocument.objects.get(case=case)

    assert services.decision_letter_issue(case=case) == first
    assert services.decision_letter_run(case.pk) == f"courrier {first.pk}"

    assert IssuedDocument.objects.filter(case=case).count() == 1
    _folders, files = first.file.storage.listdir(f"issued/{case.pk}")
    assert len(files) == 1


def test_without_a_letter_for_the_decision_nothing_is_issued(
        publish_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    page = publish_form(FIELDS, refusal_letter=REFUSAL)  # no acceptance letter
    case = decide(in_progress(page, sp, sp_agent, csp_agent), csp_agent,
                  django_capture_on_commit_callbacks)

    assert not IssuedDocument.objects.filter(case=case).exists()
    assert services.decision_letter_issue(case=case) is None


def test_the_letter_is_the_one_of_the_revision_the_case_was_filled_with(
        letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
        django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    case = in_progress(letters_form, sp, sp_agent, csp_agent)
    page = ProcedureFormPage.objects.get(pk=letters_form.pk)
    page.acceptance_letter = "<p>Nouvelle version</p>"
    page.save_revision().publish()

    decide(case, csp_agent, django_capture_on_commit_callbacks)

    text = text_of(IssuedDocument.objects.get(case=case))
    assert "Bonjour" in text and "Nouvelle version" not in text


def test_without_a_credential_the_head_signs_else_nobody_and_the_centre_may_retry(
        client, letters_form, sp, sp_agent, csp, csp_agent, csp_head, give_credential,
        sync_tasks, django_capture_on_commit_callbacks):
    case = decide(in_progress(letters_form, sp, sp_agent, csp_agent), csp_agent,
                  django_capture_on_commit_callbacks)
    assert not IssuedDocument.objects.filter(case=case).exists()  # nobody could sign
    client.force_login(csp_agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Signer le courrier de décision" in page

    give_credential(csp_head)
    response = client.post(f"/dossiers/{case.pk}/courrier-de-decision/")

    assert response.status_code == 302
    document = IssuedDocument.objects.get(case=case)
    assert document.signed_by == csp_head
    assert "Responsable" in document.signer_role


# --- who downloads it ------------------------------------------------------------------------


@pytest.fixture
def issued(letters_form, sp, sp_agent, csp_agent, give_credential, sync_tasks,
           django_capture_on_commit_callbacks):
    give_credential(csp_agent)
    case = decide(in_progress(letters_form, sp, sp_agent, csp_agent), csp_agent,
                  django_capture_on_commit_callbacks)
    return IssuedDocument.objects.get(case=case)


def test_the_requester_downloads_the_letter_from_the_case_page(client, issued, sp_agent):
    client.force_login(sp_agent)
    page = client.get(issued.case.get_absolute_url()).content.decode()
    assert 'id="decision-letter"' in page
    assert page.count(issued.get_absolute_url()) == 2  # the part and the documents list
    assert "Signer le courrier" not in page

    response = client.get(issued.get_absolute_url())

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content_of(issued)
    assert f'filename="courrier-acceptation-{issued.case.reference}.pdf"' in response[
        "Content-Disposition"]


def test_the_centre_sees_the_letter_too(client, issued, csp_head):
    client.force_login(csp_head)
    assert issued.get_absolute_url() in client.get(issued.case.get_absolute_url()).content.decode()
    assert client.get(issued.get_absolute_url()).status_code == 200


def test_another_service_gets_a_404(client, issued, foreign_sp_agent, foreign_csp_agent):
    for user in (foreign_sp_agent, foreign_csp_agent):
        client.force_login(user)
        assert client.get(issued.get_absolute_url()).status_code == 404
        assert client.post(f"/dossiers/{issued.case_id}/courrier-de-decision/").status_code == 404


def test_the_requesting_side_cannot_ask_for_a_signature(client, issued, sp, sp_agent):
    colleague = member(sp, Role.SP_AGENT, username="collegue")
    for user in (sp_agent, colleague):
        client.force_login(user)
        assert client.post(f"/dossiers/{issued.case_id}/courrier-de-decision/").status_code == 404
    assert client.post("/dossiers/99999999999999999999/courrier-de-decision/").status_code == 404


def test_the_verification_page_recognises_the_letter_as_issued_by_the_portal(client, issued,
                                                                            sp_agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(sp_agent)
    upload = SimpleUploadedFile("courrier.pdf", content_of(issued), "application/pdf")
    page = client.post("/verifier/", {"file": upload}).content.decode()

    assert "Émis par le portail" in page and "Courrier d&#x27;acceptation signé émis le" in page
    assert issued.case.get_absolute_url() in page
