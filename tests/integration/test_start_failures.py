"""Starting gpdesk where its folder is unusable: one Dutch line (and exit 1), never a traceback.

A home on a read-only disk is made for real: as a normal user with a folder without write
permission; as root (CI), for whom permissions do not stop writing, with a read-only bind mount
in a private mount namespace (``unshare``). Where neither is possible the test says so and skips.
The window's box for the same line: tests/gui/test_start_problem.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gpdesk.config import Home


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"  # a display Qt could use; no box is shown offscreen
    return env


def _gpdesk(*args: str, wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "gpdesk", *args],
        capture_output=True, text=True, env=_env(), timeout=120, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"gpdesk: fout: {expected}"), lines[0]


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "schijf"
    blocker.write_text("geen map", encoding="utf-8")
    _one_line(
        _gpdesk("--home", str(blocker / "gpdesk")), "De gpdesk-map kan niet worden aangemaakt."
    )
    _one_line(_gpdesk("--home", str(blocker)), "De opgegeven gpdesk-map is geen map.")


def _read_only_runner(disk: Path) -> list[str]:
    """A command prefix that runs a program with ``disk`` read-only, or skip saying why not."""
    if os.geteuid() != 0:
        disk.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip(
            "root, and no 'unshare' for a read-only bind mount: cannot make a read-only disk"
        )
    probe = subprocess.run(
        [unshare, "--mount", "sh", "-c",
         f'mount --bind -o ro "{disk}" "{disk}" && ! touch "{disk}/probe" 2>/dev/null'],
        capture_output=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip("root, and a read-only bind mount is not allowed here: cannot make one")
    script = f'mount --bind -o ro "{disk}" "{disk}" && exec "$@"'
    return [unshare, "--mount", "sh", "-c", script, "gpdesk"]


def test_a_home_on_a_read_only_disk(tmp_path: Path) -> None:
    disk = tmp_path / "schijf"
    existing = Home(disk / "praktijk").ensure()  # a practice's folder, then the disk went ro
    wrap = _read_only_runner(disk)
    try:
        _one_line(
            _gpdesk("--home", str(existing.path), wrap=wrap),
            "In de gpdesk-map kan niet worden geschreven.",
        )
        _one_line(
            _gpdesk("--home", str(disk / "nieuw"), wrap=wrap),
            "De gpdesk-map kan niet worden aangemaakt.",
        )
    finally:
        disk.chmod(0o755)
    assert not (disk / "nieuw").exists()
