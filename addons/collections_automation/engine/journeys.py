"""The next step of a customer's collection journey.

A journey is a list of steps ordered by ``sequence``. Each step falls due
``offset_days`` after its anchor: the customer's oldest due date (anchor
``"due"``) or the day a promise to pay counts as broken (anchor
``"broken_promise"``); a step whose anchor date is unknown does not apply.

Every planning run asks :func:`next_step` what to send today. Among the steps
that are due and not done yet:

* a step whose conditions fail is skipped: ``"min_amount"`` when the amount
  overdue is below the step's ``min_amount``, ``"replied"`` when the step is
  ``only_if_no_reply`` and the customer replied since the last step;
* of the others, the latest in the journey is sent and the earlier ones are
  skipped as ``"superseded"``: a customer found 60 days overdue gets the
  60-day message, not the 3-day one.

The caller records every skipped step as done along with the sent one, so the
journey never goes back to an earlier step. Nothing is sent while a reply
waits for a human (:func:`paused`), nor twice the same day.

>>> steps = (
...     JourneyStep(1, 10, 3, "due", ("whatsapp", "email"), "gentle", "message"),
...     JourneyStep(2, 20, 15, "due", ("whatsapp", "email"), "firm", "message"),
...     JourneyStep(3, 30, 60, "due", ("email",), "final", "escalate",
...                 min_amount=500.0),
... )
>>> state = JourneyState(
...     customer_id=7, oldest_due_date=date(2026, 1, 1), broken_promise_date=None,
...     amount_overdue=300.0, done_step_ids=frozenset(), last_step_date=None,
...     replied_since_last_step=False, reply_pending=False, last_reply_date=None,
... )
>>> decision = next_step(steps, state, date(2026, 3, 15))
>>> decision.step.step_id, decision.template, decision.idempotency_key
(2, 'firm', 'c7-s2-2026-03-15')
>>> [(step.step_id, reason) for step, reason in decision.skipped]
[(1, 'superseded'), (3, 'min_amount')]

A step lists its channels preferred first; the planner falls back to the next
one the contact gate allows, and :func:`escalate_channels` moves a channel
whose last message was not delivered or not answered to the end.
"""

import hashlib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

ANCHOR_DUE = "due"
ANCHOR_BROKEN_PROMISE = "broken_promise"

SKIP_MIN_AMOUNT = "min_amount"
SKIP_REPLIED = "replied"
SKIP_SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Variant:
    """An A/B variant of a step's message, drawn in proportion to ``weight``."""

    code: str
    weight: int
    template: str


@dataclass(frozen=True, slots=True)
class JourneyStep:
    """One step of a journey: what to send, when, and on which channels.

    ``action`` is ``"message"`` or ``"escalate"``; ``channels`` lists the
    preferred channel first, then the fallbacks.
    """

    step_id: int
    sequence: int
    offset_days: int
    anchor: str
    channels: tuple[str, ...]
    template: str
    action: str
    min_amount: float | None = None
    only_if_no_reply: bool = False
    variants: tuple[Variant, ...] = ()


@dataclass(frozen=True, slots=True)
class JourneyState:
    """Where a customer stands, gathered per customer by the Odoo layer.

    ``reply_pending`` means the customer replied and nobody has handled the
    reply yet: the journey waits for a human. ``step_waiting`` means a step
    planned earlier has not gone out yet (the contact policy deferred it past
    a night, a weekend, a holiday or a cap): the journey waits for it, so two
    steps never go out together when its time comes.
    """

    customer_id: int
    oldest_due_date: date | None
    broken_promise_date: date | None
    amount_overdue: float
    done_step_ids: frozenset[int]
    last_step_date: date | None
    replied_since_last_step: bool
    reply_pending: bool
    last_reply_date: date | None
    step_waiting: bool = False


@dataclass(frozen=True, slots=True)
class StepDecision:
    """The step to send today and the due steps skipped on the way."""

    step: JourneyStep
    skipped: tuple[tuple[JourneyStep, str], ...]
    variant: Variant | None
    template: str
    idempotency_key: str


def paused(state: JourneyState) -> bool:
    """Whether the journey waits for someone to handle the customer's reply."""
    return state.reply_pending


def _anchor_date(step, state):
    if step.anchor == ANCHOR_DUE:
        return state.oldest_due_date
    if step.anchor == ANCHOR_BROKEN_PROMISE:
        return state.broken_promise_date
    raise ValueError(f"Journey step {step.step_id} has unknown anchor {step.anchor!r}.")


def _failed_condition(step, state):
    """The skip reason of a due step whose conditions fail, else None."""
    if step.min_amount is not None and state.amount_overdue < step.min_amount:
        return SKIP_MIN_AMOUNT
    if step.only_if_no_reply and state.replied_since_last_step:
        return SKIP_REPLIED
    return None


