"""Editors' comfort in the Wagtail admin, over HTTP as an editor clicks: the preview of a form
(every step, and « Tester la validation »), the copy of a form, the open cases per revision,
and the changes that would break open drafts refused with the list of those drafts
(forms_catalog/editing.py defines them)."""

import html
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import rich_text

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action, State
from documents.models import Attachment
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items
from portal.models import Role
from tests.factories import PrescribingServiceFactory, member

pytestmark = pytest.mark.django_db

TITLE = "Demande d acces Chorus"


def inp(kind, label, *, required=True, help_text="", choices=None, show_if=None):
    value = {"label": label, "help_text": help_text, "required": required,
             "show_if_field": show_if[0] if show_if else "",
             "show_if_value": show_if[1] if show_if else ""}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


FIELDS = [
    ("section", {"title": "La personne"}),
    inp("text", "Nom de l agent", help_text="Tel qu il figure dans l annuaire"),
    inp("choice", "Profil demande", choices=["Gestionnaire", "Valideur"]),
    inp("yes_no", "Formation suivie"),
    inp("date", "Date de formation souhaitee", show_if=("Formation suivie", "non")),
    ("step_break", {"title": "Justification"}),
    ("explanation", {"text": "Joignez l arrete si vous en avez un."}),
    inp("long_text", "Motif de la demande"),
    inp("file", "Arrete de delegation", required=False),
]


@pytest.fixture
def editor(editorial, sp):
    user = member(sp, Role.SP_AGENT, username="redactrice", first_name="Rose",
                  last_name="Redac")
    user.groups.add(editorial.editors)
    return user


@pytest.fixture
def cms(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publish_form(editorial):
    numbers = itertools.count(1)

    def publish(fields=FIELDS, *, title=TITLE, services=(), **settings):
        page = ProcedureFormPage(title=title, slug=f"formulaire-{next(numbers)}",
                                 form_kind=settings.pop("form_kind", "generic"), fields=fields,
                                 **settings)
        page.services = list(services)
        editorial.sections["catalogue"].add_child(instance=page)
        page.save_revision().publish()
        return ProcedureFormPage.objects.get(pk=page.pk)

    return publish


@pytest.fixture
def form(publish_form, sp, other_sp):
    return publish_form(services=[sp, other_sp])


def draft_of(page, service, *, username):
    author = member(service, Role.SP_AGENT, username=username)
    return case_services.catalogue_draft_create(actor=author, service=service, procedure=page)


def stream_data(blocks) -> dict:
    """The StreamField's POST data: (type, value, id) per block, ids kept as Wagtail's editor
    posts them."""
    data = {"fields-count": str(len(blocks))}
    for index, (kind, value, block_id) in enumerate(blocks):
        prefix = f"fields-{index}"
        data.update({f"{prefix}-type": kind, f"{prefix}-id": block_id or "",
                     f"{prefix}-deleted": "", f"{prefix}-order": str(index)})
        if "label" in value and "conditions" not in value:
            value = {**value, "conditions": None}  # an input block always posts its rules
        for name, item in value.items():
            if name == "choices":
                data[f"{prefix}-value-choices-count"] = str(len(item))
                for number, choice in enumerate(item):
                    data.update({f"{prefix}-value-choices-{number}-value": choice,
                                 f"{prefix}-value-choices-{number}-id": f"c{number}",
                                 f"{prefix}-value-choices-{number}-deleted": "",
                                 f"{prefix}-value-choices-{number}-order": str(number)})
            elif name == "conditions":
                rules = list((item or {}).get("rules") or [])
                data.update({f"{prefix}-value-conditions-combine":
                             (item or {}).get("combine") or "and",
                             f"{prefix}-value-conditions-rules-count": str(len(rules))})
                for number, rule in enumerate(rules):
                    rule_prefix = f"{prefix}-value-conditions-rules-{number}"
                    data.update({f"{rule_prefix}-id": f"r{number}",
                                 f"{rule_prefix}-deleted": "",
                                 f"{rule_prefix}-order": str(number),
                                 **{f"{rule_prefix}-value-{key}": rule.get(key, "")
                                    for key in ("field", "operator", "value")}})
            elif isinstance(item, bool):
                if item:
                    data[f"{prefix}-value-{name}"] = "on"
            else:
                data[f"{prefix}-value-{name}"] = item
    return data


def blocks_of(page) -> list[tuple]:
    return [(block.block_type, dict(block.value), block.id) for block in page.fields]


def edit_data(page, *, blocks=None, services=None, action="action-publish", **changes) -> dict:
    """What the edit view posts for `page` (its live values), with `changes`."""
    data = {
        "title": page.title, "slug": page.slug, "intro": rich_text(""),
        "form_kind": page.form_kind,
        "validation_required": "", "validation_above": "", "confirmation_message": "",
        "procedure_sheet": "", "seo_title": "", "search_description": "",
        "go_live_at": "", "expire_at": "",
        "comments-TOTAL_FORMS": "0", "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0", "comments-MAX_NUM_FORMS": "1000",
        **stream_data(blocks if blocks is not None else blocks_of(page)),
        # The panels added beside the fields: no annotation, no routing rule.
        "annotations-count": "0",
        "routing_rules-TOTAL_FORMS": "0", "routing_rules-INITIAL_FORMS": "0",
        "routing_rules-MIN_NUM_FORMS": "0", "routing_rules-MAX_NUM_FORMS": "1000",
        **changes,
    }
    data["services"] = [str(s.pk) for s in (
        services if services is not None else page.services.all())]
    if action:
        data[action] = action
    return data


def edit(cms, page, **kwargs):
    return cms.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), edit_data(page, **kwargs))


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def refused(response) -> str:
    """The edit view refused the publication: the page is shown again, with errors."""
    assert response.status_code == 200, response.status_code
    return text_of(response)


