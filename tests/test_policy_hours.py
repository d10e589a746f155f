"""Local hours where the customer may be, without Odoo: a time zone that is
not of the customer's country, zones per country, DST changes, and a
journey that waits while its last step has not gone out."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import pytz
from collections_automation_engine import policy
from collections_automation_engine.journeys import JourneyState, JourneyStep, next_step
from collections_automation_engine.policy import (
    CHANNELS,
    ContactRequest,
    check,
    next_allowed,
    rules_for,
)

UTC = timezone.utc
EVERY_CONSENT = {channel: True for channel in CHANNELS}


def request(at, country, tz, channel="sms"):
    return ContactRequest(
        channel=channel, at=at, country=country, tz=tz, consents=EVERY_CONSENT
    )


def local_hours(moment, zone_names):
    return {name: moment.astimezone(ZoneInfo(name)).hour for name in zone_names}


@pytest.mark.parametrize(
    "day",
    # before and after the DST changes of Madrid (last Sundays of March and
    # October) and Los Angeles (2nd Sunday of March, 1st of November)
    [
        date(2026, 3, 7),
        date(2026, 3, 9),
        date(2026, 3, 30),
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 12, 7),
    ],
)
@pytest.mark.parametrize(
    "country, tz, first_hour",
    [
        ("MX", "America/Mexico_City", 7),
        ("BR", "America/Sao_Paulo", 8),
        ("ES", "Europe/Madrid", 8),
        ("US", "America/Los_Angeles", 8),
        ("NZ", "Pacific/Auckland", 8),
    ],
)
def test_a_night_planning_waits_for_the_local_morning(day, country, tz, first_hour):
    rules = rules_for(country)
    # 04:00 UTC is night in the Americas and in Madrid, late afternoon in
    # Auckland: the first minute allowed is the window's start, local time
    at = datetime.combine(day, datetime.min.time(), UTC).replace(hour=4)
    allowed = next_allowed(request(at, country, tz), rules, [])
    local = allowed.astimezone(ZoneInfo(tz))
    assert check(request(allowed, country, tz), rules, []).allowed
    if check(request(at, country, tz), rules, []).allowed:
        assert allowed == at
    else:
        assert (local.hour, local.minute) == (first_hour, 0)
        assert allowed - at < timedelta(days=1)


@pytest.mark.parametrize("country", ["US", "MX", "BR", "ES", "RU", "AU"])
def test_without_a_time_zone_every_zone_of_the_country_is_awake(country):
    rules = rules_for(country)
    zones = pytz.country_timezones[country]
    at = datetime(2026, 3, 8, 4, tzinfo=UTC)
    allowed = next_allowed(request(at, country, None), rules, [])
    window = rules.windows[0]
    for hour in local_hours(allowed, zones).values():
        assert window.start.hour <= hour < window.end.hour


def test_a_zone_of_another_country_is_checked_with_the_country_zones():
    # Odoo gives a new contact the time zone of the user creating it: a
    # Mexican customer typed in by someone in Madrid reads Europe/Madrid.
    # 07:00 in Madrid is midnight in Mexico City: not a time to text.
    at = datetime(2026, 12, 7, 4, tzinfo=UTC)
    customer = request(at, "MX", "Europe/Madrid")
    rules = rules_for("MX")
    seven_in_madrid = datetime(2026, 12, 7, 6, tzinfo=UTC)
    assert not check(request(seven_in_madrid, "MX", "Europe/Madrid"), rules, []).allowed
    allowed = next_allowed(customer, rules, [])
    for name, hour in local_hours(
        allowed, [*pytz.country_timezones["MX"], "Europe/Madrid"]
    ).items():
        assert 7 <= hour < 22, (name, allowed)
    assert policy.zone_basis("Europe/Madrid", "MX") == "tz_and_country"


def test_a_zone_of_the_country_or_an_alias_of_one_is_trusted_alone():
    assert policy.zone_basis("America/Mexico_City", "MX") == "tz"
    # Odoo's list of zones has the old aliases too
    assert policy.zone_basis("US/Pacific", "US") == "tz"
    assert policy.zone_basis("America/Chicago", None) == "tz"
    assert policy.zone_basis(None, "MX") == "country"
    assert policy.zone_basis("Not/A_Zone", "MX") == "country"
    assert policy.zone_basis(None, None) == "none"
    at = datetime(2026, 12, 7, 14, tzinfo=UTC)  # 06:00 in Los Angeles
    late = check(request(at, "US", "US/Pacific"), rules_for("US"), [])
    assert late.rule == "outside_hours"


def test_a_journey_waits_while_its_last_step_has_not_gone_out():
    steps = [
        JourneyStep(1, 10, 3, "due", ("email",), "first", "message"),
        JourneyStep(2, 20, 10, "due", ("email",), "second", "message"),
    ]
    state = JourneyState(
        customer_id=1,
        oldest_due_date=date(2026, 12, 1),
        broken_promise_date=None,
        amount_overdue=100.0,
        done_step_ids=frozenset({1}),
        last_step_date=date(2026, 12, 5),
        replied_since_last_step=False,
        reply_pending=False,
        last_reply_date=None,
        step_waiting=True,
    )
    assert next_step(steps, state, date(2026, 12, 12)) is None
    gone = next_step(steps, _replace(state, step_waiting=False), date(2026, 12, 12))
    assert gone.step.step_id == 2


def _replace(state, **changes):
    from dataclasses import replace

    return replace(state, **changes)
