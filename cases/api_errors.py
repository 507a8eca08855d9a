"""How the REST API answers when it refuses or fails: always JSON, in French, in the one shape
its OpenAPI schema documents (`Refusal`): `detail` (the message), `field` (where, as a dotted
path such as `content.lines.0.quantity`, or null) and, for a refused input, `errors` (every
message by field). Set as DRF's exception handler (config/settings.py), so a serializer's 400
and an unexpected error (500) take that shape too, never Django's HTML pages."""

import logging

from django.core.signals import got_request_exception
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger("django.request")


class RefusalSerializer(serializers.Serializer):
    """The body of every error answer (400, 401, 403, 404, 409, 500)."""

    detail = serializers.CharField(help_text="Le motif, en français.")
    field = serializers.CharField(
        required=False, allow_null=True,
        help_text="Le champ en cause (chemin pointé, ex. `content.lines.0.quantity`), "
                  "ou null quand le refus porte sur l'ensemble.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Pour une saisie refusée : tous les messages, par champ (chemin pointé ; "
                  "`non_field_errors` pour l'ensemble).")


def refusal(message: str, *, field: str | None = None,
            status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": message, "field": field}, status=status_code)


def flatten_errors(detail, path: str = "") -> dict[str, list[str]]:
    """A serializer's nested errors as {dotted path: [messages]}, in the order given."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            for sub, messages in flatten_errors(
                    value, f"{path}.{name}" if path and name else path or name).items():
                flat.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        messages = [str(item) for item in detail if not isinstance(item, dict | list)]
        if messages:
            flat.setdefault(path, []).extend(messages)
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and item:
                for sub, sub_messages in flatten_errors(
                        item, f"{path}.{index}" if path else str(index)).items():
                    flat.setdefault(sub, []).extend(sub_messages)
    else:
        flat.setdefault(path, []).append(str(detail))
    return flat


def validation_refusal(detail, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    """A refused input as a `Refusal`: its first message and field, and all of them."""
    flat = flatten_errors(detail) or {"": [_("Saisie invalide.")]}
    field, messages = next(iter(flat.items()))
    return Response({
        "detail": messages[0], "field": field or None,
        "errors": {name or api_settings.NON_FIELD_ERRORS_KEY: value
                   for name, value in flat.items()}},
        status=status_code)


def api_exception_handler(exc, context):
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return validation_refusal(exc.detail)
    response = exception_handler(exc, context)
    if response is not None:
        if not isinstance(response.data, dict) or "detail" not in response.data:
            return validation_refusal(response.data, response.status_code)
        return response
    # Not an API refusal: a fault. Logged and signalled as Django does for any view (error
    # reports, the test client), and answered in the API's shape, not with an HTML page.
    request = getattr(context.get("request"), "_request", None)
    got_request_exception.send(sender=None, request=request)
    logger.error("Internal Server Error: %s", getattr(request, "path", "?"),
                 exc_info=(type(exc), exc, exc.__traceback__),
                 extra={"status_code": 500, "request": request})
    set_rollback()
    return Response({"detail": _("Erreur interne du serveur : l'incident est enregistré. "
                                 "Réessayez plus tard."), "field": None},
                    status=status.HTTP_500_INTERNAL_SERVER_ERROR)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any address under /api/cases/ that no endpoint matches (a non-numeric id, a typo):
    a JSON 404 like the API's others, not the site's HTML page."""
    return JsonResponse({"detail": _("Cette adresse de l'API n'existe pas."), "field": None},
                        status=status.HTTP_404_NOT_FOUND)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def page_not_found(request, exception):
    """The site's 404 (handler404): JSON under /api/ — whatever raised it, a URL no pattern
    matches or an id refused before any view — the French page elsewhere."""
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The site's 500 (handler500): JSON under /api/, the French page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": _("Erreur interne du serveur : l'incident est "
                                         "enregistré. Réessayez plus tard."), "field": None},
                            status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
