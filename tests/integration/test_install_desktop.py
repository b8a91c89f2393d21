"""``installer/install-desktop.sh`` (``make install-desktop``) into a throwaway HOME.

It writes the menu entry with the program's absolute path, the icons, the gpdesk:// handler in
mimeapps.list (keeping the user's other choices), a ~/.local/bin link; ``--remove`` undoes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "install-desktop.sh"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    return subprocess.run(
        ["sh", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60,
        check=False,
    )  # fmt: skip


@pytest.fixture
def program(tmp_path: Path) -> Path:
    exe = tmp_path / "opt" / "gpdesk" / "gpdesk"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


def test_installs_entry_icon_and_url_scheme(tmp_path: Path, program: Path) -> None:
    home = tmp_path / "home"
    config = home / ".config"
    config.mkdir(parents=True)
    (config / "mimeapps.list").write_text(
        "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/gpdesk=oud.desktop\n",
        encoding="utf-8",
    )
    result = _run(home, str(program))
    assert result.returncode == 0, result.stderr
    assert "gpdesk staat in het menu" in result.stdout

    data = home / ".local" / "share"
    entry = (data / "applications" / "gpdesk.desktop").read_text(encoding="utf-8")
    assert f"Exec={program} %u\n" in entry
    assert "MimeType=x-scheme-handler/gpdesk;\n" in entry
    assert (data / "icons/hicolor/scalable/apps/gpdesk.svg").read_bytes() == (
        ROOT / "resources/icons/gpdesk.svg"
    ).read_bytes()
    assert (data / "icons/hicolor/256x256/apps/gpdesk.png").is_file()
    assert (home / ".local/bin/gpdesk").resolve() == program
    assert (config / "mimeapps.list").read_text(encoding="utf-8").splitlines() == [
        "[Default Applications]",
        "x-scheme-handler/gpdesk=gpdesk.desktop",
        "text/html=firefox.desktop",
    ]
    validate = shutil.which("desktop-file-validate")
    if validate:
        checked = subprocess.run([validate, str(data / "applications" / "gpdesk.desktop")],
                                 capture_output=True, text=True, check=False)  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr

    assert _run(home, str(program)).returncode == 0  # again: still one line for the scheme
    assert (config / "mimeapps.list").read_text(encoding="utf-8").count("gpdesk") == 2

    removed = _run(home, "--remove")
    assert removed.returncode == 0, removed.stderr
    assert not (data / "applications" / "gpdesk.desktop").exists()
    assert not (home / ".local/bin/gpdesk").exists()
    assert (config / "mimeapps.list").read_text(encoding="utf-8").splitlines() == [
        "[Default Applications]",
        "text/html=firefox.desktop",
    ]


def test_a_fresh_home_gets_a_mimeapps_list(tmp_path: Path, program: Path) -> None:
    home = tmp_path / "home"
    assert _run(home, str(program)).returncode == 0
    assert (home / ".config/mimeapps.list").read_text(encoding="utf-8") == (
        "[Default Applications]\nx-scheme-handler/gpdesk=gpdesk.desktop\n"
    )


def test_a_missing_program_or_a_path_with_spaces_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing = _run(home, str(tmp_path / "nergens" / "gpdesk"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("gpdesk is niet gevonden.")
    spaced = tmp_path / "met spatie" / "gpdesk"
    spaced.parent.mkdir()
    spaced.write_text("#!/bin/sh\n", encoding="utf-8")
    spaced.chmod(0o755)
    refused = _run(home, str(spaced))
    assert refused.returncode == 1
    assert "geen spaties" in refused.stderr
    assert not (home / ".local/share/applications/gpdesk.desktop").exists()
