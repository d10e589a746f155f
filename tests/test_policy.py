"""Contact policy: windows, holidays, holds and caps, without Odoo.

The property tests are the proof that no planned contact breaks the policy:
whatever ``check`` allows, a plain oracle written here allows too, and
``next_allowed`` only ever proposes the earliest instant ``check`` allows.
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
import pytz
from collections_automation_engine import policy
from collections_automation_engine.policy import (
    CHANNELS,
    HOLD_ORDER,
    PRESETS,
    ContactEvent,
    ContactRequest,
    ContactRules,
    Window,
    check,
    next_allowed,
    preset,
    rules_for,
)
from hypothesis import given, settings
from hypothesis import strategies as st

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
BOGOTA = ZoneInfo("America/Bogota")
MEXICO_CITY = ZoneInfo("America/Mexico_City")
EVERY_CONSENT = {channel: True for channel in CHANNELS}
# Arithmetic on datetimes in a ZoneInfo zone is wall-clock arithmetic: across a
# DST change "7 days" is then not 168 hours. Durations are computed in UTC.


def request(at, channel="voice", **changes):
    values = {
        "channel": channel,
        "at": at,
        "country": "US",
        "subdivision": None,
        "tz": "America/New_York",
        "consents": EVERY_CONSENT,
        "opted_out": frozenset(),
        "holds": frozenset(),
        "debt_id": "D1",
    }
    values.update(changes)
    return ContactRequest(**values)


def colombian(at, channel="sms", **changes):
    return request(at, channel, **{"country": "CO", "tz": "America/Bogota", **changes})


def event(channel, at, debt_id="D1", conversation=False, delivered=True):
    return ContactEvent(channel, at.astimezone(UTC), debt_id, conversation, delivered)


def co_holiday(day):
    return day in holidays.country_holidays("CO", years=day.year)


# -- local hours -----------------------------------------------------------


def test_us_window_start_inclusive_end_exclusive():
    rules = rules_for("US")
    allowed = check(request(datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)), rules, [])
    assert allowed.allowed and allowed.rule is None and allowed.reason == ""
    assert allowed.local_time == datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    assert check(request(datetime(2026, 3, 3, 8, tzinfo=NEW_YORK)), rules, []).allowed
    at_nine_pm = check(request(datetime(2026, 3, 3, 21, tzinfo=NEW_YORK)), rules, [])
    assert at_nine_pm.rule == "outside_hours"
    assert at_nine_pm.reason == "Outside allowed hours (08:00-21:00 local)."
    early = check(request(datetime(2026, 3, 3, 7, 59, tzinfo=NEW_YORK)), rules, [])
    assert early.rule == "outside_hours"


def test_window_is_read_in_the_customer_zone_not_utc():
    # 13:30 UTC is 08:30 in New York but 06:30 in Los Angeles
    at = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)
    rules = rules_for("US")
    assert check(request(at), rules, []).allowed
    refused = check(request(at, tz="America/Los_Angeles"), rules, [])
    assert refused.rule == "outside_hours"
    assert refused.local_time.hour == 5 and refused.local_time.minute == 30


def test_mexico_until_ten_pm():
    rules = rules_for("MX")
    mx = {"country": "MX", "tz": "America/Mexico_City"}
    evening = request(datetime(2026, 5, 6, 21, 30, tzinfo=MEXICO_CITY), **mx)
    assert check(evening, rules, []).allowed
    late = check(replace(evening, at=evening.at + timedelta(minutes=30)), rules, [])
    assert late.rule == "outside_hours"


def test_colombia_sunday_is_closed():
    sunday = datetime(2026, 3, 1, 10, tzinfo=BOGOTA)
    assert sunday.weekday() == 6
    decision = check(colombian(sunday), rules_for("CO"), [])
    assert decision.rule == "day_not_allowed"
    assert decision.reason == "No contact allowed on Sunday."


@pytest.mark.parametrize("day", [date(2026, 12, 8), date(2026, 1, 12)])
def test_colombian_holiday_is_closed(day):
    assert co_holiday(day) and day.weekday() < 5
    at = datetime.combine(day, time(10), BOGOTA)
    decision = check(colombian(at), rules_for("CO"), [])
    assert decision.rule == "holiday"
    assert decision.params["date"] == day.isoformat()
    # the same weekday a week later is an ordinary working day
    assert check(colombian(at + timedelta(days=7)), rules_for("CO"), []).allowed


def test_holidays_ignored_when_rules_do_not_skip_them():
    christmas = datetime(2026, 12, 25, 10, tzinfo=BOGOTA)
    rules = replace(rules_for("CO"), skip_holidays=False)
    assert check(colombian(christmas), rules, []).allowed


def test_colombia_saturday_hours():
    saturday = date(2026, 3, 7)
    assert saturday.weekday() == 5 and not co_holiday(saturday)
    rules = rules_for("CO")
    morning = colombian(datetime.combine(saturday, time(9), BOGOTA))
    assert check(morning, rules, []).allowed
    afternoon = colombian(datetime.combine(saturday, time(15, 30), BOGOTA))
    assert check(afternoon, rules, []).rule == "outside_hours"


# -- time zone -------------------------------------------------------------


def test_no_timezone_and_no_country_is_refused():
    at = datetime(2026, 3, 3, 15, tzinfo=UTC)
    decision = check(request(at, tz=None, country=None), rules_for(None), [])
    assert decision.rule == "no_timezone" and decision.local_time is None
    unknown = check(request(at, tz=None, country="QQ"), rules_for("QQ"), [])
    assert unknown.rule == "no_timezone"


def test_us_without_timezone_must_fit_every_us_zone():
    rules = rules_for("US")
    nine = request(datetime(2026, 3, 3, 9, tzinfo=NEW_YORK), tz=None)
    assert check(nine, rules, []).rule == "outside_hours"  # 06:00 in California
    two_pm = request(datetime(2026, 3, 3, 14, tzinfo=NEW_YORK), tz=None)
    decision = check(two_pm, rules, [])
    assert decision.allowed  # 09:00 in Honolulu
    assert decision.local_time.utcoffset() == NEW_YORK.utcoffset(two_pm.at)
    # 20:30 Eastern is still 17:30 in California, but 21:00 is too late in Miami
    assert check(replace(two_pm, at=two_pm.at + timedelta(hours=6)), rules, []).allowed
    too_late = replace(two_pm, at=two_pm.at + timedelta(hours=7))
    assert check(too_late, rules, []).rule == "outside_hours"


def test_invalid_timezone_falls_back_to_country():
    at = datetime(2026, 3, 3, 6, 30, tzinfo=BOGOTA)
    decision = check(colombian(at, tz="Mars/Olympus_Mons"), rules_for("CO"), [])
    assert decision.rule == "outside_hours"
    assert decision.local_time.utcoffset() == timedelta(hours=-5)
    later = colombian(at + timedelta(hours=1), tz="Mars/Olympus_Mons")
    assert check(later, rules_for("CO"), []).allowed
    nowhere = request(at, tz="Not a zone", country=None)
    assert check(nowhere, rules_for(None), []).rule == "no_timezone"


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError):
        check(request(datetime(2026, 3, 3, 10)), rules_for("US"), [])


@pytest.mark.parametrize("country", sorted(policy.FALLBACK_COUNTRY_ZONES))
def test_fallback_zones_cover_the_same_offsets_as_pytz(country):
    instants = [datetime(2026, month, 15, 12, tzinfo=UTC) for month in (1, 4, 7, 10)]

    def offsets(names):
        return {
            tuple(moment.astimezone(ZoneInfo(name)).utcoffset() for moment in instants)
            for name in names
        }

    fallback = offsets(policy.FALLBACK_COUNTRY_ZONES[country])
    assert fallback == offsets(pytz.country_timezones[country])


# -- standing refusals ------------------------------------------------------


def test_opt_out_beats_everything():
    sunday_night = datetime(2026, 3, 1, 23, tzinfo=BOGOTA)
    blocked = colombian(
        sunday_night,
        channel="sms",
        tz=None,
        country=None,
        consents={},
        opted_out=frozenset({"sms"}),
        holds=frozenset(HOLD_ORDER),
    )
    decision = check(blocked, rules_for("CO"), [])
    assert decision.rule == "opt_out"
    assert decision.reason == "The customer opted out of sms."
    assert next_allowed(blocked, rules_for("CO"), []) is None


def test_opt_out_is_per_channel():
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    no_sms = frozenset({"sms"})
    rules = rules_for("US")
    assert check(request(at, "sms", opted_out=no_sms), rules, []).rule == "opt_out"
    assert check(request(at, "email", opted_out=no_sms), rules, []).allowed


@pytest.mark.parametrize("consents", [{}, {"voice": False}, {"email": True}])
def test_consent_is_required(consents):
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    decision = check(request(at, consents=consents), rules_for("US"), [])
    assert decision.rule == "no_consent"


@pytest.mark.parametrize("hold", HOLD_ORDER)
def test_each_hold_is_refused_with_its_code(hold):
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    decision = check(request(at, holds=frozenset({hold})), rules_for("US"), [])
    assert decision.rule == f"hold_{hold}"
    assert decision.reason == policy.REASONS[f"hold_{hold}"]


def test_holds_are_reported_in_a_fixed_order():
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    holds = frozenset({"promise", "dispute", "legal"})
    assert check(request(at, holds=holds), rules_for("US"), []).rule == "hold_legal"
    unknown = check(request(at, holds=frozenset({"bankruptcy"})), rules_for("US"), [])
    assert unknown.rule == "hold_bankruptcy" and not unknown.allowed


# -- history ---------------------------------------------------------------


def test_colombia_one_contact_a_day_once_reached():
    tuesday = datetime(2026, 3, 3, 15, tzinfo=BOGOTA)
    rules = rules_for("CO")
    unanswered = [event("voice", tuesday.replace(hour=8), delivered=False)]
    assert check(colombian(tuesday), rules, unanswered).allowed
    reached = [event("email", tuesday.replace(hour=8))]
    decision = check(colombian(tuesday), rules, reached)
    assert decision.rule == "after_contact_daily"
    # yesterday's contact does not count for today
    yesterday = [event("email", tuesday.replace(hour=8) - timedelta(days=1))]
    assert check(colombian(tuesday), rules, yesterday).allowed


def test_colombia_two_contacts_in_a_rolling_week():
    thursday = datetime(2026, 3, 5, 10, tzinfo=BOGOTA)
    rules = rules_for("CO")
    history = [
        event("sms", datetime(2026, 2, 26, 10, 1, tzinfo=BOGOTA)),  # 6 days 23:59 ago
        event("whatsapp", datetime(2026, 3, 3, 9, tzinfo=BOGOTA), conversation=True),
    ]
    decision = check(colombian(thursday), rules, history)
    assert decision.rule == "after_contact_weekly"
    # seven days to the minute later, the first contact has left the week
    history[0] = event("sms", datetime(2026, 2, 26, 10, tzinfo=BOGOTA))
    assert check(colombian(thursday), rules, history).allowed


def test_reg_f_seven_calls_in_seven_days_per_debt():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US")
    calls = [
        event("voice", at - timedelta(days=day, hours=1), delivered=False)
        for day in range(7)
    ]
    decision = check(request(at), rules, calls)
    assert decision.rule == "call_attempts_7d"
    assert check(request(at, debt_id="D2"), rules, calls).allowed
    assert check(request(at, "email"), rules, calls).allowed
    assert check(request(at), rules, calls[:6]).allowed
    # a call exactly 7 days ago is out of the rolling week
    calls[-1] = event("voice", at - timedelta(days=7), delivered=False)
    assert check(request(at), rules, calls).allowed


def test_reg_f_cooldown_after_a_conversation():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US")
    talked = [event("voice", at - timedelta(days=3), conversation=True)]
    decision = check(request(at), rules, talked)
    assert decision.rule == "call_cooldown"
    assert decision.reason == "No call within 7 days of a conversation about this debt."
    assert check(request(at, "email"), rules, talked).allowed
    assert check(request(at, debt_id="D2"), rules, talked).allowed
    long_ago = [event("voice", at - timedelta(days=7), conversation=True)]
    assert check(request(at), rules, long_ago).allowed


def test_massachusetts_two_calls_a_week_all_debts():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US", "MA")
    calls = [
        event("voice", at - timedelta(days=2), "D1", delivered=False),
        event("voice", at - timedelta(days=1), "D2", delivered=False),
    ]
    ma = {"subdivision": "MA"}
    assert check(request(at, **ma), rules, calls).rule == "attempts_7d"
    assert check(request(at, "email", **ma), rules, calls).allowed
    assert check(request(at, **ma), rules, calls[:1]).allowed
    # emails do not count towards the Massachusetts call limit
    emails = [event("email", moment.at) for moment in calls]
    assert check(request(at, **ma), rules, emails).allowed


def test_massachusetts_counts_texts_with_calls_not_emails():
    """940 CMR 7.04(1)(f): telephone "in person or via text messaging or
    recorded audio message", two in seven days; email is not counted."""
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US", "MA")
    texts = [
        event("sms", at - timedelta(days=3)),
        event("whatsapp", at - timedelta(days=1)),
    ]
    ma = {"subdivision": "MA"}
    for channel in ("sms", "whatsapp", "voice"):
        decision = check(request(at, channel, **ma), rules, texts)
        assert decision.rule == "attempts_7d", channel
    assert check(request(at, "email", **ma), rules, texts).allowed
    # the third text goes once the first leaves the rolling week
    later = next_allowed(request(at, "sms", **ma), rules, texts)
    assert later is not None and later >= texts[0].at + timedelta(days=7)


