"""The work areas in the navigation, and the plain page for areas not yet built."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Area:
    """One entry in the navigation."""

    key: str
    title: str
    shortcut: str
    summary: str
    menu_title: str = ""
    """The title with its Alt letter in the "Ga naar" menu ("S&ociale kaart")."""


AREAS = (
    Area(
        "signals",
        "Signaleren",
        "Ctrl+1",
        "Met toestemming van de patiënt in één keer een signaal naar het juiste wijkteam sturen, "
        "en volgen tot het team antwoordt.",
        menu_title="&Signaleren",
    ),
    Area(
        "kaart",
        "Sociale kaart",
        "Ctrl+2",
        "De juiste voorziening en de vaste contactpersoon vinden, en uitprinten voor de patiënt.",
        menu_title="S&ociale kaart",
    ),
    Area(
        "inbox",
        "Terugkoppeling",
        "Ctrl+3",
        "Brieven van het wijkteam koppelen aan patiënt en signaal, toewijzen, doorsturen en "
        "overnemen in het HIS.",
        menu_title="&Terugkoppeling",
    ),
    Area(
        "beheer",
        "Beheer",
        "Ctrl+4",
        "Praktijk, gebruikers en instellingen.",
        menu_title="&Beheer",
    ),
)


class ComingSoonPage(QWidget):
    """Says plainly that an area is not available yet, and what it will do."""

    def __init__(self, area: Area, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{area.key}")
        title = QLabel(area.title)
        title.setObjectName("pageTitle")
        summary = QLabel(area.summary)
        summary.setWordWrap(True)
        summary.setObjectName("pageSummary")
        notice = QLabel(
            "Dit onderdeel zit nog niet in deze versie van gpdesk. "
            "Tot die tijd werkt u hiervoor zoals u gewend bent."
        )
        notice.setWordWrap(True)
        notice.setObjectName("comingSoon")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addSpacing(12)
        layout.addWidget(notice)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
