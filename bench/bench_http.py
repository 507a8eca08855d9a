"""Home pages and purchase requests over HTTP against gunicorn, and a worker's memory.

    .venv/bin/python bench/bench_http.py [--users 8] [--duration 30] [--memory-requests 10000]

On the PostgreSQL database filled by seed_scale.py (BENCH_DATABASE_URL, see scale_env.py),
with the production settings (DEBUG off, whitenoise serving a collectstatic of its own). The
script starts gunicorn itself (`gunicorn config.wsgi -w 2`, sync workers, a free port on
127.0.0.1, the repository's gunicorn.conf.py as in production) and drives it from threads
of this process, each a browser of its own (session and CSRF cookies, every response
checked, redirects followed by hand):

- homes: the home page `/` of K SP agents and of K centre agents (`c000-csp_agent-0`,
  `c001-csp_agent-0`…), each against the anonymous login page, same gunicorn, same run:
  requests per second and the ratio (goals: SP >= 0.35, CSP >= 0.6);
- wizard: K SP agents of the seed (`s0000-sp_agent-1`, `s0001-sp_agent-1`…) log in over the
  login form before anything is timed (password hashing is deliberately slow), then each
  files complete purchase requests through every step of `/demandes/nouvelle/achat/` as a
  browser does: GET the step, read the wizard form (CSRF token, formtools management field,
  prefilled fields, selected options), POST it with the step's answers (the quote PDF as a
  multipart upload on its step), follow the redirect, and after the summary's "Déposer" the
  case page, which must say the request was filed. Submissions per second, p50/p95 of a
  whole submission and of each request; baseline: the home page `/` of the same sessions,
  against the same gunicorn, in the same run (and the anonymous login page, for scale);
- memory: a fresh gunicorn; VmRSS of each worker right after its first request (baseline),
  then after N mixed requests: the queue of an agent of centre C000 and the case pages it
  lists, "Mes demandes" and its case pages, home pages, complete wizard submissions, the
  dashboard of the centre's head.

The submissions create real cases (submitted, in the agents' services) in the bench
database. Exit status 1 if any response was not the expected one, or a goal is missed.
"""

import argparse
import html
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_env  # noqa: E402
from report import line, percentiles, print_machine, verdict  # noqa: E402
from seed_scale import PASSWORD  # noqa: E402

GOALS = {"wizard_ratio": 0.5, "worker_rss_mb": 150,
         # Throughput of an authenticated home page / the anonymous login page's (issue 23).
         "csp_home_ratio": 0.6, "sp_home_ratio": 0.35}
NEW_URL = "/demandes/nouvelle/achat/"
RESUME_URL = re.compile(r"^/demandes/(\d+)/saisie/$")
CASE_URL = re.compile(r"^/dossiers/(\d+)/$")
CASE_LINK = re.compile(r'href="(/dossiers/\d+/)"')
TIMEOUT = 60  # seconds, per request
# Readiness probe: a static file, answered by whitenoise before any URL or view is imported.
PROBE = "/static/js/show-if.js"


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def collectstatic() -> None:
    """Into the bench's STATIC_ROOT (PORTAL_VAR_DIR/staticfiles, see scale_env), for
    whitenoise: with DEBUG off, the pages need the compressed storage's files."""
    subprocess.run([sys.executable, str(scale_env.ROOT / "manage.py"), "collectstatic",
                    "--noinput", "--verbosity", "0"], check=True, cwd=scale_env.ROOT)


