"""Icons and other files from resources/, found the same way installed or from a checkout."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon


def resource_path(*parts: str) -> Path:
    """A file under resources/ (packaged as ``gpdesk.resources``)."""
    return Path(str(files("gpdesk.resources").joinpath(*parts)))


@cache
def app_icon() -> QIcon:
    """The gpdesk application icon (SVG, with a PNG fallback for platforms without the plugin)."""
    icon = QIcon(str(resource_path("icons", "gpdesk.svg")))
    if icon.isNull():
        icon = QIcon(str(resource_path("icons", "gpdesk-256.png")))
    return icon
