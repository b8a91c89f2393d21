"""BackgroundTasks: unexpected errors leave a crash log; widgets never die on the worker."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gpdesk.errors import GpdeskError
from gpdesk.ui.tasks import BackgroundTasks

SECRET = "patiënt J. de Vries, BSN 111222333"


@pytest.fixture
def crash_dir(tmp_path: Path) -> Path:
    return tmp_path / "crashes"


@pytest.fixture
def tasks(qtbot: QtBot, crash_dir: Path) -> Iterator[BackgroundTasks]:
    unhandled: list[BaseException] = []
    runner = BackgroundTasks(unhandled.append, crash_dir=crash_dir)
    yield runner
    runner.wait()
    assert not unhandled


def _fail(exc: BaseException) -> int:
    raise exc


def _crash_files(crash_dir: Path) -> list[Path]:
    return sorted(crash_dir.glob("crash-*.txt")) if crash_dir.exists() else []


def test_an_unexpected_error_leaves_one_scrubbed_crash_log_before_on_error(
    qtbot: QtBot, tasks: BackgroundTasks, crash_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    files_when_told: list[int] = []

    def on_error(exc: BaseException) -> None:
        files_when_told.append(len(_crash_files(crash_dir)))
        errors.append(exc)

    with caplog.at_level(logging.ERROR, logger="gpdesk.crash"):
        tasks.run(lambda: _fail(RuntimeError(SECRET)), lambda _v: None, on_error)
        qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], RuntimeError)
    assert files_when_told == [1]  # written before the screen heard of it
    [crash] = _crash_files(crash_dir)
    report = crash.read_text(encoding="utf-8")
    assert "builtins.RuntimeError: (message withheld)" in report
    assert "_fail" in report
    assert "111222333" not in report and "Vries" not in report
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "RuntimeError" in line.getMessage() and str(crash) in line.getMessage()
    assert "111222333" not in line.getMessage()


def test_the_default_handler_gets_the_error_after_the_crash_log(
    qtbot: QtBot, crash_dir: Path
) -> None:
    errors: list[BaseException] = []
    runner = BackgroundTasks(errors.append, crash_dir=crash_dir)
    runner.run(lambda: _fail(KeyError("x")), lambda _v: None)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    runner.wait()
    assert isinstance(errors[0], KeyError)
    assert len(_crash_files(crash_dir)) == 1


def test_an_expected_error_leaves_no_crash_log(
    qtbot: QtBot, tasks: BackgroundTasks, crash_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    with caplog.at_level(logging.ERROR):
        tasks.run(
            lambda: _fail(GpdeskError("De database is niet bereikbaar.")),
            lambda _v: None,
            errors.append,
        )
        qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], GpdeskError)
    assert _crash_files(crash_dir) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_same_failure_again_is_counted_not_written_again(
    qtbot: QtBot, tasks: BackgroundTasks, crash_dir: Path
) -> None:
    errors: list[BaseException] = []
    for _ in range(5):
        tasks.run(lambda: _fail(RuntimeError("kapot")), lambda _v: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 5, timeout=5_000)
    assert len(_crash_files(crash_dir)) == 1


def test_results_arrive_on_the_gui_thread(qtbot: QtBot, tasks: BackgroundTasks) -> None:
    seen: list[tuple[object, bool]] = []
    worker: list[bool] = []

    def work() -> str:
        worker.append(threading.current_thread() is threading.main_thread())
        return "klaar"

    tasks.run(
        work,
        lambda value: seen.append((value, threading.current_thread() is threading.main_thread())),
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    assert worker == [False]
    assert seen == [("klaar", True)]


def _reached(items: list[int], count: int) -> Callable[[], bool]:
    return lambda: len(items) >= count


class _Screen:
    """Stands in for a widget: its bound methods are the callbacks, a closure holds it too."""

    def done(self, _value: object) -> None:
        """A result arrived."""

    def failed(self, _exc: BaseException) -> None:
        """The work failed."""


def test_the_last_reference_to_work_and_callbacks_goes_on_the_gui_thread(
    qtbot: QtBot, tasks: BackgroundTasks
) -> None:
    """A widget whose last reference went on the worker was destroyed there, mid-paint.

    (The import preview dialog in its tests crashed the process that way now and then.)
    """
    released_on: list[bool] = []
    delivered: list[int] = []
    rounds = 60
    for number in range(rounds):
        screen = _Screen()
        weakref.finalize(
            screen,
            lambda: released_on.append(threading.current_thread() is threading.main_thread()),
        )

        def work(held: _Screen = screen, fail: bool = number % 2 == 0) -> _Screen:
            if fail:  # the traceback, and so the exception, holds the screen too
                raise RuntimeError("kapot")
            return held

        tasks.run(work, screen.done, screen.failed)
        tasks.run(lambda: 1, delivered.append)
        del screen, work
        qtbot.waitUntil(_reached(delivered, number + 1), timeout=5_000)
    tasks.wait()
    qtbot.waitUntil(lambda: len(released_on) == rounds, timeout=5_000)  # nothing kept alive
    assert all(released_on)


def _held_until(gate: threading.Event) -> Callable[[], int]:
    def work() -> int:
        gate.wait(10)
        return 1

    return work


def test_a_result_for_a_widget_that_is_gone_is_not_delivered(
    qtbot: QtBot, tasks: BackgroundTasks
) -> None:
    from PySide6.QtWidgets import QLabel

    gate = threading.Event()
    label = QLabel()
    tasks.run(_held_until(gate), lambda v: label.setText(str(v)), owner=label)
    bound = QLabel()
    tasks.run(_held_until(gate), bound.setNum)
    label.deleteLater()
    bound.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label) and not _alive(bound), timeout=5_000)
    gate.set()
    assert tasks.wait()
    qtbot.wait(50)  # the deliveries arrive, find nobody, and are dropped without an error


def test_a_living_owner_still_hears(qtbot: QtBot, tasks: BackgroundTasks) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    tasks.run(lambda: 7, label.setNum, owner=label)
    qtbot.waitUntil(lambda: label.text() == "7", timeout=5_000)


def _alive(obj: object) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))
