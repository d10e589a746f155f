"""Promises to pay, settled against the payments received since.

An open promise becomes:

* ``"kept"`` as soon as the payments on the promised invoices reach the
  promised amount, within ``tolerance``, even before the promised date;
* ``"partially_kept"`` or ``"broken"`` once the promised date plus
  ``grace_days`` has passed, depending on whether anything was paid.

Those states and ``"cancelled"`` are final. A broken promise puts the customer
back on the journey, on the steps anchored ``"broken_promise"``, counted from
the promised date (a step 0 days after it is
planned the first day :func:`settle` says broken).

>>> promise = PromiseFacts(1, 500.0, date(2026, 3, 10), 0.0, "open")
>>> settle(promise, date(2026, 3, 10)), settle(promise, date(2026, 3, 11))
('open', 'broken')
>>> settle(PromiseFacts(1, 500.0, date(2026, 3, 10), 499.995, "open"),
...        date(2026, 3, 1))
'kept'
"""

from dataclasses import dataclass
from datetime import date, timedelta

OPEN = "open"
KEPT = "kept"
PARTIALLY_KEPT = "partially_kept"
BROKEN = "broken"
CANCELLED = "cancelled"

FINAL_STATES = frozenset({KEPT, PARTIALLY_KEPT, BROKEN, CANCELLED})


@dataclass(frozen=True, slots=True)
class PromiseFacts:
    """A promise and what was paid on its invoices since it was made."""

    promise_id: int
    amount: float
    promise_date: date
    paid_since_promise: float
    state: str


def settle(
    facts: PromiseFacts, today: date, tolerance: float = 0.01, grace_days: int = 0
) -> str:
    """The promise's state as of ``today``; final states never change."""
    if facts.state in FINAL_STATES:
        return facts.state
    if facts.state != OPEN:
        raise ValueError(
            f"Promise {facts.promise_id} has unknown state {facts.state!r}."
        )
    if facts.paid_since_promise >= facts.amount - tolerance:
        return KEPT
    if today <= facts.promise_date + timedelta(days=grace_days):
        return OPEN
    return PARTIALLY_KEPT if facts.paid_since_promise > tolerance else BROKEN


def needs_reminder(facts: PromiseFacts, today: date, tolerance: float = 0.01) -> bool:
    """Whether to remind the customer today, the day before the promised date.

    A promise already paid in full needs no reminder even if not settled yet.
    """
    return (
        facts.state == OPEN
        and facts.promise_date == today + timedelta(days=1)
        and facts.paid_since_promise < facts.amount - tolerance
    )


def allocate_to_installments(installments, paid):
    """Share what was paid since a plan began among its installments, in order.

    A payment plan is a series of promises made together, so each sees the
    same payments; the first installments take them first and the rest only
    what is left over.

    :param installments: ``(promise_id, promise_date, amount)`` of a plan
    :param paid: total paid on the plan's invoices since it was made
    :return: promise id -> the part of ``paid`` that counts for it

    >>> allocate_to_installments(
    ...     [(2, date(2026, 4, 1), 300.0), (1, date(2026, 3, 1), 300.0)], 450.0)
    {1: 300.0, 2: 150.0}
    """
    shares = {}
    left = paid
    for promise_id, _when, amount in sorted(installments, key=lambda i: (i[1], i[0])):
        share = min(amount, max(left, 0.0))
        shares[promise_id] = share
        left -= share
    return shares
