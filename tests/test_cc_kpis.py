"""Contact-center KPIs checked against a small portfolio worked out by hand."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from collections_contact_center_engine.kpis import (
    amount_collected,
    average_days_delinquent,
    best_dso,
    cei,
    contact_rate,
    containment_rate,
    dso,
    escalation_rate,
    escalation_rates,
    group_by,
    month,
    promise_kept_rate,
    promise_rate,
    recovery_rate,
    right_party_contact_rate,
    roll_rates,
    to_decimal,
)


def approx(value, places=4):
    """A KPI rounded to compare with a hand computation."""
    return value.quantize(Decimal(1).scaleb(-places))


def attempt(partner_id, channel, state, disposition=None, team=1):
    return {
        "partner_id": partner_id,
        "channel": channel,
        "state": state,
        "disposition": disposition,
        "team": team,
    }


# Nine customers, fourteen attempts in March.
ATTEMPTS = [
    attempt(1, "sms", "delivered"),
    attempt(1, "whatsapp", "failed"),
    attempt(2, "email", "sent"),  # accepted by the provider: not a contact
    attempt(2, "email", "sent"),
    attempt(3, "voice", "no_answer", team=2),
    attempt(3, "voice", "answered", "right_party", team=2),
    attempt(4, "voice", "answered", "wrong_person", team=2),
    attempt(5, "whatsapp", "read"),
    attempt(6, "sms", "failed"),
    attempt(7, "voice", "answered", "promise", team=2),
    attempt(8, "voice", "answered", "refused", team=2),
    attempt(8, "voice", "no_answer", team=2),
    attempt(9, "whatsapp", "replied"),
    attempt(9, "email", "bounced"),
]


def test_contact_rate():
    # targeted: 1..9 = 9 customers; reached: 1 (delivered), 3, 4, 7, 8
    # (answered, whoever picked up), 5 (read), 9 (replied) = 7;
    # 2 (sent only) and 6 (failed) were not: 7 / 9 = 0.7778
    assert approx(contact_rate(ATTEMPTS)) == Decimal("0.7778")


def test_contact_rate_by_channel():
    # sms: 1 delivered, 6 failed -> 1/2; whatsapp: 1 failed, 5 read, 9 replied
    # -> 2/3; email: 2 sent, 9 bounced -> 0/2; voice: 3, 4, 7, 8 -> 4/4
    rates = group_by(ATTEMPTS, "channel", contact_rate)
    assert list(rates) == ["email", "sms", "voice", "whatsapp"]
    assert {k: approx(v) for k, v in rates.items()} == {
        "email": Decimal("0.0000"),
        "sms": Decimal("0.5000"),
        "voice": Decimal("1.0000"),
        "whatsapp": Decimal("0.6667"),
    }


def test_right_party_contact_rate():
    # calls: 3 no answer, 3 right party, 4 wrong person, 7 promise, 8 refused,
    # 8 no answer = 6 attempts; with the debtor: right_party, promise,
    # refused = 3 -> 3 / 6 = 0.5
    assert right_party_contact_rate(ATTEMPTS) == Decimal("0.5")


def test_promise_rate():
    # one promise out of the 3 right-party contacts: 1 / 3 = 0.3333
    assert approx(promise_rate(ATTEMPTS)) == Decimal("0.3333")


def test_right_party_set_and_channels_can_be_widened():
    # a team logging its calls as "phone" and counting "callback" as talking
    calls = [
        {"channel": "phone", "disposition": "callback"},
        {"channel": "phone", "disposition": "promise"},
        {"channel": "phone", "disposition": None},
        {"channel": "phone", "disposition": None},
    ]
    assert right_party_contact_rate(calls) is None  # no "voice" call at all
    widened = {"channels": {"phone"}, "right_party": {"callback", "promise"}}
    # 2 right-party contacts / 4 calls; 1 promise / 2 contacts
    assert right_party_contact_rate(calls, **widened) == Decimal("0.5")
    assert promise_rate(calls, **widened) == Decimal("0.5")


AS_OF = date(2026, 3, 31)
PROMISES = [
    # paid in full by its date: kept
    {"amount": 500, "date": date(2026, 3, 10), "paid_amount_by_date": 500},
    # 299.995 >= 300 - 0.01: kept, as collections_automation settles it
    {"amount": 300, "date": date(2026, 3, 15), "paid_amount_by_date": 299.995},
    # 150 of 400: not kept
    {"amount": 400, "date": date(2026, 3, 20), "paid_amount_by_date": 150},
    # due on the last day, nothing paid: fell due, not kept
    {"amount": 200, "date": date(2026, 3, 31), "paid_amount_by_date": None},
    # falls due in April: does not count yet
    {"amount": 100, "date": date(2026, 4, 5), "paid_amount_by_date": 100},
    # cancelled: counts in neither
    {
        "amount": 100,
        "date": date(2026, 3, 5),
        "paid_amount_by_date": 0,
        "state": "cancelled",
    },
]


def test_promise_kept_rate():
    # fell due: the first four; kept: the first two -> 2 / 4 = 0.5
    assert promise_kept_rate(PROMISES, AS_OF) == Decimal("0.5")
    # strictly in full: only the first -> 1 / 4
    assert promise_kept_rate(PROMISES, AS_OF, tolerance=0) == Decimal("0.25")
    # as of the 15th only the first two fell due, both kept -> 2 / 2
    assert promise_kept_rate(PROMISES, date(2026, 3, 15)) == Decimal(1)


def test_promise_kept_rate_by_month():
    # March: 2 kept / 4 due; April: the one of the 5th, paid -> 1 / 1
    by_month = group_by(
        PROMISES,
        lambda p: month(p["date"]),
        lambda ps: promise_kept_rate(ps, date(2026, 4, 30)),
    )
    assert by_month == {date(2026, 3, 1): Decimal("0.5"), date(2026, 4, 1): 1}


RECOVERY = [
    {"overdue_start": Decimal("1000"), "collected": Decimal("600")},
    {"overdue_start": Decimal("2000"), "collected": Decimal("0")},
    # paid 800 of which 500 was overdue on the 1st
    {"overdue_start": Decimal("500"), "collected": Decimal("800")},
    # not overdue on the 1st: cash, not recovery
    {"overdue_start": Decimal("0"), "collected": Decimal("250")},
]


def test_amount_collected_and_recovery_rate():
    # 600 + 0 + 800 + 250 = 1650
    assert amount_collected(RECOVERY) == Decimal("1650")
    # (600 + 0 + 500) / (1000 + 2000 + 500) = 1100 / 3500 = 0.3143
    assert approx(recovery_rate(RECOVERY)) == Decimal("0.3143")


def test_dso_best_dso_and_average_days_delinquent():
    # March, 31 days: 225,000 credit sales; 150,000 receivable on the 31st,
    # 90,000 of it not yet due
    # DSO = 150000 / 225000 * 31 = 20.6667 days
    assert approx(dso(150000, 225000, 31)) == Decimal("20.6667")
    # best DSO = 90000 / 225000 * 31 = 12.4 days
    assert best_dso(90000, 225000, 31) == Decimal("12.4")
    # ADD = 20.6667 - 12.4 = 8.2667 days (= 60000 / 225000 * 31)
    assert approx(average_days_delinquent(150000, 90000, 225000, 31)) == Decimal(
        "8.2667"
    )


def test_cei():
    # (1000 + 500 - 600) / (1000 + 500 - 200) = 900 / 1300 = 0.6923 (69.23%)
    assert approx(cei(1000, 500, 600, 200)) == Decimal("0.6923")
    # everything collectable collected: closing total = closing current
    assert cei(1000, 500, 200, 200) == Decimal(1)


BUCKETS = ["1-30", "31-60", "61-90", "90+"]


def roll(invoice_id, bucket_start, amount_start, bucket_end):
    return {
        "invoice_id": invoice_id,
        "bucket_start": bucket_start,
        "amount_start": amount_start,
        "bucket_end": bucket_end,
    }


ROLLS = [
    roll(1, "1-30", 1000, "31-60"),
    roll(2, "1-30", 400, None),  # paid
    roll(3, "1-30", 600, "1-30"),
    roll(4, "31-60", 500, "90+"),
    roll(5, "31-60", 300, "1-30"),  # moved back
    roll(6, "61-90", 700, "90+"),
    roll(7, "90+", 900, "90+"),
    roll(8, None, 200, "1-30"),  # not overdue on the 1st: ignored
]


def test_roll_rates():
    # 1-30: 1000 rolled (invoice 1) / (1000 + 400 + 600) = 0.5
    # 31-60: 500 rolled two buckets (4); 300 moved back (5) -> 500 / 800 = 0.625
    # 61-90: 700 / 700 = 1; 90+ has nothing later and is left out
    assert roll_rates(ROLLS, BUCKETS) == {
        "1-30": Decimal("0.5"),
        "31-60": Decimal("0.625"),
        "61-90": Decimal(1),
    }


def test_roll_rates_unknown_bucket_is_an_error():
    with pytest.raises(ValueError, match="Unknown bucket 'legal'"):
        roll_rates([{**ROLLS[0], "bucket_end": "legal"}], BUCKETS)


CONVERSATIONS = (
    [{"escalation_reason": None}] * 5
    + [{"escalation_reason": None, "human": True}]
    + [{"escalation_reason": "dispute"}] * 2
    + [{"escalation_reason": "hardship"}, {"escalation_reason": "request_human"}]
)


def test_containment_and_escalation_rates():
    # 10 conversations; contained: 5 (the 6th had a person in it) -> 0.5
    assert containment_rate(CONVERSATIONS) == Decimal("0.5")
    # escalated: 4 / 10; dispute 2 / 10; hardship and request_human 1 / 10
    assert escalation_rate(CONVERSATIONS) == Decimal("0.4")
    assert escalation_rate(CONVERSATIONS, "dispute") == Decimal("0.2")
    assert escalation_rate(CONVERSATIONS, "identity") == 0
    assert escalation_rates(CONVERSATIONS) == {
        "dispute": Decimal("0.2"),
        "hardship": Decimal("0.1"),
        "request_human": Decimal("0.1"),
    }


def test_records_can_be_objects():
    rows = [SimpleNamespace(**a) for a in ATTEMPTS]
    assert contact_rate(rows) == contact_rate(ATTEMPTS)
    assert group_by(rows, lambda r: r.team, right_party_contact_rate) == {
        # team 1 made no call; team 2: the 6 calls, 3 with the debtor
        1: None,
        2: Decimal("0.5"),
    }


def test_group_by_puts_none_last_and_keeps_uncomparable_keys_in_order():
    rows = [{"k": 2}, {"k": None}, {"k": 1}]
    assert list(group_by(rows, "k", len)) == [1, 2, None]
    mixed = [{"k": "b"}, {"k": 1}, {"k": "b"}]
    assert group_by(mixed, "k", len) == {"b": 2, 1: 1}
    assert list(group_by(mixed, "k", len)) == ["b", 1]


def test_floats_are_read_as_written():
    assert to_decimal(0.1) == Decimal("0.1")
    assert amount_collected([{"collected": 0.1}, {"collected": 0.2}]) == Decimal("0.3")


# -- no data -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kpi",
    [
        contact_rate,
        right_party_contact_rate,
        promise_rate,
        recovery_rate,
        containment_rate,
        escalation_rate,
        lambda records: promise_kept_rate(records, AS_OF),
    ],
)
def test_no_records_is_no_data(kpi):
    assert kpi([]) is None


def test_zero_denominators():
    # calls but nobody reached: no right-party contact to make promises in
    no_contact = [attempt(1, "voice", "no_answer"), attempt(2, "voice", "answered")]
    assert right_party_contact_rate(no_contact) == 0
    assert promise_rate(no_contact) is None
    # only future or cancelled promises
    assert promise_kept_rate(PROMISES[4:], AS_OF) is None
    # nothing overdue at the start
    assert recovery_rate([RECOVERY[-1]]) is None
    assert amount_collected([]) == 0
    # no credit sales: no DSO, best DSO nor ADD
    assert dso(1000, 0, 30) is None
    assert best_dso(1000, 0, 30) is None
    assert average_days_delinquent(1000, 500, 0, 30) is None
    # nothing collectable: 0 + 500 - 500
    assert cei(0, 500, 700, 500) is None
    # a bucket with no amount at the start
    assert roll_rates(ROLLS[:3], BUCKETS) == {
        "1-30": Decimal("0.5"),
        "31-60": None,
        "61-90": None,
    }
    assert escalation_rates([]) == {}
