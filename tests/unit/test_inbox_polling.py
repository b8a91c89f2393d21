"""The fetch schedule and the status bar's words, on a made-up clock (no Qt, no timing)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gpdesk.inbox.polling import (
    FETCHING,
    FetchSchedule,
    SourceStatus,
    backoff_minutes,
    pick_due,
    problem_of,
    retry_at,
    status_line,
    status_tooltip,
)
from gpdesk.inbox.sources.errors import (
    DropFolderError,
    KeepFailedError,
    LoginRefusedError,
    NoTlsError,
    SourceUnreachableError,
)
from gpdesk.inbox.sources.folder import ScanResult

AT = datetime(2026, 12, 7, 10, 42, 5)


def test_each_source_comes_at_its_own_interval() -> None:
    schedule = FetchSchedule(minute_s=60)
    schedule.update([(1, 5), (2, 1)], now=0)
    assert schedule.due(0) == [1, 2]  # new sources: at once
    assert schedule.fetched(1, 0, failed=False) == 300
    assert schedule.fetched(2, 0, failed=False) == 60
    assert schedule.due(59) == []
    assert schedule.due(60) == [2]
    assert schedule.due(300) == [1, 2]


def test_a_failing_source_waits_longer_each_time_up_to_an_hour() -> None:
    schedule = FetchSchedule(minute_s=60)
    schedule.update([(1, 5)], now=0)
    waits = [schedule.fetched(1, 0, failed=True) / 60 for _ in range(6)]
    assert waits == [10, 20, 40, 60, 60, 60]
    assert schedule.failures(1) == 6
    assert schedule.fetched(1, 0, failed=False) == 300  # one good fetch: back to the interval
    assert schedule.failures(1) == 0


def test_backoff_never_shortens_a_long_interval() -> None:
    assert backoff_minutes(120, 0) == 120
    assert backoff_minutes(120, 3) == 120
    assert backoff_minutes(1, 1) == 2
    assert backoff_minutes(1, 100) == 60


def test_nu_ophalen_makes_every_source_due_and_keeps_the_failure_count() -> None:
    schedule = FetchSchedule(minute_s=60)
    schedule.update([(1, 5), (2, 5)], now=0)
    schedule.fetched(1, 0, failed=True)
    schedule.fetched(2, 0, failed=False)
    assert schedule.due(1) == []
    schedule.all_now(1)
    assert schedule.due(1) == [1, 2]
    assert schedule.failures(1) == 1


def test_the_schedule_follows_beheer() -> None:
    schedule = FetchSchedule(minute_s=60)
    schedule.update([(1, 5), (2, 5)], now=0)
    schedule.fetched(1, 0, failed=False)
    schedule.fetched(2, 0, failed=False)
    schedule.update([(1, 10), (3, 5)], now=30)  # 2 disabled, 1 slower, 3 new
    assert schedule.sources == [1, 3]
    assert schedule.due(30) == [3]
    assert schedule.wait_s(1, 30) == 570  # ten minutes after its last fetch
    assert schedule.fetched(2, 30, failed=False) == 0  # gone: nothing to plan


def test_the_background_takes_the_first_due_source_and_a_new_one_is_due() -> None:
    assert pick_due([1, 2, 3], {1: 100.0, 2: 5.0}, now=10) == 2
    assert pick_due([1, 4], {1: 100.0}, now=10) == 4
    assert pick_due([1], {1: 100.0}, now=10) is None
    assert pick_due([], {}, now=10) is None


def test_problems_in_a_few_words() -> None:
    assert problem_of(SourceUnreachableError("weg")) == "server niet bereikbaar"
    assert problem_of(NoTlsError()) == "geen veilige verbinding"
    assert problem_of(LoginRefusedError("nee")) == "inloggen geweigerd"
    assert problem_of(DropFolderError("weg", temporary=True)) == "ontvangstmap niet te gebruiken"
    keep = KeepFailedError(ScanResult(0, (), 1), RuntimeError("x"))
    assert problem_of(keep) == "een bericht kon niet worden bewaard"
    assert problem_of(ValueError("x")) == "ophalen lukte niet"


def test_the_status_line_says_what_happened_and_what_to_do() -> None:
    assert status_line([]) == ""
    assert status_line([SourceStatus("map /a")]) == FETCHING
    ok = SourceStatus("map /a", fetched_at=AT)
    assert status_line([ok]) == "Postvak in: opgehaald 10:42"
    down = SourceStatus(
        "imap://post:993/INBOX", problem="server niet bereikbaar", message="De server is weg.",
        retry_at=retry_at(AT, 300),
    )  # fmt: skip
    assert status_line([ok, down]) == "Postvak in: server niet bereikbaar, opnieuw om 10:48"
    refused = SourceStatus("imap://post:993/INBOX", problem="inloggen geweigerd",
                           message="Het wachtwoord klopt niet.", temporary=False)  # fmt: skip
    assert status_line([refused]) == "Postvak in: inloggen geweigerd, vraag de beheerder"
    tip = status_tooltip([ok, down])
    assert tip.splitlines() == [
        "map /a: opgehaald om 10:42",
        "imap://post:993/INBOX: De server is weg. Opnieuw om 10:48.",
    ]


def test_the_retry_minute_is_never_early() -> None:
    assert retry_at(AT, 0) == datetime(2026, 12, 7, 10, 43)
    assert retry_at(datetime(2026, 12, 7, 10, 42), 300) == datetime(2026, 12, 7, 10, 47)


def test_the_schedule_module_stays_light() -> None:
    source = Path(__file__).parents[2] / "gpdesk" / "inbox" / "polling.py"
    assert "PySide6" not in source.read_text(encoding="utf-8")