def test_answers_bypass_hours_caps_and_holds_but_not_an_opt_out():
    night = datetime(2026, 3, 10, 23, 30, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US", "MA")
    texts = [event("sms", night - timedelta(hours=h)) for h in (1, 2, 3)]
    for purpose in ("answer", "requested"):
        asked = request(night, "sms", subdivision="MA", purpose=purpose)
        assert check(asked, rules, texts).allowed, purpose
        assert next_allowed(asked, rules, texts) == night
        disputed = replace(asked, holds=frozenset({"dispute", "promise"}))
        assert check(disputed, rules, texts).allowed
        opted = replace(asked, opted_out=frozenset({"sms"}))
        assert check(opted, rules, texts).rule == "opt_out"
        assert next_allowed(opted, rules, texts) is None
        barred = replace(asked, holds=frozenset({"do_not_contact"}))
        assert check(barred, rules, texts).rule == "hold_do_not_contact"
    confirm = request(
        night, "sms", purpose="optout_confirmation", opted_out=frozenset({"sms"})
    )
    assert check(confirm, rules, texts).allowed


def test_a_promise_holds_journey_reminders_not_its_own_reminder():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US")
    promised = frozenset({"promise"})
    assert check(request(at, holds=promised), rules, []).rule == "hold_promise"
    reminder = request(at, holds=promised, purpose="promise_reminder")
    assert check(reminder, rules, []).allowed
    disputed = replace(reminder, holds=frozenset({"promise", "dispute"}))
    assert check(disputed, rules, []).rule == "hold_dispute"
    with pytest.raises(ValueError, match="purpose"):
        request(at, purpose="marketing")


def test_new_york_city_two_communications_a_week():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US", "NY")
    history = [
        event("email", at - timedelta(days=3)),
        event("sms", at - timedelta(days=1), delivered=False),
    ]
    for channel in CHANNELS:
        decision = check(request(at, channel, subdivision="NY"), rules, history)
        assert decision.rule == "attempts_7d"
    assert check(request(at, "whatsapp"), rules, history[:1]).allowed


def test_channel_caps_per_local_day_and_week():
    caps = {"daily_cap": {"sms": 1}, "weekly_cap": {"sms": 2}}
    rules = rules_for("US", overrides=caps)
    at = datetime(2026, 3, 10, 10, tzinfo=NEW_YORK)
    # 23:30 last night in New York is already today in UTC: it is not today
    last_night = [event("sms", datetime(2026, 3, 9, 23, 30, tzinfo=NEW_YORK))]
    assert check(request(at, "sms"), rules, last_night).allowed
    this_morning = [event("sms", at.replace(hour=8))]
    assert check(request(at, "sms"), rules, this_morning).rule == "daily_cap"
    assert check(request(at, "email"), rules, this_morning).allowed
    two_days = [event("sms", at - timedelta(days=days)) for days in (2, 5)]
    assert check(request(at, "sms"), rules, two_days).rule == "weekly_cap"


def test_a_local_day_is_the_whole_day_midnight_to_midnight():
    rules = rules_for("US", overrides={"daily_cap": {"sms": 1}})
    at = datetime(2026, 3, 10, 10, tzinfo=NEW_YORK)
    # a contact already booked for later today counts against today's cap ...
    tonight = [event("sms", datetime(2026, 3, 10, 23, 59, tzinfo=NEW_YORK))]
    assert check(request(at, "sms"), rules, tonight).rule == "daily_cap"
    # ... one at the next midnight does not
    tomorrow = [event("sms", datetime(2026, 3, 11, 0, 0, tzinfo=NEW_YORK))]
    assert check(request(at, "sms"), rules, tomorrow).allowed
    # without a time zone, 02:00 tomorrow in New York is still today in Hawaii
    anywhere = request(at + timedelta(hours=4), "sms", tz=None)
    early = [event("sms", datetime(2026, 3, 11, 2, 0, tzinfo=NEW_YORK))]
    assert check(anywhere, rules, early).rule == "daily_cap"
    assert check(replace(anywhere, tz="America/New_York"), rules, early).allowed


def test_unknown_debts_count_against_every_debt():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US")
    talked = [event("voice", at - timedelta(days=3), debt_id=None, conversation=True)]
    assert check(request(at, debt_id="D1"), rules, talked).rule == "call_cooldown"
    about_d2 = [event("voice", at - timedelta(days=3), "D2", conversation=True)]
    assert check(request(at, debt_id=None), rules, about_d2).rule == "call_cooldown"


def test_state_holidays_and_unknown_states():
    rules = rules_for("US", "MA", overrides={"skip_holidays": True})
    patriots_day = date(2026, 4, 20)
    assert patriots_day in holidays.country_holidays("US", subdiv="MA", years=2026)
    assert patriots_day not in holidays.country_holidays("US", years=2026)
    at = datetime.combine(patriots_day, time(12), NEW_YORK)
    assert check(request(at, subdivision="MA"), rules, []).rule == "holiday"
    assert check(request(at, subdivision="NY"), rules, []).allowed
    # a state the library does not know still gets the federal holidays
    july_4 = datetime(2026, 7, 3, 12, tzinfo=NEW_YORK)  # observed on Friday
    assert date(2026, 7, 3) in holidays.country_holidays("US", years=2026)
    assert check(request(july_4, subdivision="ZZ"), rules, []).rule == "holiday"


# -- rules_for / presets ----------------------------------------------------


def test_rules_for_picks_the_jurisdiction():
    assert rules_for("US", "MA").code == "US-MA"
    assert rules_for("us", "US-NY").code == "US-NY"
    assert rules_for("US", "CA").code == "US"
    assert rules_for("CO").code == "CO"
    assert rules_for("MX", "CMX").code == "MX"
    assert rules_for("FR").code == "default"
    assert rules_for(None).code == "default"
    assert preset("US-MA") is PRESETS["US-MA"]
    with pytest.raises(KeyError):
        preset("XX")


def test_presets_hold_the_documented_defaults():
    us, ma, ny = preset("US"), preset("US-MA"), preset("US-NY")
    assert all(us.windows[day] == Window(time(8), time(21)) for day in range(7))
    assert us.call_attempts_7d == 7 and us.call_cooldown_days_after_conversation == 7
    assert ma.attempts_7d == 2
    assert ma.attempts_7d_channels == {"voice", "sms", "whatsapp"}
    assert ny.attempts_7d == 2 and ny.attempts_7d_channels == set(CHANNELS)
    co = preset("CO")
    assert co.windows[4] == Window(time(7), time(19))
    assert co.windows[5] == Window(time(8), time(15)) and co.windows[6] is None
    assert co.skip_holidays
    assert (co.after_contact_daily, co.after_contact_weekly) == (1, 2)
    assert preset("MX").windows[6] == Window(time(7), time(22))
    default = preset("default")
    assert default == ContactRules("default", default.windows)
    assert default.windows[0] == Window(time(8), time(20))


def test_rules_for_applies_overrides_without_touching_the_preset():
    rules = rules_for(
        "US",
        "MA",
        overrides={"call_attempts_7d": 3, "attempts_7d_channels": ["voice", "sms"]},
    )
    assert rules.code == "US-MA" and rules.call_attempts_7d == 3
    assert rules.attempts_7d_channels == frozenset({"voice", "sms"})
    assert preset("US-MA").call_attempts_7d == 7
    with pytest.raises(TypeError):
        preset("US").windows[6] = None


def test_window_must_start_before_it_ends():
    with pytest.raises(ValueError):
        Window(time(21), time(8))


# -- next_allowed ----------------------------------------------------------


def first_colombian_working_day_after(day):
    day += timedelta(days=1)
    while day.weekday() >= 5 or co_holiday(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("saturday", [date(2026, 3, 7), date(2026, 1, 10)])
def test_next_allowed_after_saturday_afternoon_in_bogota(saturday):
    assert saturday.weekday() == 5
    at = datetime.combine(saturday, time(16), BOGOTA)
    monday_or_later = first_colombian_working_day_after(saturday)
    expected = datetime.combine(monday_or_later, time(7), BOGOTA)
    found = next_allowed(colombian(at), rules_for("CO"), [])
    assert found == expected and found.tzinfo is UTC


def test_next_allowed_is_now_rounded_up_to_the_minute():
    at = datetime(2026, 3, 3, 10, 0, 12, tzinfo=NEW_YORK)
    found = next_allowed(request(at), rules_for("US"), [])
    assert found == datetime(2026, 3, 3, 10, 1, tzinfo=NEW_YORK)
    on_the_minute = at.replace(second=0)
    assert next_allowed(request(on_the_minute), rules_for("US"), []) == on_the_minute


def test_next_allowed_waits_for_the_week_to_roll():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    oldest = at - timedelta(days=6, hours=22, seconds=30)
    calls = [event("voice", oldest, delivered=False)] + [
        event("voice", at - timedelta(days=day), delivered=False) for day in range(6)
    ]
    found = next_allowed(request(at), rules_for("US"), calls)
    assert found == at + timedelta(hours=2)  # oldest + 7 days, rounded up


def test_next_allowed_gives_up_on_standing_refusals():
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    rules = rules_for("US")
    assert next_allowed(request(at, opted_out=frozenset({"voice"})), rules, []) is None
    assert next_allowed(request(at, consents={}), rules, []) is None
    assert next_allowed(request(at, holds=frozenset({"dispute"})), rules, []) is None
    assert next_allowed(request(at, tz=None, country=None), rules, []) is None


def test_next_allowed_none_beyond_the_horizon():
    closed = ContactRules("closed", {})
    at = datetime(2026, 3, 3, 10, tzinfo=NEW_YORK)
    assert next_allowed(request(at), closed, []) is None
    saturday_evening = colombian(datetime(2026, 3, 7, 16, tzinfo=BOGOTA))
    assert next_allowed(saturday_evening, rules_for("CO"), [], horizon_days=1) is None


def test_next_allowed_across_a_clocks_forward_gap():
    # New York skips 02:00-03:00 on 2026-03-08: a 02:30 window opens at 03:00 EDT
    rules = ContactRules("night", {6: Window(time(2, 30), time(5))})
    at = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
    found = next_allowed(request(at), rules, [])
    assert found == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert found.astimezone(NEW_YORK).hour == 3


# -- properties ------------------------------------------------------------

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
PLACES = [
    ("US", None, "America/Chicago"),
    ("US", None, None),
    ("US", "MA", None),
    ("US", "NY", "America/New_York"),
    ("CO", None, "America/Bogota"),
    ("CO", None, None),
    ("CO", None, "Invalid/Zone"),
    ("MX", None, None),
    ("MX", None, "America/Mexico_City"),
    ("ES", None, None),
    ("ES", "MD", "Europe/Madrid"),
    ("BR", None, None),
    (None, None, None),
    (None, None, "America/Chicago"),
]
DEBTS = ["D1", "D2", None]

instants = st.integers(0, 365 * 24 * 3600).map(
    lambda seconds: YEAR_START + timedelta(seconds=seconds)
)
# drawing channels from a narrow pool now and then makes the call limits bite
channel_pools = st.sampled_from([CHANNELS, ("voice",), ("voice", "email")])


def past_events(channels):
    return st.lists(
        st.tuples(
            st.integers(1, 10 * 24 * 3600),
            st.sampled_from(channels),
            st.sampled_from(DEBTS),
            st.booleans(),
            st.booleans(),
        ),
        max_size=12,
    )


caps = st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 3), max_size=2)


