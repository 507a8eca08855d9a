"""Fill the scale database with N cases (default 1,000,000), the way the portal records them.

    .venv/bin/python bench/seed_scale.py [--cases N]

100 centres (sizes skewed: the largest handles ~5% of the cases), 2,000 prescribing services,
10,000 people with their memberships, groups and delegations, 20,000 suppliers; then cases of
every kind and state, each with what the services write for it: its detail row (purchase
request and its line, tiers request, service-done statement and its line, fixed-asset
request), its events, its guardian object permissions, the signed order form of the
requests completed more than two days ago (the creator's, the requesting
service's group, the centre's group once it reached the centre), an attachment record for
submitted cases, and gapless references with their counters.

Organisations and people go through the ORM (bulk); cases and their rows through COPY, by
chunks of 50,000, each chunk in one transaction. Idempotent and resumable: the cases already
there are counted and only the missing ones are added (same distribution).
"""

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_env  # noqa: E402
from report import print_machine  # noqa: E402

CENTRES, SPS, USERS, TIERS = 100, 2_000, 10_000, 20_000
CENTRE_STAFF = {"csp_head": 1, "csp_agent": 9, "cst": 1}  # 1,000 agents and heads nationally
CHUNK = 50_000
SEED = 20261123
PASSWORD = "bench-scale-2026"
# What the questions and rejections are classified as (the default typology of anomalies).
MISSING_DOCUMENT = {"anomaly": "missing_document", "anomaly_label": "Pièce manquante"}

KINDS = [("purchase_request", 55), ("service_done", 30), ("tiers", 8), ("fixed_asset", 4),
         ("generic", 3)]
STATES = [("completed", 82), ("rejected", 3), ("cancelled", 2), ("draft", 2),
          ("awaiting_validation", 1), ("submitted", 4), ("in_progress", 4),
          ("info_requested", 1.5), ("awaiting_cst", 0.5)]
OPEN = {"submitted", "in_progress", "info_requested", "awaiting_cst"}
ASSIGNED = {"in_progress", "info_requested", "awaiting_cst", "completed", "rejected"}


def centre_code(c: int) -> str:
    return f"C{c:03d}"


def sp_code(s: int) -> str:
    return f"S{s:04d}"


def luhn_siret(n: int) -> str:
    from stdnum import luhn

    siren_body = f"{10_000_000 + n:08d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


# --- organisations and people (ORM) ------------------------------------------------------


