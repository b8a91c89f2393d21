"""The detail pane of the sociale kaart: what, for whom, who to call, where and when.

Layout only. A fixed header says which service and how fresh the entry is; the action buttons
sit under it so they never scroll away; the body is rich text, selectable, so a phone number
can be copied by hand too. ``KaartController`` decides what is shown and what the buttons do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gpdesk.kaart.handout import ages_label, capacity_text, split_hours
from gpdesk.kaart.schedule import AMSTERDAM, format_date
from gpdesk.kaart.store.queries import ContactRef, ServiceDetail
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.ui.accessible import named
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.labels import WrappingLabel
from gpdesk.ui.theme import hex_colour

NOTICE_MS = 8000
_MARGINS = (16, 10, 12, 8)

_CSS = """
p { margin-top: 0; margin-bottom: 3px; }
p.head { font-weight: 600; color: @heading; margin-top: 9px; margin-bottom: 1px; }
.muted { color: @muted; }
.note { color: @muted; font-style: italic; }
.stale { color: @stale; font-weight: 600; }
.next { background-color: @next_bg; font-weight: 600; }
.open { color: @success; font-weight: 600; }
.fixed { background-color: @info_bg; }
.alert { background-color: @error_bg; color: @error; font-weight: 600; }
.left { color: @muted; }
"""


def _css() -> str:
    """The detail's CSS in the active colour scheme."""
    return re.sub(r"@([a-z_]+)", lambda m: hex_colour(m.group(1)), _CSS)


def _p(text: str, cls: str | None = None) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{text}</p>"


def _h(title: str) -> str:
    # A styled paragraph: QTextDocument gives <h3> a fixed, too large size of its own.
    return f'<p class="head">{escape(title)}</p>'


def _phone(number: str) -> str:
    """A phone number that never breaks over two lines."""
    return f'<span style="white-space: nowrap">{escape(number)}</span>'


def _stale(contact: ContactRef) -> str:
    return ' <span class="stale">⚠ verouderd</span>' if contact.stale else ""


def _left(contact: ContactRef) -> str:
    """Someone who left, struck through, with who took over: "vertrokken; vervanger: …"."""
    name = f"<s>{escape(contact.name)}</s>"
    if contact.title:
        name += f", <s>{escape(contact.title)}</s>"
    deputy = contact.deputy
    if deputy is None or deputy.departed:
        return f'<span class="left">{name} — vertrokken; nog geen vervanger</span>'
    line = f'<span class="left">{name} — vertrokken; vervanger:</span> <b>{escape(deputy.name)}</b>'
    if deputy.phone:
        line += f" · tel. {_phone(deputy.phone)}"
    if deputy.email:
        line += f' · <a href="mailto:{escape(deputy.email)}">{escape(deputy.email)}</a>'
    return line + _stale(deputy)


def _person(contact: ContactRef, *, direct: bool = False) -> str:
    """Name and role on one line, phone and e-mail on the next."""
    name = f"<b>{escape(contact.name)}</b>"
    if contact.title:
        name += f", {escape(contact.title)}"
    if contact.stands_in_for:
        name += (
            f' <span class="left">(vervangt <s>{escape(contact.stands_in_for)}</s>, '
            "vertrokken)</span>"
        )
    reach = []
    if contact.phone:
        reach.append(("direct " if direct else "tel. ") + _phone(contact.phone))
    if contact.email:
        reach.append(f'<a href="mailto:{escape(contact.email)}">{escape(contact.email)}</a>')
    line = name + _stale(contact)
    if reach:
        line += "<br>" + " · ".join(reach)
    return line


def _deputy(contact: ContactRef) -> str:
    """The stand-in on one line: name and phone (the e-mail is in "Kopieer contact")."""
    line = f"Vervanger: <b>{escape(contact.name)}</b>"
    if contact.phone:
        line += f" · tel. {_phone(contact.phone)}"
    return line + _stale(contact)


