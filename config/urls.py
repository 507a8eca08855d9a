from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from conventions import views as conventions_views
from conventions.api import api_router

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(template_name="portal/login.html",
                                                    redirect_authenticated_user=True),
         name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cases.urls")),
    path("", include("kinds.purchases.urls")),
    path("", include("documents.urls")),
    path("", include("forms_catalog.urls")),
    path("", include("kinds.tiers.urls")),
    path("", include("kinds.service_done.urls")),
    path("", include("kinds.fixed_assets.urls")),
    path("", include("messaging.urls")),
    path("", include("notifications.urls")),
    path("", include("satisfaction.urls")),
    path("", include("decisions.urls")),
    path("", include("opinions.urls")),
    path("", include("dashboards.urls")),
    path("", include("invoices.urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("api/v2/", api_router.urls),
    path("", include("cases.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="cases.api_urls"), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("compte/jeton-api/", views.api_token, name="api_token"),
    path("documentation/recherche/", conventions_views.search, name="content_search"),
    path("pages/", include(wagtail_urls)),
]

# Under /api/ the errors are JSON, as the API's schema documents (cases.api_errors); the
# pages keep Django's handlers and the French templates.
handler404 = "cases.api_errors.page_not_found"
handler500 = "cases.api_errors.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
