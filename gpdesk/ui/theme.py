"""gpdesk's palette and style sheet on the application, following the system's scheme and font.

The colours are ``gpdesk.ui.palette`` (checked against WCAG there); the style sheet is
``resources/style.qss`` with ``@role`` for a colour, ``@pt(N)`` for a font size and ``@px(N)``
for a length designed at a 10.5 pt body text, scaled to the user's font, ``@round(N)`` for the
corner radius that keeps a box ``@px(N)`` wide with a 1 px border round, and ``@icon(name)`` for
``resources/icons/name.svg`` (or ``name-dark.svg`` in the dark scheme). With a 14 pt system
font every size grows by 4/3, the banner and the navigation included. When the system switches
between light and dark, or the user's font changes while gpdesk runs, the palette and the sheet
are made again.
"""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from gpdesk.ui.palette import COLOURS, Scheme
from gpdesk.ui.resources import resource_path

DESIGN_POINTS: Final = 10.5
"""The body text size the sheet's sizes were designed at, and the smallest body text we use."""
SCHEME_PROPERTY: Final = "gpdeskScheme"
THEME_NAME: Final = "gpdeskTheme"

_SIZE = re.compile(r"@pt\(([0-9.]+)\)")
_PIXELS = re.compile(r"@px\(([0-9.]+)\)")
_ROUND = re.compile(r"@round\(([0-9.]+)\)")
_ICON = re.compile(r"@icon\(([a-z-]+)\)")
_ROLE = re.compile(r"@([a-z_]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def body_points(app_points: float) -> float:
    """The body text size for an application font of ``app_points`` (never below the design)."""
    return max(app_points, DESIGN_POINTS)


def scaled(pixels: int) -> int:
    """A length designed at the 10.5 pt body text, at the application's font size now."""
    app = QApplication.instance()
    points = app.font().pointSizeF() if isinstance(app, QApplication) else DESIGN_POINTS
    return round(pixels * body_points(points) / DESIGN_POINTS)


def render_sheet(template: str, scheme: Scheme, app_points: float) -> str:
    """``template`` with its colour roles and font sizes filled in."""
    colours = COLOURS[scheme]
    scale = body_points(app_points) / DESIGN_POINTS

    def size(match: re.Match[str]) -> str:
        return f"{float(match.group(1)) * scale:.2f}pt"

    def pixels(match: re.Match[str]) -> str:
        return f"{round(float(match.group(1)) * scale)}px"

    def rounded(match: re.Match[str]) -> str:
        # Half the outer size, rounded down: Qt draws a square where the radius is too large.
        return f"{(round(float(match.group(1)) * scale) + 2) // 2}px"

    def icon(match: re.Match[str]) -> str:
        own = resource_path("icons", f"{match.group(1)}-{scheme.value}.svg")
        path = own if own.is_file() else resource_path("icons", f"{match.group(1)}.svg")
        return path.as_posix()

    def colour(match: re.Match[str]) -> str:
        return colours[match.group(1)]

    sheet = _COMMENT.sub("", template)
    sheet = _ROUND.sub(rounded, sheet)
    sheet = _ICON.sub(icon, _PIXELS.sub(pixels, _SIZE.sub(size, sheet)))
    return _ROLE.sub(colour, sheet)


def template() -> str:
    """``resources/style.qss`` as written, with its roles and sizes still open."""
    return resource_path("style.qss").read_text(encoding="utf-8")


def system_scheme(app: QApplication) -> Scheme:
    """Dark when the system says so; light otherwise (also when it does not say)."""
    dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return Scheme.DARK if dark else Scheme.LIGHT


def active_scheme() -> Scheme:
    """The scheme the application shows now (light before a theme is installed)."""
    app = QApplication.instance()
    value = app.property(SCHEME_PROPERTY) if app is not None else None
    return Scheme(value) if value in (Scheme.LIGHT, Scheme.DARK) else Scheme.LIGHT


def hex_colour(role: str) -> str:
    """A role's colour in the active scheme, for HTML the widgets render (``#rrggbb``)."""
    return COLOURS[active_scheme()][role]


def colour(role: str) -> QColor:
    """A role's colour in the active scheme, for models and delegates."""
    return QColor(hex_colour(role))


def style_sheet(app: QApplication | None = None) -> str:
    """The style sheet for the active scheme and the application's font."""
    instance = app or QApplication.instance()
    points = instance.font().pointSizeF() if isinstance(instance, QApplication) else DESIGN_POINTS
    return render_sheet(template(), active_scheme(), points)


def qpalette(scheme: Scheme) -> QPalette:
    """A QPalette from the scheme's roles (Qt's own widgets, the table's selected row)."""
    colours = COLOURS[scheme]
    palette = QPalette()
    role = QPalette.ColorRole
    for qt_role, name in (
        (role.Window, "window"),
        (role.WindowText, "text"),
        (role.Base, "base"),
        (role.AlternateBase, "alternate"),
        (role.Text, "text"),
        (role.Button, "button"),
        (role.ButtonText, "button_text"),
        (role.BrightText, "on_accent"),
        (role.Highlight, "highlight"),
        (role.HighlightedText, "highlighted_text"),
        (role.PlaceholderText, "placeholder"),
        (role.Link, "link"),
        (role.LinkVisited, "link_visited"),
        (role.ToolTipBase, "tooltip"),
        (role.ToolTipText, "tooltip_text"),
        (role.Accent, "accent"),
    ):
        palette.setColor(qt_role, QColor(colours[name]))
    # Fusion draws frames and bevels from these; derived from the window as Qt would.
    window = QColor(colours["window"])
    dark = scheme is Scheme.DARK
    palette.setColor(role.Light, window.lighter(150 if dark else 112))
    palette.setColor(role.Midlight, window.lighter(125 if dark else 106))
    palette.setColor(role.Mid, QColor(colours["border"]))
    palette.setColor(role.Dark, window.darker(160 if dark else 140))
    palette.setColor(role.Shadow, QColor("#000000"))
    disabled = QPalette.ColorGroup.Disabled
    for qt_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, qt_role, QColor(colours["disabled"]))
    palette.setColor(disabled, role.Highlight, QColor(colours["line"]))
    palette.setColor(disabled, role.HighlightedText, QColor(colours["text"]))
    # An inactive window keeps the same selection: the row stays readable, not grey on grey.
    inactive = QPalette.ColorGroup.Inactive
    palette.setColor(inactive, role.Highlight, QColor(colours["highlight"]))
    palette.setColor(inactive, role.HighlightedText, QColor(colours["highlighted_text"]))
    return palette


