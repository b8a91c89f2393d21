"""Running ``python -m gpdesk`` as a user would, for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys


def gpdesk(*args: str, password: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """A real process with a clean environment; PYTHONPATH passes through to the child."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    environment.update(env)
    environment["QT_QPA_PLATFORM"] = "offscreen"
    if password is not None:
        environment["GPDESK_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "gpdesk", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
