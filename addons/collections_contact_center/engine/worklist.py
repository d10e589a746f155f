"""A collector's work for today, most urgent first.

The first case of :func:`order` is the one to call. Cases sort by the key
``(tier, -manual priority, -amount at risk, id)``, where the tier is the
first of these that holds:

====  ================  ====================================================
tier  code              when
====  ================  ====================================================
0     ``sla_breached``  the SLA deadline has passed: a commitment is broken
1     ``promise``       a promise fell due today or yesterday: check it was
                        paid, call if not
2     ``sla_today``     the SLA deadline falls later today
5     ``waiting``       the next action is planned after today, or a promise
                        falls due after today: leave the customer be
3     ``high``          manual priority 2 or 3
4     ``due``           everything else
====  ================  ====================================================

(The rows are in the order they are tried, so a case waiting for a promise
but with a breached SLA is still tier 0.) Within a tier, manual priority
first, then the amount at risk: ``amount_overdue * score / 100``, the score
being a 0-100 *risk* where higher means less likely to pay (a customer
without a score counts as 50). Ties fall to the lowest case id, so the order
is stable from one refresh to the next.

``collections_automation``'s payment score runs the other way (100 = best
payer): pass ``100 - payment_score`` as ``score``.

>>> today = date(2026, 3, 10)
>>> cases = [
...     WorkItem(1, Decimal("5000"), 90),
...     WorkItem(2, Decimal("800"), 40, promise_due=date(2026, 3, 9)),
...     WorkItem(3, Decimal("100"), 10, sla_deadline=date(2026, 3, 9)),
...     WorkItem(4, Decimal("9000"), 90, next_action_date=date(2026, 3, 12)),
... ]
>>> [case.id for case in order(cases, today)]
[3, 2, 1, 4]
>>> tier(cases[0], today), amount_at_risk(cases[0])
('due', Decimal('4500'))
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .kpis import to_decimal

SLA_BREACHED = "sla_breached"
PROMISE = "promise"
SLA_TODAY = "sla_today"
HIGH = "high"
DUE = "due"
WAITING = "waiting"

TIERS = {SLA_BREACHED: 0, PROMISE: 1, SLA_TODAY: 2, HIGH: 3, DUE: 4, WAITING: 5}
"""Tier code -> rank; lower ranks come first."""

HIGH_PRIORITY = 2
"""Manual priority from which a case is ``high`` (Odoo's 0-3 stars)."""

NEUTRAL_SCORE = 50


@dataclass(frozen=True, slots=True)
class WorkItem:
    """What the worklist looks at in a case.

    ``sla_deadline`` is a date (the end of that day) or a naive UTC datetime,
    as Odoo stores them; ``promise_due`` the date of the customer's open
    promise, if any; ``priority`` the manual priority, 0 to 3.
    """

    id: int
    amount_overdue: Decimal
    score: int | None = None
    sla_deadline: date | datetime | None = None
    promise_due: date | None = None
    next_action_date: date | None = None
    priority: int = 0


def amount_at_risk(case: WorkItem) -> Decimal:
    """``amount_overdue * score / 100``, the score clamped to 0-100; never < 0."""
    amount = to_decimal(case.amount_overdue)
    if amount <= 0:
        return Decimal(0)
    score = NEUTRAL_SCORE if case.score is None else min(max(case.score, 0), 100)
    return amount * to_decimal(score) / 100


def _sla(deadline, now, day):
    """``SLA_BREACHED``, ``SLA_TODAY`` or None for a deadline as of now/day."""
    if deadline is None:
        return None
    if isinstance(deadline, datetime):
        if now is not None and deadline < now:
            return SLA_BREACHED
        deadline = deadline.date()
    if deadline < day:
        return SLA_BREACHED
    return SLA_TODAY if deadline == day else None


def tier(case: WorkItem, today: date | datetime) -> str:
    """The tier code of the case; see the module's table.

    Pass a datetime (naive UTC) to see an SLA breached earlier today; with a
    date, an SLA deadline today counts as breached only tomorrow.
    """
    now, day = (today, today.date()) if isinstance(today, datetime) else (None, today)
    sla = _sla(case.sla_deadline, now, day)
    if sla == SLA_BREACHED:
        return SLA_BREACHED
    if case.promise_due is not None and (
        day - timedelta(days=1) <= case.promise_due <= day
    ):
        return PROMISE
    if sla == SLA_TODAY:
        return SLA_TODAY
    if (case.next_action_date is not None and case.next_action_date > day) or (
        case.promise_due is not None and case.promise_due > day
    ):
        return WAITING
    if (case.priority or 0) >= HIGH_PRIORITY:
        return HIGH
    return DUE


def priority(case: WorkItem, today: date | datetime) -> tuple:
    """The sort key of the case: ``(tier rank, -manual, -amount at risk, id)``."""
    return (
        TIERS[tier(case, today)],
        -(case.priority or 0),
        -amount_at_risk(case),
        case.id,
    )


def order(cases: Iterable[WorkItem], today: date | datetime) -> list[WorkItem]:
    """The cases most urgent first: the first one is the one to call."""
    return sorted(cases, key=lambda case: priority(case, today))