def seed_organisations():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from cases.models import BudgetImputation, ImputationAxis, Tiers
    from portal.models import Delegation, Membership, Service

    if Service.objects.filter(code=centre_code(0)).exists():
        return
    started = time.perf_counter()
    User = get_user_model()
    groups = Group.objects.bulk_create(
        [Group(name=f"service:{centre_code(c)}") for c in range(CENTRES)]
        + [Group(name=f"service:{sp_code(s)}") for s in range(SPS)])
    centres = Service.objects.bulk_create([
        Service(code=centre_code(c), name=f"Centre de services partagés n° {c}", kind="csp",
                group=groups[c], chorus_siret=luhn_siret(900_000 + c),
                chorus_service_code=f"FACTURATION-{c:03d}")
        for c in range(CENTRES)])
    sps = Service.objects.bulk_create([
        Service(code=sp_code(s), name=f"Service prescripteur n° {s}", kind="sp",
                processing_centre=centres[s % CENTRES], group=groups[CENTRES + s],
                address=f"{s} avenue de la République\n75011 Paris")
        for s in range(SPS)])

    password = make_password(PASSWORD)
    people = []  # (username, service, role)
    for centre in centres:
        for role, count in CENTRE_STAFF.items():
            people += [(f"{centre.code.lower()}-{role}-{i}", centre, role) for i in range(count)]
    remaining = USERS - len(people)
    for i in range(remaining):
        sp = sps[i % SPS]
        role = "ordonnateur" if i < SPS else "sp_agent"
        people.append((f"{sp.code.lower()}-{role}-{i // SPS}", sp, role))
    users = User.objects.bulk_create([
        User(username=name, password=password, first_name="Agent", last_name=name.upper(),
             email=f"{name}@example.gouv.fr") for name, _service, _role in people])
    Membership.objects.bulk_create([
        Membership(user=user, service=service, role=role)
        for user, (_name, service, role) in zip(users, people, strict=True)])
    User.groups.through.objects.bulk_create([
        User.groups.through(user_id=user.pk, group_id=service.group_id)
        for user, (_name, service, _role) in zip(users, people, strict=True)])
    Delegation.objects.bulk_create([
        Delegation(user=user, service=service, valid_from=date(2020, 1, 1),
                   ceiling=Decimal("1000000") if role == "ordonnateur" else Decimal("5000"))
        for user, (_name, service, role) in zip(users, people, strict=True)
        if service.kind == "sp"])
    BudgetImputation.objects.bulk_create([
        BudgetImputation(service=sp, axis=axis, code=f"{sp.code}{axis[:2].upper()}",
                         label=f"{axis} {sp.code}")
        for sp in sps for axis in (ImputationAxis.FINANCIAL_CENTRE, ImputationAxis.COST_CENTRE,
                                   ImputationAxis.ACTIVITY)])
    Tiers.objects.bulk_create([
        Tiers(name=f"Fournisseur {t} SAS", siret=luhn_siret(t), siren=luhn_siret(t)[:9],
              address=f"{t} rue du Commerce", postcode="75015", city="Paris",
              iban="", bic="", chorus_code=f"{t:010d}") for t in range(TIERS)])
    print(f"organisations: {CENTRES} centres, {SPS} services, {len(users)} people, "
          f"{TIERS} suppliers in {time.perf_counter() - started:.1f} s")


class Referential:
    """What case generation needs of the organisations, read once."""

    def __init__(self):
        from django.contrib.auth.models import Permission

        from cases.models import BudgetImputation, Tiers
        from portal.models import Membership, Service

        self.centres = list(Service.objects.filter(kind="csp").order_by("code")
                            .values_list("pk", "group_id"))
        centre_index = {pk: i for i, (pk, _g) in enumerate(self.centres)}
        self.sps_of = defaultdict(list)  # centre index -> [(sp pk, group id)]
        for pk, group_id, centre in (Service.objects.filter(kind="sp").order_by("code")
                                     .values_list("pk", "group_id", "processing_centre")):
            self.sps_of[centre_index[centre]].append((pk, group_id))
        self.code = dict(Service.objects.values_list("pk", "code"))
        self.staff = defaultdict(lambda: defaultdict(list))  # service pk -> role -> [user]
        for user, service, role in Membership.objects.values_list("user", "service", "role"):
            self.staff[service][role].append(user)
        self.imputations = defaultdict(list)
        for service, pk in BudgetImputation.objects.order_by("axis").values_list("service", "pk"):
            self.imputations[service].append(pk)
        self.tiers = list(Tiers.objects.values_list("pk", flat=True))
        perms = dict(Permission.objects.filter(content_type__app_label="cases",
                                               content_type__model="case")
                     .values_list("codename", "pk"))
        self.view, self.change, self.process = (perms["view_case"], perms["change_case"],
                                                perms["process_case"])
        # Zipf-like centre sizes: centre 0 is the large centre the queue benchmark reads.
        weights = [1 / (c + 1) ** 0.5 for c in range(CENTRES)]
        total, acc = sum(weights), 0.0
        self.cumulative = []
        for w in weights:
            acc += w / total
            self.cumulative.append(acc)


# --- cases (COPY) ------------------------------------------------------------------------


