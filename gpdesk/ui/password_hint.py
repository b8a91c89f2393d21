"""Under a new-password field: the rule, then whether the typed password meets it.

The judgement is the core's (``gpdesk.security.passwords``); this label only says it while the
user types, so the refusal on OK is never a surprise. It waits for a pause in typing, because
the estimate takes a few milliseconds and the first one a quarter of a second.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from gpdesk.security.passwords import MIN_LENGTH, TIP, Verdict, judge
from gpdesk.ui.theme import hex_colour

RULE = (
    f"Minstens {MIN_LENGTH} tekens. Kies vier of vijf losse woorden die niet bij elkaar horen, "
    "met spaties ertussen: zo'n zin is sterk en goed te onthouden."
)
STRONG = "Dit wachtwoord is sterk genoeg."
PAUSE_MS = 300


class PasswordHint(QLabel):
    """The rule before ``MIN_LENGTH`` characters, then the verdict (``verdict`` property for QSS).

    ``words`` gives the person's own words at the moment of judging (see ``own_words``), so a
    form can judge against the names typed above the password.
    """

    def __init__(
        self,
        field: QLineEdit,
        words: Callable[[], Sequence[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordHint")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._field = field
        self._words = words
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self.refresh)
        field.textChanged.connect(self._typed)
        self._say(RULE, "rule")

    def refresh(self) -> Verdict:
        """Judge the field now and show the outcome; the caller may act on the verdict."""
        self._timer.stop()
        verdict = judge(self._field.text(), self._words())
        if verdict.acceptable:
            self._say(STRONG, "strong")
        else:
            # The reason in the warning colour, the tip in the normal one: it is advice.
            reason = html.escape(verdict.reason.removesuffix(TIP).strip(), quote=False)
            tip = html.escape(TIP, quote=False)
            self._say(f"{reason}<br><span style='color:{hex_colour('text')}'>{tip}</span>", "weak")
        return verdict

    def _typed(self, text: str) -> None:
        if len(text) < MIN_LENGTH:
            self._timer.stop()
            self._say(RULE, "rule")
        else:
            self._timer.start()

    def _say(self, text: str, verdict: str) -> None:
        if self.text() == text and self.property("verdict") == verdict:
            return
        self.setText(text)
        self.setProperty("verdict", verdict)
        self.style().unpolish(self)
        self.style().polish(self)
        self._fit_height()
        self._fit_window()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt virtual
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Exactly the height of the wrapped text: a form gives a label its (narrow) size hint."""
        if self.width() > 0:
            self.setFixedHeight(self.heightForWidth(self.width()))

    def _fit_window(self) -> None:
        """Grow the window for a longer text, rather than cut it off (a form does not)."""
        window = self.window()
        layout = window.layout()
        if window is self or layout is None or not window.isVisible():
            return
        layout.activate()
        needed = layout.totalHeightForWidth(window.width())
        if needed > window.height():
            window.resize(window.width(), needed)
