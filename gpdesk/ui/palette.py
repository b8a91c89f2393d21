"""gpdesk's own colours, light and dark, as plain data, with the contrast they must reach.

No Qt here: the numbers are checked by a unit test against WCAG 2.1 (1.4.3 text 4.5:1, large
text 3:1; 1.4.11 focus rings and borders that carry meaning 3:1), and ``gpdesk.ui.theme``
turns them into a QPalette and the style sheet. Every colour a screen uses is a role here, so a
new colour cannot skip the check: the style sheet and the models name roles, never hex values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

TEXT: Final = 4.5
"""WCAG 2.1 1.4.3: normal text against its background."""
LARGE: Final = 3.0
"""WCAG 2.1 1.4.3 for large text (18 pt, or 14 pt bold) and 1.4.11 for meaningful non-text."""


class Scheme(StrEnum):
    """The two colour schemes; the system's setting picks one."""

    LIGHT = "light"
    DARK = "dark"


ROLES: Final = (
    # the window and its controls (also the QPalette)
    "window", "text", "base", "alternate", "button", "button_text", "highlight",
    "highlighted_text", "placeholder", "disabled", "link", "link_visited", "tooltip",
    "tooltip_text", "border", "line", "focus",
    # words with a meaning
    "heading", "muted", "accent", "on_accent", "error", "error_bg",
    "warning", "warning_bg", "warning_border", "success", "success_bg", "info", "info_bg",
    "info_border", "stale", "next_bg",
    # the banner, the navigation, the chips, panels
    "banner", "banner_text", "banner_patient", "banner_patient_text", "banner_patient_caption",
    "banner_patient_border", "navigation", "chip", "chip_text", "chip_border", "chip_disabled",
    "chip_disabled_text", "panel", "private", "private_text", "private_border",
    "selected_soft", "change_new", "change_removed", "change_renamed", "change_status",
)  # fmt: skip
"""Every colour role both schemes define."""

LIGHT: Final[dict[str, str]] = {
    "window": "#f3f5f6",
    "text": "#1a1a1a",
    "base": "#ffffff",
    "alternate": "#f1f4f5",
    "button": "#e9edef",
    "button_text": "#1a1a1a",
    "highlight": "#1f6f78",
    "highlighted_text": "#ffffff",
    "placeholder": "#5b666c",
    "disabled": "#5f6a70",
    "link": "#1b5a8a",
    "link_visited": "#5b3a8a",
    "tooltip": "#ffffff",
    "tooltip_text": "#1a1a1a",
    "border": "#78858c",
    "line": "#d5dde2",
    "focus": "#a35a00",
    "heading": "#1f3a3d",
    "muted": "#4a555c",
    "accent": "#1f6f78",
    "on_accent": "#ffffff",
    "error": "#a4262c",
    "error_bg": "#fdecea",
    "warning": "#7a4b00",
    "warning_bg": "#fff1d6",
    "warning_border": "#b07a12",
    "success": "#1d5a2e",
    "success_bg": "#e7f4ea",
    "info": "#1f3a3d",
    "info_bg": "#e6f0f1",
    "info_border": "#5f8d92",
    "stale": "#8a4b00",
    "next_bg": "#fff1c2",
    "banner": "#e9eef0",
    "banner_text": "#3d474d",
    "banner_patient": "#fff4d6",
    "banner_patient_text": "#1a1a1a",
    "banner_patient_caption": "#5e4800",
    "banner_patient_border": "#a88a2e",
    "navigation": "#f6f8f9",
    "chip": "#ffffff",
    "chip_text": "#1f3a3d",
    "chip_border": "#6f7c83",
    "chip_disabled": "#eef1f2",
    "chip_disabled_text": "#5f6a70",
    "panel": "#ffffff",
    "private": "#eceff1",
    "private_text": "#3d474d",
    "private_border": "#76828a",
    "selected_soft": "#dcecee",
    "change_new": "#2d7a3a",
    "change_removed": "#a4262c",
    "change_renamed": "#3a5f9e",
    "change_status": "#9a5a00",
}

