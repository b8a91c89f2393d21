"""One letter read: the facts on top, its attachments, the text or the PDF, and what to do.

Layout only; the inbox controller reads the letter (``store.detail.letter_detail``) and an
attachment's bytes off the GUI thread and hands them here. What this pane promises:

- received HTML is shown as the sanitiser left it, in a browser that loads nothing: no remote
  image, no file, no other page (``LetterBrowser.loadResource`` answers nothing but ``data:``),
  and a link is never followed by itself;
- a PDF is previewed with QtPdf from the bytes in memory, only when the intake judged it safe;
  a program or a macro document says "niet geopend" with the reason and is never opened;
- a quarantined letter shows its reason and nothing else;
- the S/MIME signature is named as it was checked: geverifieerd, niet geverifieerd, ongeldig.
"""

from __future__ import annotations

from html import escape
from typing import Final

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.detail import AttachmentInfo, LetterDetail
from gpdesk.models import LetterState
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission
from gpdesk.signals.consent import dutch_date
from gpdesk.ui.accessible import announce
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.inbox.letter_actions import ARCHIVE, FILE, LETTER_ACTIONS, action, next_step
from gpdesk.ui.inbox.letter_list import WARNING_SIGN
from gpdesk.ui.signals.signal_list import local_moment
from gpdesk.ui.sizing import ContentScrollArea
from gpdesk.ui.theme import hex_colour

EMPTY: Final = "Kies een brief in de lijst (j/k of ↑ ↓) en druk op Enter om hem te lezen."
FILE_TEXT: Final = "&Overgenomen in HIS…"
FILE_KEY: Final = "Ctrl+H"
SAVE_TEXT: Final = "Bijlage opslaan a&ls…"
HIS_TEXT: Final = "Kop&ieer voor HIS…"
HIS_KEY: Final = "Ctrl+K"
HIS_COPIED: Final = (
    "Gekopieerd. Plak het in het HIS (Ctrl+V); gpdesk haalt het over 30 seconden weer van "
    "het klembord."
)
CONFIRM_TEXT: Final = (
    "Hebt u deze brief overgenomen in het HIS? gpdesk legt vast dat u dat nu deed; "
    "dat kan maar één keer."
)
ARCHIVE_CONFIRM_TEXT: Final = (
    "Deze brief archiveren? Hij verdwijnt uit Te doen en blijft te vinden onder "
    "Stand: Gearchiveerd."
)
ARCHIVE_YES: Final = "Ja, a&rchiveren"
"""Alt+R: the page's A is the filter Alle."""
MORE_TEXT: Final = "M&eer ▾"
"""Alt+E opens the menu with every letter action (M is the filter Mijn)."""
BODY_ITEM: Final = "Tekst van het bericht"

PART_WORDS: Final = {
    "pdf": "PDF",
    "text": "tekst",
    "html": "opgemaakte tekst",
    "image": "afbeelding",
    "executable": "programma",
    "macro_document": "document met macro's",
    "archive": "archief",
    "other": "ander bestand",
}
PENDING_WORDS: Final = "wordt nog gecontroleerd"
"""A PDF stored before its check: not a danger, only not open yet (the pass follows the fetch)."""
PENDING_NOTICE: Final = "{name}: wordt nog gecontroleerd. gpdesk toont de PDF zodra dat klaar is."
NEVER_OPENED: Final = {
    "executable": "een programma opent gpdesk nooit",
    "macro_document": "een document met macro's opent gpdesk nooit",
}
SIGNATURE_WORDS: Final = {
    "geverifieerd": "geverifieerd (ondertekend door een vertrouwd certificaat)",
    "niet geverifieerd": "niet geverifieerd (de afzender is niet vastgesteld)",
    "ongeldig": "ongeldig: de brief is na ondertekening gewijzigd of de handtekening klopt niet",
}