def next_step(
    steps: Iterable[JourneyStep], state: JourneyState, today: date
) -> StepDecision | None:
    """The step to send ``today``, or None when there is nothing to send.

    None also covers a paused journey, a step already sent today or still
    waiting to go out (``state.step_waiting``), and due steps
    that are all skipped: those are reported only with a step to send, since
    until then they are simply looked at again on the next run.
    """
    if (
        paused(state)
        or state.step_waiting
        or (state.last_step_date is not None and state.last_step_date >= today)
    ):
        return None
    due = []
    for step in sorted(steps, key=lambda step: (step.sequence, step.step_id)):
        if step.step_id in state.done_step_ids:
            continue
        anchor = _anchor_date(step, state)
        if anchor is None or anchor + timedelta(days=step.offset_days) > today:
            continue
        due.append((step, _failed_condition(step, state)))
    sendable = [step for step, reason in due if reason is None]
    if not sendable:
        return None
    chosen = sendable[-1]
    skipped = tuple(
        (step, reason or SKIP_SUPERSEDED) for step, reason in due if step is not chosen
    )
    variant = pick_variant(chosen, state.customer_id)
    return StepDecision(
        step=chosen,
        skipped=skipped,
        variant=variant,
        template=variant.template if variant else chosen.template,
        idempotency_key=idempotency_key(state.customer_id, chosen.step_id, today),
    )


def pick_variant(step: JourneyStep, customer_id: int) -> Variant | None:
    """The step's variant for this customer, or None when it has none.

    A stable hash of ``(step_id, customer_id)`` picks a point in the total
    weight, so a customer always gets the same variant of a step across runs
    and processes, and the customers split in proportion to the weights.
    Variants of weight 0 are never picked. Changing the weights or the order
    of the variants moves some customers to another variant.

    >>> step = JourneyStep(1, 10, 3, "due", ("email",), "base", "message",
    ...                    variants=(Variant("A", 1, "a"), Variant("B", 0, "b")))
    >>> pick_variant(step, 42).code
    'A'
    """
    bounds = list(accumulate(max(variant.weight, 0) for variant in step.variants))
    if not bounds or bounds[-1] <= 0:
        return None
    digest = hashlib.blake2b(
        f"{step.step_id}:{customer_id}".encode(), digest_size=8
    ).digest()
    point = int.from_bytes(digest, "big") % bounds[-1]
    return step.variants[bisect_right(bounds, point)]


def idempotency_key(customer_id: int, step_id: int, day: date) -> str:
    """The key allowing one reminder per (customer, step, day).

    >>> idempotency_key(7, 3, date(2026, 2, 1))
    'c7-s3-2026-02-01'
    """
    return f"c{customer_id}-s{step_id}-{day.isoformat()}"


#: Outcomes of a step's contact that move the next step to another channel.
UNANSWERED = "unanswered"
UNDELIVERED = "undelivered"
ANSWERED = "answered"


def contact_outcome(
    state: str, sent_at: datetime | None, now: datetime, window_hours: float
) -> str | None:
    """What became of a step's contact, once its window has passed.

    ``state`` is the outbox row's (failed, sent, delivered, read, replied);
    None while the customer may still answer.

    >>> sent = datetime(2026, 3, 2, 9, 0)
    >>> contact_outcome("failed", sent, datetime(2026, 3, 2, 10, 0), 48)
    'undelivered'
    >>> contact_outcome("delivered", sent, datetime(2026, 3, 3, 9, 0), 48) is None
    True
    >>> contact_outcome("read", sent, datetime(2026, 3, 4, 9, 0), 48)
    'unanswered'
    >>> contact_outcome("replied", sent, datetime(2026, 3, 9, 9, 0), 48)
    'answered'
    """
    if state == "failed":
        return UNDELIVERED
    if state == "replied":
        return ANSWERED
    if state in ("sent", "delivered", "read") and sent_at:
        if now - sent_at >= timedelta(hours=window_hours):
            return UNANSWERED
    return None


def escalate_channels(
    channels: Iterable[str], last_channel: str | None, outcome: str | None
) -> tuple[str, ...]:
    """The next step's channel order after the last step's outcome.

    A channel that did not deliver, or whose message went unanswered within
    the step's window, goes last: the next step tries the next allowed one.

    >>> escalate_channels(("whatsapp", "sms", "email"), "whatsapp", "unanswered")
    ('sms', 'email', 'whatsapp')
    >>> escalate_channels(("whatsapp", "sms"), "whatsapp", "answered")
    ('whatsapp', 'sms')
    """
    channels = tuple(channels)
    if outcome in (UNANSWERED, UNDELIVERED) and last_channel in channels:
        return tuple(c for c in channels if c != last_channel) + (last_channel,)
    return channels
