"""When each source is fetched next, and what the status bar says about it (no Qt).

A workstation fetches each enabled source every ``interval_minutes`` (set per source in Beheer),
one source at a time. A source that failed waits longer before the next try: twice its interval
after one failure, four times after two, and so on up to an hour (or its own interval, when that
is longer), so a mail server that is down is not asked every minute all day. "Nu ophalen" makes
every source due at once. A failure never costs a letter: the core stores each item before its
source forgets it (``gpdesk.inbox.fetching``); the schedule only decides when to ask again.

The status bar gets one short line ("Postvak in: opgehaald 10:42", "Postvak in: server niet
bereikbaar, opnieuw om 10:47") and a tooltip with every source's full Dutch message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from gpdesk.inbox.sources.errors import (
    DropFolderError,
    FolderMissingError,
    KeepFailedError,
    LoginRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerRefusedError,
    SourceUnreachableError,
    StuckAtMessageError,
    TlsHandshakeError,
)

BACKOFF_CAP_MINUTES: Final = 60
"""The longest a failing source waits (unless its own interval is longer)."""

PREFIX: Final = "Postvak in: "
FETCHING: Final = PREFIX + "ophalen…"
FETCHED: Final = PREFIX + "opgehaald {at:%H:%M}"
RETRY: Final = PREFIX + "{problem}, opnieuw om {at:%H:%M}"
ASK_ADMIN: Final = PREFIX + "{problem}, vraag de beheerder"
UNEXPECTED_PROBLEM: Final = "er ging iets mis"
OTHER_PROBLEM: Final = "ophalen lukte niet"


def problem_of(error: BaseException) -> str:
    """A few Dutch words for the status bar; the full message goes in its tooltip."""
    kinds: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
        (SourceUnreachableError, "server niet bereikbaar"),
        ((NoTlsError, ServerCertificateError, TlsHandshakeError), "geen veilige verbinding"),
        (LoginRefusedError, "inloggen geweigerd"),
        (FolderMissingError, "map niet gevonden in het postvak"),
        (ServerRefusedError, "server weigert"),
        (StuckAtMessageError, "een bericht kwam niet door"),
        (KeepFailedError, "een bericht kon niet worden bewaard"),
        (DropFolderError, "ontvangstmap niet te gebruiken"),
    )
    for kind, words in kinds:
        if isinstance(error, kind):
            return words
    return OTHER_PROBLEM


def backoff_minutes(interval_minutes: int, failures: int) -> int:
    """How long to wait after ``failures`` failed fetches in a row (0: the plain interval)."""
    cap = max(interval_minutes, BACKOFF_CAP_MINUTES)
    factor: int = 2 ** min(failures, 16)
    return min(interval_minutes * factor, cap)


@dataclass
class _Plan:
    interval_minutes: int
    due: float
    failures: int = 0


class FetchSchedule:
    """When each enabled source is due, on a monotonic clock in seconds.

    ``minute_s`` is how long a source's minute lasts: 60 in the program, far less in tests.
    """

    def __init__(self, *, minute_s: float = 60.0) -> None:
        self.minute_s = minute_s
        self._plans: dict[int, _Plan] = {}

    def update(self, sources: Iterable[tuple[int, int]], now: float) -> None:
        """Follow Beheer: a new source (id, interval) is due at once, a gone one is dropped.

        A changed interval counts from the source's last fetch.
        """
        seen: dict[int, _Plan] = {}
        for source_id, interval in sources:
            plan = self._plans.get(source_id)
            if plan is None:
                plan = _Plan(interval, now)
            elif plan.interval_minutes != interval:
                last = plan.due - self._wait_s(plan)
                plan.interval_minutes = interval
                plan.due = last + self._wait_s(plan)
            seen[source_id] = plan
        self._plans = seen

    def _wait_s(self, plan: _Plan) -> float:
        return backoff_minutes(plan.interval_minutes, plan.failures) * self.minute_s

    def due(self, now: float) -> list[int]:
        """The sources to fetch now, in the order they were added (by id)."""
        return sorted(i for i, plan in self._plans.items() if plan.due <= now)

    def due_times(self) -> dict[int, float]:
        """A copy for the background: each known source's due moment."""
        return {i: plan.due for i, plan in self._plans.items()}

    def all_now(self, now: float) -> None:
        """Nu ophalen: every source is due now (a failing one too; its count stays)."""
        for plan in self._plans.values():
            plan.due = min(plan.due, now)

    def fetched(self, source_id: int, now: float, *, failed: bool) -> float:
        """Note a fetch that ended at ``now``; returns the seconds until the next one."""
        plan = self._plans.get(source_id)
        if plan is None:
            return 0.0  # disabled or removed meanwhile: the next update decides
        plan.failures = plan.failures + 1 if failed else 0
        wait = self._wait_s(plan)
        plan.due = now + wait
        return wait

    def failures(self, source_id: int) -> int:
        """Failed fetches in a row for this source (0 after a good one)."""
        plan = self._plans.get(source_id)
        return 0 if plan is None else plan.failures

    def wait_s(self, source_id: int, now: float) -> float:
        """Seconds until this source is due (0 when due or unknown)."""
        plan = self._plans.get(source_id)
        return 0.0 if plan is None else max(0.0, plan.due - now)

    @property
    def sources(self) -> list[int]:
        """The ids of the sources followed."""
        return sorted(self._plans)


def pick_due(sources: Sequence[int], due_times: Mapping[int, float], now: float) -> int | None:
    """The first enabled source that is due; one the schedule does not know yet is due."""
    return next((i for i in sources if due_times.get(i, now) <= now), None)


@dataclass(frozen=True)
class SourceStatus:
    """What the status bar knows of one source after its last fetch."""

    label: str
    fetched_at: datetime | None = None
    """Wall clock of the last fetch that worked."""
    problem: str | None = None
    """A few words ("server niet bereikbaar") when the last fetch failed."""
    message: str | None = None
    """The full Dutch message of that failure (the tooltip)."""
    retry_at: datetime | None = None
    temporary: bool = True
    """Fetching again later may help; otherwise someone must change a setting first."""


def status_line(statuses: Sequence[SourceStatus]) -> str:
    """The status bar's line: the first problem, else when letters were last fetched."""
    if not statuses:
        return ""
    failing = [s for s in statuses if s.problem is not None]
    if failing:
        first = failing[0]
        assert first.problem is not None
        if first.temporary and first.retry_at is not None:
            return RETRY.format(problem=first.problem, at=first.retry_at)
        return ASK_ADMIN.format(problem=first.problem)
    times = [s.fetched_at for s in statuses if s.fetched_at is not None]
    if not times:
        return FETCHING
    return FETCHED.format(at=max(times))


def status_tooltip(statuses: Sequence[SourceStatus]) -> str:
    """Each source on its own line, with its full message when it failed."""
    lines = []
    for status in statuses:
        if status.message is not None:
            line = f"{status.label}: {status.message}"
            if status.retry_at is not None:
                line += f" Opnieuw om {status.retry_at:%H:%M}."
        elif status.fetched_at is not None:
            line = f"{status.label}: opgehaald om {status.fetched_at:%H:%M}"
        else:
            line = f"{status.label}: nog niet opgehaald"
        lines.append(line)
    return "\n".join(lines)


def retry_at(now: datetime, wait_s: float) -> datetime:
    """The wall-clock minute of the next try, rounded up: "opnieuw om 10:47" is never early."""
    at = now + timedelta(seconds=wait_s)
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return at
