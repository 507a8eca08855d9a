"""The portal at national scale, on the PostgreSQL database filled by seed_scale.py.

    .venv/bin/python bench/bench_scale.py [--requests 200] [--creations 300] [--explain]

Each figure comes with a baseline measured in the same run:

- queue: the CSP queue page (50 rows, default filters, sorted by due date) of an agent of
  the largest centre, through the Django test client (server time, every middleware), p50 and
  p95 over N requests, and its SQL queries; the queue's query (permission filter included)
  against the same 50 rows fetched by a plain indexed query without permission filter;
- dashboard: the restitutions page of the largest centre's head over the last 365 days,
  against one plain aggregate over the same cases;
- creation: purchase requests created, filled, given their quote and submitted through the
  services (one process, one core), against bare ORM inserts of a case and its event, and
  against every row a submission writes inserted by the ORM with nothing read or checked;
- export: peak memory (RSS) of a process writing a 100,000-row XLSX export of the queue's
  columns, against the same process writing 10,000 rows (constant memory: ratio ~1).

`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the queue query and the dashboard queries.
"""

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_env  # noqa: E402
from report import line, percentiles, print_machine, verdict  # noqa: E402

LARGE_CENTRE = "C000"
# Issue 23: ratios against a baseline of the same run, but the queue's p95 on a quiet machine.
GOALS = {"queue_p95_ms": 50, "queue_queries": 8, "queue_ratio": 1.5, "queue_scale_ratio": 1.3,
         "dashboard_ratio": 3, "creation_ratio": 0.5, "export_rss_mb": 150}


def timed(work, count: int, warm_up: int = 3) -> list[float]:
    for _ in range(warm_up):
        work()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples




def timed_with_gc(work, count: int) -> tuple[list[float], list[list[tuple[int, float]]]]:
    """Like timed(), and for each request the garbage collections that ran during it
    (generation, ms): what sets a page's p95 apart from its p50."""
    for _ in range(3):
        work()
    pauses: list[tuple[int, float]] = []
    started = [0.0]

    def callback(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], (time.perf_counter() - started[0]) * 1000))

    samples, collections = [], []
    gc.callbacks.append(callback)
    try:
        for _ in range(count):
            pauses.clear()
            begun = time.perf_counter()
            work()
            samples.append((time.perf_counter() - begun) * 1000)
            collections.append(list(pauses))
    finally:
        gc.callbacks.remove(callback)
    return samples, collections


def report_tail(samples: list[float], collections: list[list[tuple[int, float]]]) -> None:
    """Which requests make the p95: those during which the collector ran its older
    generations, or others (the database, the machine)?"""
    p50, p95 = percentiles(samples)
    slow = {i for i, ms in enumerate(samples) if ms >= p95}
    for generation in (1, 2):
        hit = {i for i, runs in enumerate(collections) if any(g == generation for g, _ in runs)}
        pause = [ms for runs in collections for g, ms in runs if g == generation]
        line(f"  requêtes pendant une collection de la génération {generation}",
             f"{len(hit)} / {len(samples)}",
             f"dont {len(slow & hit)} des {len(slow)} au-delà du p95 ; pause "
             f"{statistics.median(pause) if pause else 0:.1f} ms (médiane), "
             f"{max(pause, default=0):.1f} ms au plus")
    clean = [ms for i, ms in enumerate(samples) if all(g == 0 for g, _ in collections[i])]
    if clean:
        c50, c95 = percentiles(clean)
        line("  p50 / p95 des requêtes sans collection des générations 1 et 2 (ms)",
             f"{c50:.1f} / {c95:.1f}", f"(toutes : {p50:.1f} / {p95:.1f})")


