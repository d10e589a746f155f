"""The KPIs as the contact center computed them before they moved to SQL:
every receivable line, message, call, promise and conversation of the month
read into Python and handed to the pure ``engine.kpis``. Kept as the oracle
the set-based computation of ``collection.kpi.line`` is compared with (fine
on a test portfolio, not on a real ledger)."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import fields

from odoo.addons.collections_automation.engine import buckets as bucket_engine
from odoo.addons.collections_automation.models.collection_message import (
    CONTACTED_STATES,
)

from ..engine import kpis
from ..models.collection_kpi_line import COLLECTOR_CALL, DIMENSIONS, _as_rate


class PythonFacts:
    """A company's facts for one period read into Python, and their KPIs
    (A/B lines left out: they are computed the same way by both)."""

    def __init__(self, env_model, company, date_from, date_to):
        self.env = env_model.env
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        self.start = datetime.combine(date_from, time.min)
        self.end = datetime.combine(date_to + timedelta(days=1), time.min)
        self._context_of_partner = {}

    # -- per customer dimensions ----------------------------------------

    def partner_context(self, partner_ids):
        """Customer -> segment, journey (their debtor's), team and collector
        (their latest case's)."""
        missing = set(partner_ids) - set(self._context_of_partner)
        if missing:
            found = {
                pid: {
                    "segment_id": False,
                    "journey_id": False,
                    "team_id": False,
                    "user_id": False,
                }
                for pid in missing
            }
            debtors = self.env["collection.debtor"].search_fetch(
                [
                    ("company_id", "=", self.company.id),
                    ("partner_id", "in", list(missing)),
                ],
                ["partner_id", "segment_id", "journey_id"],
            )
            for debtor in debtors:
                found[debtor.partner_id.id].update(
                    segment_id=debtor.segment_id.id, journey_id=debtor.journey_id.id
                )
            cases = self.env["collection.case"].search_fetch(
                [
                    ("company_id", "=", self.company.id),
                    ("partner_id", "in", list(missing)),
                ],
                ["partner_id", "team_id", "user_id"],
                order="id",
            )
            for case in cases:  # the latest case wins
                found[case.partner_id.id].update(
                    team_id=case.team_id.id, user_id=case.user_id.id
                )
            self._context_of_partner.update(found)
        return self._context_of_partner

    def with_context_of(self, records):
        context = self.partner_context({r["partner_id"] for r in records})
        for record in records:
            for key, value in context[record["partner_id"]].items():
                record.setdefault(key, value)
        return records

    # -- facts ------------------------------------------------------------

    def attempts(self):
        """Messages sent in the period and calls logged on cases."""
        messages = self.env["collection.message"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("kind", "in", ("journey", "promise_reminder", "payment_link")),
                ("state", "in", (*CONTACTED_STATES, "failed")),
                ("sent_at", ">=", self.start),
                ("sent_at", "<", self.end),
            ],
            ["partner_id", "channel", "state", "journey_id", "variant_id"],
        )
        records = [
            {
                "partner_id": m.partner_id.id,
                "channel": m.channel,
                "state": m.state,
                "journey_id": m.journey_id.id,
                "variant_id": m.variant_id.id,
                "disposition": None,
            }
            for m in messages
        ]
        calls = self.env["collection.case.call"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("call_date", ">=", self.start),
                ("call_date", "<", self.end),
            ],
            ["partner_id", "team_id", "user_id", "disposition_id", "right_party"],
        )
        records += [
            {
                "partner_id": c.partner_id.id,
                "channel": COLLECTOR_CALL,
                "state": "answered" if c.right_party else "no_answer",
                "disposition": c.disposition_id.code,
                "right_party": c.right_party,
                "team_id": c.team_id.id,
                "user_id": c.user_id.id,
                "variant_id": False,
            }
            for c in calls
        ]
        return self.with_context_of(records)

    def right_party_codes(self, attempts):
        return {a["disposition"] for a in attempts if a.get("right_party")} | {
            kpis.PROMISE
        }

    def promises(self):
        """Promises (installments included) that fell due in the period."""
        promises = self.env["collection.promise"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("promise_date", ">=", self.date_from),
                ("promise_date", "<=", self.date_to),
                ("state", "!=", "cancelled"),
            ],
            ["partner_id", "amount", "amount_paid", "promise_date", "state"],
        )
        return self.with_context_of(
            [
                {
                    "partner_id": p.partner_id.id,
                    "amount": p.amount,
                    "date": p.promise_date,
                    "state": p.state,
                    # settlement marks a promise kept when paid by its date
                    "paid_amount_by_date": p.amount
                    if p.state == "kept"
                    else p.amount_paid,
                }
                for p in promises
            ]
        )

    def receivable_lines(self):
        """Customer receivable lines posted by the period's end, with what
        was paid on them before, by the end of and during the period."""
        lines = self.env["account.move.line"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("date", "<=", self.date_to),
            ],
            ["partner_id", "balance", "date", "date_maturity", "move_type"],
        )
        debit_ids = [line.id for line in lines if line.balance > 0]
        Partial = self.env["account.partial.reconcile"]

        def paid(domain):
            groups = Partial._read_group(
                [("debit_move_id", "in", debit_ids), *domain],
                ["debit_move_id"],
                ["amount:sum"],
            )
            return {line.id: amount for line, amount in groups}

        before = paid([("max_date", "<", self.date_from)])
        by_end = paid([("max_date", "<=", self.date_to)])
        collected = paid(
            [
                ("max_date", ">=", self.date_from),
                ("max_date", "<=", self.date_to),
                ("credit_move_id.move_id.move_type", "!=", "out_refund"),
            ]
        )
        return [
            {
                "partner_id": line.partner_id.id,
                "balance": line.balance,
                "date": line.date,
                "date_maturity": line.date_maturity or line.date,
                "move_type": line.move_type,
                "residual_start": line.balance - before.get(line.id, 0.0),
                "residual_end": line.balance - by_end.get(line.id, 0.0),
                "collected": collected.get(line.id, 0.0),
            }
            for line in lines
        ]

    def conversations(self):
        conversations = self.env["collection.conversation"].search_fetch(
            [
                ("company_id", "=", self.company.id),
                ("create_date", ">=", self.start),
                ("create_date", "<", self.end),
            ],
            ["partner_id", "channel", "escalation_reason"],
        )
        return self.with_context_of(
            [
                {
                    "partner_id": c.partner_id.id,
                    "channel": c.channel,
                    "escalation_reason": c.escalation_reason or None,
                }
                for c in conversations
            ]
        )

    # -- KPIs -------------------------------------------------------------

    def kpi_lines(self):
        lines = []
        lines += self._contact_lines()
        lines += self._promise_lines()
        lines += self._money_lines()
        lines += self._ai_lines()
        return lines

    @staticmethod
    def _lines(kpi, records, compute, dimensions, to_value=_as_rate, sample=len):
        """``compute`` over all records and per value of each dimension."""
        lines = []
        if not records:
            return lines
        groups = [("overall", None, {None: records})]
        for dimension in dimensions:
            key = DIMENSIONS[dimension]
            grouped = defaultdict(list)
            for record in records:
                grouped[record.get(key) or False].append(record)
            groups.append((dimension, key, grouped))
        for dimension, key, grouped in groups:
            for group_value, members in grouped.items():
                value = compute(members)
                if value is None:
                    continue
                line = {
                    "kpi": kpi,
                    "dimension": dimension,
                    "value": to_value(value),
                    "sample_size": sample(members),
                }
                if key:
                    line[key] = group_value
                lines.append(line)
        return lines

    def _contact_lines(self):
        attempts = self.attempts()
        rpc_codes = self.right_party_codes(attempts)
        calls = [a for a in attempts if a["channel"] == COLLECTOR_CALL]

        def customers(records):
            return len({r["partner_id"] for r in records})

        def right_party_contacts(records):
            return sum(1 for r in records if r.get("right_party"))

        return [
            *self._lines(
                "contact_rate",
                attempts,
                kpis.contact_rate,
                ("channel", "journey", "variant", "segment", "team", "collector"),
                sample=customers,
            ),
            *self._lines(
                "right_party_rate",
                calls,
                lambda c: kpis.right_party_contact_rate(
                    c, channels={COLLECTOR_CALL}, right_party=rpc_codes
                ),
                ("segment", "team", "collector"),
            ),
            *self._lines(
                "promise_rate",
                calls,
                lambda c: kpis.promise_rate(
                    c, channels={COLLECTOR_CALL}, right_party=rpc_codes
                ),
                ("segment", "team", "collector"),
                sample=right_party_contacts,
            ),
        ]

    def _promise_lines(self):
        as_of = min(self.date_to, fields.Date.context_today(self.env["res.partner"]))
        promises = [p for p in self.promises() if p["date"] <= as_of]
        return self._lines(
            "promise_kept_rate",
            promises,
            lambda p: kpis.promise_kept_rate(p, as_of),
            ("journey", "segment", "team", "collector"),
        )

    def _money_lines(self):
        lines = self.receivable_lines()
        debits = self.with_context_of(
            [line for line in lines if line["balance"] > 0 and line["partner_id"]]
        )
        buckets = self.env["collection.bucket"]._for_company(self.company)
        engine_buckets = buckets._to_engine()
        bucket_ids = {bucket.code: bucket.id for bucket in buckets}
        codes = [b.code for b in sorted(engine_buckets, key=lambda b: b.min_days)]
        next_day = self.date_to + timedelta(days=1)

        def bucket_at(day, line, residual):
            if residual <= 0.005:
                return None
            days = bucket_engine.days_overdue(line["date_maturity"], day)
            bucket = bucket_engine.bucket_for(days, engine_buckets)
            return bucket and bucket.code

        recovery, rolls = [], []
        for line in debits:
            existed = line["date"] < self.date_from
            start_bucket = (
                bucket_at(self.date_from, line, line["residual_start"])
                if existed
                else None
            )
            overdue_start = (
                line["residual_start"]
                if existed and line["date_maturity"] < self.date_from
                else 0.0
            )
            recovery.append(
                {
                    **line,
                    "overdue_start": overdue_start,
                    "bucket_id": bucket_ids.get(start_bucket, False),
                }
            )
            if start_bucket:
                rolls.append(
                    {
                        "bucket_start": start_bucket,
                        "amount_start": line["residual_start"],
                        "bucket_end": bucket_at(next_day, line, line["residual_end"]),
                    }
                )
        result = self._lines(
            "recovery_rate",
            [r for r in recovery if r["overdue_start"] > 0],
            kpis.recovery_rate,
            ("journey", "segment", "team", "collector", "bucket"),
        )
        result += self._lines(
            "amount_collected",
            [r for r in recovery if r["collected"]],
            kpis.amount_collected,
            ("journey", "segment", "team", "collector"),
            to_value=float,
        )
        for code, rate in kpis.roll_rates(rolls, codes).items():
            if rate is not None:
                result.append(
                    {
                        "kpi": "roll_rate",
                        "dimension": "bucket",
                        "bucket_id": bucket_ids[code],
                        "value": _as_rate(rate),
                        "sample_size": sum(
                            1 for r in rolls if r["bucket_start"] == code
                        ),
                    }
                )
        result += self._receivable_lines(lines)
        return result

    def _receivable_lines(self, lines):
        """DSO, best DSO, average days delinquent and CEI, company-wide."""
        day_before = self.date_from - timedelta(days=1)
        opening = sum(line["balance"] for line in lines if line["date"] <= day_before)
        closing = sum(line["balance"] for line in lines)
        # per customer, unapplied credits (payments, credit notes) settle the
        # oldest items first, as an aging does: what they leave of the
        # customer's balance is current only up to its items not yet due
        balance_of, current_of = defaultdict(float), defaultdict(float)
        for line in lines:
            balance_of[line["partner_id"]] += line["balance"]
            if line["balance"] > 0 and line["date_maturity"] >= self.date_to:
                current_of[line["partner_id"]] += max(line["residual_end"], 0.0)
        closing_current = sum(
            min(current, max(balance_of[partner], 0.0))
            for partner, current in current_of.items()
        )
        sales = sum(
            line["balance"]
            for line in lines
            if line["date"] >= self.date_from
            and line["move_type"] in ("out_invoice", "out_refund", "out_receipt")
        )
        days = (self.date_to - self.date_from).days + 1
        figures = {
            "dso": kpis.dso(closing, sales, days),
            "best_dso": kpis.best_dso(closing_current, sales, days),
            "average_days_delinquent": kpis.average_days_delinquent(
                closing, closing_current, sales, days
            ),
            "cei": _as_rate(kpis.cei(opening, sales, closing, closing_current)),
        }
        return [
            {"kpi": kpi, "dimension": "overall", "value": float(value)}
            for kpi, value in figures.items()
            if value is not None
        ]

    def _ai_lines(self):
        conversations = self.conversations()
        lines = self._lines(
            "containment_rate",
            conversations,
            kpis.containment_rate,
            ("channel", "segment"),
        )
        lines += self._lines(
            "escalation_rate", conversations, kpis.escalation_rate, ("channel",)
        )
        for reason, rate in kpis.escalation_rates(conversations).items():
            lines.append(
                {
                    "kpi": "escalation_rate",
                    "dimension": "reason",
                    "escalation_reason": reason,
                    "value": _as_rate(rate),
                    "sample_size": len(conversations),
                }
            )
        return lines
