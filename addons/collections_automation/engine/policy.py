"""Contact policy: may we reach this customer, on this channel, right now?

Every outbound contact (email, SMS, WhatsApp, voice call) goes through
:func:`check` first. It answers with a :class:`Decision`: allowed, or refused
with a stable rule code and a short English reason. The Odoo layer translates
the reason from :data:`REASONS` and :attr:`Decision.params`.

How it works
------------

One jurisdiction's rules are a :class:`ContactRules`: local contact windows per
weekday, whether public holidays are off limits, per-channel caps and the
special counts some laws add. :data:`PRESETS` holds the shipped jurisdictions
and :func:`rules_for` picks one for a country (and US state), with the
adjustments an administrator made.

:func:`check` runs the rules in a fixed order and returns the first refusal.
The request's *purpose* (:data:`PURPOSES`) says which rules bind it: a journey
reminder is bound by all of them; an answer to the customer's own message or a
link they asked for only by an opt-out and a do-not-contact; the confirmation
of an opt-out by none.

1. standing refusals, which no amount of waiting lifts: the customer opted out
   of the channel, gave no consent to it, or the account is on hold;
2. the local time. The customer's time zone is used when known; otherwise every
   zone of the customer's country is, and the contact must be allowed in all of
   them (a US customer without a time zone is only called when it is within
   hours from Eastern to Hawaii time). A time zone that is not one of the
   country's (Odoo gives a new contact its creator's zone) is not trusted
   alone: the contact must be allowed there and in every zone of the country
   (:func:`zone_basis`). With neither a time zone nor a country,
   the local time is unknown and the contact is refused: we never guess.
   In each zone the local date must not be a public holiday (when the rules say
   so), the weekday must have a window, and the local time must fall inside it
   (start inclusive, end exclusive);
3. the contact history, counted in one pass: per-channel caps per local
   calendar day and per rolling 7 days, Regulation F's 7 call attempts in
   7 days per debt and its cool-down after a conversation, Colombia's
   Ley 2300 limits once the debtor was reached, and the Massachusetts / New
   York City limit of 2 attempts in 7 days.

"7 days" is always a rolling window: an event counts when
``at - 7 days < event.at <= at``. A "local calendar day" is the whole day the
request falls on in the customer's zone, so a contact already recorded later
that day counts too. An *attempt* is any history event; a *contact* (for
Ley 2300) is an event that was delivered or led to a conversation.

Doubt goes the safe way: an event or a request without a debt counts for every
debt, a conversation on any channel (an answered call where the customer
spoke, a right-party call a collector logged, a reply) starts the call
cool-down, and a hold this
module does not know still refuses. Holidays come from the country (and state,
when the ``holidays`` library knows it): with a time zone but no country, no
holiday calendar applies.

:func:`next_allowed` finds the earliest minute at which :func:`check` would
allow the request. The verdict can only turn from refused to allowed when a
local clock reaches a window start or midnight, or when a past event leaves a
rolling window or cool-down, so only those instants are tried, in order,
instead of every minute.

A planning run calls :func:`check` hundreds of thousands of times: zones,
holiday calendars and local day bounds are cached, and the history is read
once per call.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

try:
    import pytz
except ImportError:  # pytz ships with Odoo; the built-in map is for bare installs
    pytz = None

UTC = timezone.utc
WEEK = timedelta(days=7)
MIDNIGHT = time(0)

EMAIL = "email"
SMS = "sms"
WHATSAPP = "whatsapp"
VOICE = "voice"
CHANNELS = (EMAIL, SMS, WHATSAPP, VOICE)
#: Channels that reach the customer's telephone: calls, and texts (SMS and
#: WhatsApp). 940 CMR 7.04(1)(f) counts "communications via telephone, in
#: person or via text messaging or recorded audio message"; email is apart.
PHONE_CHANNELS = frozenset({SMS, WHATSAPP, VOICE})

#: Why we contact the customer. Each purpose has its exemptions:
#:
#: - ``journey``: a reminder of the journey; every rule applies, and a
#:   pending promise holds it;
#: - ``promise_reminder``: the reminder of a promise falling due; every rule
#:   applies but the promise's own hold;
#: - ``by_hand``: a reminder, link or statement a person sends by hand; every
#:   rule applies but a promise's hold (the person sees the promise);
#: - ``answer``: the answer to the customer's own message (the agent
#:   replying); the conversation is the customer's, so hours and caps do not
#:   apply: only an opt-out of the channel or a do-not-contact refuses it;
#: - ``requested``: a payment link or statement the customer asked for;
#:   like an answer;
#: - ``optout_confirmation``: the confirmation the law asks for after an
#:   opt-out, sent once whatever else holds.
PURPOSES = (
    "journey",
    "promise_reminder",
    "by_hand",
    "answer",
    "requested",
    "optout_confirmation",
)
#: Purposes that answer the customer: exempt from hours, caps and holds but
#: an opt-out and a do-not-contact.
ANSWERS = frozenset({"answer", "requested"})

#: Holds in the order they are reported. A hold this module does not know is
#: still refused, after these, as ``hold_<name>``.
HOLD_ORDER = ("do_not_contact", "legal", "dispute", "payment_plan", "promise")

#: Purposes neither hours nor caps apply to.
EXEMPT_FROM_TIME = ANSWERS | {"optout_confirmation"}

#: Every rule code :func:`check` may return, in the order the rules run.
RULE_CODES = (
    "opt_out",
    "no_consent",
    *(f"hold_{hold}" for hold in HOLD_ORDER),
    "no_timezone",
    "holiday",
    "day_not_allowed",
    "outside_hours",
    "daily_cap",
    "weekly_cap",
    "call_attempts_7d",
    "call_cooldown",
    "after_contact_daily",
    "after_contact_weekly",
    "attempts_7d",
)
#: Rules the Odoo layer adds about the channel itself (no provider, number or
#: address, a blacklisted one) rather than the law; none of them lifts with
#: time.
CHANNEL_RULES = ("no_provider", "invalid_phone", "no_email", "blacklisted")

#: The refusals that time alone lifts (everything checked after the time zone):
#: a contact refused for one of them can be scheduled for :func:`next_allowed`.
TIMING_RULES = frozenset(RULE_CODES[RULE_CODES.index("no_timezone") + 1 :])


def _lt(text):
    """Mark ``text`` for translation: Odoo's extractor collects ``_lt("...")``
    calls into the addon's ``.pot``; the engine itself stays in English and
    the Odoo layer translates with the rule code and :attr:`Decision.params`."""
    return text


#: English reason per rule code, formatted with :attr:`Decision.params`.
#: ``"hold"`` serves the holds missing from :data:`HOLD_ORDER`.
REASONS = {
    "opt_out": _lt("The customer opted out of {channel}."),
    "no_consent": _lt("The customer has not consented to contact by {channel}."),
    "hold_do_not_contact": _lt("The customer must not be contacted."),
    "hold_legal": _lt("The debt is in legal proceedings."),
    "hold_dispute": _lt("The debt is disputed."),
    "hold_payment_plan": _lt("The debt is under a payment plan."),
    "hold_promise": _lt("A promise to pay is pending."),
    "hold": _lt("Contact is on hold ({hold})."),
    "no_timezone": _lt(
        "The customer's local time is unknown (no time zone, no country)."
    ),
    "holiday": _lt("No contact on public holidays ({holiday}, {date})."),
    "day_not_allowed": _lt("No contact allowed on {weekday}."),
    "outside_hours": _lt("Outside allowed hours ({start}-{end} local)."),
    "daily_cap": _lt("Limit of {limit} {channel} contact(s) a day reached."),
    "weekly_cap": _lt("Limit of {limit} {channel} contact(s) in 7 days reached."),
    "call_attempts_7d": _lt("Limit of {limit} calls in 7 days reached for this debt."),
    "call_cooldown": _lt(
        "No call within {days} days of a conversation about this debt."
    ),
    "after_contact_daily": _lt(
        "The customer was reached today: at most {limit} a day."
    ),
    "after_contact_weekly": _lt("The customer was reached: at most {limit} in 7 days."),
    "attempts_7d": _lt(
        "Limit of {limit} contact attempts in 7 days reached ({channels})."
    ),
}

WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

#: Zones per country when pytz is missing. Each list spans every UTC offset
#: and daylight-saving rule the country uses, which is all the checks need.
FALLBACK_COUNTRY_ZONES = {
    "US": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Adak",
        "Pacific/Honolulu",
    ),
    "CO": ("America/Bogota",),
    "MX": (
        "America/Mexico_City",
        "America/Cancun",
        "America/Chihuahua",
        "America/Ciudad_Juarez",
        "America/Matamoros",
        "America/Mazatlan",
        "America/Hermosillo",
        "America/Tijuana",
    ),
    "BR": (
        "America/Sao_Paulo",
        "America/Noronha",
        "America/Manaus",
        "America/Rio_Branco",
    ),
    "ES": ("Europe/Madrid", "Atlantic/Canary"),
    "AR": ("America/Argentina/Buenos_Aires",),
    "PE": ("America/Lima",),
    "CL": ("America/Santiago", "America/Punta_Arenas", "Pacific/Easter"),
    "PT": ("Europe/Lisbon", "Atlantic/Azores"),
}


@dataclass(frozen=True)
class Window:
    """Allowed local hours of one day: ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    def __post_init__(self):
        if not self.start < self.end:
            raise ValueError(f"Window must start before it ends: {self.label()}")

    def contains(self, moment):
        """Whether the local wall-clock ``moment`` (a time) is inside."""
        return self.start <= moment < self.end

    def label(self):
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class ContactRules:
    """One jurisdiction's contact rules; a missing limit (None) does not apply.

    :param windows: weekday (0 = Monday) to its window; None or missing means
        no contact that day
    :param daily_cap: channel to max contacts per local calendar day
    :param weekly_cap: channel to max contacts per rolling 7 days
    :param call_attempts_7d: Regulation F, max call attempts per debt in 7 days
    :param call_cooldown_days_after_conversation: Regulation F, days without
        calls after a conversation about the debt
    :param after_contact_daily: Ley 2300, max contacts a day once reached
    :param after_contact_weekly: Ley 2300, max contacts in 7 days once reached
    :param attempts_7d: max attempts in 7 days on ``attempts_7d_channels``,
        all debts together (940 CMR 7.04, NYC consumer protection rules)
    """

    code: str
    windows: Mapping[int, Window | None]
    skip_holidays: bool = False
    daily_cap: Mapping[str, int] = field(default_factory=dict)
    weekly_cap: Mapping[str, int] = field(default_factory=dict)
    call_attempts_7d: int | None = None
    call_cooldown_days_after_conversation: int | None = None
    after_contact_daily: int | None = None
    after_contact_weekly: int | None = None
    attempts_7d: int | None = None
    attempts_7d_channels: frozenset[str] = frozenset()

    def __post_init__(self):
        # admins' overrides may come as lists or sets
        channels = frozenset(self.attempts_7d_channels)
        object.__setattr__(self, "attempts_7d_channels", channels)


