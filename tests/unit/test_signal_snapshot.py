"""The stored signal says exactly what left: JSON round trip of every shape of OutgoingSignal."""

from __future__ import annotations

import json

import pytest

from gpdesk.models.consent import DataItem
from gpdesk.signals import snapshot
from gpdesk.signals.outgoing import Route
from tests.signal_support import NO_CONSENT, PATIENT, WALK_IN, make_signal


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"consent": NO_CONSENT},
        {"route": Route.WALK_IN, "walk_in": WALK_IN, "urgent": True},
        {
            "items": {DataItem.NAME, DataItem.QUESTION, DataItem.BIRTH_DATE, DataItem.MEDICAL},
            "medical": "Diabetes type 2.",
            "themes": ["wonen_werk_inkomen_schulden", "verslaving"],
        },
    ],
    ids=["consent", "without-consent", "walk-in", "medical"],
)
def test_round_trip_keeps_everything(changes: dict[str, object]) -> None:
    signal = make_signal(**changes)
    assert snapshot.loads(snapshot.dumps(signal)) == signal


def test_no_private_note_or_bsn_in_the_stored_content() -> None:
    text = snapshot.dumps(make_signal(private_note="Vermoeden van iets heel persoonlijks"))
    assert "persoonlijk" not in text
    data = json.loads(text)
    assert "bsn" not in {key.lower() for key in data["signaal"]["patient"]}
    assert PATIENT.bsn not in text
    assert "BSN" in data["signaal"]["not_sent"]


def test_unknown_fields_and_versions_are_refused() -> None:
    data = json.loads(snapshot.dumps(make_signal()))
    data["signaal"]["patient"]["bsn"] = "123456782"
    with pytest.raises(ValueError, match="unknown fields"):
        snapshot.loads(json.dumps(data))
    with pytest.raises(ValueError, match="format"):
        snapshot.loads(json.dumps({"versie": 99, "signaal": {}}))


def test_naive_moments_are_refused() -> None:
    data = json.loads(snapshot.dumps(make_signal()))
    data["signaal"]["created_at"] = "2026-12-01T10:00:00"
    with pytest.raises(ValueError, match="aware"):
        snapshot.loads(json.dumps(data))
