"""The answer to "who is responsible for this postcode?" above the kaart's result list.

Typing a postcode in the search box asks what the phone asks: which wijkteam, and whom do we
call there. ``route_answer_html`` says it the way ``gpdesk kaart route`` does (the same
headline), with the practice's fixed contact and the next walk-in hour; ``RouteAnswer`` shows
it. A team's name is a link that opens the team in the detail pane (``service:<id>``).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from gpdesk.kaart.routing import Routing, TeamRef, headline
from gpdesk.kaart.store.queries import ContactRef
from gpdesk.ui.theme import hex_colour

SERVICE_LINK = "service:"
"""How a team's link names it; anything else (mailto:) goes to the system."""


def _nowrap(text: str) -> str:
    return f'<span style="white-space: nowrap">{escape(text)}</span>'


def _reach(phone: str | None, email: str | None, *, direct: bool = False) -> str:
    parts = []
    if phone:
        parts.append(("direct " if direct else "tel. ") + _nowrap(phone))
    if email:
        parts.append(f'<a href="mailto:{escape(email)}">{escape(email)}</a>')
    return " · ".join(parts)


def _stale(stale: bool) -> str:
    if not stale:
        return ""
    return f' <span style="color: {hex_colour("stale")}; font-weight: 600">⚠ verouderd</span>'


def _contact_lines(contact: ContactRef) -> list[str]:
    label = "Vaste contactpersoon" if contact.fixed else "Contactpersoon"
    if contact.theme:
        label += f" ({escape(contact.theme)})"
    who = f"<b>{escape(contact.name)}</b>" + (f", {escape(contact.title)}" if contact.title else "")
    if contact.stands_in_for:
        who += f" (vervangt {escape(contact.stands_in_for)}, vertrokken)"
    reach = _reach(contact.phone, contact.email, direct=contact.fixed)
    lines = [f"{label}: {who}" + (f" · {reach}" if reach else "") + _stale(contact.stale)]
    deputy = contact.deputy
    if deputy is not None:
        reach = _reach(deputy.phone, None)
        lines.append(
            f"Vervanger: {escape(deputy.name)}"
            + (f" · {reach}" if reach else "")
            + _stale(deputy.stale)
        )
    return lines


def _team_html(team: TeamRef) -> str:
    name = f'<a href="{SERVICE_LINK}{escape(team.id)}"><b>{escape(team.name)}</b></a>'
    lines = [f"{name} · {escape(team.organization)}" + _stale(team.stale)]
    if team.contact is not None:
        lines += _contact_lines(team.contact)
    reach = _reach(team.phone, team.email)
    if reach and (team.contact is None or not team.contact.phone):
        lines.append("Algemeen: " + reach)
    if team.next_walk_in_label:
        lines.append(f"Volgend inloopspreekuur: {escape(team.next_walk_in_label)}")
    return "<br>".join(lines)


def route_answer_html(routing: Routing) -> str:
    """The headline, then per team or desk: who to call (fixed contact first) and when to go.

    A team that is temporarily closed is named last, as a link to its details: the headline
    already said it is closed and who stands in.
    """
    parts = [f"<p><b>{escape(headline(routing))}</b></p>"]
    parts += [f'<p style="margin-top: 4px">{_team_html(team)}</p>' for team in routing.teams]
    if routing.closed:
        links = ", ".join(
            f'<a href="{SERVICE_LINK}{escape(team.id)}">{escape(team.name)}</a>'
            for team in routing.closed
        )
        parts.append(f'<p style="margin-top: 4px">Tijdelijk gesloten: {links}</p>')
    return "".join(parts)


class RouteAnswer(QLabel):
    """The answer panel; hidden until a postcode is typed. Links work by mouse and keyboard."""

    service_requested = Signal(str)
    """A team's name was chosen: show that service in the detail pane."""
    link_requested = Signal(str)
    """Any other link (mailto:): the controller opens it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kaartRouteAnswer")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Verantwoordelijk voor deze postcode")
        self.linkActivated.connect(self._link)
        self.routing: Routing | None = None
        self.hide()

    def _link(self, href: str) -> None:
        if href.startswith(SERVICE_LINK):
            self.service_requested.emit(href.removeprefix(SERVICE_LINK))
        else:
            self.link_requested.emit(href)

    def show_routing(self, routing: Routing) -> None:
        """Show who answers for the postcode; ``outside`` gets the warning colours."""
        self.routing = routing
        self.setText(route_answer_html(routing))
        self.setProperty("outside", routing.outside)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def show_text(self, text: str) -> None:
        """A plain note instead of an answer (the kaart could not be asked)."""
        self.routing = None
        self.setText(f"<p>{escape(text)}</p>")
        self.setProperty("outside", False)
        self.show()

    def clear_answer(self) -> None:
        """No postcode in the box: no panel."""
        self.routing = None
        self.clear()
        self.hide()
