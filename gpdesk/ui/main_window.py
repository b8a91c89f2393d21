"""The main window: patient banner on top, the work areas on the left, status at the bottom.

Layout and keyboard only; what happens on an action is decided by the Desktop controller.
"""

from __future__ import annotations

from html import escape
from typing import Final

from PySide6.QtCore import SIGNAL, QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gpdesk import __version__
from gpdesk.inbox.store.listing import LetterView
from gpdesk.patients.context import PatientContext
from gpdesk.security.actor import Actor
from gpdesk.security.permissions import Permission
from gpdesk.ui.accessible import announce, named
from gpdesk.ui.areas import AREAS, ComingSoonPage
from gpdesk.ui.banner import PatientBanner
from gpdesk.ui.beheer.practice_page import PracticePage
from gpdesk.ui.inbox.drop import ADD_KEY, ADD_TEXT
from gpdesk.ui.inbox.page import FETCH_KEY, InboxPage
from gpdesk.ui.inbox.phone_dialog import PHONE_KEY, PHONE_TEXT
from gpdesk.ui.kaart.page import KaartPage
from gpdesk.ui.lock import LockPage
from gpdesk.ui.resources import app_icon
from gpdesk.ui.signals.page import SignalsPage
from gpdesk.ui.sizing import fit_to_screen


def _keys(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)


def _mnemonic(text: str) -> str:
    """The Alt key of a button or label text ("&Verstuur" -> "Alt+V")."""
    return QKeySequence.mnemonic(text).toString(QKeySequence.SequenceFormat.PortableText)


def _plain(text: str) -> str:
    """A button text as the overview names it: no "&", no "…"."""
    return text.replace("&", "").removesuffix("…")


def _section_html(title: str, rows: list[tuple[str, str]]) -> str:
    """One heading and its rows; a row without keys is a subheading."""
    lines = [f"<p style='margin-top:6px; margin-bottom:2px'><b>{escape(title)}</b></p>"]
    lines.append("<table cellspacing='0' cellpadding='1'>")
    for keys, text in rows:
        if not keys:
            lines.append(
                f"<tr><td colspan='2' style='white-space:nowrap'><i>{escape(text)}</i></td></tr>"
            )
            continue
        lines.append(
            f"<tr><td style='white-space:nowrap; padding-right:12px'>{escape(keys)}</td>"
            f"<td style='white-space:nowrap'>{escape(text)}</td></tr>"
        )
    lines.append("</table>")
    return "".join(lines)


MENU_BAR_KEY: Final = "F10"
"""Opens the menu bar, whose titles have no Alt letter (they would clash with a page's)."""


