"""The negotiation policy: what the agent may agree to, and nothing more.

The agent never decides terms by itself: whatever the customer asks (or tries to
inject into the conversation), the functions here turn the request into an
outcome inside the company's :class:`Policy`, or say that none exists. The
Odoo layer calls :func:`within_policy` once more before recording anything.

Three kinds of agreement:

* a **promise**: one payment of at least ``min_promise_pct`` of the balance, no
  later than ``today + max_promise_days`` (:func:`evaluate_promise`);
* a **plan**: 2 to ``max_installments`` installments summing exactly to the
  balance (:func:`build_plan`);
* a **settlement**: the whole balance less a discount of at most
  ``max_discount_pct``, paid in one go within the promise window
  (:func:`settlement`). Discounts exist only for settling in full; a plan is
  never discounted. :func:`next_discount` gives the ladder the agent climbs:
  half the maximum first, then the maximum, never more.

A policy may also **waive late fees** (``waive_late_fees``): once the customer
agrees a promise or a plan under it, the late fees and interest the journey
charged are cancelled (:func:`waives_late_fees`; the Odoo layer cancels or
reverses the fee invoices and says so on the record).

Money is :class:`~decimal.Decimal` rounded to the currency's minor unit
(``decimals``: 2 by default, 0 for currencies without cents).

>>> policy = Policy.from_dict({"max_promise_days": 10, "min_promise_pct": 100,
...     "max_installments": 3, "max_plan_days": 90, "min_installment_amount": 100,
...     "min_down_payment_pct": 20, "max_discount_pct": 10})
>>> today = date(2026, 3, 2)
>>> decision = evaluate_promise(policy, Decimal("1250.50"), today, date(2026, 3, 30))
>>> decision.status, decision.reasons
('counter', ('date_too_late',))
>>> [(str(p.date), str(p.amount)) for p in decision.outcome.payments]
[('2026-03-12', '1250.50')]
>>> plan = build_plan(policy, Decimal("1250.50"), today, count=6)
>>> plan.status, [str(p.amount) for p in plan.outcome.payments]
('counter', ['416.83', '416.83', '416.84'])
>>> within_policy(policy, Decimal("1250.50"), today, plan.outcome)
[]
"""

import calendar
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

ACCEPTED = "accepted"
COUNTER = "counter"
NEEDS_PLAN = "needs_plan"
IMPOSSIBLE = "impossible"
NO_DISCOUNT = "no_discount"

PROMISE = "promise"
PLAN = "plan"

SPACINGS = ("weekly", "biweekly", "monthly")
_STEP_DAYS = {"weekly": 7, "biweekly": 14}
DEFAULT_PLAN_COUNT = 3

_INT_KEYS = ("max_promise_days", "max_installments", "max_plan_days")
_PCT_KEYS = ("min_promise_pct", "min_down_payment_pct", "max_discount_pct")
_FLAG_KEYS = ("waive_late_fees",)


