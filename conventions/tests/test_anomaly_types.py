"""The typology of anomalies kept in each convention: the default one for a new convention
(made by code or in the admin), the migration that seeds existing ones, the admin tab and the
content API."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from conventions.anomalies import DEFAULT_TYPOLOGY
from conventions.models import AnomalyType, ConventionPage
from conventions.selectors import anomaly_typology

pytestmark = pytest.mark.django_db
DEFAULT_CODES = [kind.code for kind in DEFAULT_TYPOLOGY]


def _codes(convention):
    return list(convention.anomaly_types.order_by("sort_order").values_list("code", flat=True))


def test_a_new_convention_gets_the_default_typology(publish_convention, csp, sp):
    convention = publish_convention(centre=csp, services=[sp])
    assert _codes(convention) == DEFAULT_CODES
    other = convention.anomaly_types.get(code="other")
    assert (other.label, other.needs_text, other.active) == ("Autre — précisez", True, True)
    assert [kind.code for kind in anomaly_typology(convention)] == DEFAULT_CODES
    # Its published revision carries them too: publishing again keeps them.
    convention.save_revision().publish()
    assert _codes(ConventionPage.objects.get(pk=convention.pk)) == DEFAULT_CODES


def test_a_convention_given_its_own_typology_keeps_it(publish_convention, csp, sp):
    convention = publish_convention(centre=csp, services=[sp], anomaly_types=[
        AnomalyType(code="rib", label="RIB illisible")])
    assert _codes(convention) == ["rib"]


def test_editing_the_typology_and_publishing_changes_it(publish_convention, csp, sp):
    convention = publish_convention(centre=csp, services=[sp])
    draft = convention.get_latest_revision_as_object()
    draft.anomaly_types = [AnomalyType(code="late", label="Déposé hors délai"),
                           AnomalyType(code="rib", label="RIB illisible", active=False)]
    draft.save_revision().publish()
    convention = ConventionPage.objects.get(pk=convention.pk)
    assert _codes(convention) == ["late", "rib"]
    assert [(k.code, k.label) for k in anomaly_typology(convention)] == [
        ("late", "Déposé hors délai")]


def test_a_code_is_unique_within_a_convention(publish_convention, csp, sp, other_sp):
    first = publish_convention(centre=csp, services=[sp])
    second = publish_convention(centre=csp, services=[other_sp], slug="seconde")
    AnomalyType.objects.create(page=second, code="rib", label="RIB")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnomalyType.objects.create(page=first, code="duplicate", label="Encore un doublon")


def test_the_admin_has_a_tab_for_the_typology():
    headings = [str(tab.heading) for tab in ConventionPage.get_edit_handler().children]
    assert "Typologie des anomalies" in headings


def test_the_migration_seeds_conventions_without_a_typology(publish_convention, csp, sp):
    convention = publish_convention(centre=csp, services=[sp])
    kept = publish_convention(centre=csp, services=[sp], slug="gardee", anomaly_types=[
        AnomalyType(code="rib", label="RIB illisible")])
    convention.anomaly_types.all().delete()
    migration = importlib.import_module("conventions.migrations.0007_seed_anomaly_types")

    migration.seed(apps, None)
    migration.seed(apps, None)  # once only

    assert _codes(convention) == DEFAULT_CODES
    assert _codes(kept) == ["rib"]


def test_the_content_api_gives_the_typology(client, publish_convention, csp, sp):
    publish_convention(centre=csp, services=[sp], valid_from=date(2026, 1, 1))
    response = client.get("/api/v2/pages/", {"type": "conventions.ConventionPage",
                                             "fields": "anomaly_types"})
    [page] = response.json()["items"]
    assert [row["code"] for row in page["anomaly_types"]] == DEFAULT_CODES
    assert page["anomaly_types"][-1]["needs_text"] is True


def test_the_admin_edit_and_create_pages_show_the_typology(client, publish_convention, csp, sp,
                                                          django_user_model):
    convention = publish_convention(centre=csp, services=[sp])
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.fr",
                                                                  "x-Secret-2026"))
    page = client.get(f"/cms/pages/{convention.pk}/edit/").content.decode()
    assert "Typologie des anomalies" in page and 'value="missing_document"' in page
    add = client.get(f"/cms/pages/add/conventions/conventionpage/{convention.get_parent().pk}/")
    assert add.status_code == 200 and "Typologie des anomalies" in add.content.decode()
