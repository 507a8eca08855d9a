"""The catalogue's selectors: the live forms open to a person's services."""

import pytest

from forms_catalog.models import ProcedureFormPage
from forms_catalog.selectors import catalogue_cards, catalogue_for_user, forms_for_service
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import inp
from portal import services as portal_services
from portal.models import Role
from tests.factories import member

# Fixtures of test_schema.py, with those they depend on.
publish_form = _test_schema.publish_form
editorial = _test_schema.editorial


# --- selectors ----------------------------------------------------------------------------------


def titles(pages) -> list[str]:
    return [page.title for page in pages]


@pytest.fixture
def catalogue(publish_form, sp, other_sp):
    return {
        "open": publish_form([inp("text", "Objet")], title="Ouvert a tous"),
        "sp": publish_form([inp("text", "Objet")], title="Reserve DRAC", services=[sp]),
        "both": publish_form([inp("text", "Objet")], title="DRAC et DREAL",
                             services=[sp, other_sp]),
        "other": publish_form([inp("text", "Objet")], title="Reserve DREAL",
                              services=[other_sp]),
        "unpublished": publish_form([inp("text", "Objet")], title="Brouillon", live=False),
        "purchase": publish_form([], title="Acheter", form_kind="purchase_request"),
    }


def test_catalogue_for_user_lists_the_live_forms_of_the_users_services(
        catalogue, sp, other_sp, sp_agent, foreign_sp_agent, csp_agent):
    assert titles(catalogue_for_user(sp_agent)) == ["Ouvert a tous", "Reserve DRAC",
                                                    "DRAC et DREAL", "Acheter"]
    assert titles(catalogue_for_user(foreign_sp_agent)) == ["Ouvert a tous", "DRAC et DREAL",
                                                            "Reserve DREAL", "Acheter"]
    assert titles(catalogue_for_user(csp_agent)) == []
    assert titles(forms_for_service(sp)) == titles(catalogue_for_user(sp_agent))

    both = member(sp, Role.SP_AGENT, username="deux_services")
    portal_services.membership_grant(user=both, service=other_sp, role=Role.SP_AGENT)
    assert titles(catalogue_for_user(both)) == ["Ouvert a tous", "Reserve DRAC",
                                                "DRAC et DREAL", "Reserve DREAL", "Acheter"]


def test_unpublishing_a_form_removes_it_from_the_catalogue(catalogue, sp_agent):
    catalogue["sp"].unpublish()
    assert catalogue["sp"] not in catalogue_for_user(sp_agent)


def test_restricting_a_form_later_removes_it_for_other_services(catalogue, sp, other_sp,
                                                                foreign_sp_agent):
    page = ProcedureFormPage.objects.get(pk=catalogue["open"].pk)
    page.services.set([sp])
    page.save_revision().publish()
    assert catalogue["open"] not in catalogue_for_user(foreign_sp_agent)
    assert ProcedureFormPage.objects.get(pk=page.pk).service_codes == [sp.code]


def _card_titles(user) -> list[str]:
    from django.contrib.auth import get_user_model

    # A new request's user: nothing remembered on the object, only the cache.
    return [card.title for card in catalogue_cards(get_user_model().objects.get(pk=user.pk))]


def test_the_home_pages_cards_follow_publication_restriction_and_membership(
        catalogue, sp, other_sp, sp_agent, foreign_sp_agent, publish_form):
    assert _card_titles(sp_agent) == titles(catalogue_for_user(sp_agent))  # now cached
    catalogue["sp"].unpublish()
    assert "Reserve DRAC" not in _card_titles(sp_agent)
    publish_form([inp("text", "Objet")], title="Nouveau", services=[sp])
    assert "Nouveau" in _card_titles(sp_agent)
    page = ProcedureFormPage.objects.get(pk=catalogue["open"].pk)
    page.services.set([other_sp])
    page.save_revision().publish()
    assert "Ouvert a tous" not in _card_titles(sp_agent)
    portal_services.membership_grant(user=sp_agent, service=other_sp, role=Role.SP_AGENT)
    assert _card_titles(sp_agent) == titles(catalogue_for_user(sp_agent))
    assert "Reserve DREAL" in _card_titles(sp_agent)
    card = catalogue_cards(sp_agent)[0]
    assert card.url.startswith("/")