# --- the edit view still publishes what is safe -----------------------------------------------


def test_safe_changes_are_published_even_with_drafts(cms, form, sp, other_sp):
    draft = draft_of(form, sp, username="agent-a")
    pinned = draft.extra["schema"]
    blocks = blocks_of(form)
    blocks[1] = ("text", {**blocks[1][1], "label": "Nom et prenom", "help_text": "Nouvelle aide"},
                 blocks[1][2])
    blocks.append(("text", {"label": "Telephone du chef", "help_text": "", "required": False,
                            "show_if_field": "", "show_if_value": ""}, None))

    del blocks[4]  # « Date de formation souhaitee »: removed
    response = edit(cms, form, blocks=blocks, title="Acces Chorus (nouvelle version)",
                    validation_required="on")

    assert response.status_code == 302, text_of(response)[:3000]
    page = ProcedureFormPage.objects.get(pk=form.pk)
    labels = [item["label"] for item in input_items(page.field_schema)]
    assert "Nom et prenom" in labels and "Telephone du chef" in labels
    assert "Date de formation souhaitee" not in labels and page.validation_required
    assert page.title == "Acces Chorus (nouvelle version)"
    assert page.live_revision_id != form.live_revision_id
    # The draft keeps what it was started with.
    draft.refresh_from_db()
    assert draft.extra["schema"] == pinned
    assert draft.procedure_revision_id == form.live_revision_id


def test_changing_the_kind_with_drafts_is_refused_with_the_drafts_listed(cms, form, sp):
    draft = draft_of(form, sp, username="agent-b")
    response = edit(cms, form, form_kind="tiers")

    text = refused(response)
    assert "Le type de formulaire ne peut pas changer : 1 brouillon" in text
    assert f"Brouillon n° {draft.pk}" in text and sp.code in text
    assert ProcedureFormPage.objects.get(pk=form.pk).form_kind == "generic"
    assert Revision.objects.filter(object_id=str(form.pk)).count() == 1