@st.composite
def scenarios(draw):
    """A consenting, unheld request under random rules, with a random past."""
    rules = PRESETS[draw(st.sampled_from(sorted(PRESETS)))]
    limits = st.sampled_from([None, 1, 2, 3])
    rules = replace(
        rules,
        daily_cap=draw(caps),
        weekly_cap=draw(caps),
        after_contact_weekly=draw(st.just(rules.after_contact_weekly) | limits),
    )
    country, subdivision, tz = draw(st.sampled_from(PLACES))
    at = draw(instants)
    channels = draw(channel_pools)
    debt_id = draw(st.sampled_from(DEBTS))
    history = [
        ContactEvent(channel, at - timedelta(seconds=ago), debt, talked, delivered)
        for ago, channel, debt, talked, delivered in draw(past_events(channels))
    ]
    # a burst of attempts on this debt within the week (today or not), so that
    # the 7-day limits bite
    not_before = draw(st.sampled_from([1, 24 * 3600]))
    history += [
        ContactEvent(channel, at - timedelta(seconds=ago), debt_id, False, delivered)
        for ago, channel, delivered in draw(
            st.lists(
                st.tuples(
                    st.integers(not_before, 7 * 24 * 3600 - 1),
                    st.sampled_from(channels),
                    st.booleans(),
                ),
                max_size=8,
            )
        )
    ]
    customer = ContactRequest(
        channel=draw(st.sampled_from(CHANNELS)),
        at=at,
        country=country,
        subdivision=subdivision,
        tz=tz,
        consents=EVERY_CONSENT,
        opted_out=frozenset(),
        holds=frozenset(),
        debt_id=debt_id,
    )
    return customer, rules, history


