"""Late fees and interest: what a journey step charges a customer.

A step may charge a **fixed fee**, **interest** on the overdue amount, or both.
The Odoo layer turns a :class:`Quote` into one customer invoice (a debit
document) per customer, step and cycle; this module only says how much.

Interest is simple interest at an **annual** rate, counted **actual/365**, per
overdue item (an invoice's overdue part, in the company's currency)::

    interest = amount x rate / 100 x days / 365

``days`` run from the item's due date, or from the day up to which interest
was last charged to the customer when that is later (the day interest was
last charged is not counted twice), to the day the step runs. Each item's
interest is rounded half up to the currency's minor unit; the quote's
interest is the sum of its items', so an invoice's lines always add up.
Fees are never charged interest themselves (no interest on interest): the
Odoo layer leaves fee invoices out of the items.

>>> items = [OverdueItem(Decimal("1000.00"), date(2026, 1, 1), "INV/1"),
...          OverdueItem(Decimal("500.00"), date(2026, 2, 1), "INV/2")]
>>> q = quote(items, date(2026, 3, 2), fixed=Decimal("25"),
...           annual_rate_pct=Decimal("12"))
>>> [(line.ref, line.days, str(line.interest)) for line in q.lines]
[('INV/1', 60, '19.73'), ('INV/2', 29, '4.77')]
>>> str(q.fixed), str(q.interest), str(q.total)
('25.00', '24.50', '49.50')

The next step of the same customer charges interest only for the days since:

>>> later = quote(items, date(2026, 4, 1), annual_rate_pct=Decimal("12"),
...               charged_through=date(2026, 3, 2))
>>> [(line.ref, line.days, str(line.interest)) for line in later.lines]
[('INV/1', 30, '9.86'), ('INV/2', 30, '4.93')]
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Days in the year of the day count (actual/365).
YEAR_DAYS = 365


@dataclass(frozen=True)
class OverdueItem:
    """An overdue amount (company currency) and the date it fell due."""

    amount: Decimal
    due_date: date
    ref: str = ""


@dataclass(frozen=True)
class InterestLine:
    """The interest one item bears: its amount, the days counted, the sum."""

    ref: str
    amount: Decimal
    days: int
    interest: Decimal


@dataclass(frozen=True)
class Quote:
    """What a step charges: the fixed fee, the interest and its lines.

    ``charged_through`` is the day interest is charged up to (the day the
    step runs): the next quote of the same customer counts from it.
    """

    fixed: Decimal
    interest: Decimal
    rate_pct: Decimal
    lines: tuple
    charged_through: date

    @property
    def total(self):
        return self.fixed + self.interest

    @property
    def base(self):
        """The overdue amount that bears interest (items with days counted)."""
        return sum((line.amount for line in self.lines), Decimal(0))


def _unit(decimals):
    return Decimal(1).scaleb(-decimals)


def _money(value, decimals):
    return value.quantize(_unit(decimals), rounding=ROUND_HALF_UP)


def _amount(name, value):
    """``value`` as a finite, non-negative Decimal (floats through ``str``).

    >>> _amount("fee", 12.5)
    Decimal('12.5')
    >>> _amount("rate", "-1")
    Traceback (most recent call last):
    ...
    ValueError: The rate must not be negative, not -1.
    """
    if isinstance(value, bool):
        raise ValueError(f"The {name} must be a number, not {value!r}.")
    try:
        number = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ValueError(f"The {name} must be a number, not {value!r}.") from error
    if not number.is_finite():
        raise ValueError(f"The {name} must be a number, not {value!r}.")
    if number < 0:
        raise ValueError(f"The {name} must not be negative, not {value}.")
    return number


def days_charged(due_date, today, charged_through=None):
    """Days of interest an item bears on ``today``.

    Counted from the due date, or from ``charged_through`` when later; never
    negative (an item not yet due bears none).

    >>> days_charged(date(2026, 3, 1), date(2026, 3, 31))
    30
    >>> days_charged(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 21))
    10
    >>> days_charged(date(2026, 4, 1), date(2026, 3, 31))
    0
    """
    start = max(due_date, charged_through) if charged_through else due_date
    return max((today - start).days, 0)


def interest(amount, annual_rate_pct, days, decimals=2):
    """Simple interest on ``amount`` for ``days`` at ``annual_rate_pct`` a year.

    >>> str(interest(Decimal("1000"), Decimal("10"), 365))
    '100.00'
    >>> str(interest(Decimal("1000"), Decimal("18"), 1))
    '0.49'
    >>> str(interest(Decimal("12345"), Decimal("5"), 30, decimals=0))
    '51'
    """
    amount = _amount("amount", amount)
    rate = _amount("rate", annual_rate_pct)
    exact = amount * rate / Decimal(100) * Decimal(int(days)) / Decimal(YEAR_DAYS)
    return _money(exact, decimals)


def quote(items, today, fixed=0, annual_rate_pct=0, charged_through=None, decimals=2):
    """What a step charges on ``today`` for these overdue ``items``.

    :param items: :class:`OverdueItem` of the customer (company currency)
    :param fixed: the step's fixed fee
    :param annual_rate_pct: the step's interest rate, percent a year
    :param charged_through: the day interest was last charged to the
        customer, if ever
    :param decimals: the currency's minor unit (2; 0 without cents)

    Items with nothing overdue, or no day to count, bear no line. A quote
    whose total is zero charges nothing (the Odoo layer creates no document).

    >>> q = quote([OverdueItem(Decimal("800"), date(2026, 3, 1))],
    ...           date(2026, 3, 1), fixed=0, annual_rate_pct=10)
    >>> q.lines, str(q.total)
    ((), '0.00')
    >>> quote([], date(2026, 3, 1), annual_rate_pct=-2)
    Traceback (most recent call last):
    ...
    ValueError: The rate must not be negative, not -2.
    """
    fixed = _money(_amount("fixed fee", fixed), decimals)
    rate = _amount("rate", annual_rate_pct)
    lines = []
    if rate:
        for item in items:
            amount = _money(_amount("amount", item.amount), decimals)
            days = days_charged(item.due_date, today, charged_through)
            if not amount or not days:
                continue
            lines.append(
                InterestLine(
                    item.ref, amount, days, interest(amount, rate, days, decimals)
                )
            )
    total_interest = sum(
        (line.interest for line in lines), _money(Decimal(0), decimals)
    )
    return Quote(
        fixed=fixed,
        interest=total_interest,
        rate_pct=rate,
        lines=tuple(lines),
        charged_through=today,
    )