def _contacts_html(detail: ServiceDetail) -> str:
    parts: list[str] = []
    shown: set[str] = set()
    for fixed in detail.fixed_contacts:
        label = (
            "Onze vaste contactpersoon"
            if fixed.theme is None
            else f"Onze vaste contactpersoon voor {escape(fixed.theme)}"
        )
        if fixed.departed:
            block = (
                f"<i>{label}:</i><br>{_left(fixed)}<br>"
                '<span class="stale">Kies in Beheer een nieuwe vaste contactpersoon.</span>'
            )
            parts.append(f'<table width="100%" class="fixed"><tr><td>{block}</td></tr></table>')
            shown.add(fixed.id)
            continue
        block = f"<i>{label}:</i><br>" + _person(fixed, direct=True)
        if fixed.deputy is not None:
            block += "<br>" + _deputy(fixed.deputy)
        if fixed.note:
            block += f'<br><span class="note">{escape(fixed.note)}</span>'
        parts.append(f'<table width="100%" class="fixed"><tr><td>{block}</td></tr></table>')
        shown.add(fixed.id)
    for contact in detail.contacts:
        if contact.id in shown:
            continue
        if contact.departed:
            parts.append(_p(_left(contact)))
            continue
        block = _person(contact)
        if contact.deputy is not None:
            block += "<br>" + _deputy(contact.deputy)
        parts.append(_p(block))
    general = [
        _phone(p.number) + (f" ({escape(p.description)})" if p.description else "")
        for p in detail.phones
    ]
    reach = []
    if general:
        reach.append("Tel. " + ", ".join(general))
    if detail.email:
        reach.append(f'<a href="mailto:{escape(detail.email)}">{escape(detail.email)}</a>')
    if detail.url:
        reach.append(f'<a href="{escape(detail.url)}">{escape(detail.url)}</a>')
    if reach:
        parts.append(_p("<br>".join(reach), "muted"))
    return _h("Contact") + "".join(parts) if parts else ""


def next_walk_in_text(detail: ServiceDetail, today: date) -> str | None:
    """The next walk-in hour as the GP thinks of it: "vandaag 13:00–15:00", "morgen …"."""
    slot = detail.next_walk_in
    if slot is None:
        return detail.next_walk_in_label
    start, end = slot.start.astimezone(AMSTERDAM), slot.end.astimezone(AMSTERDAM)
    hours = f"{start:%H:%M}–{end:%H:%M}"
    if start.date() == today:
        return f"vandaag {hours}"
    if start.date() == today + timedelta(days=1):
        return f"morgen ({format_date(start.date(), weekday=True)}) {hours}"
    return detail.next_walk_in_label


def _when_html(detail: ServiceDetail, today: date) -> str:
    walk_in, other = split_hours(detail)
    parts: list[str] = []
    if detail.closed and (walk_in or other):
        parts.append(_p("Tijdelijk gesloten: deze tijden gelden nu niet.", "stale"))
    if detail.open_now:
        parts.append(_p("● Nu open", "open"))
    next_text = next_walk_in_text(detail, today)
    if next_text:
        parts.append(_p(f'Volgende inloop: <span class="next">{escape(next_text)}</span>'))
    if walk_in:
        parts.append(_p("Inloopspreekuur: " + escape("; ".join(walk_in))))
    if other:
        parts.append(_p("Open: " + escape("; ".join(other))))
    if not parts:
        parts.append(_p("Geen tijden bekend; bel voor een afspraak.", "muted"))
    return _h("Wanneer") + "".join(parts)


def _where_html(detail: ServiceDetail) -> str:
    parts = []
    for location in detail.locations:
        lines = [f"<b>{escape(location.name)}</b>"] if location.name else []
        lines += [escape(x) for x in (location.address, location.transportation) if x]
        if location.description:
            lines.append(f'<span class="muted">{escape(location.description)}</span>')
        if lines:
            parts.append(_p("<br>".join(lines)))
    return _h("Waar") + "".join(parts) if parts else ""


def _who_html(detail: ServiceDetail) -> str:
    """Who may come (the referral criteria), ages and area."""
    parts = []
    if detail.eligibility_description:
        parts.append(escape(detail.eligibility_description))
    ages = ages_label(detail.minimum_age, detail.maximum_age)
    if ages and "jaar" not in (detail.eligibility_description or ""):
        parts.append("Leeftijd: " + ages + ".")
    areas = [
        escape(", ".join(x for x in (a.wijk or a.name, a.ranges_label) if x)) for a in detail.areas
    ]
    if areas:
        parts.append("Werkgebied: " + "; ".join(areas) + ".")
    return _h("Voor wie (verwijscriteria)") + _p("<br>".join(parts)) if parts else ""


