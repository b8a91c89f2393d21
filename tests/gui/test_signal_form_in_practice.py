"""The signal form says "vandaag in de praktijk" when the team's walk-in hour is here today.

In the demo kaart Wijkteam Nieuwland (the team for ``PATIENT``'s postcode) holds its walk-in
hour on Thursday 09:00–11:00 at a location with the demo practice's own address. The clock is
fixed: the form's worker reads ``gpdesk.models.utcnow`` when it loads the team, so the test
sets it to a Thursday morning, or to the Wednesday before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import gpdesk.models
import gpdesk.ui.signals.controller
from gpdesk.config import Home
from gpdesk.signals.outgoing import Route
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import ready_home, shoot, signed_in
from tests.gui.test_signal_form import FORM_SIZE, open_form

THURSDAY = datetime(2026, 12, 10, 7, 30, tzinfo=UTC)
"""08:30 in Schiedam: Nieuwland's walk-in hour in the practice starts at 09:00 today."""
WEDNESDAY = datetime(2026, 12, 9, 7, 30, tzinfo=UTC)
"""The day before: the next walk-in hour is in the practice, but not today."""


@pytest.fixture
def gp(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    ready_home(demo_home)
    shell = signed_in(qtbot, demo_home, "bakker")
    yield shell
    dispose_desktop(shell)


def _clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Fix the clock the form's worker reads (where it imports it from, and in case it moves)."""
    monkeypatch.setattr(gpdesk.models, "utcnow", lambda: moment)
    monkeypatch.setattr(gpdesk.ui.signals.controller, "utcnow", lambda: moment, raising=False)


def test_the_team_sits_in_the_practice_today(
    qtbot: QtBot, gp: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock_at(monkeypatch, THURSDAY)
    form = open_form(qtbot, gp)
    assert "Nieuwland" in form.team.currentText()
    assert form.in_practice.isVisible()
    assert form.in_practice.text() == "vandaag in de praktijk"
    assert form.walk_in.isVisible()
    assert form.walk_in.text() == (
        "Volgende inloopspreekuur: donderdag 10 december 09:00–11:00 — vandaag in de praktijk"
    )
    walk_in = form.routes[Route.WALK_IN]
    assert walk_in.isEnabled()
    shoot(qtbot, form, "form-in-practice-today", FORM_SIZE)
    # With the keyboard to the next team (the desk, at its own place): the notice goes.
    if form.team.count() < 2:
        pytest.skip("the demo kaart offers one team for this address")
    form.team.setFocus()
    qtbot.keyClick(form.team, Qt.Key.Key_Down)  # a closed combo box steps to the next team
    form.team.activated.emit(form.team.currentIndex())
    assert "Nieuwland" not in form.team.currentText()
    assert not form.in_practice.isVisible()
    assert "vandaag in de praktijk" not in form.walk_in.text()
    qtbot.keyClick(form.team, Qt.Key.Key_Up)
    form.team.activated.emit(form.team.currentIndex())
    assert form.in_practice.isVisible()


def test_not_today_no_notice(qtbot: QtBot, gp: Desktop, monkeypatch: pytest.MonkeyPatch) -> None:
    _clock_at(monkeypatch, WEDNESDAY)
    form = open_form(qtbot, gp)
    assert "Nieuwland" in form.team.currentText()
    assert not form.in_practice.isVisible()
    assert form.walk_in.text() == "Volgende inloopspreekuur: donderdag 10 december 09:00–11:00"