class Copier:
    """Rows of one model written with COPY; unspecified columns get the field's default."""

    def __init__(self, model):
        from django.db import models

        self.model = model
        self.fields = model._meta.concrete_fields
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.rows = []

    def add(self, **values):
        row = []
        for field in self.fields:
            if field.attname in values:
                value = values[field.attname]
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.get_internal_type() in ("CharField", "TextField", "EmailField"):
                value = ""
            else:
                raise KeyError(f"{self.model.__name__}.{field.attname} needs a value")
            row.append(json.dumps(value) if field.attname in self.json else value)
        self.rows.append(row)

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        table = self.model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        count, self.rows = len(self.rows), []
        return count


def pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


class CaseWriter:
    def __init__(self, ref: Referential, now: datetime):
        from django.contrib.auth import get_user_model

        from cases.models import (
            Case,
            CaseEvent,
            CaseGroupObjectPermission,
            CaseUserObjectPermission,
            PurchaseLine,
            PurchaseRequest,
        )
        from documents.models import Attachment
        from kinds.fixed_assets.models import FixedAssetRequest
        from kinds.service_done.models import ServiceDoneLine, ServiceDoneStatement
        from kinds.tiers.models import TiersRequest

        self.ref, self.now = ref, now
        self.user_model = get_user_model()
        self.copiers = {m: Copier(m) for m in (
            Case, PurchaseRequest, PurchaseLine, ServiceDoneStatement, ServiceDoneLine,
            TiersRequest, FixedAssetRequest, CaseEvent, CaseUserObjectPermission,
            CaseGroupObjectPermission, Attachment)}
        self.m = {m.__name__: m for m in self.copiers}
        self.counters = defaultdict(int)  # (service, kind, year) -> last value
        self.completed_prs = defaultdict(list)  # sp -> [(case id, line id, amount)]
        self.ids = defaultdict(int)  # model name -> last id given

    def load_state(self):
        """Counters, last ids and completed purchase requests already in the database."""
        from django.db.models import Max

        from cases.models import ReferenceCounter

        for service, kind, year, last in ReferenceCounter.objects.values_list(
                "service", "kind", "year", "last_value"):
            self.counters[(service, kind, year)] = last
        for name, model in self.m.items():
            if name in ("PurchaseRequest", "ServiceDoneStatement", "TiersRequest",
                        "FixedAssetRequest"):
                continue
            self.ids[name] = model.objects.aggregate(m=Max("pk"))["m"] or 0
        rows = (self.m["PurchaseLine"].objects
                .filter(purchase_request__case__state="completed", position=1)
                .values_list("purchase_request__case__requesting_service",
                             "purchase_request_id", "pk", "purchase_request__amount_ttc"))
        for service, pr, line, amount in rows.iterator(chunk_size=20_000):
            self.completed_prs[service].append((pr, line, amount))

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def reference(self, service, kind, at: datetime) -> str:
        from cases import kinds

        key = (service, kind, at.year)
        self.counters[key] += 1
        code = self.ref.code[service]
        return f"{kinds.get(kind).reference_prefix}-{code}-{at.year}-{self.counters[key]:06d}"

    def event(self, case_id, actor, action, from_state, to_state, at, comment="", data=None):
        self.copiers[self.m["CaseEvent"]].add(
            id=self.next_id("CaseEvent"), case_id=case_id, actor_id=actor, action=action,
            from_state=from_state, to_state=to_state, comment=comment, data=data or {},
            created_at=at)

    def case(self, rng):
        ref, now = self.ref, self.now
        r = rng.random()
        c = next(i for i, acc in enumerate(ref.cumulative) if r <= acc)
        centre, centre_group = ref.centres[c]
        sp, sp_group = rng.choice(ref.sps_of[c])
        kind = pick(rng, KINDS)
        if kind == "service_done" and not self.completed_prs[sp]:
            kind = "purchase_request"
        state = pick(rng, STATES)
        if state == "awaiting_cst" and kind != "tiers":
            state = "in_progress"
        sp_staff, centre_staff = ref.staff[sp], ref.staff[centre]
        creator = rng.choice(sp_staff["sp_agent"] or sp_staff["ordonnateur"])
        agent = rng.choice(centre_staff["csp_agent"])
        if state in OPEN:
            created = now - timedelta(days=rng.uniform(0, 12))
        elif state in ("draft", "awaiting_validation"):
            created = now - timedelta(days=rng.uniform(0, 30))
        else:
            created = now - timedelta(days=rng.uniform(12, 365))
        submitted = None if state in ("draft", "awaiting_validation") else (
            created + timedelta(hours=rng.uniform(0.1, 48)))
        if state == "cancelled":
            submitted = None
        due = submitted + timedelta(days=7) if submitted else None
        completed = None
        if state in ("completed", "rejected"):
            completed = submitted + timedelta(days=rng.uniform(0.5, 9))
        elif state == "cancelled":
            completed = created + timedelta(days=1)
        amount = Decimal(round(rng.lognormvariate(7.5, 1.4), 2)).quantize(Decimal("0.01"))
        case_id = self.next_id("Case")
        reference = None if state == "draft" else self.reference(sp, kind, created)
        self.copiers[self.m["Case"]].add(
            id=case_id, reference=reference, kind=kind, state=state,
            subject=f"Demande {case_id}", requesting_service_id=sp, processing_centre_id=centre,
            created_by_id=creator, assigned_to_id=agent if state in ASSIGNED else None,
            amount=amount, created_at=created, updated_at=completed or submitted or created,
            submitted_at=submitted, due_at=due,
            paused_at=now - timedelta(hours=rng.uniform(1, 72))
            if state in ("info_requested", "awaiting_cst") else None,
            completed_at=completed, delay_working_days=5 if submitted else None,
            extra={}, wizard_state={}, version=1)
        self.details(rng, case_id, kind, state, sp, amount, created, submitted, creator)
        self.history(rng, case_id, state, creator, agent, sp_staff, created, submitted,
                     completed, amount)
        self.permissions(case_id, state, creator, sp_group, centre_group)
        if state != "draft":
            self.copiers[self.m["Attachment"]].add(
                id=self.next_id("Attachment"), case_id=case_id,
                kind={"purchase_request": "quote", "service_done": "delivery_proof",
                      "tiers": "rib"}.get(kind, "other"), message_id=None,
                file=f"cases/{case_id}/{rng.getrandbits(128):032x}", original_name="piece.pdf",
                content_type="application/pdf", size=rng.randint(20_000, 900_000),
                sha256=f"{rng.getrandbits(256):064x}", uploaded_by_id=creator,
                uploaded_at=created + timedelta(minutes=5))

    def details(self, rng, case_id, kind, state, sp, amount, created, submitted, creator):
        ref = self.ref
        if kind == "purchase_request":
            fc, cc, act = ref.imputations[sp]
            ht = (amount / Decimal("1.2")).quantize(Decimal("0.01"))
            self.copiers[self.m["PurchaseRequest"]].add(
                case_id=case_id, financial_centre_id=fc, cost_centre_id=cc, activity_id=act,
                funds_id=None, tiers_id=rng.choice(ref.tiers), description="Fournitures",
                delivery_address="", market_reference="", amount_ht=ht,
                amount_vat=amount - ht, amount_ttc=amount,
                ej_number=f"{1_000_000_000 + case_id}" if state == "completed" else None)
            line = self.next_id("PurchaseLine")
            self.copiers[self.m["PurchaseLine"]].add(
                id=line, purchase_request_id=case_id, position=1, label="Article",
                quantity=Decimal("1"), unit_price_ht=ht, vat_rate=Decimal("20"))
            if state == "completed":
                self.completed_prs[sp].append((case_id, line, amount))
        elif kind == "service_done":
            pr, line, pr_amount = rng.choice(self.completed_prs[sp])
            late = rng.random() < 0.1
            self.copiers[self.m["ServiceDoneStatement"]].add(
                case_id=case_id, purchase_request_id=pr,
                delivered_on=(created - timedelta(days=rng.randint(1, 12))).date(),
                amount_ttc=pr_amount, invoice_reference=f"F-{case_id}",
                working_days_after_delivery=rng.randint(1, 12), late=late,
                lateness_reason="supplier" if late else "", penalties=late and rng.random() < .5)
            self.copiers[self.m["ServiceDoneLine"]].add(
                id=self.next_id("ServiceDoneLine"), statement_id=case_id,
                purchase_line_id=line, quantity=Decimal("1"), amount_ttc=pr_amount)
        elif kind == "tiers":
            t = 100_000 + case_id
            self.copiers[self.m["TiersRequest"]].add(
                case_id=case_id, operation="creation", tiers_id=None, category="company",
                name=f"Nouveau fournisseur {case_id}", siret=luhn_siret(t),
                siren=luhn_siret(t)[:9], address="2 rue de la Gare", postcode="69001",
                city="Lyon", country="FR", email=f"contact{case_id}@example.fr")
        elif kind == "fixed_asset":
            self.copiers[self.m["FixedAssetRequest"]].add(
                case_id=case_id, asset_kind="fiec", label=f"Bâtiment {case_id}", service_id=sp,
                inventory_number="", holds_number=state not in ("rejected", "cancelled"))

    def history(self, rng, case_id, state, creator, agent, sp_staff, created, submitted,
                completed, amount):
        self.event(case_id, creator, "create", "", "draft", created)
        if state == "draft":
            return
        if state == "awaiting_validation":
            self.event(case_id, creator, "submit", "draft", state, created + timedelta(hours=1))
            return
        if state == "cancelled":
            self.event(case_id, creator, "cancel", "draft", state, completed)
            return
        if amount > 5000:
            at = submitted - timedelta(minutes=30)
            self.event(case_id, creator, "submit", "draft", "awaiting_validation", at)
            self.event(case_id, rng.choice(sp_staff["ordonnateur"]), "validate",
                       "awaiting_validation", "submitted", submitted)
        else:
            self.event(case_id, creator, "submit", "draft", "submitted", submitted)
        if state == "submitted":
            return
        claimed = submitted + timedelta(hours=2)
        self.event(case_id, agent, "claim", "submitted", "in_progress", claimed)
        if state == "info_requested":
            self.event(case_id, agent, "request_info", "in_progress", state, claimed,
                       comment="Merci de préciser le besoin.", data=MISSING_DOCUMENT)
        elif state == "awaiting_cst":
            self.event(case_id, agent, "send_to_cst", "in_progress", state, claimed)
        elif state in ("completed", "rejected"):
            self.event(case_id, agent, "complete" if state == "completed" else "reject",
                       "in_progress", state, completed,
                       data=None if state == "completed" else MISSING_DOCUMENT)

    def permissions(self, case_id, state, creator, sp_group, centre_group):
        ref = self.ref
        users, groups = (self.copiers[self.m["CaseUserObjectPermission"]],
                         self.copiers[self.m["CaseGroupObjectPermission"]])
        for perm in (ref.view, ref.change):
            users.add(id=self.next_id("CaseUserObjectPermission"), permission_id=perm,
                      user_id=creator, content_object_id=case_id)
        if state in ("draft", "cancelled"):
            return
        groups.add(id=self.next_id("CaseGroupObjectPermission"), permission_id=ref.view,
                   group_id=sp_group, content_object_id=case_id)
        if state == "awaiting_validation":
            return
        for perm in (ref.view, ref.process):
            groups.add(id=self.next_id("CaseGroupObjectPermission"), permission_id=perm,
                       group_id=centre_group, content_object_id=case_id)

    def flush(self, cursor) -> int:
        from cases.models import ReferenceCounter

        # Parents before children (foreign keys are checked at each row).
        written = sum(copier.flush(cursor) for copier in self.copiers.values())
        counters = [ReferenceCounter(service_id=s, kind=k, year=y, last_value=v)
                    for (s, k, y), v in self.counters.items()]
        ReferenceCounter.objects.bulk_create(
            counters, update_conflicts=True, unique_fields=["service", "kind", "year"],
            update_fields=["last_value"])
        return written


