"""Opening and walk-in hours: next slot, open now, validity, recurrence, Dutch labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from gpdesk.kaart.schedule import AMSTERDAM, Rule, ScheduleSet, Slot, format_date, slot_label

# Tuesday 24 November 2026, 10:00 in Schiedam.
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def walk_in(byday: str, opens: str, closes: str, **kw: object) -> Rule:
    return Rule(
        byday=byday,
        opens_at=time.fromisoformat(opens),
        closes_at=time.fromisoformat(closes),
        freq="WEEKLY",
        attending_type="inloop",
        **kw,  # type: ignore[arg-type]
    )


OFFICE = Rule(
    byday="MO,TU,WE,TH,FR",
    opens_at=time(9),
    closes_at=time(17),
    freq="WEEKLY",
    attending_type="op afspraak",
)


def test_next_walk_in_later_this_week() -> None:
    slots = ScheduleSet.of([OFFICE, walk_in("TH", "09:00", "11:00")])
    assert slots.next_slot(TUESDAY) == Slot(at(2026, 11, 26, 9), at(2026, 11, 26, 11))


def test_next_walk_in_across_the_week_boundary() -> None:
    slots = ScheduleSet.of([walk_in("MO", "09:00", "11:00")])
    friday = at(2026, 11, 27, 15)
    assert slots.next_slot(friday) == Slot(at(2026, 11, 30, 9), at(2026, 11, 30, 11))
    # Same weekday, after the hour: a week later.
    monday_noon = at(2026, 11, 30, 12)
    assert slots.next_slot(monday_noon) == Slot(at(2026, 12, 7, 9), at(2026, 12, 7, 11))


def test_slot_in_progress_counts_until_it_ends() -> None:
    slots = ScheduleSet.of([walk_in("TH", "09:00", "11:00")])
    assert slots.next_slot(at(2026, 11, 26, 10, 30)) == Slot(
        at(2026, 11, 26, 9), at(2026, 11, 26, 11)
    )
    assert slots.next_slot(at(2026, 11, 26, 11)).start == at(2026, 12, 3, 9)  # type: ignore[union-attr]


def test_opening_hours_are_not_walk_in() -> None:
    slots = ScheduleSet.of([OFFICE])
    assert slots.next_slot(TUESDAY) is None
    assert slots.next_slot(TUESDAY, walk_in_only=False) == Slot(
        at(2026, 11, 24, 9), at(2026, 11, 24, 17)
    )


@pytest.mark.parametrize("kind", ["inloop", "Inloopspreekuur", "walk-in", "zonder afspraak"])
def test_walk_in_words(kind: str) -> None:
    assert Rule(attending_type=kind).is_walk_in


def test_valid_to_in_the_past_gives_no_slot() -> None:
    old = walk_in("WE", "13:00", "15:00", valid_to=date(2026, 6, 30))
    assert ScheduleSet.of([old]).next_slot(TUESDAY) is None
    assert not old.is_current(date(2026, 11, 24))
    assert ScheduleSet.of([old]).labels(date(2026, 11, 24)) == []


def test_valid_from_in_the_future_starts_then() -> None:
    new = walk_in("WE", "13:00", "15:00", valid_from=date(2027, 1, 4))
    slot = ScheduleSet.of([new]).next_slot(TUESDAY)
    assert slot == Slot(at(2027, 1, 6, 13), at(2027, 1, 6, 15))
    assert ScheduleSet.of([new]).labels(date(2026, 11, 24)) == [
        "inloop: woensdag 13:00–15:00 (vanaf 4 januari 2027)"
    ]


def test_valid_to_is_inclusive() -> None:
    last = walk_in("TU", "13:00", "15:00", valid_to=date(2026, 11, 24))
    assert ScheduleSet.of([last]).next_slot(TUESDAY) == Slot(
        at(2026, 11, 24, 13), at(2026, 11, 24, 15)
    )
    assert ScheduleSet.of([last]).next_slot(at(2026, 11, 24, 16)) is None


def test_earliest_of_several_rules_wins() -> None:
    slots = ScheduleSet.of([walk_in("FR", "10:00", "12:00"), walk_in("WE,TH", "14:00", "15:00")])
    assert slots.next_slot(TUESDAY).start == at(2026, 11, 25, 14)  # type: ignore[union-attr]


def test_is_open() -> None:
    slots = ScheduleSet.of([OFFICE, walk_in("TH", "09:00", "11:00")])
    assert slots.is_open(TUESDAY)
    assert not slots.is_open(at(2026, 11, 24, 17))  # closing time is exclusive
    assert not slots.is_open(at(2026, 11, 28, 10))  # Saturday
    assert not slots.is_open(TUESDAY, walk_in_only=True)
    assert slots.is_open(at(2026, 11, 26, 9, 30), walk_in_only=True)


def test_now_in_another_zone_is_converted() -> None:
    slots = ScheduleSet.of([OFFICE])
    # 08:30 UTC is 09:30 in Amsterdam in winter.
    assert slots.is_open(datetime(2026, 11, 24, 8, 30, tzinfo=UTC))
    # In summer the offset is two hours: 06:30 UTC is 08:30 local, still closed.
    assert not slots.is_open(datetime(2026, 7, 7, 6, 30, tzinfo=UTC))
    assert slots.is_open(datetime(2026, 7, 7, 7, 30, tzinfo=UTC))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ScheduleSet.of([OFFICE]).is_open(datetime(2026, 11, 24, 10))


def test_wall_clock_times_survive_daylight_saving() -> None:
    slots = ScheduleSet.of([walk_in("MO", "09:00", "11:00")])
    before = slots.next_slot(at(2026, 3, 20))  # Monday 23 March: winter time
    after = slots.next_slot(at(2026, 3, 24))  # Monday 30 March: summer time (since 29 March)
    assert before is not None
    assert after is not None
    assert before.start.hour == after.start.hour == 9
    assert before.start.utcoffset() == timedelta(hours=1)
    assert after.start.utcoffset() == timedelta(hours=2)


def test_overnight_and_round_the_clock() -> None:
    night = Rule(byday="FR", freq="WEEKLY", opens_at=time(22), closes_at=time(2))
    assert ScheduleSet.of([night]).is_open(at(2026, 11, 28, 1))  # Saturday 01:00
    always = Rule(byday="MO,TU,WE,TH,FR,SA,SU", freq="WEEKLY", opens_at=time(0), closes_at=time(0))
    assert ScheduleSet.of([always]).is_open(at(2026, 11, 29, 3, 15))


def test_fortnightly_follows_its_anchor() -> None:
    rule = walk_in("WE", "14:00", "16:00", interval=2, dtstart=date(2026, 1, 7))
    # 7 January 2026 is a Wednesday; 46 weeks later (25 November) is an even week.
    assert rule.occurs_on(date(2026, 11, 25))
    assert not rule.occurs_on(date(2026, 12, 2))
    assert rule.occurs_on(date(2026, 12, 9))
    assert rule.label == "om de week op woensdag 14:00–16:00"


def test_monthly_nth_weekday() -> None:
    second_tuesday = Rule(
        byday="2TU", freq="MONTHLY", opens_at=time(19, 30), closes_at=time(21, 30)
    )
    assert second_tuesday.occurs_on(date(2026, 12, 8))
    assert not second_tuesday.occurs_on(date(2026, 12, 1))
    slot = ScheduleSet.of([second_tuesday]).next_slot(TUESDAY, walk_in_only=False)
    assert slot is not None
    assert slot.start == at(2026, 12, 8, 19, 30)
    assert second_tuesday.label == "elke 2e dinsdag van de maand 19:30–21:30"
    last_friday = Rule(byday="-1FR", freq="MONTHLY")
    assert last_friday.occurs_on(date(2026, 11, 27))
    assert not last_friday.occurs_on(date(2026, 11, 20))
    assert last_friday.label == "elke laatste vrijdag van de maand"


def test_monthly_by_month_day() -> None:
    rule = Rule(bymonthday="1,-1", freq="MONTHLY", opens_at=time(9), closes_at=time(10))
    assert rule.occurs_on(date(2026, 11, 1))
    assert rule.occurs_on(date(2026, 11, 30))
    assert rule.occurs_on(date(2027, 2, 28))
    assert not rule.occurs_on(date(2026, 11, 15))
    assert rule.label == "op de 1e en laatste van de maand 09:00–10:00"


def test_week_numbers_and_year_days() -> None:
    even_weeks = Rule(byday="MO", freq="WEEKLY", byweekno="48,50")
    assert even_weeks.occurs_on(date(2026, 11, 23))  # ISO week 48
    assert not even_weeks.occurs_on(date(2026, 11, 30))  # week 49
    last_week = Rule(byday="MO", freq="WEEKLY", byweekno="-1")
    assert last_week.occurs_on(date(2026, 12, 28))  # week 53 of 2026
    first_day = Rule(byday="TH", freq="WEEKLY", byyearday="1")
    assert first_day.occurs_on(date(2026, 1, 1))
    assert not first_day.occurs_on(date(2026, 1, 8))


def test_until_and_count_end_a_series() -> None:
    until = walk_in("TH", "09:00", "11:00", until=date(2026, 11, 26))
    assert ScheduleSet.of([until]).next_slot(at(2026, 11, 27)) is None
    three = walk_in("TH", "09:00", "11:00", dtstart=date(2026, 11, 5), count=3)
    assert three.occurs_on(date(2026, 11, 19))
    assert not three.occurs_on(date(2026, 11, 26))


def test_single_date_without_recurrence() -> None:
    once = Rule(dtstart=date(2026, 12, 3), opens_at=time(19), closes_at=time(21))
    assert once.occurs_on(date(2026, 12, 3))
    assert not once.occurs_on(date(2026, 12, 10))
    assert once.label == "donderdag 3 december 19:00–21:00"
    assert ScheduleSet.of([once]).next_slot(at(2026, 12, 4), walk_in_only=False) is None


def test_unknown_frequency_is_refused_not_guessed() -> None:
    assert not Rule(freq="DAILY", opens_at=time(9), closes_at=time(10)).occurs_on(date(2026, 1, 1))


def test_rule_without_hours_only_describes() -> None:
    text_only = Rule(description="Op afspraak, bel eerst.", attending_type="inloop")
    assert not text_only.has_hours
    assert ScheduleSet.of([text_only]).next_slot(TUESDAY) is None
    assert text_only.label == "Op afspraak, bel eerst."


@pytest.mark.parametrize(
    ("byday", "expected"),
    [
        ("TH", "donderdag"),
        ("MO,TU,WE,TH,FR", "maandag t/m vrijdag"),
        ("MO,WE", "maandag en woensdag"),
        ("MO,WE,FR", "maandag, woensdag en vrijdag"),
        ("SA,SU", "zaterdag en zondag"),
        ("MO,TU,WE,TH,FR,SA,SU", "elke dag"),
    ],
)
def test_dutch_day_labels(byday: str, expected: str) -> None:
    rule = Rule(byday=byday, opens_at=time(9), closes_at=time(11))
    assert rule.label == f"{expected} 09:00–11:00"


def test_round_the_clock_is_said_in_words_not_as_midnight_to_midnight() -> None:
    every_day = "MO,TU,WE,TH,FR,SA,SU"
    for closes in (time(0), time(23, 59)):
        rule = Rule(byday=every_day, freq="WEEKLY", opens_at=time(0), closes_at=closes)
        assert rule.label == "dag en nacht, 7 dagen per week"
    weekend = Rule(byday="SA,SU", freq="WEEKLY", opens_at=time(0), closes_at=time(0))
    assert weekend.label == "zaterdag en zondag de hele dag"
    assert ScheduleSet.of([weekend]).is_open(at(2026, 11, 29, 3))  # Sunday night, 03:00
    whole = Slot(at(2026, 11, 26), at(2026, 11, 27))
    assert slot_label(whole) == "donderdag 26 november de hele dag"


def test_labels_and_summary_mark_walk_in() -> None:
    slots = ScheduleSet.of([OFFICE, walk_in("TH", "09:00", "11:00")])
    today = date(2026, 11, 24)
    assert slots.labels(today) == [
        "maandag t/m vrijdag 09:00–17:00",
        "inloop: donderdag 09:00–11:00",
    ]
    assert slots.summary(today, walk_in_only=True) == "donderdag 09:00–11:00"
    assert ScheduleSet().summary(today) == ""


def test_slot_label_and_dates() -> None:
    slot = Slot(at(2026, 11, 26, 9), at(2026, 11, 26, 11))
    assert slot_label(slot) == "donderdag 26 november 09:00–11:00"
    assert format_date(date(2027, 1, 4), year=True) == "4 januari 2027"


def test_walk_in_today() -> None:
    slots = ScheduleSet.of([walk_in("TU", "13:00", "15:00")])
    assert slots.walk_in_today(TUESDAY)
    assert slots.walk_in_today(at(2026, 11, 24, 14))
    assert not slots.walk_in_today(at(2026, 11, 24, 15))
    assert not slots.walk_in_today(at(2026, 11, 25, 10))


def test_from_schedule_row() -> None:
    from gpdesk.models import Schedule

    row = Schedule(
        byday="TH",
        freq="WEEKLY",
        opens_at=time(9),
        closes_at=time(11),
        attending_type="inloop",
        valid_to=date(2027, 1, 1),
    )
    rule = Rule.from_schedule(row)
    assert rule.is_walk_in
    assert rule.valid_to == date(2027, 1, 1)
    assert rule.label == "donderdag 09:00–11:00"