def test_changing_the_kind_without_drafts_is_published(cms, form, sp):
    # A submitted case keeps its kind and its pinned schema: only drafts count.
    case = draft_of(form, sp, username="agent-c")
    Case.objects.filter(pk=case.pk).update(state=State.COMPLETED)
    response = edit(cms, form, form_kind="tiers")
    assert response.status_code == 302, text_of(response)[:3000]
    assert ProcedureFormPage.objects.get(pk=form.pk).form_kind == "tiers"


def test_removing_a_service_with_drafts_is_refused_adding_one_is_not(cms, form, sp, other_sp):
    draft = draft_of(form, other_sp, username="agent-d")
    text = refused(edit(cms, form, services=[sp]))
    assert "Ces services ne peuvent pas être retirés : 1 brouillon" in text
    assert f"Brouillon n° {draft.pk}" in text and other_sp.code in text
    assert set(ProcedureFormPage.objects.get(pk=form.pk).services.all()) == {sp, other_sp}

    # Removing the service without drafts, adding one, or opening to all: published.
    third = PrescribingServiceFactory(code="DDT49", processing_centre=sp.processing_centre)
    assert edit(cms, form, services=[sp, other_sp, third]).status_code == 302
    assert edit(cms, form.__class__.objects.get(pk=form.pk), services=[other_sp]).status_code == 302
    assert edit(cms, form.__class__.objects.get(pk=form.pk), services=[]).status_code == 302
    assert not ProcedureFormPage.objects.get(pk=form.pk).services.exists()


def test_restricting_an_open_form_to_other_services_is_refused(cms, publish_form, sp, other_sp):
    page = publish_form(services=[])
    draft = draft_of(page, sp, username="agent-e")
    text = refused(edit(cms, page, services=[other_sp]))
    assert f"Brouillon n° {draft.pk}" in text


def test_a_refusal_lists_twenty_drafts_and_counts_the_others(cms, form, sp):
    for number in range(23):
        draft_of(form, sp, username=f"agent-{number}")
    text = refused(edit(cms, form, form_kind="tiers"))
    assert "23 brouillons ont été commencés" in text
    assert len(re.findall(r"Brouillon n° \d+ — ", text)) == 20
    assert "… et 3 autres." in text