@dataclass(frozen=True)
class Policy:
    """The limits of what the agent may agree to (days, percentages, money)."""

    max_promise_days: int = 15
    min_promise_pct: Decimal = Decimal(100)
    max_installments: int = 6
    max_plan_days: int = 180
    min_installment_amount: Decimal = Decimal(0)
    min_down_payment_pct: Decimal = Decimal(0)
    max_discount_pct: Decimal = Decimal(0)
    waive_late_fees: bool = False

    def __post_init__(self):
        for key in _FLAG_KEYS:
            if not isinstance(getattr(self, key), bool):
                raise ValueError(
                    f"Policy {key} must be true or false, not {getattr(self, key)!r}."
                )
        for key in _INT_KEYS:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Policy {key} must be a whole number, not {value!r}.")
            if value < 0:
                raise ValueError(f"Policy {key} must not be negative, not {value}.")
        if self.max_installments < 1:
            raise ValueError("Policy max_installments must be at least 1.")
        for key in (*_PCT_KEYS, "min_installment_amount"):
            value = getattr(self, key)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"Policy {key} must be a Decimal, not {value!r}.")
            if value < 0:
                raise ValueError(f"Policy {key} must not be negative, not {value}.")
        if not 0 < self.min_promise_pct <= 100:
            raise ValueError("Policy min_promise_pct must be above 0 and at most 100.")
        if self.min_down_payment_pct > 100:
            raise ValueError("Policy min_down_payment_pct must be at most 100.")
        if self.max_discount_pct >= 100:
            raise ValueError("Policy max_discount_pct must be below 100.")

    @classmethod
    def from_dict(cls, values):
        """A policy from plain values (JSON, a settings form); missing keys default.

        >>> Policy.from_dict({"max_discount_pct": "12.5"}).max_discount_pct
        Decimal('12.5')
        >>> Policy.from_dict({"max_installments": 0})
        Traceback (most recent call last):
        ...
        ValueError: Policy max_installments must be at least 1.
        >>> Policy.from_dict({"max_discount": 5})
        Traceback (most recent call last):
        ...
        ValueError: Unknown policy key(s): max_discount.
        """
        if isinstance(values, Policy):
            return values
        if not isinstance(values, dict):
            raise ValueError(
                f"A policy must be a mapping, not {type(values).__name__}."
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown policy key(s): {', '.join(unknown)}.")
        kwargs = {}
        for key, value in values.items():
            if key in _INT_KEYS:
                kwargs[key] = _whole(key, value)
            elif key in _FLAG_KEYS:
                kwargs[key] = _flag(key, value)
            else:
                kwargs[key] = _decimal(key, value)
        return cls(**kwargs)

    def to_dict(self):
        """Plain JSON values (percentages and money as strings, exact)."""
        return {
            f.name: (
                str(getattr(self, f.name))
                if isinstance(getattr(self, f.name), Decimal)
                else getattr(self, f.name)
            )
            for f in fields(self)
        }


def _whole(key, value):
    if isinstance(value, bool):
        raise ValueError(f"Policy {key} must be a whole number, not {value!r}.")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(
            f"Policy {key} must be a whole number, not {value!r}."
        ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"Policy {key} must be a whole number, not {value!r}.")
    return int(number)


def _flag(key, value):
    """A yes/no policy value: a bool, or its JSON or form spelling.

    >>> _flag("waive_late_fees", "true"), _flag("waive_late_fees", 0)
    (True, False)
    >>> _flag("waive_late_fees", "maybe")
    Traceback (most recent call last):
    ...
    ValueError: Policy waive_late_fees must be true or false, not 'maybe'.
    """
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ValueError(f"Policy {key} must be true or false, not {value!r}.")


def waives_late_fees(policy):
    """Whether an agreement under ``policy`` cancels the customer's late fees.

    >>> waives_late_fees(Policy()), waives_late_fees({"waive_late_fees": True})
    (False, True)
    """
    return Policy.from_dict(policy).waive_late_fees


def _decimal(key, value):
    if isinstance(value, bool) or value is None:
        raise ValueError(f"Policy {key} must be a number, not {value!r}.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"Policy {key} must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"Policy {key} must be a finite number, not {value!r}.")
    return number


@dataclass(frozen=True)
class Payment:
    """One payment the customer agrees to make."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class Outcome:
    """What would be recorded: a promise (one payment) or a plan, and any discount."""

    kind: str
    payments: tuple
    discount_pct: Decimal = Decimal(0)

    @property
    def total(self):
        return sum((p.amount for p in self.payments), Decimal(0))

    def to_dict(self):
        """JSON-friendly form: ISO dates, amounts and percentage as exact strings.

        >>> Outcome(PROMISE, (Payment(date(2026, 3, 9), Decimal("10.50")),)).to_dict()
        {'kind': 'promise', 'payments': [{'date': '2026-03-09', 'amount': '10.50'}], \
'discount_pct': '0'}
        """
        return {
            "kind": self.kind,
            "payments": [
                {"date": p.date.isoformat(), "amount": str(p.amount)}
                for p in self.payments
            ],
            "discount_pct": str(self.discount_pct),
        }

    @classmethod
    def from_dict(cls, values):
        """The inverse of :meth:`to_dict` (amounts may also be numbers)."""
        return cls(
            kind=values["kind"],
            payments=tuple(
                Payment(_as_date(p["date"]), Decimal(str(p["amount"])))
                for p in values["payments"]
            ),
            discount_pct=Decimal(str(values.get("discount_pct") or 0)),
        )


@dataclass(frozen=True)
class Decision:
    """The answer to a request: its status, the outcome to offer, what changed."""

    status: str
    outcome: Outcome | None = None
    reasons: tuple = ()


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def unit(decimals=2):
    """The currency's minor unit.

    >>> unit(2), unit(0)
    (Decimal('0.01'), Decimal('1'))
    """
    return Decimal(1).scaleb(-decimals)


def money(value, decimals=2, rounding=ROUND_HALF_UP):
    """``value`` as a Decimal rounded to the minor unit.

    >>> money("1250.505"), money(1250.4, decimals=0)
    (Decimal('1250.51'), Decimal('1250'))
    """
    return Decimal(str(value)).quantize(unit(decimals), rounding=rounding)


def share(total, pct, decimals=2):
    """``pct`` percent of ``total``, rounded up: the least that covers the share.

    >>> share(Decimal("1250.50"), Decimal(33))
    Decimal('412.67')
    """
    return min(total, money(total * pct / 100, decimals, ROUND_CEILING))


def discounted_total(balance, pct, decimals=2):
    """What settles ``balance`` with a ``pct`` discount (the discount rounds down).

    >>> discounted_total(Decimal("1250.50"), Decimal(10))
    Decimal('1125.45')
    """
    balance = money(balance, decimals)
    return balance - money(balance * pct / 100, decimals, ROUND_DOWN)


def add_months(day, months):
    """Same day ``months`` later, clamped to the end of shorter months.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 3, 31), -1)
    (datetime.date(2026, 2, 28), datetime.date(2026, 2, 28))
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(first, count, spacing="monthly"):
    """Installment dates from ``first``: monthly ones keep the day of the month.

    >>> [str(d) for d in schedule(date(2026, 1, 31), 3)]
    ['2026-01-31', '2026-02-28', '2026-03-31']
    >>> [str(d) for d in schedule(date(2026, 1, 31), 2, "biweekly")]
    ['2026-01-31', '2026-02-14']
    """
    if spacing not in SPACINGS:
        raise ValueError(f"Unknown spacing {spacing!r}; use one of {SPACINGS}.")
    if spacing == "monthly":
        return [add_months(first, i) for i in range(count)]
    step = timedelta(days=_STEP_DAYS[spacing])
    return [first + step * i for i in range(count)]


