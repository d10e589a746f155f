"""The statement engine: every currency's lines add up to its total, the
running balance ends on it, and the aging shares it out, whatever the items."""

from datetime import date, timedelta

from collections_automation_engine.buckets import DEFAULT_BUCKETS
from collections_automation_engine.statement import Item, build
from hypothesis import given
from hypothesis import strategies as st

TODAY = date(2026, 3, 1)


@st.composite
def items(draw):
    cents = draw(st.integers(-50_000, 100_000).filter(bool))
    kind = "invoice" if cents > 0 else draw(st.sampled_from(["credit_note", "payment"]))
    day = TODAY + timedelta(days=draw(st.integers(-400, 30)))
    due = day + timedelta(days=draw(st.integers(0, 60))) if cents > 0 else None
    return Item(
        name=f"DOC{draw(st.integers(1, 10**6))}",
        kind=kind,
        date=day,
        due_date=due,
        currency=draw(st.sampled_from(["USD", "EUR", "MXN"])),
        amount=cents / 100,
    )


@given(st.lists(items(), max_size=30))
def test_lines_balance_and_aging_add_up(portfolio):
    sections = build(portfolio, DEFAULT_BUCKETS, TODAY, 2)
    assert {s.currency for s in sections} == {i.currency for i in portfolio}
    for section in sections:
        mine = [i for i in portfolio if i.currency == section.currency]
        expected = round(sum(i.amount for i in mine), 2)
        assert round(sum(line.item.amount for line in section.lines), 2) == expected
        assert round(section.total, 2) == expected
        balance = 0
        for line in section.lines:
            balance = round(balance + line.item.amount, 2)
            assert line.balance == balance
        assert round(sum(section.aging.values()), 2) == expected
        assert 0 <= section.overdue <= max(expected, 0) + 0.001
        dates = [line.item.date for line in section.lines]
        assert dates == sorted(dates)
