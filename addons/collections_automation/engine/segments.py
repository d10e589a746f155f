"""Payment-behaviour score, customer segments and collection priority.

The score sums four components, each in [0, 1], weighted to 100 points:

========================  ======  ==============================================
component                 weight  value
========================  ======  ==============================================
on-time ratio             40      ``paid_on_time / invoices_paid``
lateness                  25      ``1 - min(avg_days_late, 90) / 90``
promises kept             25      ``promises_kept / (kept + broken)``
replies                   10      ``min(replies / messages_sent, 1)``
========================  ======  ==============================================

A component without data (no invoice paid, no promise, no message sent) counts
as a neutral 0.5, so a new customer scores 50 rather than being judged on
nothing; the total is rounded half up.

>>> payment_score(PaymentHistory(0, 0, 0.0, 0, 0, 0, 0))
50
>>> payment_score(PaymentHistory(10, 10, 0.0, 2, 0, 4, 4))
100
>>> payment_score(PaymentHistory(10, 5, 45.0, 1, 1, 0, 0))
50

The priority is the overdue amount at risk: the worse the score, the more of
the amount counts.

>>> priority(1000.0, 80)
200.0

Segments are rules tried in ``(sequence, code)`` order; the first whose
criteria all hold wins. A criterion left to None matches anything. Sort the
rules once per run with :func:`prepare`, then match every customer:

>>> rules = prepare([
...     SegmentRule("big", "Big debts", 20, min_amount=5000.0),
...     SegmentRule("vip", "Good payers", 10, min_score=80),
...     SegmentRule("rest", "Everybody else", 99),
... ])
>>> facts = CustomerFacts("early", "company", 8000.0, "CO", frozenset(), 90)
>>> match_segment(facts, rules).code
'vip'
>>> match_segment(CustomerFacts("mid", "person", 100.0, None, frozenset(), 40),
...               rules).code
'rest'
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

NEUTRAL = 0.5
"""Value of a score component for which the customer has no data yet."""

MAX_DAYS_LATE = 90
"""Average lateness at which the lateness component bottoms out at 0."""

WEIGHT_ON_TIME = 0.40
WEIGHT_LATENESS = 0.25
WEIGHT_PROMISES = 0.25
WEIGHT_REPLIES = 0.10


@dataclass(frozen=True, slots=True)
class PaymentHistory:
    """What a customer did with past invoices, promises and messages.

    ``avg_days_late`` averages the days late over the invoices paid late only.
    """

    invoices_paid: int
    paid_on_time: int
    avg_days_late: float
    promises_kept: int
    promises_broken: int
    messages_sent: int
    replies: int


def _ratio(part, whole):
    """``part / whole`` clamped to [0, 1], or NEUTRAL when ``whole`` is empty."""
    if whole <= 0:
        return NEUTRAL
    return min(max(part / whole, 0.0), 1.0)


def payment_score(history: PaymentHistory) -> int:
    """The customer's payment behaviour from 0 (worst) to 100 (best)."""
    if history.invoices_paid > 0:
        on_time = _ratio(history.paid_on_time, history.invoices_paid)
        days_late = min(max(history.avg_days_late, 0.0), MAX_DAYS_LATE)
        lateness = 1.0 - days_late / MAX_DAYS_LATE
    else:
        on_time = lateness = NEUTRAL
    promises = _ratio(
        history.promises_kept, history.promises_kept + history.promises_broken
    )
    replies = _ratio(history.replies, history.messages_sent)
    total = 100 * (
        WEIGHT_ON_TIME * on_time
        + WEIGHT_LATENESS * lateness
        + WEIGHT_PROMISES * promises
        + WEIGHT_REPLIES * replies
    )
    # Rounding to 9 places first absorbs float noise (62.4999999 -> 62.5),
    # so exact halves really round up.
    return math.floor(round(total, 9) + 0.5)


def priority(amount_overdue: float, score: int) -> float:
    """The overdue amount at risk: ``amount * (100 - score) / 100``, never < 0."""
    if amount_overdue <= 0:
        return 0.0
    risk = (100 - min(max(score, 0), 100)) / 100
    return amount_overdue * risk


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What segment rules look at, gathered per customer by the Odoo layer."""

    bucket_code: str | None
    company_type: str | None
    amount_overdue: float
    country_code: str | None
    tag_ids: frozenset[int]
    score: int


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """A segment and the criteria a customer must meet to fall in it.

    Every criterion is optional (None matches anything). The amount range is
    ``min_amount <= amount_overdue < max_amount``; the score range is inclusive
    at both ends; ``tag_ids`` matches a customer having any of the tags.
    """

    code: str
    name: str
    sequence: int
    bucket_codes: frozenset[str] | None = None
    company_type: str | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    country_codes: frozenset[str] | None = None
    tag_ids: frozenset[int] | None = None
    min_score: int | None = None
    max_score: int | None = None

    def matches(self, facts: CustomerFacts) -> bool:
        """Whether every criterion of the rule holds for ``facts``."""
        amount = facts.amount_overdue
        return (
            (self.bucket_codes is None or facts.bucket_code in self.bucket_codes)
            and (self.company_type is None or facts.company_type == self.company_type)
            and (self.min_amount is None or amount >= self.min_amount)
            and (self.max_amount is None or amount < self.max_amount)
            and (self.country_codes is None or facts.country_code in self.country_codes)
            and (self.tag_ids is None or not self.tag_ids.isdisjoint(facts.tag_ids))
            and (self.min_score is None or facts.score >= self.min_score)
            and (self.max_score is None or facts.score <= self.max_score)
        )


class PreparedRules(tuple):
    """Segment rules sorted by ``(sequence, code)``, as :func:`prepare` makes them."""

    __slots__ = ()


def prepare(rules: Iterable[SegmentRule]) -> PreparedRules:
    """Sort the rules once so that matching each customer needs no sort."""
    return PreparedRules(sorted(rules, key=lambda rule: (rule.sequence, rule.code)))


def match_segment(
    facts: CustomerFacts, rules: Iterable[SegmentRule]
) -> SegmentRule | None:
    """The first rule, by ``(sequence, code)``, that ``facts`` meets, or None.

    Pass the result of :func:`prepare`; other iterables are sorted on each call,
    which is correct but wasteful in a loop over many customers.
    """
    if not isinstance(rules, PreparedRules):
        rules = prepare(rules)
    for rule in rules:
        if rule.matches(facts):
            return rule
    return None