def oracle_zones(customer):
    try:
        return [ZoneInfo(customer.tz)]
    except (KeyError, ValueError, TypeError):
        pass
    if customer.country is None:
        return []
    return [ZoneInfo(name) for name in pytz.country_timezones.get(customer.country, [])]


def oracle_is_holiday(customer, day):
    try:
        calendar = holidays.country_holidays(
            customer.country, subdiv=customer.subdivision, years=day.year
        )
    except NotImplementedError:
        calendar = holidays.country_holidays(customer.country, years=day.year)
    return day in calendar


def reached(past):
    return past.delivered or past.conversation


def about_debt(customer, past):
    unknown = past.debt_id is None or customer.debt_id is None
    return unknown or past.debt_id == customer.debt_id


def over(limit, count):
    return limit is not None and count >= limit


def oracle_allows(customer, rules, history):
    """The policy restated plainly, one zone and one rule at a time."""
    if customer.channel in customer.opted_out or customer.holds:
        return False
    if not customer.consents.get(customer.channel):
        return False
    zones = oracle_zones(customer)
    in_every_zone = all(
        oracle_zone_allows(customer, rules, history, zone) for zone in zones
    )
    in_week = oracle_week_allows(customer, rules, history)
    return bool(zones) and in_every_zone and in_week


