"""Shared bits: the BENCH line format and a demo home to measure against."""

from __future__ import annotations

import os
import random
import statistics
import sys
from pathlib import Path


def bench_line(name: str, value: float, floor: float, unit: str, target: float) -> str:
    """``BENCH <name> value=<n><unit> floor=<n><unit> ratio=<n> target=<n>``."""
    ratio = value / floor if floor > 0 else float("inf")
    return (
        f"BENCH {name} value={value:.1f}{unit} floor={floor:.1f}{unit} "
        f"ratio={ratio:.2f} target={target:g}"
    )


def median(values: list[float]) -> float:
    """Median, robust to the odd slow run on a noisy machine."""
    return statistics.median(values)


def child_env(**extra: str) -> dict[str, str]:
    """Environment for measured child processes: offscreen, no developer GPDESK_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def make_demo_home(path: Path) -> Path:
    """A demo practice at gpdesk's real key cost: cheaper accounts are refused at sign-in (#14).

    Making it costs a few seconds of Argon2id, outside every measurement.
    """
    from gpdesk.config import Home
    from gpdesk.db import open_database
    from gpdesk.practice.demo import create_demo

    home = Home(path).ensure()
    db = open_database(f"sqlite:///{home.database_file}")
    create_demo(db)
    db.dispose()
    return path


PYTHON = sys.executable


def random_bsn(rng: random.Random) -> str:
    """A random nine-digit number passing the 11-proef."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and (digits[0] or digits[1]):
            return "".join(map(str, digits)) + str(last)


def patient_place(column: str, record: int) -> bytes:
    """The associated data ``Vault`` binds a patient value to (see ``gpdesk.security.crypto``)."""
    return f"gpdesk/2\x00patient\x00{column}\x00{record}".encode()
