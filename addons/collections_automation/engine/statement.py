"""A customer's statement of account, from its open items.

Open items are what is left of each receivable document: invoices (their
open amount, the due date of their oldest unpaid installment), credit notes
and payments not yet applied (negative). Each is stated in its own currency;
a customer owing in two currencies gets a section per currency, each with
its lines, a running balance and totals, so that the lines of a section add
up to its total.

The aging follows the suite's rule for a customer's figures (see
``collection.refresh``): a section's unapplied credits settle its oldest
items first, and what they leave of each item sits in the bucket of its days
overdue. Items not yet due beyond the first bucket are "not due"; credits
left over once every item is settled are "unapplied credit".

>>> from datetime import date
>>> from .buckets import DEFAULT_BUCKETS
>>> items = [
...     Item("INV/1", "invoice", date(2026, 1, 1), date(2026, 1, 31), "USD", 700),
...     Item("INV/2", "invoice", date(2026, 2, 1), date(2026, 3, 3), "USD", 500),
...     Item("PAY/1", "payment", date(2026, 2, 10), None, "USD", -100),
...     Item("INV/3", "invoice", date(2026, 2, 5), date(2026, 3, 5), "EUR", 90),
... ]
>>> sections = build(items, DEFAULT_BUCKETS, date(2026, 3, 2))
>>> [(s.currency, s.total) for s in sections]
[('EUR', 90), ('USD', 1100)]
>>> [line.balance for line in sections[1].lines]
[700, 1200, 1100]
>>> sections[1].aging["mid"], sections[1].aging["preventive"]
(600, 500)

An invoice in two installments, one of them not yet due:

>>> split = Item("INV/4", "invoice", date(2026, 2, 1), date(2026, 2, 1), "USD", 600,
...              parts=((date(2026, 2, 1), 300), (date(2026, 4, 1), 300)))
>>> overdue([split], date(2026, 3, 1))
300
>>> aging([split], DEFAULT_BUCKETS, date(2026, 3, 1))["not_due"]
300
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .buckets import bucket_for

#: Aging column of items due later than the first bucket starts.
NOT_DUE = "not_due"
#: Aging column of credits left once every item is settled (negative).
UNAPPLIED = "unapplied"
#: Document kinds, in the order a day's documents are listed.
KINDS = ("invoice", "debit", "credit_note", "payment", "other")


@dataclass(frozen=True)
class Item:
    """An open item: ``amount`` in ``currency``, positive owed, negative a
    credit; ``due_date`` None for a payment."""

    name: str
    kind: str
    date: date
    due_date: date | None
    currency: str
    amount: float
    ref: str = ""
    key: object = None
    #: ``(due date, amount)`` per installment of an item owed; empty: the
    #: whole amount falls due on ``due_date``
    parts: tuple = ()

    def installments(self):
        """``(due date, amount)`` of what is owed, installment by installment.

        >>> day = date(2026, 1, 1)
        >>> Item("A", "invoice", day, day, "X", 9).installments()
        ((datetime.date(2026, 1, 1), 9),)
        """
        if self.parts:
            return self.parts
        return ((self.due_date or self.date, self.amount),)


@dataclass(frozen=True)
class Line:
    item: Item
    days_overdue: int
    bucket: str
    balance: float


@dataclass
class Section:
    """One currency's part of the statement."""

    currency: str
    lines: list = field(default_factory=list)
    total: float = 0
    overdue: float = 0
    aging: dict = field(default_factory=dict)


def _round(value, digits):
    return round(value, digits) if digits is not None else value


def aging(items, buckets, today, digits=None):
    """Bucket code (or ``NOT_DUE``, ``UNAPPLIED``) -> amount, the credits
    settling the oldest items first; the amounts add up to the items' sum.

    >>> from .buckets import DEFAULT_BUCKETS
    >>> items = [
    ...     Item("A", "invoice", date(2026, 1, 1), date(2026, 1, 1), "X", 300),
    ...     Item("B", "invoice", date(2026, 1, 1), date(2026, 3, 1), "X", 200),
    ...     Item("C", "credit_note", date(2026, 1, 1), None, "X", -350),
    ... ]
    >>> result = aging(items, DEFAULT_BUCKETS, date(2026, 3, 1))
    >>> result["mid"], result["preventive"], result["unapplied"]
    (0, 150, 0)
    >>> aging(items[2:], DEFAULT_BUCKETS, date(2026, 3, 1))["unapplied"]
    -350
    """
    result = {bucket.code: 0 for bucket in buckets}
    result[NOT_DUE] = 0
    credit = -sum(item.amount for item in items if item.amount < 0)
    owed = sorted(
        (part for item in items if item.amount > 0 for part in item.installments()),
        key=lambda part: part[0],
    )
    for due, amount in owed:
        settled = min(credit, amount)
        credit -= settled
        left = amount - settled
        if not left:
            continue
        bucket = bucket_for((today - due).days, buckets)
        result[bucket.code if bucket else NOT_DUE] += left
    result[UNAPPLIED] = -credit
    return {key: _round(value, digits) for key, value in result.items()}


def past_due(item, today):
    """What of ``item`` counts against what is overdue: the installments of
    an item owed that fell due before ``today``; a credit in full.

    >>> split = Item("INV/4", "invoice", date(2026, 2, 1), date(2026, 2, 1), "USD",
    ...              600, parts=((date(2026, 2, 1), 300), (date(2026, 4, 1), 300)))
    >>> past_due(split, date(2026, 3, 1))
    300
    >>> past_due(Item("C", "credit_note", date(2026, 1, 2), None, "USD", -90),
    ...          date(2026, 3, 1))
    -90
    """
    if item.amount < 0:
        return item.amount
    return sum(amount for due, amount in item.installments() if due < today)


def overdue(items, today, digits=None):
    """What the credits leave of the items past their due date, never below
    zero (the customer's "total overdue"); an installment not yet due is
    not overdue.

    >>> overdue([
    ...     Item("A", "invoice", date(2026, 1, 1), date(2026, 1, 1), "X", 300),
    ...     Item("C", "payment", date(2026, 1, 2), None, "X", -100),
    ... ], date(2026, 2, 1))
    200
    """
    return _round(max(sum(past_due(item, today) for item in items), 0), digits)


def build(items, buckets, today, digits=None):
    """The statement's sections, one per currency, by currency code.

    Lines are in the order of their documents' dates (then due dates, kind
    and name), each with the running balance of its section; a section's
    total is its last balance and its aging adds up to it.

    :param digits: per currency code, the decimals to round to (None: none)
    """
    digits = digits or {}
    by_currency = defaultdict(list)
    for item in items:
        by_currency[item.currency].append(item)
    sections = []
    for currency in sorted(by_currency):
        places = digits.get(currency) if isinstance(digits, dict) else digits
        ordered = sorted(
            by_currency[currency],
            key=lambda item: (
                item.date,
                item.due_date or item.date,
                KINDS.index(item.kind) if item.kind in KINDS else len(KINDS),
                item.name,
            ),
        )
        section = Section(currency)
        balance = 0
        for item in ordered:
            balance = _round(balance + item.amount, places)
            days = (today - item.due_date).days if item.due_date else 0
            bucket = bucket_for(days, buckets) if item.amount > 0 else None
            section.lines.append(
                Line(item, max(days, 0), bucket.code if bucket else "", balance)
            )
        section.total = balance
        section.overdue = overdue(ordered, today, places)
        section.aging = aging(ordered, buckets, today, places)
        sections.append(section)
    return sections
