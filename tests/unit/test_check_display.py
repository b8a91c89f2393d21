"""Before Qt is asked: is there a display, and does Qt's X11 plugin find its system libraries?"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gpdesk.tools.check_display import (
    ALL_XCB_PACKAGES,
    NO_DISPLAY,
    XCB_LIBRARY_PACKAGES,
    display_problem,
    dlopened_missing,
    libraries_problem,
    missing_libraries,
    packages_for,
    requested_platforms,
    xcb_plugin,
)

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd4b5f5000)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x7f1)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2)
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["xcb"]),
        ({"DISPLAY": ":0"}, ["xcb"]),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
        ({"XDG_SESSION_TYPE": "wayland"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, ["offscreen"]),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, ["xcb"]),
    ],
)
def test_platforms_qt_will_try(env: dict[str, str], expected: list[str]) -> None:
    assert requested_platforms(env) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"DISPLAY": ":0"},
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "minimal"},
        {"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"},
    ],
)
def test_a_display_or_a_platform_without_one_is_fine(env: dict[str, str]) -> None:
    assert display_problem(env, "linux") is None


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"XDG_SESSION_TYPE": "tty"},
        {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"},
        {"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"},
    ],
)
def test_no_reachable_display_gives_one_dutch_line(env: dict[str, str]) -> None:
    assert display_problem(env, "linux") == NO_DISPLAY
    assert NO_DISPLAY.startswith("gpdesk heeft een beeldscherm nodig:")
    assert "\n" not in NO_DISPLAY


def test_wayland_default_socket_counts(tmp_path: Path) -> None:
    (tmp_path / "wayland-0").touch()
    env = {"XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert display_problem(env, "linux") is None


def test_windows_and_macos_always_have_a_display() -> None:
    assert display_problem({}, "win32") is None
    assert display_problem({}, "darwin") is None


def test_missing_libraries_are_read_from_ldd_each_once() -> None:
    assert missing_libraries(LDD_OUTPUT) == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxkbcommon-x11.so.0",
    ]
    assert missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_libraries_map_to_debian_packages() -> None:
    packages, unknown = packages_for([*missing_libraries(LDD_OUTPUT), "libfoo.so.3"])
    assert packages == ["libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0"]
    assert unknown == ["libfoo.so.3"]
    assert set(ALL_XCB_PACKAGES.split()) <= set(XCB_LIBRARY_PACKAGES.values())


def test_the_message_is_one_dutch_line_and_the_apt_get_line() -> None:
    text = libraries_problem(missing_libraries(LDD_OUTPUT))
    assert text is not None
    first, second = text.split("\n")
    assert first.startswith("gpdesk kan hier geen venster openen")
    assert "libxcb-cursor.so.0" in first
    assert second.strip() == "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0"
    assert libraries_problem([]) is None


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None or xcb_plugin() is None,
    reason="needs Linux, ldd and PySide6's libqxcb.so",
)
def test_make_run_check_reports_a_library_ldd_cannot_find(tmp_path: Path) -> None:
    """A copy of the real plugin that needs one library no machine has, checked with real ldd."""
    plugin = xcb_plugin()
    assert plugin is not None
    platforms = tmp_path / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (tmp_path / "Qt" / "lib").symlink_to(plugin.parents[2] / "lib")  # the plugin's RPATH
    binary = plugin.read_bytes()
    assert b"libxcb-icccm.so.4\0" in binary
    copy = platforms / "libqxcb.so"
    copy.write_bytes(binary.replace(b"libxcb-icccm.so.4\0", b"libxcb-icccX.so.4\0"))
    result = subprocess.run(
        [sys.executable, "-m", "gpdesk.tools.check_display", str(copy)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DISPLAY": ":0"},
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("gpdesk kan hier geen venster openen")
    assert "libxcb-icccX.so.4" in result.stderr


def test_make_run_check_skips_the_libraries_for_offscreen() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gpdesk.tools.check_display", "/nonexistent/libqxcb.so"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_a_library_qt_loads_by_name_is_looked_up_too() -> None:
    """libxcb-cursor: Qt 6.5+ dlopens it, so only loading it shows it is missing."""
    assert dlopened_missing(["libc.so.6", "libgpdesk-bestaat-niet.so.9"]) == [
        "libgpdesk-bestaat-niet.so.9"
    ]
    assert "libxcb-cursor.so.0" in XCB_LIBRARY_PACKAGES