def reset_sequences(cursor, models):
    for model in models:
        if model._meta.pk.get_internal_type() not in ("AutoField", "BigAutoField"):
            continue
        table = model._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f"COALESCE(MAX(id), 1)) FROM \"{table}\"")


def seed_cases(total: int) -> None:
    from django.db import connection, transaction

    from cases.models import Case

    existing = Case.objects.count()
    if existing >= total:
        print(f"cases: {existing} already there, nothing to add")
        return
    ref = Referential()
    now = datetime.now(UTC).replace(microsecond=0)
    writer = CaseWriter(ref, now)
    writer.load_state()
    started, rows = time.perf_counter(), 0
    for chunk_start in range(existing - existing % CHUNK, total, CHUNK):
        rng = random.Random(SEED + chunk_start)
        chunk_end = min(chunk_start + CHUNK, total)
        with transaction.atomic(), connection.cursor() as cursor:
            # Rows are consistent by construction: skip the per-row foreign-key triggers
            # (the loading technique of pg_restore; needs a superuser, as on a bench server).
            cursor.execute("SET LOCAL session_replication_role = replica")
            for _ in range(max(chunk_start, existing), chunk_end):
                writer.case(rng)
            rows += writer.flush(cursor.cursor)
            reset_sequences(cursor, writer.m.values())
        elapsed = time.perf_counter() - started
        print(f"  {chunk_end:>9,} cases, {rows:>11,} rows, {rows / elapsed:,.0f} rows/s",
              flush=True)
    elapsed = time.perf_counter() - started
    print(f"cases: {total - existing:,} added with {rows:,} rows in {elapsed:.0f} s "
          f"({rows / elapsed:,.0f} rows/s, {(total - existing) / elapsed:,.0f} cases/s)")