def _latest_first(limit, count, spacing):
    """The latest first date whose schedule of ``count`` ends by ``limit``."""
    if spacing == "monthly":
        return add_months(limit, -(count - 1))
    return limit - timedelta(days=_STEP_DAYS[spacing] * (count - 1))


def _positive_balance(balance, decimals):
    total = money(balance, decimals)
    if total <= 0:
        raise ValueError(f"Nothing to negotiate on a balance of {total}.")
    return total


# -- promises ----------------------------------------------------------------


def evaluate_promise(policy, balance, today, when, amount=None, decimals=2):
    """A promise to pay ``amount`` (None: the whole balance) on ``when``.

    Accepted as is, or countered with the closest date inside the window and
    the amount capped at the balance; ``needs_plan`` when the amount is below
    the share of the balance a single promise must cover.

    >>> policy = Policy(max_promise_days=7, min_promise_pct=Decimal(50))
    >>> d = evaluate_promise(policy, Decimal(1000), date(2026, 3, 2),
    ...                      date(2026, 3, 5), Decimal(600))
    >>> d.status, str(d.outcome.payments[0].amount)
    ('accepted', '600.00')
    >>> evaluate_promise(policy, Decimal(1000), date(2026, 3, 2),
    ...                  date(2026, 3, 5), Decimal(400)).status
    'needs_plan'
    >>> evaluate_promise(policy, Decimal(1000), date(2026, 3, 2),
    ...                  date(2026, 2, 1)).reasons
    ('date_in_past',)
    """
    total = _positive_balance(balance, decimals)
    reasons = []
    amount = total if amount is None else money(amount, decimals)
    if amount > total:
        amount = total
        reasons.append("amount_capped")
    if amount < share(total, policy.min_promise_pct, decimals):
        return Decision(NEEDS_PLAN, None, ("amount_too_low",))
    latest = today + timedelta(days=policy.max_promise_days)
    if when < today:
        when = today
        reasons.append("date_in_past")
    elif when > latest:
        when = latest
        reasons.append("date_too_late")
    outcome = Outcome(PROMISE, (Payment(when, amount),))
    return Decision(COUNTER if reasons else ACCEPTED, outcome, tuple(reasons))


