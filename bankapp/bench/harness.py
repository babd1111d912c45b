"""Bench plumbing: sizes, figures with their same-run baselines, the table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bankapp.bench.fixture import DEFAULT_CACHE


@dataclass(frozen=True)
class BenchConfig:
    """Every size the benchmark uses; `small()` is what the smoke test runs."""

    postings: int = 1_000_000
    hot_postings: int = 100_000
    small_postings: int = 10_000
    customers: int = 500
    transfers: int = 1_500
    teller_counts: tuple[int, ...] = (1, 2, 4)
    teller_seconds: float = 4.0
    repeats: int = 7
    startup_runs: int = 3
    hash_runs: int = 5
    savings_accounts: int = 100_000
    savings_accounts_pg: int = 20_000
    postgres_url: str | None = None
    cache: Path = DEFAULT_CACHE

    @classmethod
    def small(cls, cache: Path, postgres_url: str | None = None) -> BenchConfig:
        return cls(
            postings=4_000,
            hot_postings=1_000,
            small_postings=400,
            customers=10,
            transfers=20,
            teller_counts=(1, 2),
            teller_seconds=0.3,
            repeats=2,
            startup_runs=1,
            hash_runs=1,
            savings_accounts=300,
            savings_accounts_pg=100,
            postgres_url=postgres_url,
            cache=cache,
        )


@dataclass(frozen=True)
class Figure:
    """One measured value beside its baseline from the same run; ratio = value / baseline."""

    section: str
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sizes: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print(
            f"  {figure.section}: {figure.name} = {_num(figure.value)} {figure.unit}"
            f"  (baseline {_num(figure.baseline)}, ratio {_ratio(figure.ratio)})",
            flush=True,
        )

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def table(self) -> str:
        headers = ("section", "figure", "value", "baseline (same run)", "base value", "ratio", "")
        rows = [
            (
                f.section,
                f.name,
                f"{_num(f.value)} {f.unit}",
                f.baseline_name,
                f"{_num(f.baseline)} {f.unit}",
                _ratio(f.ratio),
                f.note,
            )
            for f in self.figures
        ]
        widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
        line = "  ".join("-" * w for w in widths)
        out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), line]
        out += [
            "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        out += [f"* {n}" for n in self.notes]
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": git_sha(),
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average": os.getloadavg(),
            },
            "sizes": self.sizes,
            "figures": [{**asdict(f), "ratio": f.ratio} for f in self.figures],
            "notes": self.notes,
        }

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"results-{git_sha()}.json"
        path.write_text(json.dumps(self.to_json(), indent=2, default=str))
        return path


def git_sha() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """The median wall time of `repeats` calls (the first call is not discarded)."""
    times = []
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _num(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def _ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"
