"""django-q2 task run every night (scheduled by this app's migration)."""

from .daily import build_daily_figures as build


def build_daily_figures() -> str:
    spans = build()
    days = sum((last - first).days + 1 for first, last in spans)
    return f"{days} jour(s) de chiffres des restitutions agrégés"