def latest_promise_date(policy, today):
    """The last day a promise (or a discounted settlement) may fall on."""
    return today + timedelta(days=policy.max_promise_days)


# -- plans -------------------------------------------------------------------


def build_plan(  # noqa: C901 - one rule after the other, kept in reading order
    policy,
    balance,
    today,
    count=None,
    first_date=None,
    down_payment=None,
    spacing="monthly",
    installment_amount=None,
    decimals=2,
):
    """An installment plan for ``balance``, inside the policy, or ``impossible``.

    ``count`` defaults to what ``installment_amount`` (what the customer can pay
    each time) needs, else to 3; ``first_date`` to today; ``down_payment`` (the
    first installment) to an equal share, raised to the policy's minimum.
    Outside the policy, the nearest plan inside: fewer installments, an earlier
    first date, a shorter spacing, a bigger down payment. The other
    installments are equal; the last absorbs the rounding.

    >>> policy = Policy(max_installments=4, max_plan_days=60,
    ...                 min_installment_amount=Decimal(100))
    >>> d = build_plan(policy, Decimal(1000), date(2026, 3, 2), count=4,
    ...                first_date=date(2026, 3, 10))
    >>> d.status, d.reasons
    ('counter', ('count_reduced',))
    >>> [(str(p.date), str(p.amount)) for p in d.outcome.payments]
    [('2026-03-10', '500.00'), ('2026-04-10', '500.00')]
    >>> d = build_plan(policy, Decimal(1000), date(2026, 3, 2), count=4,
    ...                spacing="biweekly", down_payment=Decimal(50))
    >>> d.reasons, [str(p.amount) for p in d.outcome.payments]
    (('down_payment_raised',), ['100.00', '300.00', '300.00', '300.00'])
    >>> build_plan(policy, Decimal(150), date(2026, 3, 2)).status
    'impossible'
    """
    total = _positive_balance(balance, decimals)
    if spacing not in SPACINGS:
        raise ValueError(f"Unknown spacing {spacing!r}; use one of {SPACINGS}.")
    reasons = []
    minor = unit(decimals)
    least = max(money(policy.min_installment_amount, decimals, ROUND_CEILING), minor)
    least_down = max(share(total, policy.min_down_payment_pct, decimals), least)
    if policy.max_installments < 2 or total < least_down + least:
        return Decision(IMPOSSIBLE, None, ("balance_too_small",))

    asked_count = count is not None
    if count is None:
        if installment_amount is not None and money(installment_amount, decimals) > 0:
            per = money(installment_amount, decimals)
            count = int((total / per).to_integral_value(rounding=ROUND_CEILING))
        else:
            count = DEFAULT_PLAN_COUNT
        count = max(2, min(count, policy.max_installments))
    elif count < 2:
        count = 2
        reasons.append("count_raised")
    elif count > policy.max_installments:
        count = policy.max_installments
        reasons.append("count_reduced")

    if down_payment is not None:
        down_payment = money(down_payment, decimals)
        if down_payment < least_down:
            down_payment = least_down
            reasons.append("down_payment_raised")
        elif down_payment > total - least:
            down_payment = total - least
            reasons.append("down_payment_lowered")
    # as many installments as the money allows, at least ``least`` each
    fixed_down = down_payment if down_payment is not None else least_down
    by_money = 1 + int((total - fixed_down) // least)
    if count > by_money:
        count = by_money
        if asked_count:
            reasons.append("count_reduced")

    first = first_date or today
    if first < today:
        first = today
        reasons.append("first_date_moved")
    limit = today + timedelta(days=policy.max_plan_days)
    for option in SPACINGS[SPACINGS.index(spacing) :: -1]:
        n = count
        if schedule(first, n, option)[-1] > limit:
            while n >= 2 and _latest_first(limit, n, option) < today:
                n -= 1
        if n >= 2:
            break
    else:
        return Decision(IMPOSSIBLE, None, ("plan_too_short",))
    if option != spacing:
        reasons.append("spacing_changed")
    if n < count and asked_count:
        reasons.append("count_reduced")
    start = first
    if schedule(first, n, option)[-1] > limit:
        start = _latest_first(limit, n, option)
        reasons.append("first_date_moved")
    dates = schedule(start, n, option)

    if down_payment is None:
        down_payment = max(least_down, money(total / n, decimals, ROUND_DOWN))
    rest = total - down_payment
    each = money(rest / (n - 1), decimals, ROUND_DOWN)
    amounts = [down_payment] + [each] * (n - 2) + [rest - each * (n - 2)]
    outcome = Outcome(
        PLAN, tuple(Payment(d, a) for d, a in zip(dates, amounts, strict=True))
    )
    reasons = tuple(dict.fromkeys(reasons))
    return Decision(COUNTER if reasons else ACCEPTED, outcome, reasons)


# -- discounts ---------------------------------------------------------------


def next_discount(policy, offered_pct=Decimal(0)):
    """The next discount the agent may offer after ``offered_pct``, or None.

    Half the maximum (in whole percents when it is at least 2) first, then the
    maximum; never more, however often the customer asks.

    >>> policy = Policy(max_discount_pct=Decimal(15))
    >>> next_discount(policy), next_discount(policy, Decimal(7))
    (Decimal('7'), Decimal('15'))
    >>> next_discount(policy, Decimal(15)) is None
    True
    >>> next_discount(Policy()) is None
    True
    """
    top = policy.max_discount_pct
    if top <= 0 or offered_pct >= top:
        return None
    first = (top / 2).to_integral_value(ROUND_DOWN) if top >= 2 else top
    return first if offered_pct < first else top


def settlement(policy, balance, today, pct, when=None, decimals=2):
    """Settling the whole balance less ``pct`` percent, in one payment by ``when``.

    The discount is capped at the policy's maximum (``counter``) and the date
    kept inside the promise window (``when`` defaults to its last day);
    ``no_discount`` when the policy allows none.

    >>> policy = Policy(max_promise_days=5, max_discount_pct=Decimal(10))
    >>> d = settlement(policy, Decimal("1250.50"), date(2026, 3, 2), Decimal(90))
    >>> d.status, d.reasons, str(d.outcome.discount_pct)
    ('counter', ('discount_capped',), '10')
    >>> [(str(p.date), str(p.amount)) for p in d.outcome.payments]
    [('2026-03-07', '1125.45')]
    """
    total = _positive_balance(balance, decimals)
    if policy.max_discount_pct <= 0:
        return Decision(NO_DISCOUNT, None, ("no_discount",))
    reasons = []
    pct = Decimal(str(pct))
    if pct > policy.max_discount_pct:
        pct = policy.max_discount_pct
        reasons.append("discount_capped")
    pct = max(pct, Decimal(0))
    latest = latest_promise_date(policy, today)
    if when is None:
        when = latest
    elif when < today:
        when = today
        reasons.append("date_in_past")
    elif when > latest:
        when = latest
        reasons.append("date_too_late")
    payment = Payment(when, discounted_total(total, pct, decimals))
    outcome = Outcome(PROMISE, (payment,), pct)
    return Decision(COUNTER if reasons else ACCEPTED, outcome, tuple(reasons))


# -- the last gate -----------------------------------------------------------


def within_policy(policy, balance, today, outcome, decimals=2):  # noqa: C901
    """Every way ``outcome`` breaks ``policy``; an empty list means it may be recorded.

    ``outcome`` is an :class:`Outcome` or its :meth:`~Outcome.to_dict` form.

    >>> policy = Policy(max_promise_days=7, max_discount_pct=Decimal(10))
    >>> late = Outcome(PROMISE, (Payment(date(2026, 3, 20), Decimal(900)),),
    ...                Decimal(10))
    >>> within_policy(policy, Decimal(1000), date(2026, 3, 2), late)
    ['promise_too_late', 'discount_outside_window']
    >>> greedy = Outcome(PROMISE, (Payment(date(2026, 3, 3), Decimal(500)),),
    ...                  Decimal(50))
    >>> within_policy(policy, Decimal(1000), date(2026, 3, 2), greedy)
    ['discount_too_big']
    """
    policy = Policy.from_dict(policy)
    if isinstance(outcome, dict):
        outcome = Outcome.from_dict(outcome)
    balance = money(balance, decimals)
    problems = []
    payments = outcome.payments
    if outcome.kind not in (PROMISE, PLAN):
        return [f"unknown_kind:{outcome.kind}"]
    if not payments:
        return ["no_payments"]
    minor = unit(decimals)
    if any(p.amount <= 0 or p.amount % minor for p in payments):
        problems.append("bad_amount")
    if payments[0].date < today:
        problems.append("date_in_past")
    if any(a.date >= b.date for a, b in zip(payments, payments[1:], strict=False)):
        problems.append("dates_not_increasing")
    pct = outcome.discount_pct
    window_end = latest_promise_date(policy, today)
    if pct < 0:
        problems.append("negative_discount")
    if pct > policy.max_discount_pct:
        problems.append("discount_too_big")
    due = discounted_total(balance, pct, decimals) if pct > 0 else balance
    if outcome.kind == PROMISE:
        if len(payments) != 1:
            problems.append("promise_not_one_payment")
        if payments[-1].date > window_end:
            problems.append("promise_too_late")
        if pct > 0:
            if payments[-1].date > window_end:
                problems.append("discount_outside_window")
            if outcome.total != due:
                problems.append("total_mismatch")
        else:
            if outcome.total > balance:
                problems.append("total_above_balance")
            if outcome.total < share(balance, policy.min_promise_pct, decimals):
                problems.append("promise_too_small")
        return problems
    if pct > 0 and payments[-1].date > window_end:
        problems.append("discount_outside_window")
    if not 2 <= len(payments) <= policy.max_installments:
        problems.append("installment_count")
    if payments[-1].date > today + timedelta(days=policy.max_plan_days):
        problems.append("plan_too_long")
    if any(p.amount < policy.min_installment_amount for p in payments):
        problems.append("installment_too_small")
    if payments[0].amount < share(due, policy.min_down_payment_pct, decimals):
        problems.append("down_payment_too_small")
    if outcome.total != due:
        problems.append("total_mismatch")
    return problems