def oracle_zone_allows(customer, rules, history, zone):
    """Holiday, window and day caps as seen from one zone."""
    channel = customer.channel
    local = customer.at.astimezone(zone)
    if rules.skip_holidays and customer.country:
        if oracle_is_holiday(customer, local.date()):
            return False
    window = rules.windows.get(local.weekday())
    if window is None or not window.start <= local.time() < window.end:
        return False
    today = [
        past for past in history if past.at.astimezone(zone).date() == local.date()
    ]
    same_channel = sum(past.channel == channel for past in today)
    return not (
        over(rules.daily_cap.get(channel), same_channel)
        or over(rules.after_contact_daily, sum(map(reached, today)))
    )


def oracle_week_allows(customer, rules, history):
    """The rolling-week limits and the call cool-down."""
    channel, at = customer.channel, customer.at
    is_call = channel == "voice"
    week = [past for past in history if at - timedelta(days=7) < past.at <= at]
    calls = [
        past for past in week if past.channel == "voice" and about_debt(customer, past)
    ]
    cooldown = timedelta(days=rules.call_cooldown_days_after_conversation or 0)
    talks = [
        past
        for past in history
        if at - cooldown < past.at <= at
        and past.conversation
        and about_debt(customer, past)
    ]
    attempts = [past for past in week if past.channel in rules.attempts_7d_channels]
    same_channel = sum(past.channel == channel for past in week)
    return not (
        over(rules.weekly_cap.get(channel), same_channel)
        or (is_call and over(rules.call_attempts_7d, len(calls)))
        or (is_call and bool(talks))
        or over(rules.after_contact_weekly, sum(map(reached, week)))
        or (
            channel in rules.attempts_7d_channels
            and over(rules.attempts_7d, len(attempts))
        )
    )


