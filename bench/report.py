"""How the scale benchmarks print their figures: percentiles, one aligned line per figure,
and the verdict against its goal."""

import statistics
from datetime import UTC


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) of the samples."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def line(label: str, value: str, goal: str = "") -> None:
    print(f"  {label:<62} {value:>22}  {goal}", flush=True)


def verdict(ok: bool) -> str:
    return "atteint" if ok else "MANQUÉ"


def print_machine() -> None:
    """Which machine and load the figures were measured under: the ratios hold across
    machines, the absolute figures do not (bench/README.md)."""
    import os
    import platform
    import sys
    from datetime import datetime

    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((row.split(":", 1)[1].strip() for row in cpuinfo
                          if row.startswith("model name")), "")
    except OSError:
        pass
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Machine : {platform.node()}, {os.cpu_count()} cœurs ({model or platform.machine()}), "
          f"Python {sys.version.split()[0]} ; charge (1, 5, 15 min) : {load} ; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)
