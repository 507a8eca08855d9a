from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page


def search(request):
    """Search the published pages; like the pages themselves, open without logging in."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.live().public().specific().search(query) if query else []
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(request, "conventions/search.html", {"query": query, "page_obj": page})