@dataclass(frozen=True)
class ContactEvent:
    """A past contact attempt; ``conversation`` means the right party spoke,
    at ``conversation_at`` when later than the attempt (a reply)."""

    channel: str
    at: datetime
    debt_id: str | None = None
    conversation: bool = False
    delivered: bool = True
    conversation_at: datetime | None = None

    @property
    def talked_at(self):
        """When the conversation took place (None without one)."""
        if not self.conversation:
            return None
        return max(self.at, self.conversation_at or self.at)

    @property
    def reached(self):
        """Whether this attempt counts as a contact for Ley 2300."""
        return self.delivered or self.conversation


@dataclass(frozen=True)
class ContactRequest:
    """A contact we would like to make at ``at`` (timezone-aware)."""

    channel: str
    at: datetime
    country: str | None = None
    subdivision: str | None = None
    tz: str | None = None
    consents: Mapping[str, bool] = field(default_factory=dict)
    opted_out: frozenset[str] = frozenset()
    holds: frozenset[str] = frozenset()
    debt_id: str | None = None
    purpose: str = "journey"

    def __post_init__(self):
        if self.purpose not in PURPOSES:
            raise ValueError(f"Unknown contact purpose {self.purpose!r}")


@dataclass(frozen=True)
class Decision:
    """The verdict on a request.

    :param rule: code of the refusing rule (see :data:`RULE_CODES`), None when
        allowed
    :param reason: English sentence, built from :data:`REASONS` and ``params``
    :param local_time: the request's instant in the customer's (first) zone,
        None when unknown
    :param params: the values formatted into the reason, to translate it
    """

    allowed: bool
    rule: str | None
    reason: str
    local_time: datetime | None
    params: Mapping[str, str] = field(default_factory=dict, compare=False)


