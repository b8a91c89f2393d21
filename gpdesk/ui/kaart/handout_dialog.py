"""The patient handout: a preview with the privacy choice, and the Qt side of printing it.

What the handout says is one ``gpdesk.letters`` ``Document`` built by ``gpdesk.kaart.handout``.
Saving as PDF renders it headless, off the GUI thread (``gpdesk.letters.pdf``). The preview
and the printer take its HTML (``gpdesk.letters.html.to_html``) laid out on A4 in a
``QTextDocument``: Qt prints on the printer the user picks, and PySide6 cannot draw a PDF
without the QtPdf add-on. The dialog lays out and reports what the user asks;
``KaartController`` decides and does it. The first-run recovery sheet prints through
``print_to`` too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QStandardPaths, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gpdesk.kaart.handout import BODY_SIZES
from gpdesk.ui.accessible import announce, named
from gpdesk.ui.sizing import fit_to_screen

MARGIN_MM = 18.0

HtmlForSize = Callable[[float], str]
"""Builds the page's HTML for a body text size in points."""


def page_layout() -> QPageLayout:
    """A4 portrait with margins every printer can manage."""
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        margins,
        QPageLayout.Unit.Millimeter,
    )


def _text_document(html: str) -> QTextDocument:
    """The page as a Qt text document in the application's font family."""
    document = QTextDocument()
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(BODY_SIZES[0])
    document.setDefaultFont(font)
    document.setHtml(html)
    return document


def paginated(html_for: HtmlForSize, device: QPaintDevice, page: QSizeF) -> QTextDocument:
    """The handout laid out for ``device`` on pages of ``page`` (device pixels), on one page.

    A document with its own page size prints as laid out: no extra 2 cm margin and no page
    number, which ``QTextDocument.print_`` adds otherwise. An unusually long kaart entry gets
    a smaller body text (down to 10 pt) rather than a second page.
    """
    document = QTextDocument()
    for size in BODY_SIZES:
        document = _text_document(html_for(size))
        document.documentLayout().setPaintDevice(device)
        document.setDocumentMargin(0)
        document.setPageSize(page)
        if document.pageCount() == 1:
            break
    return document


def _paint_rect(device: QPagedPaintDevice) -> QSizeF:
    layout = device.pageLayout()
    return QSizeF(layout.paintRectPixels(device.logicalDpiX()).size())


def print_to(html_for: HtmlForSize, device: QPagedPaintDevice) -> None:
    """Print the handout on a printer the user chose (GUI thread, as Qt printing requires)."""
    paginated(html_for, device, _paint_rect(device)).print_(device)


def render_image(html_for: HtmlForSize, *, dpi: int = 96) -> QImage:
    """The page as a picture (for the screenshots when pdftoppm is not installed)."""
    layout = page_layout()
    full = layout.fullRectPixels(dpi)
    paint = layout.paintRectPixels(dpi)
    image = QImage(full.size(), QImage.Format.Format_RGB32)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(Qt.GlobalColor.white)
    document = paginated(html_for, image, QSizeF(paint.size()))
    painter = QPainter(image)
    painter.translate(paint.topLeft())
    document.drawContents(painter)
    painter.end()
    return image


def pdf_save_path(file_name: str) -> Path:
    """Where "Opslaan als PDF" starts: ``file_name`` in the user's Documenten, else at home.

    Qt names the documents folder even when it does not exist (a fresh account), and a file
    dialog pointed into a missing folder opens in the program's own folder instead. The file
    name is the service's, never the patient's.
    """
    for location in (
        QStandardPaths.StandardLocation.DocumentsLocation,
        QStandardPaths.StandardLocation.HomeLocation,
    ):
        folder = QStandardPaths.writableLocation(location)
        if folder and Path(folder).is_dir():
            return Path(folder) / file_name
    return Path.home() / file_name


class HandoutDialog(QDialog):
    """Preview of the handout with "naam patiënt op het blad" (off) and print or save."""

    print_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, patient_available: bool) -> None:
        super().__init__(parent)
        self.setObjectName("handoutDialog")
        self.setWindowTitle("Print voor patiënt")
        intro = QLabel("Zo ziet het blad eruit. Controleer het kort en geef het de patiënt mee.")
        intro.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setObjectName("handoutPreview")
        named(self.preview, "Voorbeeld van het blad voor de patiënt")
        self.preview.setOpenExternalLinks(True)  # e-mail and website open outside gpdesk
        self.include_name = QCheckBox("&Naam patiënt op het blad")
        self.include_name.setObjectName("handoutIncludeName")
        self.include_name.setChecked(False)  # privacy first: an anonymous sheet by default
        self.include_name.setEnabled(patient_available)
        self.include_name.setToolTip(
            "Standaard uit: zo staat er niets op papier dat iemand kan herleiden als het blad "
            "blijft liggen."
            if patient_available
            else "Er is geen patiënt in beeld."
        )
        self.print_button = QPushButton("&Afdrukken…")
        self.print_button.setObjectName("handoutPrint")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.setToolTip("Naar de printer (Ctrl+P)")
        self.print_button.setDefault(True)
        self.save_button = QPushButton("Opslaan als &PDF…")
        self.save_button.setObjectName("handoutSave")
        self.close_button = QPushButton("S&luiten")
        self.close_button.setObjectName("handoutClose")
        self.print_button.clicked.connect(self.print_requested)
        self.save_button.clicked.connect(self.save_requested)
        self.close_button.clicked.connect(self.reject)
        self.status = QLabel()
        self.status.setObjectName("handoutStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.include_name)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        fit_to_screen(self, 760, 640)

    def set_html(self, html: str) -> None:
        """Show the handout as it will be printed and saved."""
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(html)
        self.preview.verticalScrollBar().setValue(scroll)

    def show_status(self, text: str) -> None:
        """Saved, printed or what went wrong."""
        announce(self, text)
        self.status.setText(text)

    def set_saving(self, saving: bool) -> None:
        """While the PDF is being written: say so, and no second save at the same time."""
        self.save_button.setEnabled(not saving)
        if saving:
            self.status.setText("Bezig met opslaan…")