def size_text(size: int) -> str:
    """``12 kB``, ``1,4 MB``: enough to recognise a file, in Dutch notation."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def attachment_line(part: AttachmentInfo) -> str:
    """``brief.pdf · PDF · 120 kB``, and ``· niet geopend: …`` for one that is never opened."""
    words = [part.filename, PART_WORDS.get(part.part_kind, part.part_kind), size_text(part.size)]
    if part.check_pending:
        words.append(PENDING_WORDS)
    elif not part.safe_to_open:
        words.append(f"niet geopend: {not_opened_reason(part)}")
    elif part.problem:
        words.append(part.problem)
    return " · ".join(words)


def not_opened_reason(part: AttachmentInfo) -> str:
    """Why gpdesk keeps an attachment closed, in the intake's words or by its kind."""
    return part.problem or NEVER_OPENED.get(part.part_kind, "het is geen veilig bestand")


def signature_text(signature: str | None) -> str:
    """The signature as checked; a letter that was not signed says so, never "geverifieerd"."""
    if signature is None:
        return "geen (niet ondertekend)"
    return SIGNATURE_WORDS.get(signature, signature)


def kind_line(letter: LetterDetail) -> str:
    """``⚠ escalatie (voorstel van gpdesk)``; "nog niet bekend" when gpdesk could not tell."""
    kind = letter.kind or "nog niet bekend"
    if letter.urgent or letter.kind == LetterKind.ESCALATION.value:
        kind = f"{WARNING_SIGN} {kind}"
    if letter.kind and not letter.kind_confirmed:
        kind += " (voorstel van gpdesk)"
    return kind


def link_line(letter: LetterDetail) -> str:
    """The signal with its status, or that the letter is not linked yet."""
    if letter.signal_reference is not None:
        status = "" if letter.signal_status is None else f" · signaal {letter.signal_status.value}"
        return f"{letter.signal_reference}{status}"
    if letter.patient_matched:
        return "gekoppeld aan een patiënt, niet aan een signaal"
    return "niet gekoppeld"


def state_line(letter: LetterDetail) -> str:
    """The triage state; filed says by whom and when."""
    if letter.filed_at is not None:
        return f"overgenomen in HIS door {letter.filed_by or 'onbekend'} op " + local_moment(
            letter.filed_at
        )
    if letter.state is LetterState.ASSIGNED and letter.assignee:
        return f"toegewezen aan {letter.assignee}"
    return letter.state.value


def last_note(letter: LetterDetail) -> str | None:
    """The newest note someone left with a step (toegewezen, doorgestuurd), with who wrote it."""
    step = next((s for s in reversed(letter.steps) if s.note), None)
    if step is None:
        return None
    return f"{step.note} ({step.by or 'onbekend'}, {local_moment(step.at)})"


def facts_html(letter: LetterDetail) -> str:
    """The header facts as a two-column table (label, value), escaped."""
    received = local_moment(letter.received_at)
    sender = letter.sender or "onbekend"
    if letter.team_name and letter.team_name != letter.sender:
        sender = f"{letter.team_name} ({sender})"
    rows = [
        ("Ontvangen", f"{received} · {letter.source.value}"),
        ("Afzender", sender),
        ("Kenmerk", link_line(letter)),
        ("Soort", kind_line(letter)),
        ("Handtekening", signature_text(letter.signature)),
        ("Stand", state_line(letter)),
    ]
    if letter.due_on is not None:
        rows.append(("Beslissen vóór", dutch_date(letter.due_on)))
    note = last_note(letter)
    if note is not None:
        rows.append(("Notitie", note))
    alarm = {
        "Handtekening": letter.signature == "ongeldig",
        "Soort": WARNING_SIGN in kind_line(letter),
    }
    cells = []
    for label, value in rows:
        style = f" style='color:{hex_colour('error')}; font-weight:600'" if alarm.get(label) else ""
        cells.append(
            f"<tr><td style='color:{hex_colour('muted')}; padding-right:10px; white-space:nowrap'>"
            f"{escape(label)}</td><td{style}>{escape(value)}</td></tr>"
        )
    return "<table cellspacing='0' cellpadding='1'>" + "".join(cells) + "</table>"


INVOLVEMENT_TEXT: Final = "Het team helpt deze patiënt al. Leg dat vast bij de patiënt."
"""Above "Betrokkenheid vastleggen…" for a betrokkenheidsmelding."""


