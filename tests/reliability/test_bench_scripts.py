"""The benchmarks' scripts still run against today's models: the million-case seed writes
its rows by COPY, outside the ORM, so a renamed field or a moved constant breaks it without
any other test noticing (it did: the reference prefixes moved to the kinds' registry). A few
hundred cases into a throw-away PostgreSQL database, then the queue's benchmark on them."""

import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the seed writes by COPY: PostgreSQL only")


@pytest.fixture
def bench_database():
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = f"bench_check_{uuid.uuid4().hex[:8]}"
    admin = url._replace(path="/postgres").geturl()
    yield url._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, *args: str, database: str, tmp_path) -> str:
    env = {**os.environ, "BENCH_DATABASE_URL": database, "BENCH_WORKDIR": str(tmp_path),
           # A Redis database of its own, emptied by the scripts.
           "REDIS_URL": "redis://127.0.0.1:6379/5"}
    done = subprocess.run([sys.executable, f"bench/{script}", *args], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_the_seed_and_the_queue_benchmark_run_on_todays_models(bench_database, tmp_path):
    seeded = run("seed_scale.py", "--cases", "400", database=bench_database, tmp_path=tmp_path)
    assert "cases: 400 added" in seeded
    again = run("seed_scale.py", "--cases", "400", database=bench_database, tmp_path=tmp_path)
    assert "cases: 400 already there, nothing to add" in again  # resumable
    measured = run("bench_scale.py", "--only", "queue", "--requests", "5", "--no-demo",
                   database=bench_database, tmp_path=tmp_path)
    assert "requêtes SQL par page" in measured
