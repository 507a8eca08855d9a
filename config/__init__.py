"""The project shell: settings, root URLs, WSGI/ASGI entry points, the middleware and
context processors every page goes through, the site's search backend, and the project-level
pages and templates (base, header, error pages, login, home, API token) and static files.
Not a Django app: its templates and static files are found through TEMPLATES DIRS and
STATICFILES_DIRS."""