class Theme(QObject):
    """Keeps the application's palette and sheet in step with the system's scheme and font."""

    changed = Signal(str)
    """The scheme's name, after the palette and sheet were applied."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName(THEME_NAME)
        self._app = app
        self._points = 0.0
        self._applying = False
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        app.installEventFilter(self)

    def apply(self, scheme: Scheme | None = None) -> None:
        """Palette and sheet for ``scheme`` (the system's when None) and the current font."""
        chosen = scheme or system_scheme(self._app)
        self._applying = True
        try:
            self._app.setProperty(SCHEME_PROPERTY, chosen.value)
            self._app.setPalette(qpalette(chosen))
            self._points = self._app.font().pointSizeF()
            self._app.setStyleSheet(style_sheet(self._app))
        finally:
            self._applying = False
        self.changed.emit(chosen.value)

    def remove(self) -> None:
        """Stop following the system (tests undo the theme with this)."""
        self._app.removeEventFilter(self)
        self._app.styleHints().colorSchemeChanged.disconnect(self._scheme_changed)
        self._app.setProperty(SCHEME_PROPERTY, None)
        self.setParent(None)

    def _scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        # The signal's value, not colorScheme(): platforms report the change this way first.
        self.apply(Scheme.DARK if scheme == Qt.ColorScheme.Dark else Scheme.LIGHT)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self._app
            and event.type() == QEvent.Type.ApplicationFontChange
            and not self._applying
            and self._app.font().pointSizeF() != self._points
        ):
            self.apply(active_scheme())
        return super().eventFilter(watched, event)


def install_theme(app: QApplication) -> Theme:
    """Fusion (the style that draws with the palette on every platform) and gpdesk's theme.

    Calling it again returns the installed theme, applied afresh.
    """
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    theme = app.findChild(Theme, THEME_NAME)
    if theme is None:
        theme = Theme(app)
    theme.apply()
    return theme


def repolish(widget: QWidget) -> None:
    """Apply the sheet again after a dynamic property that a selector reads has changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_tone(widget: QWidget, tone: str) -> None:
    """Colour a label by its meaning (``error``, ``success``, ``muted``, ``heading`` or ``""``).

    The sheet has ``QLabel[tone="error"]`` and the like, so the colour follows the scheme.
    """
    if widget.property("tone") != tone:
        widget.setProperty("tone", tone)
        repolish(widget)