def test_saving_a_draft_revision_stays_allowed_and_its_publication_is_refused(
        cms, form, sp, editor):
    draft_of(form, sp, username="agent-f")
    response = edit(cms, form, form_kind="tiers", action=None)
    assert response.status_code == 302, text_of(response)[:3000]
    live = ProcedureFormPage.objects.get(pk=form.pk)
    assert live.form_kind == "generic" and live.has_unpublished_changes
    # Bulk publication of that revision: refused too.
    response = cms.post(
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={form.pk}", {})
    assert "Action groupée refusée" in text_of(response)
    assert ProcedureFormPage.objects.get(pk=form.pk).form_kind == "generic"


# --- unpublishing and deleting ----------------------------------------------------------------


def test_unpublishing_a_form_with_drafts_is_refused(cms, form, sp):
    draft = draft_of(form, sp, username="agent-g")
    response = cms.post(reverse("wagtailadmin_pages:unpublish", args=[form.pk]))
    text = text_of(response)
    assert "Retrait de la publication refusé" in text and f"Brouillon n° {draft.pk}" in text
    assert ProcedureFormPage.objects.get(pk=form.pk).live

    # Once the draft is cancelled, the form can be unpublished.
    case_services.transition(case=draft, action=Action.CANCEL, actor=draft.created_by)
    response = cms.post(reverse("wagtailadmin_pages:unpublish", args=[form.pk]))
    assert response.status_code == 302
    assert not ProcedureFormPage.objects.get(pk=form.pk).live


def test_unpublishing_the_catalogue_with_its_forms_is_refused(cms, form, sp, editorial):
    draft_of(form, sp, username="agent-h")
    catalogue = editorial.sections["catalogue"]
    response = cms.post(reverse("wagtailadmin_pages:unpublish", args=[catalogue.pk]),
                        {"include_descendants": "on"})
    assert "Retrait de la publication refusé" in text_of(response)
    assert ProcedureFormPage.objects.get(pk=form.pk).live


def test_deleting_a_form_with_open_cases_is_refused(cms, form, sp, superuser_client):
    case = draft_of(form, sp, username="agent-i")
    Case.objects.filter(pk=case.pk).update(state=State.IN_PROGRESS, reference="DG-2026-000042")
    for client in (cms, superuser_client):
        page = client.get(reverse("wagtailadmin_pages:delete", args=[form.pk]))
        assert "Suppression refusée" in text_of(page) and "DG-2026-000042" in text_of(page)
        client.post(reverse("wagtailadmin_pages:delete", args=[form.pk]))
        assert ProcedureFormPage.objects.filter(pk=form.pk).exists()

    # A closed case does not hold the form.
    Case.objects.filter(pk=case.pk).update(state=State.COMPLETED)
    response = superuser_client.post(reverse("wagtailadmin_pages:delete", args=[form.pk]))
    assert response.status_code == 302
    assert not ProcedureFormPage.objects.filter(pk=form.pk).exists()


def test_moving_a_form_out_of_the_catalogue_is_refused(superuser_client, form, sp, editorial):
    draft = draft_of(form, sp, username="agent-move")
    elsewhere = editorial.sections["procedures"]
    url = reverse("wagtailadmin_pages:move_confirm", args=[form.pk, elsewhere.pk])
    for response in (superuser_client.get(url), superuser_client.post(url)):
        text = text_of(response)
        assert "Déplacement refusé" in text and f"Brouillon n° {draft.pk}" in text
    assert Page.objects.get(pk=form.pk).get_parent().pk == editorial.sections["catalogue"].pk


@pytest.fixture
def superuser_client(db, sp):
    from django.test import Client

    user = member(sp, Role.SP_AGENT, username="admin-cms", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_bulk_deleting_the_catalogue_with_a_form_in_use_is_refused(superuser_client, form, sp,
                                                                  editorial):
    draft_of(form, sp, username="agent-j")
    catalogue = editorial.sections["catalogue"]
    response = superuser_client.post(
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
        + f"?id={catalogue.pk}", {})
    assert "Action groupée refusée" in text_of(response)
    assert Page.objects.filter(pk=catalogue.pk).exists()


# --- preview ----------------------------------------------------------------------------------


def preview(cms, page, *, mode="", **changes):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    posted = cms.post(url, edit_data(page, action=None, **changes))
    assert posted.json()["is_valid"], posted.content
    return cms.get(url, {"mode": mode})


def test_the_preview_shows_every_step_of_the_unsaved_form_without_making_a_case(cms, form):
    blocks = blocks_of(form)
    blocks.append(("integer", {"label": "Nombre de postes", "help_text": "", "required": False,
                               "show_if_field": "", "show_if_value": ""}, None))
    cases_before = Case.objects.count()

    response = preview(cms, form, blocks=blocks, title="Acces Chorus (brouillon)")

    assert response.status_code == 200
    # Framed in the edit view's side panel: by the admin's own site only.
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    text = text_of(response)
    assert "Acces Chorus (brouillon)" in text and "Aucune demande n'est créée" in text
    for label in ("Nom de l agent", "Profil demande", "Formation suivie", "Motif de la demande",
                  "Arrete de delegation", "Nombre de postes", "La personne", "Justification",
                  "Joignez l arrete si vous en avez un.", "Tel qu il figure dans l annuaire",
                  "Gestionnaire", "Valideur", "Récapitulatif et dépôt"):
        assert label in text, label
    assert "Affiché seulement si « Formation suivie » est égal à « non »." in text
    assert "Obligatoire lorsqu'il est affiché." in text and "Facultatif." in text
    assert "Étape 1 sur 3" in text and "Étape 2 sur 3" in text
    assert 'name="apercu"' not in text and "<form" not in text[text.index("<main"):]
    assert Case.objects.count() == cases_before
    assert not ProcedureFormPage.objects.get(pk=form.pk).has_unpublished_changes


def test_testing_the_validation_shows_errors_and_stores_nothing(cms, form):
    response = preview(cms, form, mode="validation")
    text = text_of(response)
    assert 'id="wizard-form"' in text and "show-if.js" in text
    signed = re.search(r'name="apercu" value="([^"]+)"', text)[1]
    schema = form.field_schema
    key = {item["label"]: item["key"] for item in input_items(schema)}
    url = reverse("forms_catalog_admin:preview_validate")
    attachments, cases = Attachment.objects.count(), Case.objects.count()

    # Empty: the required fields of both steps are in error; the hidden date is not.
    empty = cms.post(url, {"apercu": signed, f"etape-1-{key['Formation suivie']}": "oui"})
    text = text_of(empty)
    assert empty.status_code == 200
    assert "3 champs à corriger" in text and text.count("Ce champ est obligatoire.") == 3

    # Complete, with the condition shown and filled, and a file checked but not stored.
    data = {"apercu": signed, f"etape-1-{key['Nom de l agent']}": "Camille Martin",
            f"etape-1-{key['Profil demande']}": "Valideur",
            f"etape-1-{key['Formation suivie']}": "non",
            f"etape-1-{key['Date de formation souhaitee']}": "2026-05-04",
            f"etape-2-{key['Motif de la demande']}": "Prise de poste",
            f"etape-2-{key['Arrete de delegation']}": SimpleUploadedFile(
                "arrete.pdf", b"<html><script>alert(1)</script></html>",
                content_type="application/pdf")}
    text = text_of(cms.post(url, data))
    assert "1 champ à corriger" in text  # the HTML disguised as PDF
    data.pop(f"etape-2-{key['Arrete de delegation']}")
    text = text_of(cms.post(url, data))
    assert "Toutes les étapes sont valides. Rien n'a été enregistré." in text
    assert Attachment.objects.count() == attachments and Case.objects.count() == cases


def test_the_validation_view_refuses_a_forged_preview_and_strangers(client, cms, form, sp):
    url = reverse("forms_catalog_admin:preview_validate")
    assert cms.post(url, {"apercu": "forged"}).status_code == 404
    assert cms.get(url).status_code == 405
    signed = re.search(r'name="apercu" value="([^"]+)"',
                       text_of(preview(cms, form, mode="validation")))[1]
    stranger = member(sp, Role.SP_AGENT, username="agent-sans-cms")
    client.force_login(stranger)
    response = client.post(url, {"apercu": signed})
    assert response.status_code in (302, 403, 404)
    assert "Toutes les étapes" not in text_of(response)


# --- duplicating ------------------------------------------------------------------------------


def test_copying_a_form_makes_an_unpublished_copy_with_its_services_and_fields(cms, form, sp,
                                                                             other_sp):
    url = reverse("wagtailadmin_pages:copy", args=[form.pk])
    page = text_of(cms.get(url))
    assert f'value="{TITLE} (copie)"' in page and 'value="formulaire-1-copie"' in page
    assert "publish_copies" not in page and 'name="alias"' not in page

    response = cms.post(url, {"new_title": f"{TITLE} (copie)", "new_slug": "formulaire-1-copie",
                              "new_parent_page": str(form.get_parent().pk),
                              "publish_copies": "on", "alias": "on"})
    assert response.status_code == 302
    copy = ProcedureFormPage.objects.get(slug="formulaire-1-copie")
    assert copy.title == f"{TITLE} (copie)" and not copy.live and not copy.alias_of_id
    assert set(copy.services.all()) == {sp, other_sp}
    assert copy.field_schema == form.field_schema  # same fields, same block ids (see editing.py)
    assert ProcedureFormPage.objects.get(pk=form.pk).live

    # Published, the copy has cases of its own; the original's are not mixed with them.
    copy.save_revision().publish()
    mine, theirs = draft_of(copy, sp, username="agent-k"), draft_of(form, sp, username="agent-l")
    assert mine.procedure_id == copy.pk and theirs.procedure_id == form.pk
    report = text_of(cms.get(reverse("forms_catalog_admin:revision_cases", args=[copy.pk])))
    assert f"Brouillon n° {mine.pk}" in report and f"Brouillon n° {theirs.pk}" not in report


# --- open cases per revision ------------------------------------------------------------------


def test_the_report_groups_open_cases_by_revision(cms, form, sp, other_sp, editor):
    old = draft_of(form, sp, username="agent-m")
    submitted = draft_of(form, other_sp, username="agent-n")
    Case.objects.filter(pk=submitted.pk).update(state=State.SUBMITTED, reference="DG-2026-000007")
    closed = draft_of(form, sp, username="agent-o")
    Case.objects.filter(pk=closed.pk).update(state=State.REJECTED, reference="DG-2026-000008")
    first_revision = form.live_revision_id
    assert edit(cms, form, title="Acces Chorus v2").status_code == 302
    page = ProcedureFormPage.objects.get(pk=form.pk)
    new = draft_of(page, sp, username="agent-p")
    assert new.procedure_revision_id == page.live_revision_id != first_revision

    response = cms.get(reverse("forms_catalog_admin:revision_cases", args=[form.pk]))
    assert response.status_code == 200
    text = text_of(response)
    revisions = text[text.index('id="revisions"'):text.index('id="cases"')]
    assert f"n° {page.live_revision_id}" in revisions and f"n° {first_revision}" in revisions
    assert "en ligne" in revisions and "ancienne" in revisions
    assert "Rose Redac" in revisions  # the author of the live revision
    cases = text[text.index('id="cases"'):]
    assert "3 demandes en cours" in text
    assert "DG-2026-000007" in cases and "DG-2026-000008" not in cases
    # Newest revision first, its case under it, then the older revision's cases.
    assert (cases.index(f"Révision n° {page.live_revision_id}") < cases.index(
        f"Brouillon n° {new.pk}") < cases.index(f"Révision n° {first_revision}")
        < cases.index(f"Brouillon n° {old.pk}"))

    # Reached from the page's header actions and the menu's index.
    edit_page = text_of(cms.get(reverse("wagtailadmin_pages:edit", args=[form.pk])))
    assert reverse("forms_catalog_admin:revision_cases", args=[form.pk]) in edit_page
    index = text_of(cms.get(reverse("forms_catalog_admin:index")))
    assert "Acces Chorus v2" in index


def test_the_report_is_paginated(cms, form, sp):
    for number in range(55):
        draft_of(form, sp, username=f"agent-page-{number}")
    url = reverse("forms_catalog_admin:revision_cases", args=[form.pk])
    first, second = text_of(cms.get(url)), text_of(cms.get(url, {"p": 2}))
    assert len(re.findall(r"<td>Brouillon n° \d+</td>", first)) == 50
    assert len(re.findall(r"<td>Brouillon n° \d+</td>", second)) == 5
    assert cms.get(url, {"p": "x" * 40}).status_code == 200


def test_the_report_is_for_the_editors_of_the_page_only(client, form, sp):
    url = reverse("forms_catalog_admin:revision_cases", args=[form.pk])
    client.force_login(member(sp, Role.SP_AGENT, username="agent-curieux"))
    assert client.get(url).status_code in (302, 403)
    admin_only = member(sp, Role.SP_AGENT, username="acces-admin-seul")
    from django.contrib.auth.models import Permission

    admin_only.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(admin_only)
    assert client.get(url).status_code == 404
    assert client.get("/cms/catalogue/99999999999999999999999/dossiers/").status_code == 404