class Navigation(QListWidget):
    """The areas on the left: as wide as the longest name, so the work gets the rest."""

    COUNT_ROOM = "  99"
    """Room kept for a count behind a name ("Terugkoppeling  5"), so the width never jumps and
    the count is never cut off (up to 99; more shows "99+", the tooltip has the number). The
    names' width is taken once, before any count: a count never widens the navigation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._names_width: int | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        if self._names_width is None and self.count():
            self._names_width = self.sizeHintForColumn(0)  # the names alone, before any count
        room = self.fontMetrics().horizontalAdvance(self.COUNT_ROOM)
        width = (self._names_width or 0) + room + 2 * self.frameWidth()
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.sizeHint().width(), super().minimumSizeHint().height())


class MainWindow(QMainWindow):
    """gpdesk's one main window. The title never names a patient."""

    paste_requested = Signal()
    close_patient_requested = Signal()
    copy_patient_requested = Signal()
    signal_form_requested = Signal()
    consents_requested = Signal()
    phone_requested = Signal()
    lock_requested = Signal()
    password_change_requested = Signal()
    area_changed = Signal(str)
    about_requested = Signal()
    """Help > Over gpdesk: the Desktop shows the About dialog with the database's facts."""

    def __init__(
        self,
        *,
        actor: Actor,
        practice_name: str,
        database_kind: str,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(practice_name)  # the system adds " — gpdesk" (applicationDisplayName)
        self.setWindowIcon(app_icon())
        self._state = window_state

        self.banner = PatientBanner()
        self.banner.paste_requested.connect(self.paste_requested)
        self.banner.close_requested.connect(self.close_patient_requested)
        self.banner.copy_requested.connect(self.copy_patient_requested)
        self.banner.signal_requested.connect(self.signal_form_requested)

        self.nav = Navigation()
        self.nav.setObjectName("navigation")
        named(self.nav, "Onderdelen", "Pijltjes kiezen een onderdeel; overal ook Ctrl+1 tot Ctrl+4")
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for area in AREAS:
            item = QListWidgetItem(area.title)
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            item.setToolTip(f"{area.summary} ({area.shortcut})")
            self.nav.addItem(item)
            page: QWidget
            if area.key == "beheer":
                page = PracticePage()
                page.receiving.quarantine.open_requested.connect(self.show_quarantine)
            elif area.key == "kaart":
                page = KaartPage()
            elif area.key == "signals":
                page = SignalsPage(area)
                page.form_requested.connect(self.signal_form_requested)
                page.consents_requested.connect(self.consents_requested)
            elif area.key == "inbox":
                page = InboxPage(area)
            else:
                page = ComingSoonPage(area)
            self.pages[area.key] = page
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self._on_area)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        self.work = QWidget()
        layout = QVBoxLayout(self.work)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        self.lock_page = LockPage()
        self.root = QStackedWidget()
        self.root.addWidget(self.work)
        self.root.addWidget(self.lock_page)
        self.setCentralWidget(self.root)
        self._actor_text = actor.describe()
        self._may_phone = actor.may(Permission.LETTER_FILE)

        self.user_label = QLabel(f"Ingelogd: {actor.describe()}")
        self.user_label.setObjectName("statusUser")
        self.db_label = QLabel(database_kind)
        self.db_label.setObjectName("statusDatabase")
        self.outbox_label = QLabel()
        self.outbox_label.setObjectName("statusOutbox")
        self.outbox_label.hide()  # until the outbox worker reports (show_outbox_status)
        self.inbox_label = QLabel()
        self.inbox_label.setObjectName("statusInbox")
        self.inbox_label.hide()  # until the fetch worker reports (show_inbox_status)
        self.statusBar().addWidget(self.user_label, 1)
        self.statusBar().addPermanentWidget(self.inbox_label)
        self.statusBar().addPermanentWidget(self.outbox_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self.statusBar().messageChanged.connect(self._status_message_changed)

        self._build_actions()
        fit_to_screen(self, 1200, 720)  # first start; afterwards the saved geometry
        geometry = self._state.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        last = str(self._state.value("main/area", "signals"))
        self.show_area(last if last in self.pages else "signals")

    def _action(self, text: str, shortcut: str, slot: object, menu_name: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self._menus[menu_name].addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        # The menu titles have no Alt letter: a Beheer tab uses nearly the whole alphabet, and a
        # letter shared with the menu bar would alternate between the two. F10 opens the menu
        # bar (as on Windows and GNOME); every item in it has its own letter and a key.
        self._menus = {
            "app": bar.addMenu("gpdesk"),
            "patient": bar.addMenu("Patiënt"),
            "go": bar.addMenu("Ga naar"),
            "help": bar.addMenu("Help"),
        }
        self.menu_bar_action = QAction("Menubalk", self)
        self.menu_bar_action.setShortcut(QKeySequence(MENU_BAR_KEY))
        self.menu_bar_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.menu_bar_action.triggered.connect(self.open_menu_bar)
        self.addAction(self.menu_bar_action)
        self.paste_action = self._action(
            "Plak uit &HIS…", "Ctrl+Shift+V", self.paste_requested.emit, "patient"
        )
        self.close_patient_action = self._action(
            "Patiënt &sluiten", "Ctrl+Shift+W", self.close_patient_requested.emit, "patient"
        )
        self.copy_patient_action = self._action(
            "Patiëntgegevens &kopiëren", "Ctrl+Shift+C", self.copy_patient_requested.emit, "patient"
        )
        self.signal_action = self._action(
            "Signaal &wijkteam…", "Ctrl+Shift+S", self.signal_form_requested.emit, "patient"
        )
        self.consents_action = self._action(
            "&Toestemmingen…", "Ctrl+Shift+T", self.consents_requested.emit, "patient"
        )
        self.phone_action = self._action(
            "Tele&fonische terugkoppeling vastleggen…", PHONE_KEY, self.phone_requested.emit,
            "patient",
        )  # fmt: skip
        self.phone_action.setEnabled(self._may_phone)
        self.lock_action = self._action("&Vergrendelen", "Ctrl+L", self.lock_requested.emit, "app")
        self.password_action = self._action(
            "&Wachtwoord wijzigen…", "", self.password_change_requested.emit, "app"
        )
        self._menus["app"].addSeparator()
        self._action("&Afsluiten", "Ctrl+Q", self.close, "app")
        self.area_actions: dict[str, QAction] = {}
        for area in AREAS:
            self.area_actions[area.key] = self._action(
                area.menu_title or area.title,
                area.shortcut,
                lambda _=False, k=area.key: self.show_area(k),
                "go",
            )
        self._action("&Sneltoetsen", "F1", self._show_shortcuts, "help")
        self.about_action = self._action("&Over gpdesk", "", self._show_about, "help")

    def open_menu_bar(self) -> None:
        """F10: the first menu opens; ← → go to the next menu, ↑ ↓ and Enter choose, Esc closes."""
        bar = self.menuBar()
        if bar.isEnabled() and bar.actions():
            bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
            bar.setActiveAction(bar.actions()[0])

    def _on_area(self, row: int) -> None:
        if row < 0:
            return
        key = AREAS[row].key
        self.stack.setCurrentWidget(self.pages[key])
        self._state.setValue("main/area", key)
        self.area_changed.emit(key)

    def _status_message_changed(self, text: str) -> None:
        """A message gets the whole status bar, and its tooltip, so a narrow window shows it."""
        self.db_label.setVisible(not text)
        self.statusBar().setToolTip(text)
        announce(self.statusBar(), text)

    def show_outbox_status(self, text: str) -> None:
        """The outbox line, e.g. "Postvak uit: 0 wachtend" (``OutboxWorker.status_changed``)."""
        self.outbox_label.setText(text)
        self.outbox_label.setVisible(bool(text))

    def show_inbox_status(self, text: str, tooltip: str = "") -> None:
        """The fetching line, e.g. "Postvak in: opgehaald 10:42" (``FetchWorker.status_changed``).

        The tooltip names each mailbox and folder with its full message.
        """
        self.inbox_label.setText(text)
        self.inbox_label.setToolTip(tooltip)
        self.inbox_label.setVisible(bool(text))

    def show_area(self, key: str) -> None:
        """Switch to an area by key (``signals``, ``kaart``, ``inbox``, ``beheer``)."""
        row = next(i for i, a in enumerate(AREAS) if a.key == key)
        self.nav.setCurrentRow(row)
        page = self.stack.currentWidget()
        if page is not None:
            page.setFocus()

    def show_quarantine(self) -> None:
        """Terugkoppeling with the Quarantaine filter on (from Beheer → Ontvangen)."""
        self.show_area("inbox")
        self.inbox_page().chips[LetterView.QUARANTINE].setChecked(True)

    def set_area_count(self, key: str, count: int, detail: str = "") -> None:
        """A number behind an area's name ("Terugkoppeling  5"), its meaning in the tooltip."""
        row = next(i for i, a in enumerate(AREAS) if a.key == key)
        area, item = AREAS[row], self.nav.item(row)
        if item is None:
            return
        shown = "99+" if count > 99 else str(count)  # the tooltip has the exact number
        item.setText(f"{area.title}  {shown}" if count > 0 else area.title)
        tip = f"{area.summary} ({area.shortcut})"
        item.setToolTip(f"{tip}\n{detail}" if detail else tip)

    def current_area(self) -> str:
        """Key of the area on screen."""
        return AREAS[self.nav.currentRow()].key

    def set_patient(self, ctx: PatientContext | None) -> None:
        """Show the patient in the banner (only there: never in the title or a notification)."""
        self.banner.set_patient(ctx)
        self.close_patient_action.setEnabled(ctx is not None)
        self.copy_patient_action.setEnabled(ctx is not None)
        self.consents_action.setEnabled(ctx is not None)
        page = self.pages.get("signals")
        if isinstance(page, SignalsPage):
            page.set_patient_open(ctx is not None)
        inbox = self.pages.get("inbox")
        if isinstance(inbox, InboxPage):
            inbox.set_patient_open(ctx is not None)

    def lock(self) -> None:
        """Hide all work and patient data; only the lock page and Afsluiten stay usable."""
        self.lock_page.prepare(self._actor_text)
        self.root.setCurrentWidget(self.lock_page)
        self.menuBar().setEnabled(False)
        for action in self.findChildren(QAction):
            action.setEnabled(False)
        self.user_label.setText(f"Vergrendeld · {self._actor_text}")
        self.lock_page.password.setFocus()

    def unlock(self) -> None:
        """Back to the work as it was."""
        self.root.setCurrentWidget(self.work)
        self.menuBar().setEnabled(True)
        for action in self.findChildren(QAction):
            action.setEnabled(True)
        has_patient = self.banner.close_button.isVisible()
        self.close_patient_action.setEnabled(has_patient)
        self.copy_patient_action.setEnabled(has_patient)
        self.consents_action.setEnabled(has_patient)
        self.phone_action.setEnabled(self._may_phone)
        self.user_label.setText(f"Ingelogd: {self._actor_text}")

    @property
    def is_locked(self) -> bool:
        """Whether the lock page is showing."""
        return self.root.currentWidget() is self.lock_page

    def practice_page(self) -> PracticePage:
        """The Beheer page, for the controller to fill."""
        page = self.pages["beheer"]
        assert isinstance(page, PracticePage)
        return page

    def inbox_page(self) -> InboxPage:
        """The Terugkoppeling page, for its controller to drive."""
        page = self.pages["inbox"]
        assert isinstance(page, InboxPage)
        return page

    def kaart_page(self) -> KaartPage:
        """The Sociale kaart page, for its controller to drive."""
        page = self.pages["kaart"]
        assert isinstance(page, KaartPage)
        return page

    def bring_forward(self) -> None:
        """Come to the front when the HIS hands over a patient."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def shortcut_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The F1 overview: (heading, [(keys, what they do)]), read from the actions and widgets.

        The keys come from the actions, the form's key constants and the buttons' own
        underlined letters, so the overview says what the program does, also after a change.
        """
        from gpdesk.ui.signals import form

        general = [(_keys(a), a.text().replace("&", "")) for a in self.area_actions.values()]
        general += [
            (_keys(self.paste_action), "Plak uit HIS"),
            (_keys(self.close_patient_action), "Patiënt sluiten"),
            (_keys(self.copy_patient_action), "Patiëntgegevens kopiëren (30 s)"),
            (_keys(self.lock_action), "Vergrendelen"),
            ("Ctrl+Q", "Afsluiten"),
            (_keys(self.menu_bar_action), "Menubalk openen (← → ↑ ↓, Enter)"),
        ]
        signals: list[tuple[str, str]] = [
            (_keys(self.signal_action), "Signaal wijkteam (vanuit elk scherm)"),
            (_keys(self.consents_action), "Toestemmingen van de patiënt (ook intrekken)"),
            ("", "In het signaal:"),
            ("Spatie, ← →", "Thema kiezen, volgend thema"),
            (form.SEND_KEYS[-1], "Versturen"),
            (form.PREVIEW_KEY, "Voorbeeld (daar: Enter verstuurt)"),
            (_mnemonic(form.RECORD_CONSENT), _plain(form.RECORD_CONSENT)),
            ("Alt+letter", "Veld of knop met die letter onderstreept"),
            ("Esc", "Sluiten (vraagt eerst bij getypte tekst)"),
            (form.HANDOUT_KEY, "Print voor patiënt (na versturen)"),
        ]
        page = self.pages.get("signals")
        if isinstance(page, SignalsPage):
            signals += [
                ("", "In de lijst met signalen:"),
                ("↑ ↓ (of j k) en Enter", "Signaal kiezen en openen"),
            ]
            statuses = [b.text() for b in page.detail.buttons.values()]
            groups = [[page.open_only.text(), page.this_patient.text()]]
            groups += [statuses[start : start + 3] for start in range(0, len(statuses), 3)]
            groups.append([page.detail.retry_button.text()])
            for group in groups:
                named = [text for text in group if _mnemonic(text)]
                keys = ", ".join(_mnemonic(text)[-1] for text in named)
                signals.append((f"Alt+{keys}", ", ".join(_plain(text) for text in named)))
        kaart = [
            ("Ctrl+F of /", "Zoeken"),
            ("↑ ↓ en Enter", "Resultaat kiezen en openen"),
            ("Esc", "Zoekwoord wissen"),
            ("Ctrl+P", "Print voor patiënt"),
            ("Ctrl+K", "Kopieer contact"),
            ("Ctrl+G", "Gecontroleerd"),
            ("Ctrl+M", "Meld correctie"),
            ("F5", "Vernieuwen"),
        ]
        inbox: list[tuple[str, str]] = [
            ("j k, ↑ ↓", "Volgende, vorige brief"),
            ("Enter", "Brief lezen"),
        ]
        page = self.pages.get("inbox")
        if isinstance(page, InboxPage):
            from gpdesk.ui.inbox import reading_pane
            from gpdesk.ui.inbox.letter_actions import LETTER_ACTIONS

            chips = [chip.text() for chip in page.chips.values()]
            inbox += [
                (f"Alt+{', '.join(_mnemonic(t)[-1] for t in chips)}", "Filters: "
                 + ", ".join(_plain(t).split("/")[0].lower() for t in chips)),
                ("Alt+S, Alt+T", "Stand, team kiezen"),
                (reading_pane.HIS_KEY, "Kopieer voor HIS (30 s op het klembord)"),
                (reading_pane.FILE_KEY, "Overgenomen in HIS (Enter bevestigt)"),
                (_mnemonic(reading_pane.SAVE_TEXT), "Bijlage opslaan als"),
                (f"{ADD_KEY}, {_mnemonic(ADD_TEXT)}", "Brief toevoegen (of bestanden slepen)"),
                (f"{PHONE_KEY}, {_mnemonic(PHONE_TEXT)}",
                 "Telefoon vastleggen (ook vanuit elk scherm)"),
                (FETCH_KEY, "Nu ophalen uit postvak en ontvangstmap"),
            ]  # fmt: skip
            inbox += [(a.shortcut, a.overview) for a in LETTER_ACTIONS if a.shortcut]
            inbox += [
                (_mnemonic(reading_pane.MORE_TEXT), "Meer: alle acties voor de brief"),
                ("F5", "Vernieuwen"),
            ]
        listed = " | ".join(keys for rows in (general, kaart, signals, inbox) for keys, _ in rows)
        for menu in self._menus.values():  # any other menu key: the overview stays complete
            for action in menu.actions():
                if _keys(action) and _keys(action) not in listed:
                    general.append((_keys(action), _plain(action.text())))
        return [
            ("Overal", general),
            ("Sociale kaart", kaart),
            ("Signaleren", signals),
            ("Terugkoppeling", inbox),
        ]

    def _show_shortcuts(self) -> None:
        """F1: the keys in three columns (everywhere and the kaart; Signaleren; Terugkoppeling)."""
        sections = self.shortcut_sections()
        left = "".join(_section_html(title, rows) for title, rows in sections[:2])
        middle = _section_html(*sections[2])
        right = "".join(_section_html(title, rows) for title, rows in sections[3:])
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "Sneltoetsen",
            "<table cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='top'>{left}</td><td width='20'></td>"
            f"<td valign='top'>{middle}</td><td width='20'></td>"
            f"<td valign='top'>{right}</td></tr></table>",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("shortcutOverview")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.exec()

    def _show_about(self) -> None:
        """The Desktop gathers the facts off the GUI thread; bare, the version alone."""
        if self.receivers(SIGNAL("about_requested()")) > 0:
            self.about_requested.emit()
            return
        QMessageBox.about(self, "Over gpdesk", f"gpdesk {__version__}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Remember size and position for next time."""
        self._state.setValue("main/geometry", self.saveGeometry())
        self._state.sync()
        super().closeEvent(event)
