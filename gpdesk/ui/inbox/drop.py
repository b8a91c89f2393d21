"""Letters added by hand: files dragged onto Terugkoppeling, or chosen with "Brief toevoegen…".

Each file goes through the same intake as ``gpdesk inbox import`` (``gpdesk.inbox.intake``:
read safely in one child process for the whole batch, stored once, quarantined when it cannot
be read), off the GUI thread (``take_in_paths``, run by the inbox controller). The page then
says in one line what happened ("2 brieven opgeslagen, 1 in quarantaine, 1 was er al") and
names each file it could not keep, and why; the other files are stored all the same. A
dropped folder is refused (gpdesk does not go through folders by itself: that is what a drop
folder source is for). A file over the intake's size limit is not read at all: it stays where
it was, and the line says so.

``DropZone`` is the highlight over the page while files are dragged onto it; ``IntakeBar`` is
the row with "Brief toevoegen…" and "Telefoon vastleggen…", and the line with the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import GpdeskError
from gpdesk.models import LetterSource
from gpdesk.security.permissions import Permission, require
from gpdesk.ui.accessible import announce
from gpdesk.ui.inbox.phone_dialog import PHONE_KEY, PHONE_TEXT
from gpdesk.ui.theme import set_tone

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn

ADD_TEXT: Final = "&Brief toevoegen…"
"""Alt+B: free on the inbox page (see ``page.VIEW_CHIPS`` and the reading pane)."""
ADD_KEY: Final = "Ctrl+O"
DROP_TEXT: Final = "Laat los: gpdesk bewaart de bestanden als terugkoppeling"
FOLDER_REFUSED: Final = (
    "Een map neemt gpdesk niet over ({names}). Sleep de bestanden uit de map, of laat de "
    "beheerder de map als bron instellen."
)
NAMED_AT_MOST: Final = 5
"""Files named one by one in the outcome line; more are counted."""
FILE_FILTER: Final = "Brieven (*.eml *.pdf *.txt *.edi);;Alle bestanden (*)"

OpenPathsAsker = Callable[[QWidget], list[Path]]


def ask_open_paths(parent: QWidget) -> list[Path]:
    """The file dialog "Brief toevoegen" (several files at once); empty when cancelled."""
    names, _filter = QFileDialog.getOpenFileNames(parent, "Brief toevoegen", "", FILE_FILTER)
    return [Path(name) for name in names]


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file: stored (new, duplicate, quarantined) or, with ``problem``, not."""

    name: str
    letter_id: int | None = None
    duplicate: bool = False
    quarantined: bool = False
    problem: str | None = None


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


@dataclass(frozen=True)
class IntakeOutcome:
    """A batch of files taken in: each file's outcome and the folders refused."""

    files: tuple[FileOutcome, ...] = ()
    folders: tuple[str, ...] = ()

    @property
    def problems(self) -> list[FileOutcome]:
        """The files that could not be kept."""
        return [f for f in self.files if f.problem is not None]

    @property
    def refused_any(self) -> bool:
        """Whether something dropped was not kept (a file or a folder)."""
        return bool(self.problems or self.folders)

    @property
    def newest_id(self) -> int | None:
        """The last letter this batch stored or found: the one to show."""
        kept = [f.letter_id for f in self.files if f.letter_id is not None]
        return kept[-1] if kept else None

    def summary(self) -> str:
        """One line: counts first, then each file that was not kept, then refused folders."""
        kept = [f for f in self.files if f.problem is None]
        stored = sum(1 for f in kept if not f.duplicate and not f.quarantined)
        quarantined = sum(1 for f in kept if f.quarantined and not f.duplicate)
        duplicates = sum(1 for f in kept if f.duplicate)
        counts = []
        if stored or not (quarantined or duplicates):
            counts.append(_count(stored, "brief", "brieven") + " opgeslagen")
        if quarantined:
            counts.append(f"{quarantined} in quarantaine")
        if duplicates:
            counts.append(f"{duplicates} {'was' if duplicates == 1 else 'waren'} er al")
        sentences = [", ".join(counts) + "."] if self.files else []
        problems = self.problems
        if problems:
            named = [f"{f.name}: {f.problem}" for f in problems[:NAMED_AT_MOST]]
            if len(problems) > NAMED_AT_MOST:
                named.append(f"en nog {len(problems) - NAMED_AT_MOST} bestanden")
            sentences.append("Niet opgeslagen: " + "; ".join(named) + ".")
        if self.folders:
            names = ", ".join(self.folders[:NAMED_AT_MOST])
            sentences.append(FOLDER_REFUSED.format(names=names))
        return " ".join(sentences)