def staff(code: str, role: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=f"{code.lower()}-{role}-0")


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def bench_queue(count: int, explain: bool, on_demo: bool = True) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases import selectors
    from cases.models import Case
    from cases.workflow import OPEN_STATES
    from portal.models import Service

    agent = staff(LARGE_CENTRE, "csp_agent")
    centre = Service.objects.get(code=LARGE_CENTRE)
    client = Client()
    client.force_login(agent)
    total = selectors.case_queue_for_user(user=agent).filter(state__in=OPEN_STATES).count()
    rows = page(client, "/corbeille/").content.decode().count('href="/dossiers/')
    with CaptureQueriesContext(connection) as captured:
        page(client, "/corbeille/")
    # Read now: every request empties the connection's query log.
    queries = list(captured.captured_queries)
    # As a gunicorn worker does after its first requests (gunicorn.conf.py, post_request):
    # what they built (templates, caches) is frozen out of the collector's way.
    for _ in range(50):
        page(client, "/corbeille/")
    gc.collect()
    gc.freeze()
    samples, collections = timed_with_gc(lambda: page(client, "/corbeille/"), count)
    p50, p95 = percentiles(samples)
    # Every figure recomputed at each request (an empty cache): what the first page after a
    # change costs.
    from django.core.cache import cache

    def cold():
        cache.clear()
        page(client, "/corbeille/")

    cold50, cold95 = percentiles(timed(cold, max(20, count // 4)))
    # What the page costs without its tabs' aggregate (the same figures, given): how much of
    # it the exact, permission-checked counts take.
    counted = selectors.queue_counts(user=agent)
    with mock.patch.object(selectors, "queue_counts", lambda *, user: dict(counted)):
        n50, n95 = percentiles(timed(lambda: page(client, "/corbeille/"), count))

    # The same rows and columns as the page shows, with and without the permission filter.
    queue_page = selectors.queue_rows(selectors.case_queue_for_user(user=agent)
                                      .filter(state__in=OPEN_STATES).order_by("due_at", "pk"))[:50]
    plain_page = selectors.queue_rows(Case.objects.filter(
        processing_centre=centre, state__in=OPEN_STATES).order_by("due_at", "pk"))[:50]

    def with_permissions():
        return list(queue_page.all())  # a fresh query each time

    def plain():
        return list(plain_page.all())

    assert [c.pk for c in with_permissions()] == [c.pk for c in plain()], "not the same rows"
    q50, q95 = percentiles(timed(with_permissions, count))
    b50, b95 = percentiles(timed(plain, count))
    print(f"Corbeille ({LARGE_CENTRE}, agent {agent.username}: {total:,} dossiers ouverts, "
          f"{rows} lignes affichées, {Case.objects.count():,} dossiers en base)")
    line("page p50 / p95 (ms)", f"{p50:.1f} / {p95:.1f}",
         f"objectif p95 <= {GOALS['queue_p95_ms']} ms: {verdict(p95 <= GOALS['queue_p95_ms'])}")
    report_tail(samples, collections)
    line("requêtes SQL par page", f"{len(queries)}",
         f"objectif <= {GOALS['queue_queries']}: "
         f"{verdict(len(queries) <= GOALS['queue_queries'])}")
    line("page après un changement (cache vide, tout recalculé) p50 / p95 (ms)",
         f"{cold50:.1f} / {cold95:.1f}")
    demo = queue_on_the_demo_database(count) if on_demo else None
    if demo:
        scale_ratio = p95 / demo["p95"]
        line(f"la même page sur la base de démonstration ({demo['cases']} dossiers, "
             f"{demo['username']}, {demo['rows']} lignes) p50 / p95 (ms)",
             f"{demo['p50']:.1f} / {demo['p95']:.1f}", f"{demo['queries']} requêtes SQL")
        line("rapport million / démonstration (p95)", f"{scale_ratio:.2f}",
             f"objectif <= {GOALS['queue_scale_ratio']}: "
             f"{verdict(scale_ratio <= GOALS['queue_scale_ratio'])}")
    line("référence : page sans le calcul des compteurs p50 / p95 (ms)", f"{n50:.1f} / {n95:.1f}")
    line("requête de la corbeille (avec permissions) p50 / p95 (ms)", f"{q50:.2f} / {q95:.2f}")
    line("référence : requête indexée sans permission p50 / p95 (ms)", f"{b50:.2f} / {b95:.2f}")
    ratio = q95 / b95
    line("rapport requête avec permissions / référence (p95)", f"{ratio:.2f}",
         f"objectif <= {GOALS['queue_ratio']}: {verdict(ratio <= GOALS['queue_ratio'])}")
    line("rapport page entière / référence (p95)", f"{p95 / b95:.1f}")
    if explain:
        print_explain("Requête de la corbeille (avec permissions)", qs_sql(queue_page))
        print_explain("Référence : la même requête sans permission", qs_sql(plain_page))
        # The tabs' aggregate, as the first page after a change computes it (the cached
        # pages ask none).
        cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            page(client, "/corbeille/")
        for sql in cold_queries.captured_queries:
            if "COUNT(" in sql["sql"] and "cases_case" in sql["sql"]:
                print_explain("Les compteurs des onglets (un agrégat)", sql["sql"])
                break


def queue_on_the_demo_database(count: int) -> dict | None:
    """The queue page of the demo's centre agent, measured the same way by a child process
    on a PostgreSQL database holding the demo (`seed_demo`, made once): the million cases'
    page against a page of a few dozen."""
    import json

    # A Redis database of its own: the two databases' people share their ids.
    env = {**os.environ, "BENCH_DATABASE_URL": scale_env.DEMO_DATABASE_URL,
           "REDIS_URL": "redis://127.0.0.1:6379/4"}
    # The demo's data first, in a process of its own (made once: seed_demo is idempotent).
    seeded = subprocess.run([sys.executable, __file__, "--demo-seed-child"], env=env,
                            capture_output=True, text=True, timeout=1800)
    if seeded.returncode != 0:
        print(f"  (base de démonstration : échec)\n{seeded.stderr[-2000:]}")
        return None
    result = subprocess.run([sys.executable, __file__, "--demo-queue-child", str(count)],
                            env=env, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        print(f"  (base de démonstration : échec)\n{result.stderr[-2000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def demo_queue_child(count: int) -> None:
    import json

    from django.test import Client

    from cases.models import Case

    agent = get_user_model_by_name("agent.csp")
    client = Client()
    client.force_login(agent)
    for _ in range(50):  # as bench_queue: warmed, then frozen
        rows = page(client, "/corbeille/").content.decode().count('href="/dossiers/')
    gc.collect()
    gc.freeze()
    queries = statements_of(lambda: page(client, "/corbeille/"))
    p50, p95 = percentiles(timed(lambda: page(client, "/corbeille/"), count))
    print(json.dumps({"p50": p50, "p95": p95, "queries": len(queries), "rows": rows,
                      "cases": Case.objects.count(), "username": agent.username}))


def statements_of(work) -> list[str]:
    """The SQL statements `work` sends (an execute wrapper: CaptureQueriesContext counts
    the entries of a bounded log, which reads 0 once the log is full)."""
    from django.db import connection

    sent = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        work()
    return sent


def get_user_model_by_name(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def qs_sql(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    return connection.ops.compose_sql(sql, params)


def print_explain(title: str, sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) — {title}\n{sql}\n{plan}\n")


def bench_dashboard(count: int, explain: bool) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.models import Case
    from dashboards import views
    from dashboards.daily import build_daily_figures
    from dashboards.models import BuiltDay
    from dashboards.selectors import dashboard_from_cases
    from portal.models import Service

    # The nightly task's work, caught up (resumable: a month per transaction; a first run
    # builds the whole history, later ones the days since the last run).
    started = time.perf_counter()
    spans = build_daily_figures()
    built = sum((last - first).days + 1 for first, last in spans)
    building = time.perf_counter() - started
    head = staff(LARGE_CENTRE, "csp_head")
    today = timezone.localdate()
    start = today - timedelta(days=365)
    url = f"/restitutions/?start={start.isoformat()}&end={today.isoformat()}"
    client = Client()
    client.force_login(head)
    assert "fr-error-text" not in page(client, url).content.decode(), "period refused"
    with CaptureQueriesContext(connection) as captured:
        page(client, url)
    queries = list(captured.captured_queries)
    p50, p95 = percentiles(timed(lambda: page(client, url), count))
    # The same page computing the restitutions from the cases alone (what it did before the
    # pre-aggregates), same run.
    with mock.patch.object(views, "dashboard", dashboard_from_cases):
        r50, r95 = percentiles(timed(lambda: page(client, url), count))
    services = Service.objects.filter(processing_centre__code=LARGE_CENTRE)
    received = Case.objects.filter(requesting_service__in=services,
                                   submitted_at__date__gte=start).count()

    def plain():
        return list(Case.objects.filter(requesting_service__in=services,
                                        submitted_at__gte=timezone.now() - timedelta(days=365))
                    .values("requesting_service", "kind").annotate(n=Count("pk")).order_by())

    b50, b95 = percentiles(timed(plain, count))
    print(f"\nRestitutions ({LARGE_CENTRE}, responsable, 365 jours: {received:,} dossiers "
          f"reçus, {services.count()} services)")
    line("agrégats quotidiens construits : jours, durée (s), jours agrégés en tout",
         f"{built} / {building:.1f} / {BuiltDay.objects.count()}")
    line("page p50 / p95 (ms)", f"{p50:.0f} / {p95:.0f}")
    line("requêtes SQL par page", f"{len(queries)}")
    line("la même page calculée depuis les dossiers p50 / p95 (ms)", f"{r50:.0f} / {r95:.0f}")
    line("référence : un agrégat simple sur les mêmes dossiers p50 / p95 (ms)",
         f"{b50:.0f} / {b95:.0f}")
    goal = GOALS["dashboard_ratio"]
    line("rapport page / référence (p95)", f"{p95 / b95:.1f}",
         f"objectif <= {goal}: {verdict(p95 / b95 <= goal)}")
    line("rapport page depuis les dossiers / référence (p95)", f"{r95 / b95:.1f}")
    if explain:
        for sql in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
            print_explain(f"Restitutions, requête de {float(sql['time']) * 1000:.0f} ms",
                          sql["sql"])


def bench_creation(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases import amounts, permissions, services
    from cases.models import (
        BudgetImputation,
        Case,
        CaseEvent,
        CaseGroupObjectPermission,
        CaseKind,
        CaseUserObjectPermission,
        PurchaseLine,
        PurchaseRequest,
        Tiers,
    )
    from documents.models import Attachment
    from documents.services import attachment_add
    from kinds.purchases import services as purchases
    from notifications.models import Notification
    from portal.models import Role, Service

    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    sp = Service.objects.get(code="S1999")  # a small service of a small centre
    requester = get_user_model().objects.filter(memberships__service=sp,
                                                memberships__role="sp_agent").first()
    imputations = {i.axis: i for i in BudgetImputation.objects.filter(service=sp)}
    tiers = Tiers.objects.order_by("pk").first()

    def create_and_submit():
        # One transaction per submission, as the wizard's last step and the API submit.
        with services.whole_transaction():
            case = services.case_draft_create(actor=requester, service=sp,
                                              kind=CaseKind.PURCHASE_REQUEST)
            attachment_add(case=case, kind="quote", actor=requester,
                           uploaded=SimpleUploadedFile("devis.pdf", pdf,
                                                       content_type="application/pdf"))
            data = purchases.PurchaseRequestData(
                subject="Fournitures de bureau", tiers=tiers, funds=None, delivery_address="",
                lines=[amounts.LineData(label="Ramettes", quantity=Decimal("10"),
                                        unit_price_ht=Decimal("4.20"),
                                        vat_rate=Decimal("20"))],
                **imputations)
            purchases.purchase_request_fill(case=case, actor=requester, data=data)
            case = services.transition(case=case, action="submit", actor=requester)
        assert case.state == "submitted", case.state

    class Discard(Exception):
        pass

    def bare():
        # Rolled back: the baseline leaves no case without permissions behind it.
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    kind=CaseKind.PURCHASE_REQUEST, requesting_service=sp,
                    processing_centre_id=sp.processing_centre_id, created_by=requester,
                    amount=Decimal("50.40"))
                CaseEvent.objects.create(case=case, actor=requester, action="create",
                                         to_state="draft", created_at=timezone.now())
                raise Discard
        except Discard:
            pass

    staff = list(get_user_model().objects.filter(
        memberships__service_id=sp.processing_centre_id,
        memberships__role__in=[Role.CSP_AGENT, Role.CSP_HEAD]).distinct())
    group_ids = (sp.group_id, sp.processing_centre.group_id)
    view, change, process = (permissions.permission_id(codename) for codename in
                             (permissions.VIEW, permissions.CHANGE, permissions.PROCESS))

    def rows_only():
        # What a submission leaves in the database (case, request and line, quote record,
        # five permissions, two events, a notice per centre member), written at once by the
        # ORM in one transaction, nothing read or checked; rolled back.
        try:
            with transaction.atomic():
                now = timezone.now()
                case = Case.objects.create(
                    kind=CaseKind.PURCHASE_REQUEST, state="submitted", subject="Fournitures",
                    reference="DA-BENCH-0", requesting_service=sp,
                    processing_centre_id=sp.processing_centre_id, created_by=requester,
                    amount=Decimal("50.40"), submitted_at=now, due_at=now)
                CaseUserObjectPermission.objects.bulk_create(
                    [CaseUserObjectPermission(user=requester, permission_id=perm,
                                              content_object=case) for perm in (view, change)])
                CaseGroupObjectPermission.objects.bulk_create(
                    [CaseGroupObjectPermission(group_id=group, permission_id=perm,
                                               content_object=case)
                     for group, perm in ((group_ids[0], view), (group_ids[1], view),
                                         (group_ids[1], process))])
                request = PurchaseRequest.objects.create(
                    case=case, tiers=tiers, amount_ht=Decimal("42.00"),
                    amount_vat=Decimal("8.40"), amount_ttc=Decimal("50.40"), **imputations)
                PurchaseLine.objects.create(purchase_request=request, position=1,
                                            label="Ramettes", quantity=Decimal("10"),
                                            unit_price_ht=Decimal("4.20"),
                                            vat_rate=Decimal("20"))
                Attachment.objects.create(case=case, kind="quote", file="cases/bench.pdf",
                                          original_name="devis.pdf", size=len(pdf),
                                          content_type="application/pdf", sha256="0" * 64,
                                          uploaded_by=requester)
                CaseEvent.objects.bulk_create([
                    CaseEvent(case=case, actor=requester, action="create", to_state="draft",
                              created_at=now),
                    CaseEvent(case=case, actor=requester, action="submit",
                              from_state="draft", to_state="submitted", created_at=now)])
                Notification.objects.bulk_create([
                    Notification(recipient=person, case=case, event="submitted",
                                 key=f"bench:{person.pk}", subject="Nouvelle demande",
                                 body="Nouvelle demande à traiter.", created_at=now)
                    for person in staff])
                raise Discard
        except Discard:
            pass

    rate = count / (sum(timed(create_and_submit, count)) / 1000)
    with CaptureQueriesContext(connection) as captured:
        create_and_submit()
    statements = [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries]
    floor_goal = GOALS["creation_ratio"]  # services / every row a submission writes
    baseline = count / (sum(timed(bare, count)) / 1000)
    floor = count / (sum(timed(rows_only, count)) / 1000)
    print(f"\nCréation et dépôt de demandes d'achat par les services ({count}, un cœur)")
    line("créées, remplies, devis joint, déposées (/s)", f"{rate:.0f}")
    line("requêtes SQL par dépôt (hors BEGIN/COMMIT), transactions",
         f"{sum(s not in ('BEGIN', 'COMMIT') for s in statements)}, "
         f"{statements.count('BEGIN')}")
    line("référence : insertion ORM nue d'un dossier et de son événement, annulée (/s)",
         f"{baseline:.0f}")
    line("rapport services / référence", f"{rate / baseline:.2f}")
    line(f"référence : les lignes d'un dépôt ({len(staff)} avis), sans lecture, annulées (/s)",
         f"{floor:.0f}")
    line("rapport services / lignes d'un dépôt", f"{rate / floor:.2f}",
         f"objectif >= {floor_goal}: {verdict(rate / floor >= floor_goal)}")


def export_child(rows: int) -> None:
    """Write an XLSX export of `rows` cases, then print the process's peak RSS in MB."""
    from cases import export_columns, exports
    from cases.models import Case

    last = Case.objects.order_by("pk").values_list("pk", flat=True)[rows - 1]
    handle = exports.xlsx_file(Case.objects.filter(pk__lte=last).order_by("pk"),
                               export_columns.builtin_columns())
    size = handle.seek(0, 2) if hasattr(handle, "seek") else 0
    # VmHWM, not getrusage's ru_maxrss: Linux carries the latter over exec() from the forked
    # copy of the parent, so the child reported the parent's size (~154 MB after the queue,
    # dashboard and creation measurements) whatever it exported.
    peak = next(int(entry.split()[1]) for entry in Path("/proc/self/status").read_text()
                .splitlines() if entry.startswith("VmHWM:")) / 1024
    print(f"{peak:.1f} {size}")


def bench_export(rows: int) -> None:
    def run(count):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--export-child", str(count)],
                             check=True, capture_output=True, text=True).stdout.split()
        return float(out[0]), int(out[1]), time.perf_counter() - started

    base_rss, base_size, base_time = run(rows // 10)
    rss, size, elapsed = run(rows)
    print("\nExport XLSX (processus séparé, mémoire de pointe)")
    line(f"{rows:,} lignes : RSS de pointe (Mo), fichier (Mo), durée (s)",
         f"{rss:.0f} / {size / 1e6:.1f} / {elapsed:.0f}",
         f"objectif <= {GOALS['export_rss_mb']} Mo: {verdict(rss <= GOALS['export_rss_mb'])}")
    line(f"référence : {rows // 10:,} lignes, RSS (Mo), fichier (Mo), durée (s)",
         f"{base_rss:.0f} / {base_size / 1e6:.1f} / {base_time:.0f}")
    line("rapport de mémoire (mémoire constante : ~1)", f"{rss / base_rss:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--dashboard-requests", type=int, default=20)
    parser.add_argument("--creations", type=int, default=300)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", choices=["queue", "dashboard", "creation", "export"])
    parser.add_argument("--export-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--demo-queue-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--demo-seed-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-demo", action="store_true",
                        help="skip the queue's baseline on the demo database")
    args = parser.parse_args()
    if not (args.export_child or args.demo_queue_child or args.demo_seed_child):
        print_machine()
    scale_env.setup(migrate=args.export_child is None)
    if args.export_child:
        export_child(args.export_child)
        return 0
    if args.demo_seed_child:
        from django.core.management import call_command

        call_command("seed_demo", verbosity=0)
        return 0
    if args.demo_queue_child:
        gc.freeze()
        demo_queue_child(args.demo_queue_child)
        return 0
    from cases.models import Case

    if not Case.objects.exists():
        print("La base de mesure est vide : lancez d'abord bench/seed_scale.py.")
        return 1
    # As gunicorn.conf.py does before forking the workers: what is loaded by now stays out
    # of the garbage collector's way.
    gc.freeze()
    steps = {"queue": lambda: bench_queue(args.requests, args.explain, not args.no_demo),
             "dashboard": lambda: bench_dashboard(args.dashboard_requests, args.explain),
             "creation": lambda: bench_creation(args.creations),
             "export": lambda: bench_export(args.export_rows)}
    for name, step in steps.items():
        if args.only in (None, name):
            step()
    return 0


if __name__ == "__main__":
    sys.exit(main())
