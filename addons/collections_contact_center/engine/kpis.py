"""Contact-center KPIs with their exact definitions.

Conventions, the same for every function:

* **Rates are Decimal fractions from 0 to 1**, never percentages: Odoo's
  ``percentage`` widget multiplies by 100 for display. That includes the CEI,
  conventionally quoted x 100 (a CEI of 0.8 is "80").
* A KPI whose denominator is 0 is None ("no data"), never 0.
* Amounts are Decimal (a float is read through its ``repr``, so 0.1 is
  ``Decimal("0.1")``); DSO figures are days, as Decimal.
* Records are mappings (``cr.dictfetchall()`` rows) or objects with the same
  attributes; fields a KPI does not read are ignored, so the same rows can
  carry a channel, journey, variant, team, collector or date to group by with
  :func:`group_by`.

>>> attempts = [
...     {"partner_id": 1, "channel": "sms", "state": "delivered"},
...     {"partner_id": 2, "channel": "voice", "state": "no_answer"},
...     {"partner_id": 2, "channel": "voice", "state": "answered",
...      "disposition": "promise"},
... ]
>>> contact_rate(attempts), right_party_contact_rate(attempts)
(Decimal('1'), Decimal('0.5'))
>>> group_by(attempts, "channel", contact_rate)
{'sms': Decimal('1'), 'voice': Decimal('1')}
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

REACHED_STATES = frozenset({"delivered", "read", "replied", "answered"})
"""Attempt states in which the message or call reached the customer. ``sent``
does not: the provider accepted it, nobody knows whether it arrived."""

CALL_CHANNELS = frozenset({"voice"})

RIGHT_PARTY = frozenset({"right_party", "promise", "refused", "dispute"})
"""Call dispositions that mean we spoke with the debtor (not a relative, a
voicemail or a wrong number): plain talk, a promise, a refusal, a dispute."""

PROMISE = "promise"

KEPT_TOLERANCE = Decimal("0.01")
"""A promise paid within this much of its amount was kept (the 0.01 that
``collections_automation`` settles promises with)."""

PAID_UP = Decimal("0.005")
"""A receivable whose residual is at most this is paid: it sits in no bucket."""

CREDIT_SALES = ("out_invoice", "out_refund", "out_receipt")
"""Move types whose receivables are credit sales (for the DSO and the CEI):
invoices, credit notes (negative) and receipts."""

_MISSING = object()


def field(record, name, default=_MISSING):
    """``record[name]`` for a mapping, else ``record.name``; ``default`` when
    it has no such field (an error when no default is given)."""
    if isinstance(record, Mapping):
        if default is _MISSING:
            return record[name]
        return record.get(name, default)
    if default is _MISSING:
        return getattr(record, name)
    return getattr(record, name, default)


def to_decimal(amount) -> Decimal:
    """An amount as Decimal; a float through its shortest ``repr``."""
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, float):
        return Decimal(repr(amount))
    return Decimal(amount)


def ratio(part, whole) -> Decimal | None:
    """``part / whole`` as Decimal, None when ``whole`` is 0.

    >>> ratio(1, 4), ratio(0, 0)
    (Decimal('0.25'), None)
    """
    if whole == 0:
        return None
    return to_decimal(part) / to_decimal(whole)


# -- contacts ----------------------------------------------------------------


def contact_rate(attempts: Iterable) -> Decimal | None:
    """Customers reached / customers targeted.

    A customer is targeted by any attempt (``partner_id``) and reached when at
    least one attempt's ``state`` is in :data:`REACHED_STATES` (delivered,
    read, replied, answered). Counted per customer, not per attempt: ten
    unanswered calls and one read message reach one customer.

    >>> contact_rate([{"partner_id": 1, "state": "failed"},
    ...               {"partner_id": 1, "state": "read"},
    ...               {"partner_id": 2, "state": "sent"}])
    Decimal('0.5')
    """
    targeted, reached = set(), set()
    for attempt in attempts:
        partner = field(attempt, "partner_id")
        targeted.add(partner)
        if field(attempt, "state") in REACHED_STATES:
            reached.add(partner)
    return ratio(len(reached), len(targeted))


def _calls(attempts, channels):
    return [a for a in attempts if field(a, "channel") in channels]


def right_party_contact_rate(
    attempts: Iterable, channels=CALL_CHANNELS, right_party=RIGHT_PARTY
) -> Decimal | None:
    """Call attempts where we spoke with the debtor / call attempts.

    Only attempts on ``channels`` (calls) count; a right-party contact is one
    whose ``disposition`` is in ``right_party`` (:data:`RIGHT_PARTY`).
    Counted per attempt: it measures how many dials it takes.

    >>> right_party_contact_rate([
    ...     {"channel": "voice", "disposition": "refused"},
    ...     {"channel": "voice", "disposition": "wrong_person"},
    ...     {"channel": "voice", "disposition": None},
    ...     {"channel": "voice", "disposition": None},
    ...     {"channel": "sms", "disposition": None}])
    Decimal('0.25')
    """
    calls = _calls(attempts, channels)
    contacts = sum(1 for c in calls if field(c, "disposition", None) in right_party)
    return ratio(contacts, len(calls))


def promise_rate(
    attempts: Iterable, channels=CALL_CHANNELS, right_party=RIGHT_PARTY
) -> Decimal | None:
    """Calls ending in a promise / right-party contacts.

    Of the times we spoke with the debtor, how often they promised to pay
    (disposition ``"promise"``, itself a right-party contact).

    >>> promise_rate([{"channel": "voice", "disposition": "promise"},
    ...               {"channel": "voice", "disposition": "dispute"},
    ...               {"channel": "voice", "disposition": "refused"},
    ...               {"channel": "voice", "disposition": None}])
    Decimal('0.3333333333333333333333333333')
    """
    calls = _calls(attempts, channels)
    dispositions = [field(c, "disposition", None) for c in calls]
    contacts = sum(1 for d in dispositions if d in right_party)
    return ratio(sum(1 for d in dispositions if d == PROMISE), contacts)


# -- promises ----------------------------------------------------------------


def promise_kept_rate(
    promises: Iterable, as_of: date, tolerance=KEPT_TOLERANCE
) -> Decimal | None:
    """Promises kept in full by their date / promises that fell due.

    A promise fell due when its ``date`` is on or before ``as_of``; it was
    kept when ``paid_amount_by_date`` (paid on its invoices from the promise
    to its date, inclusive) reaches ``amount`` within ``tolerance`` (the
    0.01 that ``collections_automation`` settles promises with). Cancelled
    promises count in neither. ``as_of`` should be a day whose payments are
    all recorded: yesterday, or the end of a past period.

    >>> promise_kept_rate([
    ...     {"amount": 100, "date": date(2026, 3, 1), "paid_amount_by_date": 100,
    ...      "state": "kept"},
    ...     {"amount": 100, "date": date(2026, 3, 2), "paid_amount_by_date": 40,
    ...      "state": "partially_kept"},
    ...     {"amount": 100, "date": date(2026, 3, 9), "paid_amount_by_date": 0,
    ...      "state": "open"}], as_of=date(2026, 3, 5))
    Decimal('0.5')
    """
    fell_due = kept = 0
    for promise in promises:
        if field(promise, "state", None) == "cancelled":
            continue
        if field(promise, "date") > as_of:
            continue
        fell_due += 1
        paid = to_decimal(field(promise, "paid_amount_by_date") or 0)
        if paid >= to_decimal(field(promise, "amount")) - tolerance:
            kept += 1
    return ratio(kept, fell_due)


# -- money ---------------------------------------------------------------------


def amount_collected(records: Iterable) -> Decimal:
    """Everything collected in the period: the sum of ``collected``."""
    return sum((to_decimal(field(r, "collected")) for r in records), Decimal(0))


def recovery_rate(records: Iterable) -> Decimal | None:
    """Amount recovered of what was overdue at the start / amount overdue at
    the start of the period.

    One record per invoice: ``overdue_start`` (overdue on the first day) and
    ``collected`` (paid on it during the period). What an invoice pays beyond
    its starting overdue amount (later installments, invoices not yet overdue)
    is cash collected but not *recovery*, so each invoice counts at most its
    ``overdue_start``: the rate stays within 0..1.

    >>> recovery_rate([{"overdue_start": 1000, "collected": 400},
    ...                {"overdue_start": 500, "collected": 900},
    ...                {"overdue_start": 0, "collected": 300}])
    Decimal('0.6')
    """
    overdue = recovered = Decimal(0)
    for record in records:
        start = to_decimal(field(record, "overdue_start"))
        if start <= 0:
            continue
        overdue += start
        recovered += min(max(to_decimal(field(record, "collected")), 0), start)
    return ratio(recovered, overdue)


def dso(receivables_end, credit_sales, days: int) -> Decimal | None:
    """Days sales outstanding: receivables at the period's end / credit sales
    of the period x days in the period. None without positive sales.

    >>> dso(Decimal("60000"), Decimal("90000"), 30)
    Decimal('20')
    """
    credit_sales = to_decimal(credit_sales)
    if credit_sales <= 0:
        return None
    return to_decimal(receivables_end) * days / credit_sales


def best_dso(current_receivables_end, credit_sales, days: int) -> Decimal | None:
    """The DSO if every customer paid on time: only the receivables not yet
    due at the period's end / credit sales x days.

    >>> best_dso(Decimal("45000"), Decimal("90000"), 30)
    Decimal('15')
    """
    return dso(current_receivables_end, credit_sales, days)


def average_days_delinquent(
    receivables_end, current_receivables_end, credit_sales, days: int
) -> Decimal | None:
    """DSO - best DSO: the days that late payment adds.

    >>> average_days_delinquent(60000, 45000, 90000, 30)
    Decimal('5')
    """
    actual = dso(receivables_end, credit_sales, days)
    best = best_dso(current_receivables_end, credit_sales, days)
    return None if actual is None else actual - best


def cei(
    opening_receivables, credit_sales, closing_receivables, closing_current
) -> Decimal | None:
    """Collection effectiveness index, as a fraction:

    (opening + credit sales - closing total) / (opening + credit sales -
    closing current). What was collected of what could be collected: the
    receivables not yet due at the end could not. None when nothing could be
    collected (denominator 0 or less).

    >>> cei(1000, 500, 600, 200)
    Decimal('0.6923076923076923076923076923')
    """
    available = to_decimal(opening_receivables) + to_decimal(credit_sales)
    collectable = available - to_decimal(closing_current)
    if collectable <= 0:
        return None
    return (available - to_decimal(closing_receivables)) / collectable


def roll_rates(records: Iterable, buckets: Sequence[str]) -> dict[str, Decimal | None]:
    """Per bucket, the share of its amount at the month's start that rolled
    to a later bucket by the month's end.

    One record per invoice: ``bucket_start`` and ``amount_start`` (bucket and
    overdue amount on the first day), ``bucket_end`` (bucket on the last day;
    None when paid or no longer overdue). ``buckets`` are the codes, earliest
    first. An invoice rolled when it ends in any later bucket; staying, moving
    back or being paid is not rolling. Invoices in no bucket at the start are
    ignored. The last bucket has nothing to roll into and is left out.

    >>> roll_rates([
    ...     {"bucket_start": "1-30", "amount_start": 300, "bucket_end": "31-60"},
    ...     {"bucket_start": "1-30", "amount_start": 100, "bucket_end": "91+"},
    ...     {"bucket_start": "1-30", "amount_start": 600, "bucket_end": None},
    ...     {"bucket_start": "31-60", "amount_start": 200, "bucket_end": "1-30"},
    ... ], ["1-30", "31-60", "61-90", "91+"])
    {'1-30': Decimal('0.4'), '31-60': Decimal('0'), '61-90': None}
    """
    rank = {code: index for index, code in enumerate(buckets)}
    total = defaultdict(Decimal)
    rolled = defaultdict(Decimal)
    for record in records:
        start, end = field(record, "bucket_start"), field(record, "bucket_end")
        for code in (start, end):
            if code is not None and code not in rank:
                raise ValueError(f"Unknown bucket {code!r}.")
        if start is None:
            continue
        amount = to_decimal(field(record, "amount_start"))
        total[start] += amount
        if end is not None and rank[end] > rank[start]:
            rolled[start] += amount
    return {code: ratio(rolled[code], total[code]) for code in buckets[:-1]}


# -- AI agent ------------------------------------------------------------------


def _escalated(conversation):
    return field(conversation, "escalation_reason", None) is not None


def containment_rate(conversations: Iterable) -> Decimal | None:
    """AI conversations that ended without a person / all AI conversations.

    A conversation is contained unless it was escalated (its
    ``escalation_reason`` is set) or a person wrote in it (optional field
    ``human``, true when a collector took over without an escalation). As in
    any contact center, a customer who simply stops answering was contained.

    >>> containment_rate([{"escalation_reason": None},
    ...                   {"escalation_reason": None, "human": True},
    ...                   {"escalation_reason": "dispute"},
    ...                   {"escalation_reason": None}])
    Decimal('0.5')
    """
    conversations = list(conversations)
    contained = sum(
        1 for c in conversations if not _escalated(c) and not field(c, "human", False)
    )
    return ratio(contained, len(conversations))


def escalation_rate(conversations: Iterable, reason: str | None = None):
    """Conversations escalated for ``reason`` (any reason when None) / all AI
    conversations.

    >>> conversations = [{"escalation_reason": "dispute"},
    ...                  {"escalation_reason": "hardship"},
    ...                  {"escalation_reason": None},
    ...                  {"escalation_reason": None}]
    >>> escalation_rate(conversations), escalation_rate(conversations, "dispute")
    (Decimal('0.5'), Decimal('0.25'))
    """
    conversations = list(conversations)
    escalated = sum(
        1
        for c in conversations
        if _escalated(c) and (reason is None or field(c, "escalation_reason") == reason)
    )
    return ratio(escalated, len(conversations))


def escalation_rates(conversations: Iterable) -> dict[str, Decimal]:
    """Reason -> escalation rate, for every reason that occurred (the rates of
    reasons that never occurred are 0; no conversation gives ``{}``).

    >>> escalation_rates([{"escalation_reason": "dispute"},
    ...                   {"escalation_reason": None}])
    {'dispute': Decimal('0.5')}
    """
    conversations = list(conversations)
    counts = defaultdict(int)
    for conversation in conversations:
        if _escalated(conversation):
            counts[field(conversation, "escalation_reason")] += 1
    return {
        reason: ratio(count, len(conversations))
        for reason, count in sorted(counts.items())
    }


# -- grouping ------------------------------------------------------------------


def month(day: date) -> date:
    """The first day of ``day``'s month: a key to group by month.

    >>> month(date(2026, 3, 17))
    datetime.date(2026, 3, 1)
    """
    return day.replace(day=1)


def group_by(
    records: Iterable, key: Callable | str, kpi: Callable[[list], object]
) -> dict:
    """``kpi`` computed over the records of each group.

    :param key: a function of a record, or the name of the field to group by
        (channel, journey, variant, segment, team, collector...); to group by
        month, ``lambda r: month(r["date"])``
    :param kpi: any KPI of this module taking a list of records, e.g.
        ``contact_rate`` or ``lambda p: promise_kept_rate(p, as_of)``
    :return: group key -> KPI, keys sorted (None last) when they compare,
        else in the order first met

    >>> group_by([{"team": 2, "state": "read", "partner_id": 1},
    ...           {"team": 1, "state": "failed", "partner_id": 2},
    ...           {"team": 2, "state": "failed", "partner_id": 3}],
    ...          "team", contact_rate)
    {1: Decimal('0'), 2: Decimal('0.5')}
    """
    key_fn = (lambda record: field(record, key)) if isinstance(key, str) else key
    groups = defaultdict(list)
    for record in records:
        groups[key_fn(record)].append(record)
    try:
        keys = sorted(groups, key=lambda k: (k is None, k))
    except TypeError:
        keys = list(groups)
    return {k: kpi(groups[k]) for k in keys}


# -- trends --------------------------------------------------------------------

STEADY = Decimal("0.05")
"""A change of at most this much (a twentieth of a point, a day or a currency
unit) is no change: the figures are shown with one decimal."""

UP, DOWN, FLAT = "up", "down", "flat"
BETTER, WORSE, SAME = "better", "worse", "same"


def last_months(day: date, count: int = 12) -> list[date]:
    """The first days of the ``count`` months up to ``day``'s, oldest first.

    >>> last_months(date(2026, 2, 17), 3)
    [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    """
    index = day.year * 12 + day.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def month_change(current, previous, higher_is_better=True, steady=STEADY):
    """This month against the last: ``(delta, direction, judgement)``.

    ``delta`` is ``current - previous`` in the KPI's own unit (points for a
    rate, days, money), None when either month has no figure. ``direction``
    is :data:`UP`, :data:`DOWN` or :data:`FLAT` (a change within
    ``steady``); ``judgement`` is :data:`BETTER`, :data:`WORSE` or
    :data:`SAME`: a DSO that falls is better, a recovery rate that falls is
    worse.

    >>> month_change(Decimal("42.5"), Decimal("45"), higher_is_better=False)
    (Decimal('-2.5'), 'down', 'better')
    >>> month_change(60, 72.5)
    (Decimal('-12.5'), 'down', 'worse')
    >>> month_change(10, 10.01)
    (Decimal('-0.01'), 'flat', 'same')
    >>> month_change(None, 10)
    (None, None, None)
    """
    if current is None or previous is None:
        return None, None, None
    delta = to_decimal(current) - to_decimal(previous)
    if abs(delta) <= steady:
        return delta, FLAT, SAME
    direction = UP if delta > 0 else DOWN
    return delta, direction, BETTER if (delta > 0) == higher_is_better else WORSE
