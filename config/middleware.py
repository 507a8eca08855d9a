"""Request guards and response headers shared by every page, the API and the CMS.

- `RequestGuardMiddleware` refuses, with a French 400, a path or query string carrying
  control characters (a NUL byte makes PostgreSQL refuse the query: every search and filter
  would answer 500), forgets a cookie carrying them (a quoted cookie's `\000` is decoded to
  NUL: the session's lookup would fail on every page), and answers 404 to an id no database
  column can hold (SQLite raises OverflowError on a 23-digit `<int:pk>`), whichever app's
  URL pattern captured it.
- `PrivacyHeadersMiddleware` keeps personal data out of caches (`Cache-Control: no-store` on
  every answer to an authenticated request), denies the browser features the portal never
  uses (`Permissions-Policy`), and gives the pages django-csp leaves out (Wagtail's and
  Django's admins, the API documentation) a policy of their own: they keep their inline
  code, but nothing may be loaded from another site.
"""

import unicodedata

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# Wider than any primary key: BigAutoField is a signed 64-bit integer on every database.
MAX_DATABASE_ID = 2**63 - 1
# Tabs and line breaks are ordinary text (a pasted address); every other control character
# in a URL is an attack or a broken client.
ALLOWED_CONTROLS = frozenset("\t\n\r")

# Every powerful browser feature, denied to the portal and to anything it would embed: the
# portal uses none of them. Only features browsers recognise (an unknown one is logged as an
# error in the console).
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
    "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
))
# For the pages django-csp is told to leave alone (CONTENT_SECURITY_POLICY's
# EXCLUDE_URL_PREFIXES): their inline scripts and styles are allowed, other sites are not.
ADMIN_CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "frame-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
))


def has_control_character(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS
               for char in text)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def refuse_request(request, message: str):
    """A French 400: JSON for the APIs (the body they document), a page otherwise."""
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "portal/bad_request.html", {"message": message}, status=400)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._forget_dirty_cookies(request)
        if has_control_character(request.path_info):
            return refuse_request(request, _(
                "L'adresse demandée contient des caractères de contrôle : elle ne peut pas "
                "être traitée."))
        for key, values in request.GET.lists():
            if has_control_character(key) or any(has_control_character(v) for v in values):
                return refuse_request(request, _(
                    "La recherche ou le filtre contient des caractères de contrôle (par exemple "
                    "un octet nul) : retirez-les et recommencez."))
        return self.get_response(request)

    @staticmethod
    def _forget_dirty_cookies(request):
        dirty = {name for name, value in request.COOKIES.items()
                 if has_control_character(name) or has_control_character(value)}
        if not dirty:
            return
        # No cookie of ours holds such characters: the request goes on without it, as a
        # browser that never had it (a 400 would stay until the person clears cookies).
        request.COOKIES = {name: value for name, value in request.COOKIES.items()
                           if name not in dirty}
        if settings.SESSION_COOKIE_NAME in dirty and hasattr(request, "session"):
            # Read lazily: nothing has looked the forged key up yet.
            request.session = type(request.session)()

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Every `<int:...>` of every app (ours, Wagtail's, Django's): a number no id can
        # reach names nothing, as a number that matches no row.
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and (
                    value > MAX_DATABASE_ID or value < -MAX_DATABASE_ID):
                message = _("Aucun élément ne porte ce numéro.")
                if _is_api(request):
                    # The APIs answer JSON, their 404 included.
                    return JsonResponse({"detail": message}, status=404)
                raise Http404(message)
        return None


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Content-Security-Policy" not in response.headers and not _is_static(request):
            response.headers["Content-Security-Policy"] = ADMIN_CONTENT_SECURITY_POLICY
        if _is_authenticated(request) and not _is_static(request):
            # Cases, people, documents, tokens: nothing an authenticated person sees may be
            # kept by the browser's or a proxy's cache, nor shown again by the back button
            # after logging out.
            add_never_cache_headers(response)
        return response


def _is_static(request) -> bool:
    return request.path_info.startswith(settings.STATIC_URL)


def _is_authenticated(request) -> bool:
    # The session's user, or an API token (DRF authenticates inside the view and sets the
    # request's user then; a refused token still asked for private data).
    user = getattr(request, "user", None)
    return bool((user is not None and user.is_authenticated)
                or request.META.get("HTTP_AUTHORIZATION"))
