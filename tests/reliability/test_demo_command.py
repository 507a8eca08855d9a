"""`make demo`'s script, run as a newcomer runs it: production behaviour (DEBUG off, French
error pages, static files served, links to its own port), a short output, and "ready" only
once the server answers.

It migrates and seeds a fresh SQLite database of its own, so it runs once, in the SQLite
phase of CI; the PostgreSQL phase (DATABASE_URL set) skips it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READY = "Portail prêt"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="la démo se lance une fois, sur SQLite (phase SQLite de la CI)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local URL)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def demo(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG",
                          "SECURE_SSL_REDIRECT", "AWS_STORAGE_BUCKET_NAME"}}
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        ["bash", "scripts/run_demo.sh", sys.executable, "127.0.0.1", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if READY in line:
                break
        yield port, lines, process, tmp_path / "var"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_demo_serves_production_behaviour_once_ready_and_says_little(demo):
    port, lines, process, var = demo
    assert any(READY in line for line in lines), "\n".join(lines[-40:])
    ready_at = next(i for i, line in enumerate(lines) if READY in line)
    # A few progress lines, no task logs, no "Page created" lines, no system-check warnings.
    assert ready_at <= 8, "\n".join(lines)
    assert not any("Task id=" in line or "Page created" in line or "WARNINGS" in line
                   for line in lines)
    # "Ready" is printed once the server answers: it answers at once.
    status, body = _get(f"http://127.0.0.1:{port}/connexion/")
    assert status == 200 and "Connexion" in body
    # DEBUG is off: an unknown address gets the French DSFR page, not Django's URL list.
    status, body = _get(f"http://127.0.0.1:{port}/nexiste-pas/")
    assert status == 404 and "Page introuvable" in body and "URLconf" not in body
    # Static files come from WhiteNoise.
    status, _css = _get(f"http://127.0.0.1:{port}/static/css/portal.css")
    assert status == 200
    # The key was generated for the demo, outside the repository.
    assert (var / "demo_secret_key").stat().st_size > 50
    assert process.poll() is None
