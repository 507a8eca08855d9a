"""Django's error handlers answer with the portal's French DSFR pages, never Django's own."""

import pytest
from django.template import loader
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/nexiste-pas/", "/corbeille/%C3%A9%C3%A9/x", "/pages/x/y/z/"])
def test_an_unknown_address_gets_the_french_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page introuvable" in body and "Erreur 404" in body
    assert 'class="fr-btn"' in body and "Page d'accueil" in body
    assert "Page not found" not in body and "Using the URLconf" not in body


def test_the_500_page_renders_without_request_or_context():
    # Django's server_error renders it exactly so: no request, no context processors.
    body = loader.get_template("500.html").render()
    assert "Erreur inattendue" in body and "Erreur 500" in body
    assert "République" in body


def test_a_form_posted_without_its_csrf_token_gets_the_french_expired_form_page():
    response = Client(enforce_csrf_checks=True).post(
        "/connexion/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formulaire expiré" in body and "CSRF" not in body


@pytest.mark.parametrize("template", ["400.html", "403.html"])
def test_the_other_error_pages_say_their_code_in_french(template):
    body = loader.get_template(template).render()
    assert f"Erreur {template[:3]}" in body
