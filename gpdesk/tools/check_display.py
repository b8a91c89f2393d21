"""Can this computer show gpdesk's window? Asked before Qt is, because Qt aborts with a core dump.

Two things go wrong on a fresh Linux machine: there is no graphical session at all (a terminal
over SSH, a service), or Qt's X11 platform plugin (``libqxcb.so``) misses system libraries that
a Debian desktop does not install by default. ``display_problem`` answers the first from the
environment alone; ``window_problem`` also runs ``ldd`` on the plugin and names the one
``apt-get install`` line that fixes the second. ``gpdesk`` asks ``window_problem`` before it
creates the QApplication (also in the bundle); ``make run`` runs this module.

This module imports nothing from Qt: it must work exactly when Qt cannot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from pathlib import Path

NO_DISPLAY = (
    "gpdesk heeft een beeldscherm nodig: er is hier geen grafische sessie (DISPLAY of "
    "WAYLAND_DISPLAY). Start gpdesk vanaf het bureaublad; de opdrachten zonder venster werken "
    "wel (gpdesk --help)."
)

XCB_LIBRARY_PACKAGES: Mapping[str, str] = {
    # What ldd lists for PySide6 6.8-6.11's libqxcb.so on Debian 12, beyond libc and the Qt
    # libraries PySide6 brings itself, with the Debian package that holds each.
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

ALL_XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 "
    "libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 "
    "libfontconfig1 libdbus-1-3"
)
"""The README's line: everything a minimal Debian desktop may lack (apt brings the rest)."""

_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found\s*$", re.MULTILINE)


def requested_platforms(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (``QT_QPA_PLATFORM="wayland;xcb"``)."""
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        names = [part.split(":", 1)[0].strip() for part in requested.split(";")]
        return [name for name in names if name] or ["xcb"]
    # Unset: Qt 6 tries Wayland first in a Wayland session, then X11 (the default).
    if env.get("XDG_SESSION_TYPE") == "wayland" or env.get("WAYLAND_DISPLAY"):
        return ["wayland", "xcb"]
    return ["xcb"]


def _reachable(name: str, env: Mapping[str, str]) -> bool:
    if name == "xcb":
        return bool(env.get("DISPLAY"))
    if name.startswith("wayland"):
        # Without WAYLAND_DISPLAY the Wayland client tries the default socket, wayland-0.
        runtime = env.get("XDG_RUNTIME_DIR")
        return bool(env.get("WAYLAND_DISPLAY")) or (
            bool(runtime) and Path(str(runtime), "wayland-0").exists()
        )
    return True  # offscreen, minimal, vnc, eglfs, linuxfb: no display server needed


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """One Dutch line when no platform Qt would try can reach a display; None when one can."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have their own display
    if any(_reachable(name, env) for name in requested_platforms(env)):
        return None
    return NO_DISPLAY


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` could not find, in its order, each once."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def packages_for(libraries: Sequence[str]) -> tuple[list[str], list[str]]:
    """Debian packages for ``libraries`` (sorted, each once) and the libraries we cannot name."""
    known = sorted({XCB_LIBRARY_PACKAGES[lib] for lib in libraries if lib in XCB_LIBRARY_PACKAGES})
    unknown = [lib for lib in libraries if lib not in XCB_LIBRARY_PACKAGES]
    return known, unknown


def libraries_problem(missing: Sequence[str]) -> str | None:
    """A Dutch line and the ``apt-get`` line for missing libraries; None when none is missing."""
    if not missing:
        return None
    packages, unknown = packages_for(missing)
    text = (
        "gpdesk kan hier geen venster openen: Qt mist systeembibliotheken voor het beeldscherm "
        f"({', '.join(missing)})."
    )
    if packages:
        text += " Installeer ze met:\n    sudo apt-get install " + " ".join(packages)
    if unknown:
        text += (
            "\nVoor " + ", ".join(unknown) + " is geen pakket bekend; zoek het pakket dat dit "
            "bestand levert (bijvoorbeeld met 'apt-file search')."
        )
    return text


def xcb_plugin() -> Path | None:
    """PySide6's X11 platform plugin, found without importing Qt."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations)), "Qt/plugins/platforms/libqxcb.so")
    return plugin if plugin.is_file() else None


def ldd_missing(plugin: Path) -> list[str]:
    """Run ``ldd`` on ``plugin``; an absent ``ldd`` (not glibc) reports nothing missing."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False)
    return missing_libraries(result.stdout)


DLOPENED: Sequence[str] = ("libxcb-cursor.so.0",)
"""Libraries Qt (6.5 and later) loads by name at start, so ``ldd`` never lists them missing."""


def dlopened_missing(names: Sequence[str] = DLOPENED) -> list[str]:
    """The libraries of ``names`` the dynamic loader cannot find (loading one is harmless)."""
    import ctypes

    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def window_problem(env: Mapping[str, str], plugin: Path | None = None) -> str | None:
    """Can the window open here? The display, then (X11 on Linux) the plugin's libraries.

    ``gpdesk`` asks this before it creates the QApplication, in a checkout and in the bundle
    (whose X11 plugin still needs the system's xcb libraries): one ``ldd`` run, some 30 ms.
    """
    problem = display_problem(env)
    if problem is None and requested_platforms(env)[0] == "xcb" and sys.platform == "linux":
        plugin = plugin or xcb_plugin()
        if plugin is not None:
            problem = libraries_problem(ldd_missing(plugin) + dlopened_missing())
    return problem


def main(argv: Sequence[str] | None = None) -> int:
    """``make run``'s check: exit 1 with what to do, or 0 (also when the check does not apply)."""
    args = list(sys.argv[1:] if argv is None else argv)
    problem = window_problem(os.environ, Path(args[0]) if args else None)
    if problem is None:
        return 0
    sys.stderr.write(problem + "\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