def _every_day(start_hour, end_hour):
    window = Window(time(start_hour), time(end_hour))
    return MappingProxyType(dict.fromkeys(range(7), window))


_US = ContactRules(
    "US",
    _every_day(8, 21),
    call_attempts_7d=7,
    call_cooldown_days_after_conversation=7,
)
_WEEKDAY_CO = Window(time(7), time(19))

#: Shipped jurisdictions. Read-only: derive new rules with ``dataclasses.replace``.
PRESETS = MappingProxyType(
    {
        "US": _US,
        "US-MA": replace(
            _US, code="US-MA", attempts_7d=2, attempts_7d_channels=PHONE_CHANNELS
        ),
        # NYC rules: 2 communications of any kind in 7 days
        "US-NY": replace(
            _US, code="US-NY", attempts_7d=2, attempts_7d_channels=frozenset(CHANNELS)
        ),
        "CO": ContactRules(
            "CO",
            MappingProxyType(
                {
                    **dict.fromkeys(range(5), _WEEKDAY_CO),
                    5: Window(time(8), time(15)),
                    6: None,
                }
            ),
            skip_holidays=True,
            after_contact_daily=1,
            after_contact_weekly=2,
        ),
        "MX": ContactRules("MX", _every_day(7, 22)),
        "default": ContactRules("default", _every_day(8, 20)),
    }
)


