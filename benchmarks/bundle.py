"""The bundle (``make bundle``, dist/gpdesk): its size and its cold start to the login window.

Both against a bare PySide6 window frozen the same way in the same run (PyInstaller, one
folder, built once into build/bench-bare/): size target <= 3x (gpdesk carries QtPdf, the PDF
readers, cryptography and PostgreSQL's client besides Qt's widgets), start-up target <= 2.5x.
Start-up alternates bare and gpdesk runs as benchmarks/startup.py does, with the demo home at
gpdesk's real key cost; "shown" is the login window's first event-loop turn
(``GPDESK_STARTUP_PROBE``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import bench_line, child_env, make_demo_home, median
from benchmarks.startup import BARE, RUNS, _time_to_shown

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "gpdesk"
BARE_DIR = ROOT / "build" / "bench-bare"


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def bare_bundle() -> Path:
    """The bare window frozen with the same PyInstaller (built on first use, then reused)."""
    exe = BARE_DIR / "dist" / "bare" / "bare"
    if exe.is_file():
        return exe
    BARE_DIR.mkdir(parents=True, exist_ok=True)
    script = BARE_DIR / "bare.py"
    script.write_text(BARE, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--log-level", "ERROR",
         "--distpath", str(BARE_DIR / "dist"), "--workpath", str(BARE_DIR / "work"),
         "--specpath", str(BARE_DIR), "--name", "bare", str(script)],
        check=True,
    )  # fmt: skip
    return exe


def run() -> list[str]:
    """Size, then start-up; a missing bundle is an error (``make bench`` builds it first)."""
    exe = BUNDLE / "gpdesk"
    if not exe.is_file():
        raise RuntimeError(f"no bundle at {BUNDLE}: run make bundle (needs PyInstaller)")
    bare = bare_bundle()
    lines = [
        bench_line(
            "bundle_size", folder_size(BUNDLE) / 1e6, folder_size(bare.parent) / 1e6, "MB", 3
        )
    ]
    with tempfile.TemporaryDirectory(prefix="gpdesk-bench-") as tmp:
        home = make_demo_home(Path(tmp) / "home")
        env = child_env(GPDESK_STARTUP_PROBE="1")
        bare_cmd, app_cmd = [str(bare)], [str(exe), "--home", str(home)]
        _time_to_shown(bare_cmd, env)  # warm the file cache once for both
        _time_to_shown(app_cmd, env)
        bare_ms, app_ms = [], []
        for _ in range(RUNS):
            bare_ms.append(_time_to_shown(bare_cmd, env))
            app_ms.append(_time_to_shown(app_cmd, env))
    lines.append(bench_line("bundle_startup_to_login", median(app_ms), median(bare_ms), "ms", 2.5))
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
