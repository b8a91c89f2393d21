"""Whether a kaart value fits an HSDS 3.0 field as Open Referral's descriptor defines it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from gpdesk.kaart.exchange.hsds import cut_descriptor, hsds_value, official_fields, official_names


def _field(entity: str, name: str) -> dict[str, object]:
    return next(f for f in official_fields(entity) if f["name"] == name)


def test_the_official_order_and_the_tables_hsds_3_0_does_not_have() -> None:
    assert official_names("service")[:4] == ("id", "organization_id", "program_id", "name")
    assert official_fields("unit") == () and official_fields("service_capacity") == ()
    assert "label" not in official_names("attribute")
    assert "service_at_location_id" not in official_names("service_area")


def test_times_dates_and_moments_are_written_as_the_field_types_want() -> None:
    assert hsds_value(_field("schedule", "opens_at"), time(14, 0)) == (True, "14:00:00")
    assert hsds_value(_field("service", "assured_date"), date(2026, 1, 2)) == (True, "2026-01-02")
    moment = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
    assert hsds_value(_field("service", "last_modified"), moment) == (
        True,
        "2026-01-02T09:30:00+00:00",
    )


def test_a_value_hsds_would_reject_does_not_fit() -> None:
    extension = _field("phone", "extension")
    assert hsds_value(extension, "12") == (True, 12)
    assert hsds_value(extension, "toets 2")[0] is False
    assert hsds_value(_field("schedule", "freq"), "DAILY")[0] is False
    assert hsds_value(_field("schedule", "freq"), "WEEKLY") == (True, "WEEKLY")
    assert hsds_value(_field("organization", "website"), "www.voorbeeld.nl")[0] is False
    assert hsds_value(_field("organization", "website"), "https://voorbeeld.nl/é")[0] is False
    assert hsds_value(_field("organization", "website"), "https://voorbeeld.nl/a?b=1")[0]
    assert hsds_value(_field("service", "email"), "geen adres")[0] is False


def test_the_descriptor_is_cut_down_with_its_foreign_keys() -> None:
    descriptor = cut_descriptor(["organization", "service"], json_tables=True)
    assert [r["name"] for r in descriptor["resources"]] == ["organization", "service"]
    service = descriptor["resources"][1]
    assert service["path"] == "services.json" and service["format"] == "json"
    keys = service["schema"]["foreignKeys"]
    assert [k["reference"]["resource"] for k in keys] == ["organization"]  # program left out
    assert official_fields("service")[0]["name"] == "id"  # the shipped descriptor is unchanged
    assert cut_descriptor(["service"], json_tables=False)["resources"][0]["path"] == "services.csv"
