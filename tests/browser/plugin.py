"""Loaded before Django (`-p tests.browser.plugin` in pyproject.toml): says in the report
header and the terminal summary whether the browser tests ran, and why not.

The browser tests (tests/browser/, marker `browser`) drive Debian's chromium; they are
skipped when it is missing, except in CI (CI=true) where a missing chromium or axe-core
file is a failure (see conftest.py)."""

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_FILE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS_DIR = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_MISSING = "chromium introuvable : apt-get install -y chromium"
AXE_MISSING = "axe-core introuvable : npm ci --no-audit --no-fund (ou make test)"
# pa11y (HTML_CodeSniffer), the second engine, installed by the same `npm ci` (make axe).
PA11Y_BIN = ROOT / "node_modules" / ".bin" / "pa11y"
PA11Y_MISSING = ("pa11y introuvable : PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund "
                 "(ou make axe)")


def chromium_path() -> str | None:
    return (os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config):
    chromium = chromium_path()
    browser = (f"tests navigateur : chromium {chromium}" if chromium
               else f"tests navigateur IGNORÉS — {CHROMIUM_MISSING}")
    axe = ("axe-core présent" if AXE_FILE.exists()
           else f"accessibilité NON contrôlée — {AXE_MISSING}")
    pa11y = "pa11y présent" if PA11Y_BIN.exists() else f"second moteur absent — {PA11Y_MISSING}"
    return [f"{browser} ; {axe} ; {pa11y}"]


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    browser = [report for key in ("passed", "failed", "skipped", "error")
               for report in stats.get(key, [])
               if report.when in ("call", "setup") and "browser" in report.keywords]
    if not browser:
        return
    skipped = [r for r in browser if r.skipped]
    writer = terminalreporter
    writer.section("tests navigateur", sep="-")
    if skipped and len(skipped) == len({r.nodeid for r in browser}):
        writer.write_line(f"IGNORÉS ({len(skipped)}) — {CHROMIUM_MISSING}", yellow=True)
        return
    ran = {r.nodeid for r in browser if r.when == "call"}
    writer.write_line(f"{len(ran)} parcours exécutés dans chromium ; captures d'écran dans "
                      f"{SCREENSHOTS_DIR.relative_to(ROOT)}/")
    checked = getattr(terminalreporter.config, "_axe_pages", None)
    if checked is None:
        return
    if AXE_FILE.exists():
        writer.write_line(f"axe-core : {len(checked)} pages contrôlées, aucune violation "
                          "grave ou critique tolérée")
    else:
        writer.write_line(f"accessibilité NON contrôlée — {AXE_MISSING}", yellow=True)
    second = getattr(terminalreporter.config, "_pa11y_pages", None)
    if second is not None:
        if PA11Y_BIN.exists():
            writer.write_line(f"pa11y (HTML_CodeSniffer) : {len(second)} pages contrôlées, "
                              "aucune erreur tolérée")
        else:
            writer.write_line(f"pa11y NON exécuté — {PA11Y_MISSING}", yellow=True)


def pytest_collection_modifyitems(config, items):
    """Only the browser tests may use pytest-playwright's fixtures. A test elsewhere asking
    for one (a fixture of its own named `page`, say) is parametrized by browser like them,
    and pytest then groups it with them: the browser tests, which empty the database, would
    run among the others and take away the rows the migrations wrote (the Wagtail site, the
    task schedules). Refused at collection, with the test named."""
    import pytest

    def by_browser(item) -> bool:
        callspec = getattr(item, "callspec", None)
        return "browser_name" in (callspec.params if callspec else {})

    strays = [item.nodeid for item in items
              if by_browser(item) and not item.nodeid.startswith("tests/browser/")]
    if strays:
        raise pytest.UsageError(
            "tests hors de tests/browser/ utilisant une fixture de pytest-playwright (nommez "
            "autrement une fixture « page », « browser », « context »…) : " + ", ".join(strays))
