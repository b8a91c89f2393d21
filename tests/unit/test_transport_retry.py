"""The back-off policy: when to try again, when to stop with "niet verzonden"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gpdesk.transport.retry import DEFAULT_DELAYS, NOT_SENT, RetryPolicy

FAILED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_each_failure_waits_longer():
    policy = RetryPolicy()
    waits = []
    for failures in range(1, policy.max_attempts):
        next_attempt = policy.after_failure(failures, FAILED_AT).next_attempt
        assert next_attempt is not None
        waits.append(next_attempt - FAILED_AT)
    assert waits == list(DEFAULT_DELAYS)
    assert waits == sorted(waits)


def test_after_the_last_try_it_gives_up():
    policy = RetryPolicy(delays=(timedelta(minutes=1), timedelta(minutes=5)))
    assert policy.max_attempts == 3
    assert not policy.after_failure(2, FAILED_AT).gave_up
    decision = policy.after_failure(3, FAILED_AT)
    assert decision.gave_up
    assert decision.next_attempt is None
    assert NOT_SENT == "niet verzonden"


def test_a_permanent_failure_stops_at_once():
    decision = RetryPolicy().after_failure(1, FAILED_AT, temporary=False)
    assert decision.gave_up


def test_nonsense_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy().after_failure(0, FAILED_AT)
    with pytest.raises(ValueError):
        RetryPolicy(delays=(timedelta(0),))
