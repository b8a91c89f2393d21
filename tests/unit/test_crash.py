"""CrashLog: one crash log per distinct failure per run, repeats counted, no messages."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from gpdesk import crash


def _raise(kind: type[Exception], message: str) -> BaseException:
    try:
        raise kind(message)
    except Exception as exc:
        return exc


def _elsewhere(message: str) -> BaseException:
    try:
        raise ValueError(message)
    except ValueError as exc:
        return exc


def test_the_same_failure_is_written_once_and_counted(tmp_path: Path) -> None:
    crashes = crash.CrashLog(tmp_path)
    first = crashes.record(_raise(ValueError, "BSN 111222333"))
    again = crashes.record(_raise(ValueError, "een ander bericht"))  # messages do not count
    assert first.first and not again.first
    assert again.path == first.path and again.count == 2
    assert list(tmp_path.glob("crash-*.txt")) == [first.path]


def test_another_type_or_place_is_another_failure(tmp_path: Path) -> None:
    crashes = crash.CrashLog(tmp_path)
    paths = {
        crashes.record(_raise(ValueError, "x")).path,
        crashes.record(_raise(KeyError, "x")).path,
        crashes.record(_elsewhere("x")).path,
    }
    assert len(paths) == 3 and len(list(tmp_path.glob("crash-*.txt"))) == 3


def test_repeats_are_logged_at_powers_of_ten_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crashes = crash.CrashLog(tmp_path)
    with caplog.at_level(logging.ERROR, logger="gpdesk.crash"):
        for _ in range(100):
            crashes.record(_raise(ValueError, "BSN 111222333"))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3  # the first, the 10th, the 100th
    assert "100 times" in lines[-1]
    assert all("111222333" not in line for line in lines)


def test_threads_share_one_log_per_folder(tmp_path: Path) -> None:
    crashes = crash.crash_log(tmp_path)
    assert crash.crash_log(tmp_path) is crashes

    def fail() -> None:
        for _ in range(50):
            crashes.record(_raise(RuntimeError, "x"))

    workers = [threading.Thread(target=fail) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert list(crashes.counts.values()) == [200]
    assert len(list(tmp_path.glob("crash-*.txt"))) == 1


def test_the_hook_records_and_tells(tmp_path: Path) -> None:
    told: list[crash.CrashRecord] = []
    hook = crash.excepthook(crash.CrashLog(tmp_path), told.append)
    exc = _raise(ValueError, "BSN 111222333")
    hook(type(exc), exc, exc.__traceback__)
    hook(type(exc), exc, exc.__traceback__)
    assert [record.count for record in told] == [1, 2]
    assert told[0].path is not None
    assert "111222333" not in told[0].path.read_text(encoding="utf-8")