def seed_order_forms() -> None:
    """Completed purchase requests have their signed order form, but for those completed in
    the last two days (still to sign): one set-based insert, idempotent."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("""
            INSERT INTO documents_issueddocument
                (case_id, kind, file, size, sha256, signed_by_id, signer_name, signer_role,
                 certificate_fingerprint, issued_at)
            SELECT c.id, 'order_form', 'issued/' || c.id || '/bon-de-commande.pdf', 48000,
                   md5(c.id::text) || md5(c.reference), c.assigned_to_id, 'Agent du centre',
                   'Chargé de prestations financières', md5('bench-certificate'),
                   c.completed_at + interval '1 hour'
              FROM cases_case c
             WHERE c.kind = 'purchase_request' AND c.state = 'completed'
               AND c.completed_at < now() - interval '2 days'
            ON CONFLICT ON CONSTRAINT issued_document_once DO NOTHING""")
        added = cursor.rowcount
        # What the workflow's complete and sign effects keep: the requests still to sign.
        cursor.execute("""
            UPDATE cases_case c SET awaiting_signature = NOT awaiting_signature
             WHERE c.kind = 'purchase_request' AND c.state = 'completed'
               AND awaiting_signature = EXISTS (
                   SELECT 1 FROM documents_issueddocument d
                    WHERE d.case_id = c.id AND d.kind = 'order_form')""")
    print(f"order forms: {added:,} signed order forms added in "
          f"{time.perf_counter() - started:.0f} s")


def vacuum() -> None:
    """Fresh statistics and visibility maps, as a production database has them (the
    planner's choices and index-only scans depend on both)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"vacuum analyze: {time.perf_counter() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    print_machine()
    scale_env.setup()
    seed_organisations()
    seed_cases(args.cases)
    seed_order_forms()
    vacuum()


if __name__ == "__main__":
    main()
