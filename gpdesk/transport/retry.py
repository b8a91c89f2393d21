"""When to try a failed send again, and when to stop and show "niet verzonden".

Pure: it takes the number of failures and the time of the last one and returns a time, so the
outbox worker and the tests need no clock of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOT_SENT = "niet verzonden"
"""The status a signal gets when the policy gives up; the user can then choose "Opnieuw"."""

DEFAULT_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
"""Short first (a mail server restarting), then longer, so a gateway that is down is not flooded."""


@dataclass(frozen=True)
class RetryDecision:
    """``next_attempt`` is None when sending stops; ``gave_up`` then says it is "niet verzonden"."""

    next_attempt: datetime | None

    @property
    def gave_up(self) -> bool:
        """No further automatic try: the signal shows "niet verzonden" with the reason."""
        return self.next_attempt is None


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n fails -> wait ``delays[n-1]``; after ``len(delays) + 1`` failures, stop."""

    delays: tuple[timedelta, ...] = DEFAULT_DELAYS

    def __post_init__(self) -> None:
        if any(delay <= timedelta(0) for delay in self.delays):
            raise ValueError("retry delays must be positive")

    @property
    def max_attempts(self) -> int:
        """How many times a message is tried in all, the first try included."""
        return len(self.delays) + 1

    def after_failure(
        self, failures: int, failed_at: datetime, *, temporary: bool = True
    ) -> RetryDecision:
        """What to do after the ``failures``-th failed attempt, which ended at ``failed_at``.

        A permanent failure (a refused password, an untrusted certificate) stops at once:
        trying again changes nothing until someone changes a setting and presses "Opnieuw".
        """
        if failures < 1:
            raise ValueError("after_failure needs at least one failure")
        if not temporary or failures > len(self.delays):
            return RetryDecision(next_attempt=None)
        return RetryDecision(next_attempt=failed_at + self.delays[failures - 1])