def _capacity_html(detail: ServiceDetail) -> str:
    lines = [escape(capacity_text(c.available, c.unit, c.description)) for c in detail.capacities]
    if detail.wait_time:
        lines.append("Wachttijd: " + escape(detail.wait_time))
    return _h("Plek en wachttijd") + _p("<br>".join(lines)) if lines else ""


def _costs_html(detail: ServiceDetail) -> str:
    """What it costs, and whether the municipality contracts the provider."""
    lines = [escape(detail.fees_description)] if detail.fees_description else []
    if detail.municipal_contract is True:
        lines.append("✓ Gecontracteerd door de gemeente.")
    elif detail.municipal_contract is False:
        lines.append(
            '<span class="stale">Geen contract met de gemeente: de patiënt betaalt zelf.</span>'
        )
    return _h("Kosten") + _p("<br>".join(lines)) if lines else ""


def _names_html(detail: ServiceDetail) -> str:
    """Other and earlier names, so a GP who knows the old name sees it is the same team."""
    lines = []
    if detail.alternate_name:
        lines.append("Ook: " + escape(detail.alternate_name))
    if detail.former_names:
        lines.append("Vroeger: " + escape(", ".join(detail.former_names)))
    if detail.organization_names:
        lines.append(
            f"{escape(detail.organization)} heet ook: "
            + escape(", ".join(detail.organization_names))
        )
    return _p("<br>".join(lines), "muted") if lines else ""


STATUS_NOTES = {
    ServiceStatus.TEMPORARILY_CLOSED: "Tijdelijk gesloten",
    ServiceStatus.INACTIVE: "Niet actief",
    ServiceStatus.DEFUNCT: "Opgeheven",
}
"""The banner above a service that is not simply open for business."""


def alert_text(detail: ServiceDetail) -> str:
    """The banner's text: the status when not active, then the service's notice."""
    note = STATUS_NOTES.get(detail.status)
    alert = " ".join((detail.alert or "").split())
    if note and alert:
        return f"{note}: {alert}"
    return note or alert


def _agreement_html(detail: ServiceDetail) -> str:
    agreement = detail.feedback_agreement
    if agreement is None:
        return ""
    parts = []
    if agreement.confirm_within_working_days is not None:
        parts.append(f"bevestiging binnen {agreement.confirm_within_working_days} werkdagen")
    if agreement.letter_at_closure:
        parts.append("brief bij afsluiting")
    if agreement.channel:
        parts.append(f"via {escape(agreement.channel)}")
    text = ", ".join(parts) + "." if parts else ""
    text = text[:1].upper() + text[1:]
    return _h("Terugkoppelafspraak") + _p(text) if text else ""


def _text(title: str, value: str | None) -> str:
    return _h(title) + _p(escape(value)) if value else ""


def detail_html(detail: ServiceDetail, today: date, *, columns: int = 2) -> str:
    """The body of the detail pane: who-to-call on the left, when and where on the right.

    With ``columns=1`` (a narrow pane) the same blocks follow each other in one column.
    """
    left = "".join(
        (
            _names_html(detail),
            _text("Wat", detail.description),
            _who_html(detail),
            _contacts_html(detail),
        )
    )
    right = "".join(
        (
            _when_html(detail, today),
            _where_html(detail),
            _text("Aanmelden en daarna", detail.application_process),
            _costs_html(detail),
            _capacity_html(detail),
            _agreement_html(detail),
            _h("Thema's") + _p(escape(", ".join(t.name for t in detail.themes)))
            if detail.themes
            else "",
            _text("Talen", ", ".join(detail.languages) if detail.languages else None),
            _text("Tolk", detail.interpretation_services),
        )
    )
    banner = alert_text(detail)
    alert = (
        f'<table width="100%" class="alert"><tr><td>⚠ {escape(banner)}</td></tr></table>'
        if banner
        else ""
    )
    if columns == 1:
        return f"<html><head><style>{_css()}</style></head><body>{alert}{left}{right}</body></html>"
    return (
        f"<html><head><style>{_css()}</style></head><body>{alert}"
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="52%" valign="top" style="padding-right: 14px">{left}</td>'
        f'<td width="48%" valign="top">{right}</td>'
        "</tr></table></body></html>"
    )


