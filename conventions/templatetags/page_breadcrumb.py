"""The breadcrumb of a content page, as dsfr_breadcrumb draws it."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def page_breadcrumb(context, page) -> dict:
    """The home page, the page's ancestors below the site's root, then the page itself."""
    request = context.get("request")
    links = [{"url": ancestor.get_url(request), "title": ancestor.title}
             for ancestor in page.get_ancestors() if ancestor.depth > 2]
    return {"links": links, "current": page.title, "root_dir": reverse("home")}