def unreadable(error: OSError) -> str:
    """Why a file could not be read, in Dutch (the system's own text is English)."""
    if isinstance(error, FileNotFoundError):
        return "het bestand is er niet meer; sleep het opnieuw"
    if isinstance(error, PermissionError):
        return "gpdesk mag dit bestand niet lezen; kopieer het eerst naar uw eigen map"
    return "het bestand is niet te lezen; probeer het opnieuw of kopieer het eerst"


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def take_in_paths(
    db: Database, signed: SignedIn, paths: Sequence[Path], source: LetterSource
) -> IntakeOutcome:
    """Worker: each file read safely and stored once, as ``gpdesk inbox import`` does.

    One reading process serves the whole batch. A file that cannot be read or stored is named
    with the reason and the next one is taken in all the same; folders are refused.
    """
    from gpdesk.inbox.intake import practice_keys, take_in
    from gpdesk.inbox.parsing import DEFAULT_LIMITS, ParserProcess

    require(signed.actor.permissions, Permission.LETTER_READ)
    folders = tuple(path.name or str(path) for path in paths if path.is_dir())
    files = [path for path in paths if not path.is_dir()]
    if not files:
        return IntakeOutcome(folders=folders)
    keys = practice_keys(db, signed.vault)
    limit = DEFAULT_LIMITS.max_bytes
    outcomes: list[FileOutcome] = []
    with ParserProcess() as process:
        for path in files:
            try:
                if path.stat().st_size > limit:
                    outcomes.append(FileOutcome(path.name, problem=(
                        f"groter dan {_megabytes(limit)}; gpdesk leest het niet, het bestand "
                        "blijft waar het was"
                    )))  # fmt: skip
                    continue
                raw = path.read_bytes()
            except OSError as error:
                outcomes.append(FileOutcome(path.name, problem=unreadable(error)))
                continue
            try:
                got = take_in(db, signed, (path.name, raw), source, keys=keys,
                              parser=process.parse)  # fmt: skip
            except GpdeskError as error:
                outcomes.append(FileOutcome(path.name, problem=error.user_text()))
                continue
            outcomes.append(FileOutcome(path.name, got.letter_id, got.duplicate, got.quarantined))
    return IntakeOutcome(tuple(outcomes), folders)


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drag; links to web pages are not files."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropZone(QFrame):
    """The highlight over the inbox page while files are dragged onto it.

    The page forwards its drag events here; ``dropped`` carries the local paths.
    """

    dropped = Signal(object)
    """``list[Path]``: what was let go on the page."""

    def __init__(self, page: QWidget) -> None:
        super().__init__(page)
        self.setObjectName("inboxDropZone")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # #inboxDropZone
        label = QLabel(DROP_TEXT)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        hint = QLabel(".eml, .pdf, .txt, Edifact; wat gpdesk niet kan lezen, gaat in quarantaine")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setObjectName("inboxDropHint")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.enabled = True
        """False when the signed-in role may not add letters: drags are refused."""
        page.installEventFilter(self)  # the highlight follows the page's size
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Cover the page, also when the window changes size during a drag."""
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._cover()
        return super().eventFilter(watched, event)

    def _cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect().adjusted(8, 8, -8, -8))

    def drag_enter(self, event: QDragEnterEvent) -> None:
        """Files dragged onto the page: accepted and highlighted (anything else refused)."""
        if not self.enabled or not local_paths(event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()
        self._cover()
        self.raise_()
        self.show()

    def drag_move(self, event: QDragMoveEvent) -> None:
        """Keep accepting while the files are over the page."""
        if self.isVisible():
            event.acceptProposedAction()
        else:
            event.ignore()

    def drag_leave(self) -> None:
        """The drag left the page without dropping."""
        self.hide()

    def drag_drop(self, event: QDropEvent) -> None:
        """Let go: the paths go to the controller; the highlight goes."""
        self.hide()
        paths = local_paths(event.mimeData()) if self.enabled else []
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.dropped.emit(paths)


class IntakeBar(QWidget):
    """The page's "Brief toevoegen…" and "Telefoon vastleggen…", and the outcome line.

    ``message`` is placed by the page (below the filters); Ctrl+O works anywhere on the page.
    """

    add_requested = Signal()
    phone_requested = Signal()

    def __init__(self, page: QWidget) -> None:
        super().__init__(page)
        self.add_button = QPushButton(ADD_TEXT)
        self.add_button.setObjectName("inboxAdd")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_requested)
        self.phone_button = QPushButton(PHONE_TEXT)
        self.phone_button.setObjectName("inboxPhone")
        self.phone_button.setAutoDefault(False)
        self.phone_button.clicked.connect(self.phone_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.add_button)
        layout.addWidget(self.phone_button)
        self.message = QLabel()
        self.message.setObjectName("inboxIntakeMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.add_shortcut = QShortcut(QKeySequence(ADD_KEY), page)
        self.add_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.add_shortcut.activated.connect(self._add_by_key)
        self.set_allowed(may_add=True, may_phone=True)

    def _add_by_key(self) -> None:
        if self.add_button.isEnabled():
            self.add_requested.emit()

    def set_allowed(self, *, may_add: bool, may_phone: bool) -> None:
        """What the signed-in role may do; a disabled button's tooltip says why."""
        refused = "U hebt geen toestemming voor: {}. Vraag de praktijkmanager om dit recht."
        self.add_button.setEnabled(may_add)
        self.add_button.setToolTip(
            "Bestanden kiezen (.eml, .pdf, .txt, Edifact); u kunt ze ook op de lijst slepen "
            f"({ADD_KEY})"
            if may_add
            else refused.format(Permission.LETTER_READ.label)
        )
        self.phone_button.setEnabled(may_phone)
        self.phone_button.setToolTip(
            f"Een telefoontje van een team vastleggen als terugkoppeling ({PHONE_KEY})"
            if may_phone
            else refused.format(Permission.LETTER_FILE.label)
        )

    def show_busy(self, count: int) -> None:
        """While the files are read and stored."""
        self.show_message(f"{_count(count, 'bestand', 'bestanden')} inlezen…")

    def show_message(self, text: str, *, problem: bool = False) -> None:
        """The outcome line (red when something was not kept)."""
        announce(self, text, urgent=problem)
        set_tone(self.message, "error" if problem else "success")
        self.message.setText(text)
        self.message.setVisible(bool(text))