@settings(max_examples=1000, deadline=None)
@given(scenarios())
def test_check_agrees_with_the_oracle(scenario):
    customer, rules, history = scenario
    decision = check(customer, rules, history)
    assert decision.allowed == oracle_allows(customer, rules, history), decision
    assert decision.allowed == (decision.rule is None)


def ceil_minute(moment):
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def instants_worth_trying(customer, rules, history, start, end):
    """Hourly marks, plus each local window start and midnight, each cap lift."""
    hours = int((end - start) / timedelta(hours=1))
    moments = {start + timedelta(hours=hour) for hour in range(hours + 1)}
    for zone in oracle_zones(customer):
        day = start.astimezone(zone).date() - timedelta(days=1)
        while day <= end.astimezone(zone).date():
            window = rules.windows.get(day.weekday())
            for wall in [time(0)] + ([window.start] if window else []):
                moments.add(datetime.combine(day, wall, zone).astimezone(UTC))
            day += timedelta(days=1)
    for past in history:
        moments.add(past.at + timedelta(days=7))
        days = rules.call_cooldown_days_after_conversation
        if days:
            moments.add(past.at + timedelta(days=days))
    return sorted(ceil_minute(moment) for moment in moments if start <= moment <= end)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(1, 14))
def test_next_allowed_is_the_earliest_allowed_minute(scenario, horizon_days):
    customer, rules, history = scenario
    found = next_allowed(customer, rules, history, horizon_days)
    start = ceil_minute(customer.at)
    end = found or customer.at + timedelta(days=horizon_days)
    if found is not None:
        assert found.tzinfo is UTC and found.second == found.microsecond == 0
        assert customer.at <= found <= customer.at + timedelta(days=horizon_days)
        assert check(replace(customer, at=found), rules, history).allowed
        earlier = found - timedelta(minutes=1)
        if earlier >= start:
            assert not check(replace(customer, at=earlier), rules, history).allowed
    for moment in instants_worth_trying(customer, rules, history, start, end):
        if moment < end:
            decision = check(replace(customer, at=moment), rules, history)
            assert not decision.allowed, moment


