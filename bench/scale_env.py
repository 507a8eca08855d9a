"""Django set up against the scale database (PostgreSQL), shared by the scale benchmarks.

`BENCH_DATABASE_URL` names it (default: `portal_bench` on the local server); it is created
when missing and migrated. Never the tests' database, never the demo's.
"""

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/portal_bench")
# The demo's data (seed_demo) on PostgreSQL: the queue's baseline of a few dozen cases.
DEMO_DATABASE_URL = os.environ.get("BENCH_DEMO_DATABASE_URL",
                                   "postgres://postgres@127.0.0.1:5432/portal_bench_demo")
WORKDIR = Path(os.environ.get("BENCH_WORKDIR", Path(tempfile.gettempdir()) / "portal-bench"))


def configure() -> None:
    """Environment for the portal's settings: production settings (DEBUG off), the scale
    database, throw-away media."""
    (WORKDIR / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DATABASE_URL,
        "MEDIA_ROOT": str(WORKDIR / "media"),
        "SIGNING_CREDENTIALS_DIR": str(WORKDIR / "signing"),
        "PORTAL_VAR_DIR": str(WORKDIR / "var"),
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    })
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    # As in production: the figures and sessions in Redis, shared by gunicorn's workers.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")


def create_database() -> None:
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(migrate: bool = True) -> None:
    configure()
    if migrate:
        create_database()
    import django

    django.setup()
    from django.core.cache import cache

    # The seed writes its rows by COPY, which bumps no cached figure's version.
    cache.clear()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
