"""gunicorn's settings for serving the portal: `gunicorn config.wsgi` reads this file from the
working directory (the repository's root).

The application is loaded once, in the master, then its workers are forked: the ~125 MB of
Django, Wagtail and the portal's modules are shared between workers instead of loaded by
each. The objects loaded then are frozen out of the garbage collector, so that collections
in a worker neither walk them (a few ms a request) nor write to their pages (which would
copy them into the worker). A worker is replaced after a couple of thousand requests, so
that memory fragmentation cannot grow without bound (bench/README.md, bench_http.py). A
worker freezes what its first requests built, too (post_request).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
preload_app = True
# 0 turns the replacement off (the memory benchmark measures both).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
timeout = 120
graceful_timeout = 30


def when_ready(server):
    # Load the translation catalogs in the master, where the workers will share them.
    from django.utils import translation

    with translation.override("fr"):
        translation.gettext("Corbeille du centre")


def pre_fork(server, worker):
    gc.freeze()


# A worker's first requests compile the templates and fill Django's and Wagtail's caches:
# objects that live as long as the worker, created after the fork, which every full
# collection would walk again (pauses of up to 40 ms measured on the queue page, a third of
# its p95). Once they are made, they are frozen out of the collector's way too, after one
# last collection so that no garbage is frozen with them.
WARMED_AFTER = (50, 500)


def post_request(worker, req, environ, resp):
    worker.served = getattr(worker, "served", 0) + 1
    if worker.served in WARMED_AFTER:
        gc.collect()
        gc.freeze()
