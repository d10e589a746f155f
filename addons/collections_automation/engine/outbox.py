"""The outbox's state machine: which state a row may move to, and on what.

Every path that changes an outbox row's state asks this module: the planner
inserting rows, the dispatcher queueing, claiming and recording outcomes,
receipts from providers and from Odoo's own mail and SMS, the recovery of
rows a dead worker left, answers from the agent, and the buttons. Bulk paths
stay bulk: they read :func:`sources` once and update with
``WHERE state = ANY(sources)``, so a row that moved meanwhile is left alone.

States::

    review ──approve──▶ planned ──enqueue──▶ queued ──claim──▶ sending
      │                  ▲  │                  │ │               │
      │                  │  └──────defer───────┘ │   (temporary  │
      │                  └──────retry_later──────┴───  error)  ──┤
      │                                                          ▼
      └──refuse/fail/cancel        queued ──sent (Odoo)──▶      sent
                                                                 │ receipts
                                          delivered ◀────────────┤
                                              │                  │
                                             read ─▶ replied     ▼
                                                               failed ──retry──▶ planned

- ``review``: waits for a person (journeys that want their text approved).
- ``planned``: waits for its time (``scheduled_at``).
- ``queued``: a dispatch job holds it.
- ``sending``: a worker claimed it and is calling the provider (committed
  before the first request, so a crash leaves a trace).
- ``sent``, ``delivered``, ``read``, ``replied``: what the provider (or the
  customer) told us since.
- ``failed``: the channel, the template or the provider failed; a person may
  retry it.
- ``refused``: the contact policy refused it, with the rule.
- ``cancelled``: skipped by a person, or replaced.

Receipts are not events a worker chooses: they arrive late, twice, out of
order, or for rows that were never sent. :func:`receipt_target` ranks them:
a receipt never moves a row that has not gone out (review, planned, queued,
refused, cancelled), never moves a row backwards (a late "delivered" after
"read" changes nothing), and a failure reported after "sent" counts (the
message did not arrive). Evidence that a message arrived overrides a failure
we only presumed (a worker killed mid-send).

>>> next_state("planned", "enqueue")
'queued'
>>> next_state("sent", "enqueue") is None
True
>>> receipt_target("sent", "failed")
'failed'
>>> receipt_target("planned", "read") is None
True
>>> receipt_target("read", "delivered") is None
True
>>> retry_delay(3, hint_seconds=None)
240
>>> can_move("sent", "planned"), can_move("failed", "planned")
(False, True)
"""

#: Every state, in the order a row usually goes through them.
STATES = (
    "review",
    "planned",
    "queued",
    "sending",
    "sent",
    "delivered",
    "read",
    "replied",
    "failed",
    "refused",
    "cancelled",
)

#: States in which a row counts as a contact made, for the contact policy.
CONTACTED = ("sent", "delivered", "read", "replied")
#: States a row no event moves out of (receipts aside, see RECEIPT_RANK).
TERMINAL = ("replied", "refused", "cancelled")
#: States whose row has not gone out yet.
NOT_SENT = ("review", "planned", "queued")

#: Event -> (states it applies to, state it leads to).
EVENTS = {
    # a person approves a row to review
    "approve": (("review",), "planned"),
    # the dispatcher hands due rows to a job
    "enqueue": (("planned",), "queued"),
    # a job takes its rows before calling an external provider
    "claim": (("queued",), "sending"),
    # the policy at send time, or "send now" at night, moves a row later
    "defer": (("review", "planned", "queued"), "planned"),
    # the provider (or Odoo's mail and SMS queue) accepted it
    "sent": (("queued", "sending"), "sent"),
    # a temporary error (429, 5xx, time-out): again later, with back-off
    "retry_later": (("queued", "sending"), "planned"),
    # a template, a number or the provider failed for good
    "fail": (("review", "planned", "queued", "sending"), "failed"),
    # the contact policy refuses it for good (an opt-out, a hold)
    "refuse": (("review", "planned", "queued"), "refused"),
    # a person skips it, or a newer row replaces it
    "cancel": (("review", "planned", "failed"), "cancelled"),
    # a person retries a failed row; the policy is checked again
    "retry": (("failed",), "planned"),
    # recovery: the job holding a queued row is gone
    "release": (("queued",), "planned"),
    # recovery: a send was interrupted and the provider deduplicates
    "resend": (("sending",), "planned"),
    # recovery: a send was interrupted and resending could send twice
    "interrupted": (("sending",), "failed"),
}