def checked_text(detail: ServiceDetail) -> str:
    """The header line "Gecontroleerd op … door …", with ⚠ when verouderd."""
    if detail.assured_date is None:
        return "⚠ Verouderd: nog nooit gecontroleerd"
    when = format_date(detail.assured_date, year=True)
    by = f" door {detail.assured_by}" if detail.assured_by else ""
    text = f"Gecontroleerd op {when}{by}"
    return f"⚠ Verouderd: {text[0].lower()}{text[1:]}" if detail.stale else text


class DetailPane(QFrame):
    """Header, actions and body for one service; an empty state until one is chosen.

    Below ``ONE_COLUMN_BELOW`` pixels of body width the body is laid out in one column: two
    columns of a few words each are harder to read than one.
    """

    ONE_COLUMN_BELOW = 520

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kaartDetail")
        # The header wraps on a narrow pane and keeps the height its lines need.
        self.title = WrappingLabel()
        self.title.setObjectName("kaartDetailTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = WrappingLabel()
        self.subtitle.setObjectName("kaartDetailSubtitle")
        self.checked = WrappingLabel()
        self.checked.setObjectName("kaartChecked")

        self.print_button = QPushButton("Print voor patiënt")
        self.print_button.setObjectName("kaartPrint")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.setToolTip("Een blad voor de patiënt printen of als PDF opslaan (Ctrl+P)")
        self.copy_button = QPushButton("Kopieer contact")
        self.copy_button.setObjectName("kaartCopy")
        self.copy_button.setShortcut("Ctrl+K")
        self.copy_button.setToolTip(
            "Naam, telefoon en e-mail van de contactpersoon kopiëren, zonder patiëntgegevens "
            "(Ctrl+K)"
        )
        self.checked_button = QPushButton("Gecontroleerd")
        self.checked_button.setObjectName("kaartAssure")
        self.checked_button.setShortcut("Ctrl+G")
        self.checked_button.setToolTip(
            "Vastleggen dat u vandaag hebt nagegaan dat deze gegevens en contactpersonen "
            "kloppen (Ctrl+G)"
        )
        self.correction_button = QPushButton("Meld correctie…")
        self.correction_button.setObjectName("kaartCorrection")
        self.correction_button.setShortcut("Ctrl+M")
        self.correction_button.setToolTip("De voorziening mailen dat er iets niet klopt (Ctrl+M)")
        self.buttons = (
            self.print_button,
            self.copy_button,
            self.checked_button,
            self.correction_button,
        )
        # "Gecontroleerd" sits beside the date it renews; the other actions wrap to a second row
        # when the pane is narrow.
        checked_row = QHBoxLayout()
        checked_row.setSpacing(8)
        checked_row.addWidget(self.checked)
        checked_row.addWidget(self.checked_button, 0, Qt.AlignmentFlag.AlignTop)
        checked_row.addStretch(1)
        actions = FlowLayout(spacing=6, row_spacing=4)
        for button in (self.print_button, self.copy_button, self.correction_button):
            actions.addWidget(button)

        self.notice = QLabel()
        self.notice.setObjectName("kaartNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.hide)

        self.body = QTextBrowser()
        self.body.setObjectName("kaartDetailBody")
        named(self.body, "Gegevens van de voorziening")
        self.body.setOpenExternalLinks(True)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self._shown: tuple[ServiceDetail, date] | None = None
        self._columns = 2

        self.empty = QLabel()
        self.empty.setObjectName("kaartDetailEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*_MARGINS)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(checked_row)
        layout.addSpacing(2)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty, 1)
        self.show_empty(
            "Kies een voorziening in de lijst. Hier ziet u dan wat ze doet, voor wie, "
            "wie u kunt bellen, en waar en wanneer de patiënt terechtkan."
        )

    def _set_header_visible(self, visible: bool) -> None:
        for widget in (self.title, self.subtitle, self.checked, self.body, *self.buttons):
            widget.setVisible(visible)
        self.empty.setVisible(not visible)

    def show_empty(self, text: str) -> None:
        """No service chosen (or none found): say what to do instead."""
        self._set_header_visible(False)
        self.empty.setText(text)

    def show_detail(self, detail: ServiceDetail, *, today: date, may_check: bool) -> None:
        """Fill everything for ``detail``; "Gecontroleerd" only for who may edit the kaart."""
        self._set_header_visible(True)
        self.checked_button.setVisible(may_check)
        self.title.setText(detail.name)
        kind = "" if detail.kind is ServiceKind.OVERIG else f" · {detail.kind.label}"
        state = "" if detail.status is ServiceStatus.ACTIVE else f" · {detail.status.label}"
        self.subtitle.setText(detail.organization + kind + state)
        self.checked.setText(checked_text(detail))
        self.checked.setProperty("stale", detail.stale)
        self.checked.style().unpolish(self.checked)
        self.checked.style().polish(self.checked)
        same = self.property("serviceId") == detail.id
        self._shown = (detail, today)
        self._render_body(keep_place=same)
        self.setProperty("serviceId", detail.id)
        self.set_actions_enabled(True)

    @property
    def columns(self) -> int:
        """How many columns the body has now (one on a narrow pane)."""
        return self._columns

    def _render_body(self, *, keep_place: bool) -> None:
        if self._shown is None:
            return
        scroll = self.body.verticalScrollBar().value()
        detail, today = self._shown
        self.body.setHtml(detail_html(detail, today, columns=self._columns))
        if keep_place:
            self.body.verticalScrollBar().setValue(scroll)  # a reload keeps the reader's place

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """One column when the pane gets narrow, two again when it gets wide."""
        super().resizeEvent(event)
        width = self.contentsRect().width() - _MARGINS[0] - _MARGINS[2]
        columns = 1 if width < self.ONE_COLUMN_BELOW else 2
        if columns != self._columns:
            self._columns = columns
            self._render_body(keep_place=False)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Off while the next service loads, so no action hits the previous one."""
        for button in self.buttons:
            button.setEnabled(enabled)

    def set_busy(self, busy: bool) -> None:
        """While a check is being stored, the button cannot be pressed twice."""
        self.checked_button.setEnabled(not busy)

    def show_notice(self, text: str, *, warning: bool = False) -> None:
        """A short message under the buttons (copied, saved, failed) that goes away again."""
        self.notice.setText(text)
        self.notice.setProperty("warning", warning)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.show()
        self._notice_timer.start(NOTICE_MS)


def today_label(today: date) -> str:
    """Today as "24 november 2026", for messages."""
    return format_date(today, year=True)


class CorrectionDialog(QDialog):
    """Meld correctie: what is wrong, in the user's words; refused while it holds patient data."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        service: str,
        recipient: str | None,
        check: Callable[[str], str | None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        self.setWindowTitle("Meld correctie")
        self._check = check
        question = QLabel(f"Wat klopt er niet bij <b>{escape(service)}</b>?")
        question.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("correctionText")
        named(self.text, f"Wat klopt er niet bij {service}")
        self.text.setPlaceholderText(
            "Bijv.: het telefoonnummer werkt niet meer, de contactpersoon is vertrokken, "
            "het inloopspreekuur is nu op woensdag."
        )
        self.text.setTabChangesFocus(True)
        where = (
            f"Uw e-mailprogramma opent met een kant-en-klaar bericht aan {escape(recipient)}. "
            "U kunt het nog nakijken voordat u het verstuurt."
            if recipient
            else "Van deze voorziening is geen e-mailadres bekend; bel ze liever."
        )
        note = QLabel(f"{where}<br><b>Noem geen namen of andere gegevens van patiënten.</b>")
        note.setWordWrap(True)
        note.setObjectName("pageSummary")
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Open e-mail")
        self.ok_button.setEnabled(recipient is not None)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Annuleren")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.text, 1)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def _accept(self) -> None:
        text = self.text.toPlainText().strip()
        problem = "Schrijf kort wat er niet klopt." if not text else self._check(text)
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()