blockers = st.one_of(
    st.builds(lambda: {"opted_out": frozenset(CHANNELS)}),
    st.builds(lambda: {"consents": {}}),
    st.sampled_from(CHANNELS).map(lambda channel: {"consents": {channel: False}}),
    st.frozensets(st.sampled_from(HOLD_ORDER), min_size=1).map(
        lambda holds: {"holds": holds}
    ),
)


@settings(max_examples=150, deadline=None)
@given(scenarios(), blockers)
def test_standing_refusals_hold_at_any_time(scenario, blocker):
    customer, rules, history = scenario
    blocker = dict(blocker)
    if "consents" in blocker and blocker["consents"]:
        # the refused channel is the one asked for
        customer = replace(customer, channel=next(iter(blocker["consents"])))
    customer = replace(customer, **blocker)
    decision = check(customer, rules, history)
    assert not decision.allowed
    if "opted_out" in blocker:
        assert decision.rule == "opt_out"
    elif "consents" in blocker:
        assert decision.rule == "no_consent"
    else:
        first_hold = next(hold for hold in HOLD_ORDER if hold in customer.holds)
        assert decision.rule == f"hold_{first_hold}"
    assert next_allowed(customer, rules, history) is None


@settings(max_examples=400, deadline=None)
@given(
    scenarios(),
    st.sampled_from(policy.PURPOSES),
    st.frozensets(st.sampled_from(HOLD_ORDER)),
    st.booleans(),
    st.booleans(),
)
def test_each_purpose_is_bound_by_its_rules_only(
    scenario, purpose, holds, opted_out, consents
):
    """Answers and requested links skip hours, caps and holds, never an opt-out
    or a do-not-contact; an opt-out confirmation always goes; a promise
    reminder is bound like a journey reminder but for the promise's hold."""
    customer, rules, history = scenario
    customer = replace(
        customer,
        purpose=purpose,
        holds=holds,
        opted_out=frozenset({customer.channel}) if opted_out else frozenset(),
        consents=EVERY_CONSENT if consents else {},
    )
    decision = check(customer, rules, history)
    if purpose == "optout_confirmation":
        expected = True
    elif purpose in ("answer", "requested"):
        expected = not opted_out and "do_not_contact" not in holds
    elif purpose in ("promise_reminder", "by_hand"):
        expected = oracle_allows(
            replace(customer, holds=holds - {"promise"}), rules, history
        )
    else:
        expected = oracle_allows(customer, rules, history)
    assert decision.allowed == expected, (purpose, decision)
    later = next_allowed(customer, rules, history)
    if decision.allowed:
        assert later == ceil_minute(customer.at)


def test_the_call_cooldown_runs_from_the_reply_not_the_attempt():
    at = datetime(2026, 3, 10, 12, tzinfo=NEW_YORK).astimezone(UTC)
    rules = rules_for("US")
    texted = ContactEvent(
        "sms",
        at - timedelta(days=9),
        "D1",
        conversation=True,
        conversation_at=at - timedelta(days=3),
    )
    decision = check(request(at), rules, [texted])
    assert decision.rule == "call_cooldown"
    later = next_allowed(request(at), rules, [texted])
    assert later == texted.conversation_at + timedelta(days=7)
    # a conversation time before the attempt is the attempt's
    odd = replace(texted, conversation_at=at - timedelta(days=30))
    assert odd.talked_at == odd.at
    assert check(request(at), rules, [odd]).allowed
