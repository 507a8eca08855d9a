"""How the scale benchmarks print their figures: percentiles, one aligned line per figure,
and the verdict against its goal."""

import statistics


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) of the samples."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def line(label: str, value: str, goal: str = "") -> None:
    print(f"  {label:<62} {value:>22}  {goal}", flush=True)


def verdict(ok: bool) -> str:
    return "ok" if ok else "AU-DELÀ DE L'OBJECTIF"
