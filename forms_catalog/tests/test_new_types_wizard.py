"""Every new field type through the wizard over HTTP: the step renders (each part labelled),
a full request is submitted, its answers are stored as JSON and shown on the case page;
several files become attachments of the draft, listed in the answers."""

import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import luhn  # noqa: I001

from cases.workflow import State
from documents.models import Attachment
from forms_catalog.tests.test_field_types import block
from forms_catalog.tests.test_repetition import PEOPLE
from forms_catalog.tests.test_wizard import (  # noqa: F401 (fixtures)
    PDF,
    agent_client,
    case_from,
    editorial,
    new_url,
    publish_form,
    resume_url,
)

pytestmark = pytest.mark.django_db


def _nir() -> str:
    from stdnum.fr import nir

    body = "1850578006084"
    return body + nir.calc_check_digits(body)


def _vat() -> str:
    siren = "73282932" + luhn.calc_check_digit("73282932")
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


ALL = [
    block("address", "Adresse de livraison"),
    block("commune", "Commune du site"),
    block("department", "Departement"),
    block("country", "Pays"),
    block("nir", "NIR"),
    block("vat", "TVA"),
    block("bounded_number", "Effectif", minimum=Decimal(1), maximum=Decimal(50)),
    block("pattern_text", "Code", pattern="[A-Z]{3}-[0-9]{2}", pattern_message="Format ABC-12."),
    block("date_range", "Periode"),
    block("files", "Pieces", max_files=2),
    block("case_link", "Demande liee", required=False),
    block("repetition", "Participants", min_rows=1, max_rows=3, fields=PEOPLE),
]


def test_every_new_type_through_the_wizard(agent_client, publish_form, sp):  # noqa: F811
    page = publish_form(ALL, title="Tous les types", services=[sp])
    keys = {item["label"]: item["key"] for item in page.field_schema["steps"][0]["items"]}
    form = html.unescape(agent_client.get(new_url(page)).content.decode())
    for label in ("Numéro et voie", "Code postal", "Commune", "2A — Corse-du-Sud", "Allemagne",
                  "Du", "Au", "Ligne 1", "Ajouter une ligne", "Jusqu'à 2 fichiers"):
        assert label in form, label
    assert 'multiple' in form

    def k(label, part=""):
        return f"etape-1-{keys[label]}{part}"

    data = {"generic-current_step": "etape-1",
            k("Adresse de livraison", "__street"): "3 place d'Armes",
            k("Adresse de livraison", "__postcode"): "57000",
            k("Adresse de livraison", "__commune"): "Metz",
            k("Commune du site", "__postcode"): "29200",
            k("Commune du site", "__commune"): "Brest",
            k("Departement"): "2B", k("Pays"): "BE", k("NIR"): _nir(), k("TVA"): _vat(),
            k("Effectif"): "12", k("Code"): "ABC-12",
            k("Periode", "__start"): "2026-03-02", k("Periode", "__end"): "2026-03-06",
            k("Participants", "__rows"): "1", k("Participants", "__0__nom"): "Ada",
            k("Pieces"): [SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                          SimpleUploadedFile("b.pdf", PDF + b"%b\n",
                                             content_type="application/pdf")]}
    response = agent_client.post(new_url(page), data)
    assert response.status_code == 302, re.findall(
        r"(?s)-desc-error\">(.{0,300})", html.unescape(response.content.decode()))
    case = case_from(response)
    assert sorted(Attachment.objects.filter(case=case).values_list("original_name",
                                                                   flat=True)) == [
        "a.pdf", "b.pdf"]
    response = agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                                    "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    answers = case.extra["answers"]
    assert answers[keys["Adresse de livraison"]] == {
        "street": "3 place d'Armes", "postcode": "57000", "commune": "Metz"}
    assert answers[keys["Departement"]] == "2B" and answers[keys["Pays"]] == "BE"
    assert answers[keys["Effectif"]] == "12"
    assert answers[keys["Periode"]] == {"start": "2026-03-02", "end": "2026-03-06"}
    assert [f["name"] for f in answers[keys["Pieces"]]] == ["a.pdf", "b.pdf"]
    assert answers[keys["Participants"]] == [{"nom": "Ada", "age": None, "role": None}]
    detail = html.unescape(agent_client.get(case.get_absolute_url()).content.decode())
    for shown in ("57000 Metz", "Brest (29200)", "2B — Haute-Corse", "Belgique",
                  "du 02/03/2026 au 06/03/2026", "a.pdf, b.pdf", "1. Nom : Ada"):
        assert shown in detail, shown


def test_a_refused_value_is_shown_next_to_its_field(agent_client, publish_form, sp):  # noqa: F811
    page = publish_form([block("pattern_text", "Code", pattern="[A-Z]{3}-[0-9]{2}",
                               pattern_message="Format ABC-12."),
                         block("date_range", "Periode")], title="Deux types", services=[sp])
    keys = [item["key"] for item in page.field_schema["steps"][0]["items"]]
    response = agent_client.post(new_url(page), {
        "generic-current_step": "etape-1", f"etape-1-{keys[0]}": "abc",
        f"etape-1-{keys[1]}__start": "2026-03-06", f"etape-1-{keys[1]}__end": "2026-03-02"})
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Format ABC-12." in body
    assert "La date de fin doit être égale ou postérieure à la date de début." in body
