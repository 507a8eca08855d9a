"""The footer's links to the pages every State site must have."""

import logging

from django import template
from django.db import DatabaseError

from common.versioned_cache import PAGE_TREE, cached

from ..legal_content import LEGAL_PAGES
from ..models import LegalPage

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def legal_links(context) -> list[dict]:
    """(label, url) of the accessibility statement, legal notice and personal data pages, in
    that order, found by their slug (from the cache, until the page tree changes). A missing
    or unpublished page keeps its label without a link; the footer is on error pages too, so
    a failing database only loses the links."""
    request = context.get("request")
    try:
        pages = cached("conventions:legal_pages", [PAGE_TREE], lambda: ({
            page.slug: page for page in
            LegalPage.objects.live().filter(slug__in=list(LEGAL_PAGES)).order_by("-path")}, None))
        urls = {slug: page.get_url(request) for slug, page in pages.items()}
    except DatabaseError:
        logger.exception("Pages réglementaires illisibles : pied de page sans liens")
        pages, urls = {}, {}
    links = []
    for slug, (title, footer_label, _body) in LEGAL_PAGES.items():
        page = pages.get(slug)
        label = (page.footer_label or page.title) if page else (footer_label or title)
        links.append({"slug": slug, "label": label, "url": urls.get(slug)})
    return links