class Gunicorn:
    """`gunicorn config.wsgi -w N` on a free port; stopped (TERM, then KILL of its process
    group) whatever happens."""

    def __init__(self, workdir: Path, workers: int, name: str,
                 access_log: bool = False, max_requests: int | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"gunicorn-{name}.log"
        self.access_log = workdir / f"gunicorn-{name}-access.log" if access_log else None
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers),
                   "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
                   "--graceful-timeout", "10", "--no-control-socket",
                   "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else str(workdir),
                   "--error-logfile", str(self.log), "--log-level", "warning"]
        if self.access_log:
            # The worker's pid on each line: which worker served which request.
            command += ["--access-logfile", str(self.access_log),
                        "--access-logformat", "%(p)s %(s)s %(m)s %(U)s"]
        # The repository's gunicorn.conf.py applies, as in production; max_requests may be
        # overridden (0: a worker is never replaced).
        env = dict(os.environ)
        if max_requests is not None:
            env["GUNICORN_MAX_REQUESTS"] = str(max_requests)
        self.process = subprocess.Popen(
            command, cwd=scale_env.ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
            env=env)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n"
                                   + self.log_tail())
            try:
                if requests.get(self.base + PROBE, timeout=TIMEOUT).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time:\n" + self.log_tail())

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return sorted(int(child) for child in children)
        except OSError:
            found = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == pid:
                    found.append(int(stat.parent.name))
            return sorted(found)

    def served_by(self) -> Counter:
        if not self.access_log or not self.access_log.exists():
            return Counter()
        return Counter(int(row.split()[0].strip("<>")) for row in
                       self.access_log.read_text().splitlines() if row.strip())

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of the process, and its Pss (shared pages divided among
    the processes sharing them), in kB."""
    values = {}
    for source in ("status", "smaps_rollup"):
        try:
            rows = Path(f"/proc/{pid}/{source}").read_text().splitlines()
        except OSError:
            continue
        for row in rows:
            key, _, rest = row.partition(":")
            if key in ("VmRSS", "VmHWM", "Pss"):
                values[key] = int(rest.split()[0])
    return values


# --- a browser ---------------------------------------------------------------------------


class Failure(Exception):
    pass


ATTRIBUTE = re.compile(r'([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')
INPUT = re.compile(r"<input\b([^>]*)>", re.I)
TEXTAREA = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.I | re.S)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.I | re.S)
OPTION = re.compile(r"<option\b([^>]*)>([^<]*)", re.I)
WIZARD_FORM = re.compile(r'<form\b[^>]*id="wizard-form"[^>]*>(.*?)</form>', re.S)
ERRORS = re.compile(r'class="fr-(?:error-text|message fr-message--error)[^"]*"[^>]*>(.*?)<',
                    re.S)


def attributes(text: str) -> dict[str, str]:
    return {match[1].lower(): html.unescape(match[2] or match[3] or match[4] or "")
            for match in ATTRIBUTE.finditer(text)}


class WizardForm:
    """The wizard's form as a browser would submit it (its successful controls), plus what
    the page offers to choose from."""

    def __init__(self, page: str, step: str):
        found = WIZARD_FORM.search(page)
        if found is None:
            raise Failure(f"{step}: no wizard form on the page")
        body = found.group(1)
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = defaultdict(list)  # radios and selects
        self.labels: dict[str, dict[str, str]] = {}  # a select's option texts, by value
        self.files: list[str] = []
        for match in INPUT.finditer(body):
            attrs = attributes(match.group(1))
            kind, name = attrs.get("type", "text").lower(), attrs.get("name")
            if not name or kind in ("submit", "button", "image", "reset"):
                continue
            if kind == "file":
                self.files.append(name)
            elif kind in ("radio", "checkbox"):
                self.options[name].append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            else:
                self.fields[name] = attrs.get("value", "")
        for match in TEXTAREA.finditer(body):
            name = attributes(match.group(1)).get("name")
            if name:
                self.fields[name] = html.unescape(match.group(2)).removeprefix("\n")
        for match in SELECT.finditer(body):
            name = attributes(match.group(1)).get("name")
            found = OPTION.findall(match.group(2))
            options = [attributes(option) for option, _text in found]
            if not name or not options:
                continue
            chosen = next((o for o in options if "selected" in o), options[0])
            self.fields[name] = chosen.get("value", "")
            self.options[name] = [o.get("value", "") for o in options if o.get("value")]
            self.labels[name] = {attributes(option).get("value", ""): html.unescape(text).strip()
                                 for option, text in found}
        current = self.fields.get("purchase_request-current_step")
        if current != step:
            raise Failure(f"{step}: the page shows step {current!r}")
        if not self.fields.get("csrfmiddlewaretoken"):
            raise Failure(f"{step}: no CSRF token")

    def choose(self, name: str, rng: random.Random, keep=lambda label: True) -> str:
        """A random option of `name` whose text passes `keep`."""
        labels = self.labels.get(name, {})
        options = [value for value in self.options.get(name, []) if keep(labels.get(value, ""))]
        if not options:
            raise Failure(f"nothing to choose in {name}")
        self.fields[name] = rng.choice(options)
        return self.fields[name]

    def label(self, name: str) -> str:
        return self.labels.get(name, {}).get(self.fields.get(name, ""), "")


class Browser:
    """One person's browser: a requests session (cookies, no automatic redirects), every
    request timed under a label and its status checked."""

    def __init__(self, base: str, timings: dict | None = None):
        self.base = base
        self.session = requests.Session()
        self.timings = timings if timings is not None else defaultdict(list)

    def clone(self, timings: dict) -> "Browser":
        """Another tab of the same person (same session), for another thread."""
        other = Browser(self.base, timings)
        other.session.cookies.update(self.session.cookies)
        other._unsecure()
        return other

    def _unsecure(self):
        # Production cookies are Secure (HTTPS behind the proxy); this is plain HTTP on
        # the loopback, so keep sending them as the browser behind the proxy would.
        for cookie in self.session.cookies:
            cookie.secure = False

    def request(self, method: str, path: str, label: str, expect: int, **kwargs):
        headers = {"Origin": self.base} if method == "POST" else {}
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, headers=headers,
                                            allow_redirects=False, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise Failure(f"{label}: {type(exc).__name__}") from exc
        self.timings[label].append((time.perf_counter() - started) * 1000)
        self._unsecure()
        if response.status_code != expect:
            detail = ""
            if response.status_code == 200:
                detail = " — " + "; ".join(
                    " ".join(html.unescape(error).split())
                    for error in ERRORS.findall(response.text)[:3] if error.strip())
            raise Failure(f"{label}: HTTP {response.status_code} instead of {expect}{detail}")
        return response

    def get(self, path: str, label: str) -> str:
        return self.request("GET", path, label, 200).text

    def post(self, path: str, label: str, **kwargs) -> str:
        """A form's POST answered by a redirect: its target."""
        return self.request("POST", path, label, 302, **kwargs).headers["Location"]

    def login(self, username: str) -> "Browser":
        page = self.get("/connexion/", "login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise Failure("login page: no CSRF token")
        target = self.post("/connexion/", "login", data={
            "csrfmiddlewaretoken": token.group(1), "username": username,
            "password": PASSWORD, "next": ""})
        if target.startswith("/connexion/"):
            raise Failure(f"login of {username} refused")
        return self


def quote_pdf() -> bytes:
    """A one-page PDF with a line of text, cross-reference table and all (~600 bytes)."""
    text = b"BT /F1 12 Tf 72 720 Td (Devis n\\260 2026-118 - 3 postes de travail) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


QUOTE = quote_pdf()
ITEMS = ["Poste de travail portable", "Écran 27 pouces", "Licence logicielle annuelle",
         "Fauteuil de bureau", "Imprimante réseau", "Lot de cartouches d'encre"]


def file_purchase_request(browser: Browser, rng: random.Random) -> int:
    """Every step of the purchase-request wizard, as a person clicks through it; the
    filed case's pk."""
    form = WizardForm(browser.get(NEW_URL, "GET objet"), "objet")
    item = rng.choice(ITEMS)
    form.fields["objet-subject"] = f"{item} pour le service (bench HTTP)"
    form.choose("objet-financial_centre", rng)
    form.choose("objet-cost_centre", rng)
    # An activité of the centre financier's programme (the head of both codes), as the
    # wizard requires (cases/budget.py).
    programme = form.label("objet-financial_centre")[:4]
    form.choose("objet-activity", rng, keep=lambda label: label[:4] == programme)
    url = browser.post(NEW_URL, "POST objet", data=form.fields)
    if not RESUME_URL.match(url):
        raise Failure(f"POST objet: redirected to {url}")

    form = WizardForm(browser.get(url, "GET fournisseur"), "fournisseur")
    form.choose("fournisseur-tiers", rng)
    browser.post(url, "POST fournisseur", data=form.fields)

    form = WizardForm(browser.get(url, "GET lignes"), "lignes")
    quantity, price = rng.randint(1, 3), rng.randint(100, 900)
    form.fields.update({"lignes-0-label": item, "lignes-0-quantity": str(quantity),
                        "lignes-0-unit_price_ht": f"{price},50"})
    browser.post(url, "POST lignes", data=form.fields)

    form = WizardForm(browser.get(url, "GET pieces"), "pieces")
    if "pieces-quote" not in form.files:
        raise Failure("pieces: no quote field")
    browser.post(url, "POST pieces", data=form.fields,
                 files={"pieces-quote": ("devis.pdf", QUOTE, "application/pdf")})

    page = browser.get(url, "GET recapitulatif")
    form = WizardForm(page, "recapitulatif")
    if 'id="total-ttc"' not in page:
        raise Failure("recapitulatif: no total")
    form.fields["recapitulatif-confirm"] = "on"
    case_url = browser.post(url, "POST recapitulatif (dépôt)", data=form.fields)
    filed = CASE_URL.match(case_url)
    if not filed:
        raise Failure(f"dépôt: redirected to {case_url}")
    if "déposée" not in browser.get(case_url, "GET dossier déposé"):
        raise Failure("dépôt: the case page does not say it was filed")
    return int(filed.group(1))


# --- load --------------------------------------------------------------------------------


class Run:
    """Shared outcome of the threads of one measurement."""

    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.whole: list[float] = []
        self.errors: Counter = Counter()
        self.requests = 0

    def merge(self, timings: dict, whole: list[float], errors: Counter) -> None:
        with self.lock:
            for label, samples in timings.items():
                self.timings[label] += samples
                self.requests += len(samples)
            self.whole += whole
            self.errors += errors


def run_threads(target, count: int) -> float:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def login_all(base: str, usernames: list[str]) -> dict[str, Browser]:
    browsers, errors = {}, []

    def login(i):
        try:
            browsers[usernames[i]] = Browser(base).login(usernames[i])
        except Failure as exc:
            errors.append(str(exc))

    run_threads(login, len(usernames))
    if errors:
        raise SystemExit("login failed: " + "; ".join(errors[:5]) + " (is the bench database "
                         "seeded? see bench/seed_scale.py)")
    return browsers


def hammer(browsers: list[Browser], duration: float, work) -> tuple[Run, float]:
    """Each browser repeats `work(browser, rng)` until `duration` is over."""
    run = Run()
    deadline = time.perf_counter() + duration

    def user(i):
        timings, whole, errors = defaultdict(list), [], Counter()
        browser = browsers[i].clone(timings)
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                work(browser, rng)
                whole.append((time.perf_counter() - started) * 1000)
            except Failure as exc:
                errors[str(exc)] += 1
        run.merge(timings, whole, errors)

    return run, run_threads(user, len(browsers))


def report_errors(run: Run) -> int:
    total = sum(run.errors.values())
    line("réponses inattendues (erreurs)", f"{total}", verdict(total == 0))
    for message, count in run.errors.most_common(5):
        print(f"      {count} × {message}")
    return total


def measure_wizard(server: Gunicorn, sp_browsers: list[Browser], args) -> bool:
    print(f"Dépôt complet d'une demande d'achat par HTTP (gunicorn, {args.workers} workers, "
          f"{len(sp_browsers)} utilisateurs simultanés, {args.duration:.0f} s) :", flush=True)
    # Warm-up: every worker imports its views and templates, outside the timing.
    hammer(sp_browsers[:2], 1, file_purchase_request)

    anonymous = [Browser(server.base) for _ in sp_browsers]
    login_run, login_elapsed = hammer(
        anonymous, args.baseline_duration, lambda b, rng: b.get("/connexion/", "connexion"))
    home_run, home_elapsed = hammer(
        sp_browsers, args.baseline_duration, lambda b, rng: b.get("/", "accueil"))
    run, elapsed = hammer(sp_browsers, args.duration, file_purchase_request)

    home_rate = home_run.requests / home_elapsed
    home_p50, home_p95 = percentiles(home_run.timings["accueil"])
    line("référence : page d'accueil authentifiée (GET /)", f"{home_rate:8.1f} req/s",
         f"p50 {home_p50:.0f} ms, p95 {home_p95:.0f} ms")
    line("(page de connexion, anonyme)", f"{login_run.requests / login_elapsed:8.1f} req/s")
    submitted = len(run.whole)
    rate = submitted / elapsed
    per_submission = run.requests / max(1, submitted + sum(run.errors.values()))
    request_rate = run.requests / elapsed
    line(f"dépôts complets ({submitted} en {elapsed:.1f} s)", f"{rate:8.1f} /s")
    line(f"requêtes du parcours ({per_submission:.1f} par dépôt)", f"{request_rate:8.1f} req/s",
         f"rapport / accueil {request_rate / home_rate:.2f}")
    line("dépôts/s si chaque requête coûtait une page d'accueil",
         f"{home_rate / per_submission:8.1f} /s",
         f"rapport mesuré / ce plafond {rate / (home_rate / per_submission):.2f}")
    # Issue 23's figure: against the anonymous login page (no database, no session).
    login_rate = login_run.requests / login_elapsed
    login_ratio = rate / (login_rate / per_submission)
    line("dépôts/s si chaque requête coûtait la page de connexion",
         f"{login_rate / per_submission:8.1f} /s",
         f"rapport mesuré / ce plafond {login_ratio:.2f} (objectif >= {GOALS['wizard_ratio']} : "
         f"{verdict(login_ratio >= GOALS['wizard_ratio'])})")
    if run.whole:
        p50, p95 = percentiles(run.whole)
        line("durée d'un dépôt complet p50 / p95", f"{p50:7.0f} / {p95:.0f} ms",
             f"rapport p50 / accueil p50 {p50 / home_p50:.0f} x")
    print("  par requête (p50 / p95, ms, rapport p50 / accueil p50) :")
    for label, samples in run.timings.items():
        p50, p95 = percentiles(samples)
        line(f"  {label}", f"{p50:7.1f} / {p95:.1f} ms", f"{p50 / home_p50:5.1f} x")
    errors = report_errors(run) + report_errors_quiet(login_run, home_run)
    return errors == 0 and login_ratio >= GOALS["wizard_ratio"]


def measure_homes(server: Gunicorn, sp_browsers: list[Browser], csp_browsers: list[Browser],
                  args) -> bool:
    """The home pages' throughput against the anonymous login page's, same gunicorn, same
    run, as many simultaneous browsers each: the login page does no database work, so the
    ratio says what an authenticated page costs beyond the framework."""
    print(f"Pages d'accueil (gunicorn, {args.workers} workers, {len(sp_browsers)} navigateurs, "
          f"{args.baseline_duration:.0f} s chacune) :", flush=True)
    for browser in [*sp_browsers, *csp_browsers]:  # warm-up: the caches of each person
        browser.get("/", "accueil")
    anonymous = [Browser(server.base) for _ in sp_browsers]
    runs = {}
    for name, browsers, path in (("connexion", anonymous, "/connexion/"),
                                 ("accueil SP", sp_browsers, "/"),
                                 ("accueil CSP", csp_browsers, "/")):
        run, elapsed = hammer(browsers, args.baseline_duration,
                              lambda b, rng, path=path, name=name: b.get(path, name))
        runs[name] = (run, run.requests / elapsed)
    login_rate = runs["connexion"][1]
    ok = True
    for name, (run, rate) in runs.items():
        p50, p95 = percentiles(run.timings[name])
        if name == "connexion":
            line("page de connexion (anonyme), référence", f"{rate:8.1f} req/s",
                 f"p50 {p50:.0f} ms, p95 {p95:.0f} ms")
            continue
        goal = GOALS["sp_home_ratio" if name == "accueil SP" else "csp_home_ratio"]
        ratio = rate / login_rate
        ok &= ratio >= goal
        line(f"{name} (GET /)", f"{rate:8.1f} req/s",
             f"p50 {p50:.0f} ms, p95 {p95:.0f} ms ; / connexion {ratio:.2f} "
             f"(objectif >= {goal} : {verdict(ratio >= goal)})")
    errors = report_errors_quiet(*(run for run, _ in runs.values()))
    return ok and errors == 0


def report_errors_quiet(*runs: Run) -> int:
    total = 0
    for run in runs:
        for message, count in run.errors.items():
            print(f"      (référence) {count} × {message}")
            total += count
    return total


def measure_memory(server: Gunicorn, sp_browsers: list[Browser], agent: Browser,
                   head: Browser, args) -> bool:
    workers = server.workers()
    print(f"Mémoire d'un worker gunicorn après {args.memory_requests} requêtes variées "
          f"({len(workers)} workers, {args.memory_users} utilisateurs simultanés) :", flush=True)
    # Booted: every worker has answered the static probe (pairs of simultaneous requests,
    # until the access log shows each worker served one), no page yet.
    probe = Browser(server.base)
    for _ in range(100):
        if all(server.served_by()[pid] for pid in workers):
            break
        run_threads(lambda i: probe.clone(defaultdict(list)).get(PROBE, "probe"), 2)
    booted = {pid: memory_kb(pid)["VmRSS"] for pid in workers}
    # Baseline: each worker right after its first page (the home page of an SP agent).
    first, seen = {}, server.served_by()
    for _ in range(100):
        run_threads(lambda i: sp_browsers[i % len(sp_browsers)].get("/", "first"), 2)
        served = server.served_by()
        for pid in workers:
            if pid not in first and served[pid] > seen[pid]:
                first[pid] = memory_kb(pid)["VmRSS"]
        if len(first) == len(workers):
            break

    # The pages an agent of C000 and the SP agents may see, as their own lists link them.
    agent_cases = sorted(set(CASE_LINK.findall(agent.get("/corbeille/", "pool"))))
    sp_cases = {id(b): sorted(set(CASE_LINK.findall(b.get("/demandes/", "pool"))))
                for b in sp_browsers}
    if not agent_cases:
        raise SystemExit("the queue of the C000 agent lists no case: is the database seeded?")

    actions = [  # (weight, label, work(browsers, rng)) — one request each, but the wizard
        (4, "corbeille (agent CSP)", lambda b, rng: b["agent"].get(
            f"/corbeille/?page={rng.randint(1, 5)}", "corbeille")),
        (4, "dossier (agent CSP)", lambda b, rng: b["agent"].get(
            rng.choice(agent_cases), "dossier agent")),
        (2, "mes demandes (SP)", lambda b, rng: b["sp"].get("/demandes/", "mes demandes")),
        (2, "dossier (SP)", lambda b, rng: b["sp"].get(
            rng.choice(sp_cases[b["sp_id"]] or ["/demandes/"]), "dossier SP")),
        (2, "accueil", lambda b, rng: b[rng.choice(("agent", "sp", "head"))].get("/", "accueil")),
        (1, "restitutions (chef de centre)", lambda b, rng: b["head"].get(
            "/restitutions/", "restitutions")),
        (0.4, "dépôt complet (SP, ~11 requêtes)", lambda b, rng: file_purchase_request(
            b["sp"], rng)),
    ]
    weights = [weight for weight, _, _ in actions]
    run = Run()
    remaining = [args.memory_requests]
    lock = threading.Lock()

    def user(i):
        timings, errors = defaultdict(list), Counter()
        sp = sp_browsers[i % len(sp_browsers)]
        tabs = {"agent": agent.clone(timings), "head": head.clone(timings),
                "sp": sp.clone(timings), "sp_id": id(sp)}
        rng = random.Random(1000 + i)
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
            before = sum(len(samples) for samples in timings.values())
            _, label, work = rng.choices(actions, weights)[0]
            try:
                work(tabs, rng)
            except Failure as exc:
                errors[str(exc)] += 1
            with lock:
                remaining[0] -= max(1, sum(len(s) for s in timings.values()) - before)
        run.merge(timings, [], errors)

    elapsed = run_threads(user, args.memory_users)
    served = server.served_by()
    print(f"  ({run.requests} requêtes en {elapsed:.0f} s, {run.requests / elapsed:.1f} req/s ; "
          "nombre et p50 par page :")
    print("   " + ", ".join(f"{label} {len(samples)} × {statistics.median(samples):.0f} ms"
                            for label, samples in sorted(run.timings.items())) + ")")
    ok = True
    replaced = sorted(set(workers) - set(server.workers()))
    if replaced:
        print(f"  (workers remplacés après leur max_requests : {', '.join(map(str, replaced))} ; "
              f"ceux qui les remplacent sont mesurés)")
    # Those alive now: gunicorn.conf.py replaces a worker after its max_requests.
    for pid in server.workers():
        after = memory_kb(pid)
        rss_mb = after["VmRSS"] / 1024
        ok &= rss_mb <= GOALS["worker_rss_mb"]
        ratio = ""
        if pid in booted:
            first_mb = first.get(pid, booted[pid]) / 1024
            line(f"worker {pid} : démarré / après sa 1re page (RSS)",
                 f"{booted[pid] / 1024:6.1f} / {first_mb:.1f} Mo")
            ratio = f"rapport / 1re requête {rss_mb / first_mb:.2f} ; "
        peak_mb, pss_mb = after["VmHWM"] / 1024, after.get("Pss", 0) / 1024
        line(f"worker {pid} : après {served[pid]} requêtes (pic {peak_mb:.0f}, Pss {pss_mb:.0f})",
             f"{rss_mb:8.1f} Mo",
             f"{ratio}objectif <= {GOALS['worker_rss_mb']} Mo : "
             f"{verdict(rss_mb <= GOALS['worker_rss_mb'])}")
    errors = report_errors(run)
    return ok and errors == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8,
                        help="simultaneous SP agents filing requests (default 8)")
    parser.add_argument("--duration", type=float, default=30,
                        help="seconds of wizard submissions (default 30)")
    parser.add_argument("--baseline-duration", type=float, default=10,
                        help="seconds of each baseline (default 10)")
    parser.add_argument("--memory-requests", type=int, default=10_000,
                        help="mixed requests before reading the workers' RSS (default 10000)")
    parser.add_argument("--memory-users", type=int, default=4,
                        help="simultaneous browsers of the memory run (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--max-requests", type=int,
                        help="requests before gunicorn replaces a worker in the memory run "
                             "(default: gunicorn.conf.py's; 0: never)")
    parser.add_argument("--only", choices=("homes", "wizard", "memory"),
                        help="one of the three measurements")
    args = parser.parse_args()

    print_machine()
    scale_env.configure()
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-", dir=scale_env.WORKDIR))
    print(f"Base : {scale_env.DATABASE_URL.rsplit('/', 1)[-1]} ; collectstatic…", flush=True)
    collectstatic()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # gunicorn stopped on the way out
    ok = False
    try:
        ok = measure_all(workdir, args)
    finally:
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"(journaux de gunicorn : {workdir})")
    return 0 if ok else 1


