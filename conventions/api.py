"""Wagtail API v2 (read-only, headless): conventions with their parameters, annexes, job
descriptions, procedure sheets, and the other published pages."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
