"""The password rule (NIST SP 800-63B / NCSC): length, common passwords, the user's own words."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from gpdesk.errors import ValidationError
from gpdesk.security.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    TIP,
    judge,
    own_words,
    require_strong,
)
from tests.conftest import PASSPHRASE

VISSER = own_words(
    username="visser",
    display_name="S. Visser",
    practice_name="Huisartsenpraktijk De Singel",
    today=date(2026, 12, 6),
)

REFUSED = [
    "password",
    "12345678",
    "Welkom01",
    "visser12",
    "Welkom2026!",
    "huisarts2026",
    "visser123456",  # the user name and digits
    "Visser2026!!",
    "singel-praktijk-2026",  # only the practice's own words
    "wachtwoord123",
    "Wachtwoord2026!",
    "geheim-wachtwoord",
    "zomer2026zomer",
    "Pa$$w0rd2026",
    "qwertyuiop12",
    "abcdefghijkl",
    "1111111111111",
    "welkom2026welkom2026welkom2026welkom2026",
]


@pytest.mark.parametrize("password", REFUSED)
def test_guessable_passwords_are_refused_with_a_dutch_reason_and_the_tip(password: str) -> None:
    verdict = judge(password, VISSER)
    assert not verdict.acceptable
    assert verdict.reason.endswith(TIP)
    assert "vier of vijf losse woorden" in verdict.reason
    assert not any(english in verdict.reason for english in ("password", "common", "guess"))


@pytest.mark.parametrize(
    "password",
    [
        PASSPHRASE,
        "kast regen tulp vijver",
        "fiets lamp wolk tegel appel",
        "Correct paard batterij niet",
        "mijn naam is visser en ik fiets graag",  # own words may appear in a strong phrase
    ],
)
def test_pass_phrases_of_four_or_five_words_are_accepted(password: str) -> None:
    assert judge(password, VISSER).acceptable


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("visser12", "te kort"),
        ("visser123456", "uw naam, de naam van de praktijk"),
        ("huisarts2026", "uw naam, de naam van de praktijk"),
        ("singel-praktijk-2026", "uw naam, de naam van de praktijk"),
        ("Welkom2026!", "veelgebruikt wachtwoord"),
        ("abcdefghijkl", "reeks"),
        ("1111111111111", "herhalingen"),
        ("welkom2026welkom2026welkom2026welkom2026", "herhalingen"),
    ],
)
def test_the_reason_names_the_weakness(password: str, reason: str) -> None:
    assert reason in judge(password, VISSER).reason


def test_decoration_is_called_out_when_it_is_all_that_was_added() -> None:
    assert "Een hoofdletter, een cijfer of een leesteken" in judge("Wachtwoord2026!").reason


def test_length_bounds_without_composition_rules() -> None:
    assert "minstens 10 tekens" in judge("a" * (MIN_LENGTH - 1)).reason
    assert judge("kast regen tulp vijver".ljust(MAX_LENGTH, "z")).acceptable
    too_long = judge("kast regen tulp vijver".ljust(MAX_LENGTH + 1, "z"))
    assert not too_long.acceptable
    assert "hoogstens 256 tekens" in too_long.reason
    # No capital, digit or symbol required: lower-case words with spaces pass.
    assert judge("zeilboot paraplu kompas walnoot").acceptable


def test_own_words_reach_only_this_user() -> None:
    """Whose name it is matters: another user may use "visser" in a strong enough password."""
    assert not judge("visser2026!!", VISSER).acceptable
    bakker = own_words(username="bakker", display_name="H. Bakker", today=date(2026, 1, 1))
    assert "visser" not in bakker
    assert not judge("bakker-praktijk-2026", bakker).acceptable


def test_own_words_are_names_whole_and_in_parts_and_the_year() -> None:
    assert VISSER[:3] == ["visser", "s. visser", "s.visser"]
    for word in ("huisartsenpraktijk de singel", "singel", "gpdesk", "huisarts", "praktijk"):
        assert word in VISSER
    assert {"2025", "2026", "2027"} <= set(VISSER)
    assert "de" not in VISSER  # a short part of a name is an ordinary word


def test_require_strong_raises_on_the_password_field() -> None:
    with pytest.raises(ValidationError) as caught:
        require_strong("huisarts2026", VISSER)
    assert set(caught.value.problems) == {"wachtwoord"}
    assert "uw naam" in caught.value.user_text()
    require_strong(PASSPHRASE, VISSER)


def test_the_demo_password_would_be_refused() -> None:
    """The demo keeps ``demo1234`` only because the rule is not asked there (fictional data)."""
    assert not judge("demo1234").acceptable


def test_judging_from_several_threads_gives_each_its_own_words() -> None:
    """zxcvbn keeps the user's words in a global during a call; the rule serialises calls."""
    results: list[bool] = []

    def worker(name: str) -> None:
        words = own_words(username=name)
        results.extend(judge(f"{name}-2026-{name}!", words).acceptable for _ in range(20))

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("jansen", "dekker", "smit")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [False] * 60


@pytest.mark.parametrize("password", ["zomerherfst2026", "ZomerLente2026", "dinsdag-zomer"])
def test_dutch_words_count_as_common(password: str) -> None:
    """zxcvbn alone scores these 4 (its lists are English); resources/passwords_nl.txt knows."""
    verdict = judge(password)
    assert not verdict.acceptable
    assert "veelgebruikt" in verdict.reason


def test_judging_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the password rule tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert judge(PASSPHRASE).acceptable
    assert not judge("Welkom2026!").acceptable
