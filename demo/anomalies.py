"""Past anomalies for the restitutions' twelve months: the demo's own requests are a few weeks
old, so this adds, once, a few requests a month over the past year (no earlier than the demo
conventions) that were questioned, returned by their ordonnateur or rejected — through the
real services, each classified by demo_data.ANOMALY_OF_COMMENT.

Idempotent: an anomaly older than the demo's recent requests means it already ran.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from cases.models import CaseEvent
from cases.workflow import State
from conventions.models import ConventionPage
from notifications.services import emails_suspended
from portal.models import Service

from . import demo_data as demo

SEED = 20260312
PER_MONTH = 4  # requests with an anomaly, per month and demo service
MONTHS = 12
# The demo's own requests are at most ~40 working days old: an anomaly older than this one
# comes from here.
RECENT = timedelta(days=90)


def _already_seeded(now: datetime) -> bool:
    return CaseEvent.objects.filter(case__in=demo.demo_cases(), data__has_key="anomaly",
                                    created_at__lt=now - RECENT).exists()


def _dated(rng: random.Random, plan, day, now: datetime) -> bool:
    """Date the plan's moves from `day` on (office hours); False if they would reach today."""
    moment = plan.created_at = demo._local(day, demo.OFFICE_OPENS) + timedelta(
        minutes=rng.randint(0, 7 * 60))
    for move in plan.moves:
        moment = move.at = demo._office_hours(rng, moment + timedelta(
            hours=rng.uniform(*move.hours)))
    return moment < now - timedelta(days=1)


def _plans(rng, now, casts, tiers_by_theme, since) -> list:
    plans = []
    today = timezone.localtime(now).date()
    for cast in casts.values():
        for month in range(MONTHS):
            for _n in range(PER_MONTH):
                day = demo._working_day_back(today, 21 * month + rng.randint(0, 20))
                if day < since:
                    continue
                returned = rng.random() < 0.25  # sent back by the ordonnateur
                creator = cast.agents[0]
                content = demo._content(rng, cast, returned, tiers_by_theme)
                needs_validation = demo.amounts.purchase_totals(
                    content.lines).ttc > demo._ceiling(creator)
                target = State.DRAFT if returned and needs_validation else State.REJECTED
                step, submitted, moves = demo._story(rng, cast, creator, target,
                                                     needs_validation, content)
                plan = demo.Plan(target, cast, creator, content, step, submitted, moves,
                                 quote_age=rng.randint(1, 20))
                if _dated(rng, plan, day, now):
                    plans.append(plan)
    return sorted(plans, key=lambda plan: plan.created_at)


def seed_past_anomalies(now: datetime | None = None) -> int:
    """The past year's requests with an anomaly, once; returns how many were created."""
    now = now or timezone.now()
    if _already_seeded(now):
        return 0
    codes = [spec.code for spec in (*demo.CENTRES, *demo.PRESCRIBING)]
    services = {s.code: s for s in Service.objects.filter(code__in=codes)}
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[spec.username for spec in demo.USERS])}
    since = (ConventionPage.objects.live().filter(services__code__in=demo.SP_CODES)
             .aggregate(first=Min("valid_from"))["first"])
    if since is None or len(users) < len(demo.USERS) or len(services) < len(codes):
        return 0  # seed_demo's own data first
    # Read again (get or create by SIRET: nothing is created twice).
    tiers_by_theme = demo._seed_tiers(demo.SeedReport())
    plans = _plans(random.Random(SEED), now, demo._casts(services, users), tiers_by_theme,
                   since)
    with emails_suspended(), transaction.atomic():
        for plan in plans:
            demo._play(plan)
    return len(plans)
