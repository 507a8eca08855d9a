import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Fail at start-up, not at the first request, when SECRET_KEY is missing.
settings.SECRET_KEY  # noqa: B018
