"""The project installs as a plain (non-editable) package: its wheel holds every app with its
templates, static files, data files and migrations, and the installed copy imports and passes
Django's checks on its own, from a directory outside the repository.

A package missing from pyproject.toml's `packages.find`, or a template or data file missing
from its `package-data`, works in the editable install (the checkout is on the path) and fails
only once deployed from the wheel: this test builds and installs the wheel to see it.
"""

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "common", "portal", "demo", "cases", "documents", "conventions",
        "forms_catalog", "kinds", "messaging", "satisfaction", "decisions", "opinions",
        "notifications", "dashboards", "reminders", "invoices"]

# Run in the installed copy only: the editable install's finder (or path entry) would hand
# out the checkout's modules wherever the installed copy lacks one.
ISOLATE = f"""
import sys
from pathlib import Path
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path({str(ROOT)!r})]
"""

IMPORT_ALL = ISOLATE + f"""
import importlib, os, pkgutil
import django
django.setup()
import config
site = Path(os.environ["PACKAGE_SITE"]).resolve()
assert Path(config.__file__).resolve().is_relative_to(site), config.__file__
count = 0
for app in {APPS!r}:
    package = importlib.import_module(app)
    modules = [package] + [importlib.import_module(info.name) for info in
                           pkgutil.walk_packages(package.__path__, app + ".")]
    for module in modules:
        assert Path(module.__file__).resolve().is_relative_to(site), module.__file__
    count += len(modules)
print("imported", count)
"""

CHECK = ISOLATE + """
from django.core.management import execute_from_command_line
execute_from_command_line(["django-admin", "check", "--settings=config.settings",
                           "--fail-level", "WARNING"])
"""


def _wheel_builds_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1; older ones need the `wheel` package."""
    version = tuple(int(part) for part in
                    importlib.metadata.version("setuptools").split(".")[:2] if part.isdigit())
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _source_copy(destination: Path) -> Path:
    """pyproject.toml and the packages, without the checkout's build leftovers: the build
    writes its `build/` and `*.egg-info` here, not in the repository."""
    destination.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", destination)
    for app in APPS:
        shutil.copytree(ROOT / app, destination / app,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination


def _build_wheel(source: Path, out: Path) -> Path:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w",
               str(out)]
    if _wheel_builds_without_isolation():
        command.append("--no-build-isolation")
    # Otherwise pip fetches pyproject's build requirements (setuptools) from its index, as
    # `make install` does.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=source)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("csp_portal-*.whl")
    return wheel


def _expected_files() -> set[str]:
    """Every file of every app in the checkout: modules, migrations, templates, static and
    data files; not its tests (they stay in the checkout)."""
    expected = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if (path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
                    and "tests" not in path.parts):
                expected.add(path.relative_to(ROOT).as_posix())
    return expected


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    wheel = _build_wheel(_source_copy(tmp_path / "src"), tmp_path / "dist")

    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_expected_files() - names)
    assert not missing, missing
    assert not [name for name in names if "/tests/" in name], "tests shipped in the wheel"
    for app in APPS:
        for folder in ("migrations", "templates"):
            if (ROOT / app / folder).is_dir():
                assert any(name.startswith(f"{app}/{folder}/") for name in names), (app, folder)
    assert "config/templates/base.html" in names
    assert "config/static/css/portal.css" in names

    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "AWS_STORAGE_BUCKET_NAME"}}
    env.update(PYTHONPATH=str(site), PACKAGE_SITE=str(site),
               DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="packaging-test-" + "k" * 50,
               PORTAL_VAR_DIR=str(tmp_path / "var"))
    imported = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0 and "imported" in imported.stdout, \
        imported.stdout + imported.stderr
    checked = subprocess.run([sys.executable, "-c", CHECK], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout + checked.stderr


def test_every_package_of_the_checkout_is_shipped():
    """A new app is added to APPS here and to pyproject's package list (or it would be
    missing from the wheel, as decisions and opinions first were from this list)."""
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(APPS)
