"""No name oracle (#14): a refused sign-in through the CLI for an unknown name against a known one.

Both run ``gpdesk user list --user NAAM`` with a wrong password as a separate process, on a demo
practice whose accounts use gpdesk's real key cost (``DEFAULT_KDF``), alternating (and which goes
first), medians of ``RUNS``. The known name is the floor: the figure is the unknown name's time
as a ratio to it, which should be 1.0 within the noise (target: at most 1.1; below 0.91 would
give names away too). Between runs the lockout counters are reset in the file, so neither name
starts to wait.
"""

from __future__ import annotations

import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import PYTHON, bench_line, child_env, make_demo_home, median

RUNS = 9
TARGET = 1.1


def _refused_ms(home: Path, name: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "-m", "gpdesk", "user", "list", "--user", name, "--home", str(home)],
        env=env | {"GPDESK_PASSWORD": "geen-goed-wachtwoord"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 1 or "onjuist wachtwoord" not in result.stderr:
        raise RuntimeError(f"expected the vague refusal for {name}: {result.stderr[-500:]}")
    return elapsed


def _forget_failures(database: Path) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE user_account SET failed_logins = 0, locked_until = NULL")
        conn.execute("DELETE FROM sign_in_throttle")
    conn.close()


def run() -> list[str]:
    """One figure: unknown name against known name, and a comment line with the verdict."""
    with tempfile.TemporaryDirectory(prefix="gpdesk-bench-") as tmp:
        home = make_demo_home(Path(tmp) / "home")
        database = home / "gpdesk.sqlite3"
        env = child_env()
        known, unknown = [], []
        for i in range(RUNS + 1):
            if i % 2:  # alternate which goes first, so neither gets the warmer machine
                unknown_ms = _refused_ms(home, f"niemand{i}", env)
                known_ms = _refused_ms(home, "bakker", env)
            else:
                known_ms = _refused_ms(home, "bakker", env)
                unknown_ms = _refused_ms(home, f"niemand{i}", env)
            _forget_failures(database)
            if i > 0:  # the first round warms caches
                known.append(known_ms)
                unknown.append(unknown_ms)
    value, floor = median(unknown), median(known)
    ratio = value / floor
    verdict = "within" if 1 / TARGET <= ratio <= TARGET else "OUTSIDE"
    return [
        bench_line("sign_in_unknown_name_cli", value, floor, "ms", TARGET),
        f"# sign_in_unknown_name_cli: floor is a known name; ratio {ratio:.2f} is {verdict} "
        f"{1 / TARGET:.2f}-{TARGET:g}",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
