"""The editors' preview of any editorial page is drawn in a frame of Wagtail's edit view: the
portal forbids framing its own pages (frame-ancestors 'none', X-Frame-Options DENY), the
preview must allow the admin's own site, or editors see a blank panel."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def test_the_preview_of_every_editorial_page_may_be_framed_by_the_admin(client, editorial):
    admin = get_user_model().objects.create_superuser("redaction", "r@example.org", "x" * 16)
    client.force_login(admin)
    checked = set()
    for page in [*editorial.sections.values(), *editorial.legal_pages.values()]:
        page = Page.objects.get(pk=page.pk).specific
        if type(page) in checked:
            continue
        checked.add(type(page))
        response = client.get(reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]))
        assert response.status_code == 200, type(page)
        assert response["X-Frame-Options"] == "SAMEORIGIN", type(page)
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "'none'" not in policy.split(
            "frame-ancestors")[1].split(";")[0], type(page)
    assert len(checked) >= 2