DARK: Final[dict[str, str]] = {
    "window": "#1f2326",
    "text": "#e8ecee",
    "base": "#171a1c",
    "alternate": "#22272a",
    "button": "#2c3237",
    "button_text": "#e8ecee",
    "highlight": "#1f6f78",
    "highlighted_text": "#ffffff",
    "placeholder": "#9aa5ab",
    "disabled": "#98a3a9",
    "link": "#8cc8f2",
    "link_visited": "#c4a8f0",
    "tooltip": "#2c3237",
    "tooltip_text": "#e8ecee",
    "border": "#7b8990",
    "line": "#3a4247",
    "focus": "#f2b64c",
    "heading": "#cfe5e8",
    "muted": "#aab5bb",
    "accent": "#1f6f78",
    "on_accent": "#ffffff",
    "error": "#ff9a90",
    "error_bg": "#3a1d1d",
    "warning": "#ffd27a",
    "warning_bg": "#3a2e12",
    "warning_border": "#a07e2c",
    "success": "#9ad7a8",
    "success_bg": "#1b3123",
    "info": "#cfe5e8",
    "info_bg": "#1d3235",
    "info_border": "#4f8a91",
    "stale": "#f4b860",
    "next_bg": "#4a3c10",
    "banner": "#262b2f",
    "banner_text": "#c3ccd1",
    "banner_patient": "#3d3214",
    "banner_patient_text": "#fff3d6",
    "banner_patient_caption": "#f0d48a",
    "banner_patient_border": "#a88a2e",
    "navigation": "#1b1f21",
    "chip": "#22272a",
    "chip_text": "#e0ecee",
    "chip_border": "#8a979e",
    "chip_disabled": "#1f2326",
    "chip_disabled_text": "#98a3a9",
    "panel": "#1b1f21",
    "private": "#2a2f33",
    "private_text": "#c9d1d5",
    "private_border": "#7d8990",
    "selected_soft": "#26444a",
    "change_new": "#62b874",
    "change_removed": "#f07a78",
    "change_renamed": "#8fb0ec",
    "change_status": "#e8a64a",
}

COLOURS: Final[dict[Scheme, dict[str, str]]] = {Scheme.LIGHT: LIGHT, Scheme.DARK: DARK}


@dataclass(frozen=True)
class Pair:
    """A foreground role on a background role, and the contrast it must reach."""

    what: str
    foreground: str
    background: str
    minimum: float


def _text_on(what: str, foreground: str, *backgrounds: str) -> list[Pair]:
    return [Pair(f"{what} op {bg}", foreground, bg, TEXT) for bg in backgrounds]


def _line_on(what: str, foreground: str, *backgrounds: str) -> list[Pair]:
    return [Pair(f"{what} op {bg}", foreground, bg, LARGE) for bg in backgrounds]


PAIRS: Final[tuple[Pair, ...]] = (
    *_text_on("tekst", "text", "window", "base", "alternate", "navigation", "panel"),
    *_text_on("knoptekst", "button_text", "button"),
    *_text_on("geselecteerde rij", "highlighted_text", "highlight"),
    *_text_on("placeholder", "placeholder", "base"),
    *_text_on("uitgeschakelde tekst", "disabled", "window", "base", "button"),
    *_text_on("link", "link", "base", "window"),
    *_text_on("bezochte link", "link_visited", "base"),
    *_text_on("tooltip", "tooltip_text", "tooltip"),
    *_text_on("kop", "heading", "window", "base", "info_bg"),
    *_text_on("gedempte rij", "muted", "base", "alternate", "window", "navigation"),
    *_text_on("knop Volgende stap", "on_accent", "accent"),
    *_text_on("fout", "error", "base", "window", "error_bg", "alternate"),
    *_text_on("waarschuwing", "warning", "warning_bg", "base", "alternate"),
    *_text_on("gelukt", "success", "success_bg", "base", "window"),
    *_text_on("informatie", "info", "info_bg"),
    *_text_on("verouderd", "stale", "base", "alternate", "window"),
    *_text_on("eerstvolgende inloop", "text", "next_bg"),
    *_text_on("selectie in overzicht", "text", "selected_soft"),
    *_text_on("banner", "banner_text", "banner"),
    *_text_on("banner met patiënt", "banner_patient_text", "banner_patient"),
    *_text_on("banner-kop met patiënt", "banner_patient_caption", "banner_patient"),
    *_text_on("chip", "chip_text", "chip"),
    *_text_on("chip uitgeschakeld", "chip_disabled_text", "chip_disabled"),
    *_text_on("chip aan", "on_accent", "accent"),
    *_text_on("privénotitie", "private_text", "private"),
    *_text_on("wijziging nieuw", "change_new", "panel"),
    *_text_on("wijziging weg", "change_removed", "panel"),
    *_text_on("wijziging naam", "change_renamed", "panel"),
    *_text_on("wijziging status", "change_status", "panel"),
    *_line_on("focusrand", "focus", "window", "base", "chip", "button", "banner"),
    *_line_on("rand van een veld", "border", "base", "window"),
    *_line_on("rand van een chip", "chip_border", "chip", "window"),
    *_line_on("rand waarschuwing", "warning_border", "warning_bg"),
    *_line_on("rand informatie", "info_border", "info_bg"),
    *_line_on("rand privénotitie", "private_border", "private"),
    *_line_on("rand banner met patiënt", "banner_patient_border", "banner_patient"),
)
"""Every pair of colours a screen puts on top of each other, with its WCAG threshold."""


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb`` (0 black … 1 white)."""
    text = colour.removeprefix("#")
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    red, green, blue = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1 … 21, in either order."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ratios(scheme: Scheme) -> list[tuple[Pair, float]]:
    """Every pair with its contrast in ``scheme`` (for the test and the report)."""
    colours = COLOURS[scheme]
    return [(pair, contrast(colours[pair.foreground], colours[pair.background])) for pair in PAIRS]