class LetterBrowser(QTextBrowser):
    """Shows received text or sanitised HTML; loads nothing from outside, follows no link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("letterText")
        self.setAccessibleName("Tekst van de brief")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)

    def loadResource(self, kind: int, name: QUrl | str) -> object:  # noqa: N802
        """Only data embedded in the letter itself (``data:``); anything else stays empty."""
        if QUrl(name).scheme() == "data":
            return super().loadResource(kind, name)
        return None


class HisPanel(QFrame):
    """Kopieer voor HIS: the text the HIS asks for, with a summary the user may shorten.

    What is copied is always rebuilt by the core from the summary (so a BSN typed into it is
    still left out); the letter itself is never changed.
    """

    copy_requested = Signal(str)
    """The summary as the user left it."""
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("letterHis")
        title = QLabel("Kopieer voor HIS")
        title.setObjectName("sectionTitle")
        self.preview = QLabel()
        self.preview.setObjectName("letterHisText")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setMargin(6)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("letterHisSummary")
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        summary_label = QLabel(
            "Samenvatting (inkorten of aanvullen mag; de brief zelf verandert niet):"
        )
        summary_label.setWordWrap(True)
        summary_label.setBuddy(self.summary)
        self.copy_button = QPushButton("Kopiëren")
        self.copy_button.setObjectName("letterHisCopy")
        self.copy_button.setDefault(True)
        self.copy_button.clicked.connect(
            lambda: self.copy_requested.emit(self.summary.toPlainText())
        )
        self.close_button = QPushButton("Sluiten")
        self.close_button.setObjectName("letterHisClose")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.closed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.preview)
        layout.addWidget(summary_label)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addStretch(1)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_key.activated.connect(self.closed)

    def show_note(self, text: str, summary: str, *, keep_summary: bool = False) -> None:
        """The note as the core made it; the summary field refilled unless the user is editing."""
        self.preview.setText(text)
        if not keep_summary:
            self.summary.setPlainText(summary)


class ReadingPane(QWidget):
    """The chosen letter: facts, attachments, content, and Overgenomen in HIS."""

    part_chosen = Signal(object)
    """An ``AttachmentInfo`` to show, or None for the letter's own text."""
    file_confirmed = Signal(int)
    """The user confirmed "overgenomen in HIS" for this letter id."""
    save_requested = Signal(object)
    """An ``AttachmentInfo`` to save to a file."""
    his_requested = Signal(int, object)
    """Kopieer voor HIS for this letter id: the note with this summary (None: the default)."""
    involvement_requested = Signal(int)
    """Betrokkenheid vastleggen for this letter id (a betrokkenheidsmelding)."""
    action_requested = Signal(str, int)
    """A letter action (``letter_actions``) by its key, for this letter id; archiving confirmed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readingPane")
        self.letter: LetterDetail | None = None
        self.may_file = False
        self.permissions: frozenset[Permission] = frozenset()
        self.role = Role.ASSISTANT
        self.next_key: str | None = None
        self._buffer: QBuffer | None = None

        self.heading = QLabel(EMPTY)
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("letterFacts")
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setWordWrap(True)
        self.quarantine = QLabel()
        self.quarantine.setObjectName("warning")
        self.quarantine.setWordWrap(True)

        self.parts = QListWidget()
        self.parts.setObjectName("letterParts")
        self.parts.setAccessibleName("Tekst en bijlagen")
        self.parts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.parts.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.parts.currentRowChanged.connect(self._part_row_changed)

        self.browser = LetterBrowser()
        self.pdf_document = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setObjectName("letterPdf")
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.notice = QLabel()
        self.notice.setObjectName("letterNotice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.notice_page = QWidget()
        notice_layout = QVBoxLayout(self.notice_page)
        notice_layout.setContentsMargins(0, 4, 0, 0)
        notice_layout.addWidget(self.notice)
        notice_layout.addStretch(1)
        self.content = QStackedWidget()
        self.content.addWidget(self.browser)
        self.content.addWidget(self.pdf_view)
        self.content.addWidget(self.notice_page)
        self.his = HisPanel()
        self.his.copy_requested.connect(self._copy_his)
        self.his.closed.connect(self.close_his)
        self.content.addWidget(self.his)
        # The tallest page (the HIS text) must not set the window's minimum: on a small screen
        # the letter gets less room rather than the window growing off the screen.
        self.content.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)

        self.file_button = QPushButton(FILE_TEXT)
        self.file_button.setObjectName("letterFile")
        self.file_button.setToolTip(
            f"Vastleggen dat u deze brief in het HIS hebt gezet ({FILE_KEY})"
        )
        self.file_button.setAutoDefault(False)
        self.file_button.clicked.connect(self.ask_file)
        self.his_button = QPushButton(HIS_TEXT)
        self.his_button.setObjectName("letterHisOpen")
        self.his_button.setToolTip(
            f"Datum, afzender, soort, samenvatting en episode om in het HIS te plakken ({HIS_KEY})"
        )
        self.his_button.setAutoDefault(False)
        self.his_button.clicked.connect(self.ask_his)
        self.save_button = QPushButton(SAVE_TEXT)
        self.save_button.setObjectName("letterSave")
        self.save_button.setToolTip(
            "De gekozen bijlage als bestand bewaren, om in het HIS te zetten"
        )
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self._save_chosen)
        self.filed = QLabel()
        self.filed.setObjectName("kaartNotice")
        self.filed.setWordWrap(True)

        # The next step as the one coloured button, the rest beside it and under "Meer".
        self.primary_button = QPushButton()
        self.primary_button.setObjectName("letterNext")
        self.primary_button.setProperty("primary", True)
        self.primary_button.setAutoDefault(False)
        self.primary_button.clicked.connect(self._primary_clicked)
        self.more_menu = QMenu(self)
        self.more_menu.setObjectName("letterMore")
        self.more_menu.setToolTipsVisible(True)
        self.menu_actions: dict[str, QAction] = {}
        for letter_action in LETTER_ACTIONS:
            shortcut = f"\t{letter_action.shortcut}" if letter_action.shortcut else ""
            entry = self.more_menu.addAction(letter_action.text + shortcut)
            entry.setToolTip(letter_action.tip)
            entry.triggered.connect(lambda _on=False, k=letter_action.key: self.trigger(k))
            self.menu_actions[letter_action.key] = entry
        self.more_button = QPushButton(MORE_TEXT)
        self.more_button.setObjectName("letterMoreButton")
        self.more_button.setToolTip("Alle acties voor deze brief: toewijzen, koppelen, soort…")
        self.more_button.setAutoDefault(False)
        self.more_button.setMenu(self.more_menu)
        actions = FlowLayout(spacing=4, row_spacing=6)  # two rows when the pane is narrow
        for button in (self.primary_button, self.file_button, self.his_button, self.more_button):
            actions.addWidget(button)

        self.archive_confirm = QFrame()
        self.archive_confirm.setObjectName("warning")
        archive_text = QLabel(ARCHIVE_CONFIRM_TEXT)
        archive_text.setWordWrap(True)
        self.archive_yes = QPushButton(ARCHIVE_YES)
        self.archive_yes.setObjectName("letterArchiveYes")
        self.archive_yes.setAutoDefault(False)
        self.archive_yes.clicked.connect(self._archive_confirmed)
        self.archive_no = QPushButton("Niet archiveren")
        self.archive_no.setObjectName("letterArchiveNo")
        self.archive_no.setDefault(True)  # Enter keeps the letter: the safe choice
        self.archive_no.clicked.connect(self.cancel_archive)
        archive_layout = QHBoxLayout(self.archive_confirm)
        archive_layout.setContentsMargins(8, 6, 8, 6)
        archive_layout.addWidget(archive_text, 1)
        archive_layout.addWidget(self.archive_yes)
        archive_layout.addWidget(self.archive_no)
        archive_escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.archive_confirm)
        archive_escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        archive_escape.activated.connect(self.cancel_archive)

        self.confirm = QFrame()
        self.confirm.setObjectName("warning")
        confirm_text = QLabel(CONFIRM_TEXT)
        confirm_text.setWordWrap(True)
        self.confirm_yes = QPushButton("Ja, overgenomen")
        self.confirm_yes.setObjectName("letterFileYes")
        self.confirm_yes.setDefault(True)
        self.confirm_yes.clicked.connect(self._confirmed)
        self.confirm_no = QPushButton("Annuleren")
        self.confirm_no.setObjectName("letterFileNo")
        self.confirm_no.setAutoDefault(False)
        self.confirm_no.clicked.connect(self.cancel_file)
        confirm_layout = QHBoxLayout(self.confirm)
        confirm_layout.setContentsMargins(8, 6, 8, 6)
        confirm_layout.addWidget(confirm_text, 1)
        confirm_layout.addWidget(self.confirm_yes)
        confirm_layout.addWidget(self.confirm_no)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.confirm)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_key.activated.connect(self.cancel_file)

        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        # On a low screen or with a large font the facts keep a few lines and scroll the rest,
        # rather than being cut off at the bottom.
        self.facts_area = ContentScrollArea(self.facts, min_lines=4)
        layout.addWidget(self.facts_area)
        layout.addWidget(self.quarantine)
        layout.addLayout(actions)  # what to do, right under what it is
        layout.addWidget(self.filed)
        layout.addWidget(self.confirm)
        layout.addWidget(self.archive_confirm)
        layout.addWidget(self.message)
        attachments = QHBoxLayout()  # saving goes with the attachment chosen in the list
        attachments.setSpacing(6)
        attachments.addWidget(self.parts, 1)
        attachments.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        attachments.addStretch(0)  # the button keeps its width while the list is hidden
        layout.addLayout(attachments)
        layout.addWidget(self.content, 1)
        layout.addStretch(0)  # takes the room only while there is no content to show
        self._layout = layout
        self._add_involvement_action()
        self.show_letter(None)

    # -- what is shown ---------------------------------------------------------------------------

    def show_letter(self, letter: LetterDetail | None, *, busy: str | None = None) -> None:
        """Show ``letter``; None shows the empty state, or ``busy`` while it loads or failed."""
        self.letter = letter
        self._show_involvement_action(letter)
        self._clear_content()
        self.confirm.hide()
        self.archive_confirm.hide()
        self.file_button.setEnabled(True)
        self.message.hide()
        self.parts.blockSignals(True)
        self.parts.clear()
        self.parts.blockSignals(False)
        if letter is None:
            self._fill_bottom(True)
            self.heading.setText(busy or EMPTY)
            for widget in (self.facts, self.quarantine, self.parts, self.content, self.filed):
                widget.hide()
            self._hide_actions()
            return
        self.facts.setText(facts_html(letter))
        self.facts.show()
        if letter.quarantined:
            self._show_quarantine(letter)
            return
        self.heading.setText(letter.subject or "(geen onderwerp)")
        self.quarantine.hide()
        self.content.show()
        self._fill_bottom(False)
        has_text = bool(letter.body_text.strip() or (letter.body_html or "").strip())
        if has_text or not letter.attachments:
            item = QListWidgetItem(BODY_ITEM)
            item.setData(Qt.ItemDataRole.UserRole, None)
            self.parts.addItem(item)
        for part in letter.attachments:
            item = QListWidgetItem(attachment_line(part))
            item.setData(Qt.ItemDataRole.UserRole, part)
            item.setToolTip(attachment_line(part))
            self.parts.addItem(item)
        rows = self.parts.count()
        self.parts.setVisible(rows > 1)
        line = max(self.parts.sizeHintForRow(0), self.parts.fontMetrics().lineSpacing() + 4)
        self.parts.setFixedHeight(line * min(rows, 4) + 2 * self.parts.frameWidth() + 4)
        self._update_actions()
        pdfs = [i for i in range(rows) if self._is_pdf(self._part(i))]
        pending = [i for i in range(rows) if (p := self._part(i)) is not None and p.check_pending]
        self.parts.setCurrentRow((pdfs or pending or [0])[0])

    def _show_quarantine(self, letter: LetterDetail) -> None:
        self._fill_bottom(True)
        self.heading.setText("In quarantaine: niet geopend")
        self.quarantine.setText(
            f"{letter.quarantine_reason}\n\nWat nu: vraag de beheerder het bericht te bekijken, "
            "of vraag het wijkteam de brief opnieuw te sturen."
        )
        self.quarantine.show()
        for widget in (self.parts, self.content, self.filed):
            widget.hide()
        self._hide_actions()
        self._update_triage()  # the beheerder may archive it, having read the reason

    def _hide_actions(self) -> None:
        for button in (
            self.file_button, self.his_button, self.save_button, self.primary_button,
            self.more_button,
        ):  # fmt: skip
            button.hide()
        self.next_key = None

    def _fill_bottom(self, empty: bool) -> None:
        """Without content the facts stay on top and the empty room goes below them."""
        self._layout.setStretch(self._layout.count() - 1, 1 if empty else 0)

    def _update_actions(self) -> None:
        letter = self.letter
        if letter is None or letter.quarantined:
            return
        open_for_filing = letter.filed_at is None and not letter.forgotten
        self.file_button.setVisible(open_for_filing and self.may_file)
        self.his_button.setVisible(not letter.forgotten)
        self.filed.setVisible(letter.filed_at is not None)
        if letter.filed_at is not None:
            line = state_line(letter)
            self.filed.setText(f"{line[:1].upper()}{line[1:]}.")
        part = self.chosen_part()
        self.save_button.setVisible(bool(letter.attachments))
        self.save_button.setEnabled(part is not None and part.safe_to_open)
        self._update_triage()

    def _update_triage(self) -> None:
        """The main button shows the next step; the menu enables what may be done now."""
        letter = self.letter
        if letter is None:
            return
        permissions = self.allowed()
        for name, entry in self.menu_actions.items():
            why_not = action(name).refused(letter, permissions)
            entry.setEnabled(why_not is None)
            entry.setToolTip(why_not or action(name).tip)
        key = next_step(letter, permissions, self.role)
        self.next_key = key
        primary = key is not None and key != FILE
        if primary and key is not None:
            chosen = action(key)
            keys = f" ({chosen.shortcut})" if chosen.shortcut else ""
            self.primary_button.setText(chosen.plain)
            self.primary_button.setToolTip(f"Volgende stap: {chosen.tip}{keys}")
        self.primary_button.setVisible(primary)
        self._set_primary(self.file_button, key == FILE)
        self.more_button.setVisible(any(e.isEnabled() for e in self.menu_actions.values()))

    @staticmethod
    def _set_primary(button: QPushButton, on: bool) -> None:
        if bool(button.property("primary")) != on:
            button.setProperty("primary", on)
            button.style().unpolish(button)
            button.style().polish(button)

    def set_may_file(self, may: bool) -> None:
        """Whether this user may mark letters as overgenomen in HIS (the permission table)."""
        self.may_file = may
        self._update_actions()

    def allowed(self) -> frozenset[Permission]:
        """The user's permissions (``set_may_file`` alone grants filing, as before)."""
        return self.permissions | ({Permission.LETTER_FILE} if self.may_file else frozenset())

    def set_permissions(self, permissions: frozenset[Permission], role: Role) -> None:
        """What the signed-in user may do (the permission table) and their role."""
        self.permissions, self.role = permissions, role
        self.may_file = Permission.LETTER_FILE in permissions
        self._update_actions()

    def _part(self, row: int) -> AttachmentInfo | None:
        item = self.parts.item(row)
        part = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        return part if isinstance(part, AttachmentInfo) else None

    @staticmethod
    def _is_pdf(part: AttachmentInfo | None) -> bool:
        return part is not None and part.part_kind == "pdf" and part.safe_to_open

    def chosen_part(self) -> AttachmentInfo | None:
        """The attachment chosen in the list (None: the letter's own text)."""
        return self._part(self.parts.currentRow())

    def _part_row_changed(self, row: int) -> None:
        if self.letter is None or row < 0:
            return
        part = self._part(row)
        self._update_actions()
        if part is None:
            self.show_text(self.letter)
        elif part.check_pending:
            self.show_notice(PENDING_NOTICE.format(name=part.filename))
        elif not part.safe_to_open:
            self.show_notice(
                f"{part.filename}: niet geopend: {not_opened_reason(part)}.", warning=True
            )
        else:
            self.show_notice(f"{part.filename} wordt geopend…")
            self.part_chosen.emit(part)

    def show_text(self, letter: LetterDetail) -> None:
        """The letter's own text: the sanitised HTML when there is one, else the plain text."""
        self._clear_pdf()
        if letter.body_html:
            self.browser.setHtml(letter.body_html)
        else:
            self.browser.setPlainText(letter.body_text or "(Dit bericht heeft geen tekst.)")
        self.content.setCurrentWidget(self.browser)

    def show_pdf(self, part_id: int, data: bytes) -> None:
        """Preview a safe PDF from memory, if it is still the attachment chosen."""
        part = self.chosen_part()
        if part is None or part.id != part_id:
            return
        self._clear_pdf()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self.pdf_document.load(buffer)
        if self.pdf_document.status() == QPdfDocument.Status.Error:
            self.show_notice(
                f"{part.filename}: deze PDF kan gpdesk niet tonen. Sla hem op om hem in het HIS "
                "te zetten, of vraag het wijkteam hem opnieuw te sturen."
            )
            return
        self.pdf_view.pageNavigator().jump(0, QPointF(), 0)
        self.content.setCurrentWidget(self.pdf_view)

    def show_attachment_text(self, part_id: int, text: str) -> None:
        """A safe text attachment, shown as plain text (never as HTML)."""
        part = self.chosen_part()
        if part is None or part.id != part_id:
            return
        self._clear_pdf()
        self.browser.setPlainText(text)
        self.content.setCurrentWidget(self.browser)

    def show_notice(self, text: str, *, warning: bool = False) -> None:
        """A line instead of content: why an attachment is not opened, or that it is loading."""
        self._clear_pdf()
        self.notice.setText(text)
        self.notice.setObjectName("warning" if warning else "letterNotice")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.content.setCurrentWidget(self.notice_page)

    def show_message(self, text: str, *, info: bool = False) -> None:
        """A refusal or a confirmation under the letter."""
        announce(self, text, urgent=not info)
        self.message.setText(text)
        self.message.setProperty("info", info)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()

    def file_refused(self, text: str) -> None:
        """Filing did not happen (already filed by someone else, no right): say why."""
        self.file_button.setEnabled(True)
        self.show_message(text)

    def _clear_pdf(self) -> None:
        self.pdf_document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None

    def _clear_content(self) -> None:
        self._clear_pdf()
        self.browser.clear()
        self.notice.clear()

    # -- actions ---------------------------------------------------------------------------------

    def ask_file(self) -> None:
        """Overgenomen in HIS: first a confirmation in the pane (Enter confirms, Esc cancels)."""
        letter = self.letter
        if letter is None or not self.file_button.isVisible():
            return
        self.message.hide()
        self.archive_confirm.hide()
        self.confirm.show()
        self.confirm_yes.setFocus()

    def cancel_file(self) -> None:
        """Esc or Annuleren: nothing recorded."""
        self.confirm.hide()
        if self.file_button.isVisible():
            self.file_button.setFocus()

    def _confirmed(self) -> None:
        letter = self.letter
        self.confirm.hide()
        if letter is not None:
            self.file_button.setEnabled(False)
            self.file_confirmed.emit(letter.id)

    def ask_his(self) -> None:
        """Kopieer voor HIS: the controller makes the note (audited) and calls ``show_his``."""
        letter = self.letter
        if letter is not None and self.his_button.isVisible():
            self.message.hide()
            self.his_requested.emit(letter.id, None)

    def show_his(self, letter_id: int, text: str, summary: str, *, copied: bool = False) -> None:
        """The note for the HIS in place of the content; after copying, say so."""
        if self.letter is None or self.letter.id != letter_id:
            return
        self._clear_pdf()
        self.his.show_note(text, summary, keep_summary=copied)
        self.content.setCurrentWidget(self.his)
        if copied:
            self.show_message(HIS_COPIED, info=True)
        else:
            self.his.copy_button.setFocus()

    def close_his(self) -> None:
        """Back to what was shown before (the text or the chosen attachment)."""
        if self.content.currentWidget() is self.his and self.letter is not None:
            self._part_row_changed(self.parts.currentRow())
            self.his_button.setFocus()

    def _copy_his(self, summary: str) -> None:
        letter = self.letter
        if letter is not None:
            self.his_requested.emit(letter.id, summary)

    def _save_chosen(self) -> None:
        part = self.chosen_part()
        if part is not None and part.safe_to_open:
            self.save_requested.emit(part)

    def trigger(self, key: str) -> None:
        """A letter action by key (its shortcut, the menu, the main button); or why not now."""
        letter = self.letter
        if letter is None:
            self.show_message("Kies eerst een brief in de lijst (j/k en Enter).")
            return
        permissions = self.allowed()
        why_not = action(key).refused(letter, permissions)
        if why_not is not None:
            self.show_message(why_not)
            return
        self.message.hide()
        if key == ARCHIVE:
            self.confirm.hide()
            self.archive_confirm.show()
            self.archive_no.setFocus()
            return
        self.action_requested.emit(key, letter.id)

    def _primary_clicked(self) -> None:
        if self.next_key is not None and self.next_key != FILE:
            self.trigger(self.next_key)

    def cancel_archive(self) -> None:
        """Esc, Enter or Niet archiveren: nothing changes."""
        self.archive_confirm.hide()
        if self.primary_button.isVisible():
            self.primary_button.setFocus()

    def _archive_confirmed(self) -> None:
        letter = self.letter
        self.archive_confirm.hide()
        if letter is not None:
            self.action_requested.emit(ARCHIVE, letter.id)

    def action_refused(self, text: str) -> None:
        """An action did not happen (someone else acted, no right, letter closed): say why."""
        self.show_message(text)

    def focus_letter(self) -> None:
        """After Enter on the list: the keyboard goes to the attachments or the text."""
        if self.parts.isVisible():
            self.parts.setFocus()
        elif self.content.isVisible():
            current = self.content.currentWidget()
            if current is not None:
                current.setFocus()

    # -- betrokkenheid: one self-contained hook (gpdesk.ui.inbox.involvement_dialog) -------------

    def _add_involvement_action(self) -> None:
        """A line under the facts for a betrokkenheidsmelding, with "Betrokkenheid vastleggen"."""
        from gpdesk.ui.inbox.involvement_dialog import ACTION_TEXT

        self.involvement_box = QFrame()
        self.involvement_box.setObjectName("involvementBox")
        text = QLabel(INVOLVEMENT_TEXT)
        text.setObjectName("involvementText")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        self.involvement_text = text
        self.involvement_button = QPushButton(ACTION_TEXT)
        self.involvement_button.setObjectName("letterInvolvement")
        self.involvement_button.setAutoDefault(False)
        self.involvement_button.setToolTip(
            "Vastleggen dat dit wijkteam de patiënt helpt; Signaleren en het signaalformulier "
            "tonen het dan (Ctrl+Shift+I)"
        )
        self.involvement_button.clicked.connect(self.ask_involvement)
        row = QHBoxLayout(self.involvement_box)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(text, 1)
        row.addWidget(self.involvement_button)
        self._layout.insertWidget(self._layout.indexOf(self.facts_area) + 1, self.involvement_box)
        self.involvement_box.hide()

    def _show_involvement_action(self, letter: LetterDetail | None) -> None:
        from gpdesk.ui.inbox.involvement_dialog import offers_involvement

        ending = None if letter is None or letter.quarantined else letter.ending
        if ending is not None:  # a closing letter: the main button ends it (Ctrl+Shift+E)
            self.involvement_text.setText(
                f"{ending.text} (vastgelegd bij de patiënt). Deze brief sluit de hulp af."
            )
            self.involvement_button.hide()
            self.involvement_box.show()
            return
        self.involvement_text.setText(INVOLVEMENT_TEXT)
        self.involvement_button.show()
        self.involvement_box.setVisible(self.may_file and offers_involvement(letter))

    def ask_involvement(self) -> None:
        """Betrokkenheid vastleggen: the controller opens the dialog."""
        letter = self.letter
        if letter is not None and self.involvement_box.isVisible():
            self.message.hide()
            self.involvement_requested.emit(letter.id)
