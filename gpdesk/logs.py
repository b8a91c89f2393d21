"""Logging to a rotating file in the home directory.

Rule for every log call in gpdesk: technical facts only (counts, ids of our own rows, durations,
error types) - never a name, BSN, phone number, question or letter text.
"""

from __future__ import annotations

import logging
import logging.handlers

from gpdesk.config import Home


def setup_logging(home: Home, level: str = "INFO") -> None:
    """Log to ``HOME/logs/gpdesk.log``; falls back to stderr when the directory is unwritable."""
    handler: logging.Handler
    try:
        home.log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            home.log_dir / "gpdesk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