def measure_all(workdir: Path, args) -> bool:
    ok = True
    sp_names = [f"s{n:04d}-sp_agent-1" for n in range(max(args.users, args.memory_users))]
    server = Gunicorn(workdir, args.workers, "wizard")
    try:
        # Logins first, never timed (PBKDF2 at the production cost); the sessions live in
        # the database, so they stay valid on the second gunicorn.
        csp_names = [f"c{n:03d}-csp_agent-0" for n in range(1, args.users)]
        browsers = login_all(server.base, [*sp_names, "c000-csp_agent-0", "c000-csp_head-0",
                                           *csp_names])
        sp_browsers = [browsers[name] for name in sp_names]
        if args.only in (None, "homes"):
            ok &= measure_homes(server, sp_browsers[:args.users],
                                [browsers[name] for name in ["c000-csp_agent-0", *csp_names]],
                                args)
        if args.only in (None, "wizard"):
            ok &= measure_wizard(server, sp_browsers[:args.users], args)
    finally:
        server.stop()
    if args.only in (None, "memory"):
        server = Gunicorn(workdir, args.workers, "memory", access_log=True,
                          max_requests=args.max_requests)
        try:
            for browser in browsers.values():
                browser.base = server.base
            ok &= measure_memory(server, sp_browsers[:args.memory_users],
                                 browsers["c000-csp_agent-0"], browsers["c000-csp_head-0"],
                                 args)
        finally:
            server.stop()
    return ok

if __name__ == "__main__":
    sys.exit(main())