def preset(code: str) -> ContactRules:
    """The shipped rules ``code`` (a key of :data:`PRESETS`)."""
    try:
        return PRESETS[code]
    except KeyError:
        raise KeyError(f"No contact rules preset {code!r}") from None


def rules_for(
    country_code: str | None,
    subdivision_code: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> ContactRules:
    """The rules for a customer's country and state, as adjusted by an admin.

    :param country_code: ISO 3166-1 alpha-2 code, e.g. ``"US"``
    :param subdivision_code: state code, bare (``"MA"``) or ISO (``"US-MA"``)
    :param overrides: field name to value, applied on top of the preset
    """
    country = (country_code or "").upper()
    subdivision = _bare_subdivision(country, subdivision_code)
    code = "default"
    if subdivision and f"{country}-{subdivision}" in PRESETS:
        code = f"{country}-{subdivision}"
    elif country in PRESETS:
        code = country
    rules = PRESETS[code]
    return replace(rules, **overrides) if overrides else rules


def check(
    request: ContactRequest, rules: ContactRules, history: Sequence[ContactEvent]
) -> Decision:
    """Whether ``request`` may be made now under ``rules``.

    :param request: the :class:`ContactRequest`
    :param rules: the customer's :class:`ContactRules`
    :param history: the customer's past :class:`ContactEvent`, any order
    :return: a :class:`Decision`; when refused, by the first rule that refuses
    """
    refusal = _standing_refusal(request)
    if refusal or request.purpose in EXEMPT_FROM_TIME:
        return refusal or Decision(True, None, "", None)
    zones = _zones_for(request)
    if not zones:
        return _refuse("no_timezone", None)
    return _timed_decision(request, _as_utc(request.at), rules, history, zones)


def next_allowed(
    request: ContactRequest,
    rules: ContactRules,
    history: Sequence[ContactEvent],
    horizon_days: int = 14,
) -> datetime | None:
    """The earliest minute, from ``request.at`` on, at which ``check`` allows.

    :return: an aware UTC datetime on a minute boundary, or None when nothing
        is allowed within ``horizon_days`` or when waiting cannot help (opt-out,
        no consent, hold, unknown time zone)
    """
    if _standing_refusal(request):
        return None
    if request.purpose in EXEMPT_FROM_TIME:
        return _ceil_minute(_as_utc(request.at))
    zones = _zones_for(request)
    if not zones:
        return None
    start = _ceil_minute(_as_utc(request.at))
    end = _as_utc(request.at) + timedelta(days=horizon_days)
    candidates = {
        _ceil_minute(moment)
        for moment in _turning_points(rules, history, zones, start, end)
    }
    for moment in sorted(c for c in candidates if start <= c <= end):
        if _timed_decision(request, moment, rules, history, zones).allowed:
            return moment
    return None


def _standing_refusal(request):
    """The refusals that hold at any time: opt-out, no consent, holds, as
    far as the request's purpose is bound by them."""
    channel = request.channel
    purpose = request.purpose
    if purpose == "optout_confirmation":
        return None
    if channel in request.opted_out:
        return _refuse("opt_out", None, channel=channel)
    if purpose in ANSWERS:
        if "do_not_contact" in request.holds:
            return _refuse("hold_do_not_contact", None)
        return None
    if request.consents.get(channel) is not True:
        return _refuse("no_consent", None, channel=channel)
    holds = request.holds
    if purpose != "journey":
        holds = holds - {"promise"}
    if holds:
        known = [hold for hold in HOLD_ORDER if hold in holds]
        if known:
            return _refuse(f"hold_{known[0]}", None)
        hold = min(holds)
        return _refuse(f"hold_{hold}", None, reason_key="hold", hold=hold)
    return None


def _timed_decision(request, at, rules, history, zones):
    """Check the local calendar and the history at the UTC instant ``at``."""
    local_time = at.astimezone(zones[0])
    zone_walls = [(zone, at.astimezone(zone).replace(tzinfo=None)) for zone in zones]
    # zones sharing a wall clock at this instant need one calendar check
    walls = dict.fromkeys(wall for _zone, wall in zone_walls)
    refusal = _calendar_refusal(request, rules, walls, local_time)
    if refusal:
        return refusal
    # ... but their days may still start at different instants (DST changes)
    day_spans = {_local_day_span(zone, wall.date()) for zone, wall in zone_walls}
    refusal = _history_refusal(request, rules, history, at, day_spans, local_time)
    return refusal or Decision(True, None, "", local_time)


def _calendar_refusal(request, rules, walls, local_time):
    if rules.skip_holidays and request.country:
        country = request.country.upper()
        subdivision = _bare_subdivision(country, request.subdivision)
        for wall in walls:
            day = wall.date()
            name = _holiday_names(country, subdivision, day.year).get(day)
            if name:
                return _refuse(
                    "holiday", local_time, holiday=name, date=day.isoformat()
                )
    for wall in walls:
        if rules.windows.get(wall.weekday()) is None:
            weekday = WEEKDAY_NAMES[wall.weekday()]
            return _refuse("day_not_allowed", local_time, weekday=weekday)
    for wall in walls:
        window = rules.windows[wall.weekday()]
        if not window.contains(wall.time()):
            return _refuse(
                "outside_hours",
                local_time,
                start=f"{window.start:%H:%M}",
                end=f"{window.end:%H:%M}",
            )
    return None


def _history_refusal(request, rules, history, at, day_spans, local_time):
    """Count the history once and apply the caps in their fixed order.

    :param day_spans: the request's local calendar day as UTC ``[start, end)``,
        one per distinct zone; a day cap must hold in each
    """
    channel = request.channel
    debt_id = request.debt_id
    week_start = at - WEEK
    is_call = channel == VOICE
    cooldown_days = rules.call_cooldown_days_after_conversation if is_call else None
    cooldown_start = at - timedelta(days=cooldown_days or 0)
    spans = list(day_spans)
    channel_per_day = [0] * len(spans)
    reached_per_day = [0] * len(spans)
    channel_week = calls_week = reached_week = attempts_week = 0
    cooling_down = False
    for event in history:
        moment = event.at
        same_channel = event.channel == channel
        reached = event.reached
        if same_channel or reached:
            for index, (day_start, day_end) in enumerate(spans):
                if day_start <= moment < day_end:
                    channel_per_day[index] += same_channel
                    reached_per_day[index] += reached
        if week_start < moment <= at:
            channel_week += same_channel
            reached_week += reached
            attempts_week += event.channel in rules.attempts_7d_channels
            if event.channel == VOICE and _same_debt(event.debt_id, debt_id):
                calls_week += 1
        if (
            cooldown_days
            and event.conversation
            and cooldown_start < event.talked_at <= at
            and _same_debt(event.debt_id, debt_id)
        ):
            cooling_down = True

    daily_cap = rules.daily_cap.get(channel)
    if daily_cap is not None and max(channel_per_day) >= daily_cap:
        return _refuse("daily_cap", local_time, limit=daily_cap, channel=channel)
    weekly_cap = rules.weekly_cap.get(channel)
    if weekly_cap is not None and channel_week >= weekly_cap:
        return _refuse("weekly_cap", local_time, limit=weekly_cap, channel=channel)
    if is_call and rules.call_attempts_7d is not None:
        if calls_week >= rules.call_attempts_7d:
            return _refuse("call_attempts_7d", local_time, limit=rules.call_attempts_7d)
    if cooling_down:
        return _refuse("call_cooldown", local_time, days=cooldown_days)
    limit = rules.after_contact_daily
    if limit is not None and max(reached_per_day) >= limit:
        return _refuse("after_contact_daily", local_time, limit=limit)
    limit = rules.after_contact_weekly
    if limit is not None and reached_week >= limit:
        return _refuse("after_contact_weekly", local_time, limit=limit)
    limit = rules.attempts_7d
    if (
        limit is not None
        and channel in rules.attempts_7d_channels
        and attempts_week >= limit
    ):
        channels = ", ".join(sorted(rules.attempts_7d_channels))
        return _refuse("attempts_7d", local_time, limit=limit, channels=channels)
    return None


def _same_debt(event_debt_id, debt_id):
    """Whether an event may concern the debt; unknown debts count, to be safe."""
    return event_debt_id is None or debt_id is None or event_debt_id == debt_id


def _turning_points(rules, history, zones, start, end):
    """Instants at which a refusal may turn into an allowance.

    Local window starts and midnights (new day: new holiday status, day caps
    reset) in every zone, and the moments past events leave the rolling week
    or the call cool-down.
    """
    yield start
    for zone in zones:
        day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date()
        while day <= last_day:
            yield from _wall_instants(day, MIDNIGHT, zone)
            window = rules.windows.get(day.weekday())
            if window is not None:
                yield from _wall_instants(day, window.start, zone)
            day += timedelta(days=1)
    cooldown = timedelta(days=rules.call_cooldown_days_after_conversation or 0)
    for event in history:
        yield event.at + WEEK
        if cooldown and event.conversation:
            yield event.talked_at + cooldown


def _wall_instants(day, wall, zone):
    """The UTC instants at which ``zone``'s clock reaches ``wall`` on ``day``.

    Twice when the clock goes back over it; when the clock jumps over it, the
    instant of the jump.
    """
    repeated = datetime.combine(day, wall.replace(fold=1), zone).astimezone(UTC)
    return _first_instant_at_wall(day, wall, zone), repeated


@lru_cache(maxsize=65536)
def _first_instant_at_wall(day, wall, zone):
    naive = datetime.combine(day, wall)
    earliest = naive.replace(tzinfo=zone).astimezone(UTC)
    if earliest.astimezone(zone).replace(tzinfo=None) == naive:
        return earliest
    # the wall time falls in a gap (clocks forward): find the jump by bisection
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = earliest
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after


@lru_cache(maxsize=65536)
def _local_day_span(zone, day):
    """The local calendar ``day`` in ``zone`` as a UTC ``[start, end)``."""
    return (
        _first_instant_at_wall(day, MIDNIGHT, zone),
        _first_instant_at_wall(day + timedelta(days=1), MIDNIGHT, zone),
    )


def zone_basis(tz, country):
    """Which zones the local time is read in, for a customer with time zone
    ``tz`` and country ``country`` (either may be None):

    - ``"tz"``: the customer's zone alone (it is one of its country's, or an
      alias of one, or the country is unknown);
    - ``"tz_and_country"``: the customer's zone is not one of its country's
      (Odoo gives a new contact the zone of the user who creates it: a
      Mexican customer typed in from Madrid reads Europe/Madrid), so the
      contact must be allowed both there and in every zone of the country;
    - ``"country"``: no (valid) zone: every zone of the country;
    - ``"none"``: neither: the local time is unknown.
    """
    return _zone_basis(tz or None, (country or "").upper() or None)


@lru_cache(maxsize=1024)
def _zone_basis(tz, country):
    zone = _zone(tz) if tz else None
    country_zones = _country_zones(country) if country else ()
    if zone is not None:
        if not country_zones or _same_clock_as_one_of(zone, country_zones):
            return "tz"
        return "tz_and_country"
    return "country" if country_zones else "none"


#: Instants at which two zones are compared (1st and 16th of each month of
#: four years): an alias (``US/Pacific``) keeps its zone's clock at all of them.
_CLOCK_SAMPLES = tuple(
    datetime(year, month, day, 12, tzinfo=UTC)
    for year in range(2025, 2029)
    for month in range(1, 13)
    for day in (1, 16)
)


@lru_cache(maxsize=1024)
def _clock(zone):
    return tuple(moment.astimezone(zone).utcoffset() for moment in _CLOCK_SAMPLES)


def _same_clock_as_one_of(zone, zones):
    return zone in zones or any(_clock(zone) == _clock(other) for other in zones)


def _zones_for(request):
    """The zones the customer may be in (see :func:`zone_basis`): theirs
    when it is of their country, else all of their country's, with theirs
    first when they have one of elsewhere."""
    country = (request.country or "").upper() or None
    basis = zone_basis(request.tz, country)
    if basis == "tz":
        return (_zone(request.tz),)
    if basis == "tz_and_country":
        zone = _zone(request.tz)
        return (zone, *(z for z in _country_zones(country) if z != zone))
    if basis == "country":
        return _country_zones(country)
    return ()


@lru_cache(maxsize=1024)
def _zone(name):
    """The zone called ``name``, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=512)
def _country_zones(country):
    if pytz is not None:
        names = pytz.country_timezones.get(country, ())
    else:
        names = FALLBACK_COUNTRY_ZONES.get(country, ())
    # a zone the local tz database lacks is a recent split of one it has
    return tuple(zone for zone in map(_zone, names) if zone is not None)


@lru_cache(maxsize=1024)
def _holiday_names(country, subdivision, year):
    """Public holidays as ``{date: name}``; none for a country unknown to us."""
    for subdiv in dict.fromkeys((subdivision, None)):
        try:
            calendar = holidays.country_holidays(country, subdiv=subdiv, years=year)
        except NotImplementedError:
            continue
        return dict(calendar.items())
    return {}


def _bare_subdivision(country, subdivision):
    """``"MA"`` from ``"MA"``, ``"ma"`` or ``"US-MA"``; None when missing."""
    if not subdivision:
        return None
    return subdivision.upper().removeprefix(f"{country}-")


def _refuse(rule, local_time, reason_key=None, **params):
    reason = REASONS[reason_key or rule].format(**params)
    params = {key: str(value) for key, value in params.items()}
    return Decision(False, rule, reason, local_time, params)


def _as_utc(moment):
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Contact times must be timezone-aware, got {moment}")
    return moment.astimezone(UTC)


def _ceil_minute(moment):
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)