#: How far a receipt moves a row; only forward. ``failed`` is apart: it
#: applies to rows that went out but did not arrive.
RECEIPT_RANK = {"sent": 1, "delivered": 2, "read": 3, "replied": 4}
#: Rows a receipt of failure may move: those out but not known to arrive.
FAILABLE = ("sending", "sent")
#: Every status a receipt may carry (providers' own words are mapped before).
RECEIPT_STATUSES = (*RECEIPT_RANK, "failed")

#: Back-off of temporary errors: 1, 2, 4, 8... minutes, at most an hour.
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600


class InvalidTransition(ValueError):
    """An event that does not apply to the row's state."""


def next_state(current, event):
    """The state ``event`` leads a row in ``current`` to, or None.

    :raises KeyError: for an event this module does not know
    """
    allowed, target = EVENTS[event]
    return target if current in allowed else None


def check(current, event):
    """Like :func:`next_state`, but raise :class:`InvalidTransition`."""
    target = next_state(current, event)
    if target is None:
        raise InvalidTransition(f"A {current} row cannot take the event {event!r}.")
    return target


def sources(event):
    """The states ``event`` applies to, for a bulk ``UPDATE ... WHERE``."""
    return EVENTS[event][0]


def target(event):
    """The state ``event`` leads to."""
    return EVENTS[event][1]


def receipt_target(current, status):
    """The state a receipt ``status`` moves a row in ``current`` to, or None.

    :param status: one of ``sent``, ``delivered``, ``read``, ``replied``,
        ``failed`` (providers' own words are mapped before)
    """
    if current in NOT_SENT or current in ("refused", "cancelled"):
        return None
    if status == "failed":
        return "failed" if current in FAILABLE else None
    rank = RECEIPT_RANK.get(status)
    if rank is None:
        return None
    if current == "failed":
        return status  # it arrived after all
    if current == "sending":
        return status
    return status if rank > RECEIPT_RANK.get(current, 0) else None


def receipt_sources(status):
    """The states a receipt ``status`` moves, for a bulk update."""
    return tuple(state for state in STATES if receipt_target(state, status))


def can_move(current, new):
    """Whether some event or receipt moves a row from ``current`` to ``new``.

    The guard of writes that do not name their event (a form, an import):
    they may only do what an event or a receipt could.
    """
    if current == new:
        return True
    return new in _MOVES.get(current, ())


def _all_moves():
    moves = {}
    for state in STATES:
        targets = {next_state(state, event) for event in EVENTS}
        targets |= {receipt_target(state, status) for status in RECEIPT_STATUSES}
        moves[state] = frozenset(targets - {None})
    return moves


def retry_delay(attempts, hint_seconds=None):
    """Seconds to wait before attempt ``attempts + 1`` after a temporary error.

    Doubles from :data:`BACKOFF_BASE_SECONDS` up to
    :data:`BACKOFF_MAX_SECONDS`; a provider's ``Retry-After`` wins when longer.
    """
    exponent = max(attempts - 1, 0)
    delay = min(BACKOFF_BASE_SECONDS * 2**exponent, BACKOFF_MAX_SECONDS)
    return max(int(hint_seconds or 0), delay)


def gives_up(attempts, max_attempts):
    """Whether a row that failed ``attempts`` times is failed for good."""
    return attempts >= (max_attempts or 5)


_MOVES = _all_moves()
