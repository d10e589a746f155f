from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.collections_automation.engine import buckets as bucket_engine
from odoo.addons.collections_automation.models.collection_message import (
    CONTACTED_STATES,
)
from odoo.addons.collections_automation.models.res_partner import CHANNEL_SELECTION

from ..engine import abtest, kpis
from .collection_case import ESCALATION_REASONS

#: KPI code, label, unit. Rates are stored as percentages (0-100).
KPI_SELECTION = [
    ("contact_rate", "Contact rate"),
    ("right_party_rate", "Right-party contact rate"),
    ("promise_rate", "Promise rate"),
    ("promise_kept_rate", "Promise-kept rate"),
    ("recovery_rate", "Recovery rate"),
    ("amount_collected", "Amount collected"),
    ("dso", "DSO"),
    ("best_dso", "Best possible DSO"),
    ("average_days_delinquent", "Average days delinquent"),
    ("cei", "CEI"),
    ("roll_rate", "Roll rate"),
    ("containment_rate", "AI containment"),
    ("escalation_rate", "AI escalation rate"),
    ("reply_rate", "A/B reply rate"),
    ("variant_promise_rate", "A/B promise rate"),
    ("payment_rate", "A/B payment rate"),
]
AMOUNT_KPIS = ("amount_collected",)
DAY_KPIS = ("dso", "best_dso", "average_days_delinquent")
#: A/B KPI -> the metric of ``engine.abtest``.
AB_METRICS = {
    "reply_rate": "reply",
    "variant_promise_rate": "promise",
    "payment_rate": "payment",
}
#: Dimension -> the key of the fact records (and the field of the line).
DIMENSIONS = {
    "channel": "channel",
    "journey": "journey_id",
    "variant": "variant_id",
    "segment": "segment_id",
    "team": "team_id",
    "collector": "user_id",
    "bucket": "bucket_id",
    "reason": "escalation_reason",
}
#: Channel of a call a collector logged on a case (not an automated call).
COLLECTOR_CALL = "collector"
#: A customer who replied, promised or paid within this many days of a
#: variant counts as a success of that variant.
AB_WINDOW_DAYS = 14
#: Months recomputed by the daily cron (payments can be dated in the past).
CRON_MONTHS = 3


class CollectionKpiLine(models.Model):
    """One KPI for one month, overall or for one channel, journey, variant,
    segment, team, collector, bucket or escalation reason.

    Computed, never typed: :meth:`_compute_period` gathers the month's facts
    in bulk (messages, calls, promises, payments, AI conversations), the
    pure ``engine.kpis`` and ``engine.abtest`` compute the figures with their
    exact definitions, and the month's lines are replaced in one batch. Graph
    and pivot views and the dashboard read these lines.
    """

    _name = "collection.kpi.line"
    _description = "Collection KPI"
    _order = "date_from desc, kpi, dimension, id"

    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date("Month", required=True, index=True)
    date_to = fields.Date("Until", required=True)
    kpi = fields.Selection(KPI_SELECTION, "KPI", required=True, index=True)
    unit = fields.Selection(
        [("rate", "%"), ("amount", "Amount"), ("days", "Days")],
        compute="_compute_unit",
        store=True,
    )
    dimension = fields.Selection(
        [
            ("overall", "Overall"),
            ("channel", "Channel"),
            ("journey", "Journey"),
            ("variant", "A/B variant"),
            ("segment", "Segment"),
            ("team", "Team"),
            ("collector", "Collector"),
            ("bucket", "Bucket"),
            ("reason", "Escalation reason"),
        ],
        required=True,
        default="overall",
        index=True,
    )
    channel = fields.Selection(
        [
            *CHANNEL_SELECTION,
            (COLLECTOR_CALL, "Collector call"),
            ("web", "Web chat"),
        ]
    )
    journey_id = fields.Many2one("collection.journey")
    step_id = fields.Many2one("collection.journey.step", "Journey Step")
    variant_id = fields.Many2one("collection.journey.variant")
    segment_id = fields.Many2one("collection.segment")
    team_id = fields.Many2one("collection.team")
    user_id = fields.Many2one("res.users", "Collector")
    bucket_id = fields.Many2one("collection.bucket")
    escalation_reason = fields.Selection(ESCALATION_REASONS)
    value = fields.Float(
        digits=(16, 2),
        aggregator="avg",
        help="Rates in %, DSO figures in days, amounts in the company currency.",
    )
    sample_size = fields.Integer(
        aggregator="sum",
        help="What the rate is counted over: customers, calls, promises, "
        "conversations or invoices.",
    )
    p_value = fields.Float(
        "p-value",
        digits=(16, 4),
        aggregator="min",
        help="A/B lines: the probability that a difference this large between "
        "the variants is chance.",
    )
    is_winner = fields.Boolean(
        "Winner",
        help="A/B lines: this variant beats every other one significantly.",
    )

    @api.depends("kpi")
    def _compute_unit(self):
        for line in self:
            if line.kpi in AMOUNT_KPIS:
                line.unit = "amount"
            elif line.kpi in DAY_KPIS:
                line.unit = "days"
            else:
                line.unit = "rate"

    # -- computing --------------------------------------------------------

    @api.model
    def _cron_compute(self):
        """Recompute the last months of every company."""
        first = fields.Date.context_today(self).replace(day=1)
        for months_back in range(CRON_MONTHS):
            self._compute_period(first - relativedelta(months=months_back))

    def action_recompute(self):
        """Recompute this month and the last two (menu and list button), for
        the companies the collection manager works in now."""
        if not self.env.su and not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise AccessError(self.env._("Only collection managers compute KPIs."))
        first = fields.Date.context_today(self).replace(day=1)
        for months_back in range(CRON_MONTHS):
            self._compute_period(
                first - relativedelta(months=months_back), self.env.companies
            )
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def compute_kpis(self, month, months=1):
        """Recompute ``months`` months up to ``month`` (``YYYY-MM-DD``) for the
        user's companies: the RPC entry point of ``scripts/kpis.py``."""
        if not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise AccessError(self.env._("Only collection managers compute KPIs."))
        last = fields.Date.to_date(month).replace(day=1)
        for months_back in range(max(int(months), 1)):
            self._compute_period(
                last - relativedelta(months=months_back), self.env.companies
            )
        return True

    @api.model
    def _compute_period(self, month, companies=None):
        """Replace the KPI lines of ``month`` (any day in it) for ``companies``.

        A month in progress is counted up to today.
        """
        date_from = month.replace(day=1)
        date_to = min(
            date_from + relativedelta(months=1, days=-1),
            fields.Date.context_today(self),
        )
        lines = self.sudo()
        for company in companies or self.env["res.company"].sudo().search([]):
            facts = _Facts(
                self.sudo().with_company(company), company, date_from, date_to
            )
            values = [
                {
                    **line,
                    "company_id": company.id,
                    "date_from": date_from,
                    "date_to": date_to,
                }
                for line in facts.kpi_lines()
            ]
            lines.search(
                [("company_id", "=", company.id), ("date_from", "=", date_from)]
            ).unlink()
            lines.create(values)


def _as_rate(value):
    return None if value is None else float(value) * 100


class _Facts:
    """A company's facts for one period, gathered in bulk, and their KPIs."""

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
        lines += self._ab_lines()
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

    def _ab_lines(self):
        steps = self.env["collection.journey.step"].search(
            [("company_id", "in", (False, self.company.id))]
        )
        lines = []
        outcomes = ab_outcomes(self.env, steps, self.start, self.end)
        for step, records in outcomes.items():
            results = abtest.tally(records)
            for kpi, metric in AB_METRICS.items():
                verdict = abtest.winner(
                    results, metric, min_samples=step.ab_min_samples
                )
                for result in results:
                    rate = result.rate(metric)
                    if rate is None:
                        continue
                    lines.append(
                        {
                            "kpi": kpi,
                            "dimension": "variant",
                            "step_id": step.id,
                            "journey_id": step.journey_id.id,
                            "variant_id": result.variant,
                            "value": _as_rate(rate),
                            "sample_size": result.sent,
                            "p_value": verdict.p_value or 0.0,
                            "is_winner": verdict.variant == result.variant,
                        }
                    )
        return lines


def ab_outcomes(env, steps, start=None, end=None):
    """Step -> one record per customer who got one of its variants:
    ``{"variant", "replied", "promised", "paid"}`` within
    :data:`AB_WINDOW_DAYS` of the first message. Steps with fewer than two
    variants are left out. ``start``/``end`` bound when it was sent."""
    steps = steps.filtered(lambda s: len(s.variant_ids) > 1)
    if not steps:
        return {}
    domain = [
        ("step_id", "in", steps.ids),
        ("variant_id", "!=", False),
        ("state", "in", CONTACTED_STATES),
    ]
    if start:
        domain.append(("sent_at", ">=", start))
    if end:
        domain.append(("sent_at", "<", end))
    messages = env["collection.message"].search_fetch(
        domain,
        ["step_id", "variant_id", "partner_id", "sent_at", "state", "replied_at"],
        order="sent_at, id",
    )
    first = {}
    for message in messages:
        first.setdefault((message.step_id.id, message.partner_id.id), message)
    partner_ids = list({partner for _step, partner in first})
    since = min((m.sent_at for m in first.values()), default=None)
    promised_at, paid_on = defaultdict(list), defaultdict(list)
    if partner_ids:
        for promise in env["collection.promise"].search_fetch(
            [("partner_id", "in", partner_ids), ("create_date", ">=", since)],
            ["partner_id", "create_date"],
        ):
            promised_at[promise.partner_id.id].append(promise.create_date)
        for partial in env["account.partial.reconcile"].search_fetch(
            [
                ("debit_move_id.partner_id", "in", partner_ids),
                ("debit_move_id.account_id.account_type", "=", "asset_receivable"),
                ("credit_move_id.move_id.move_type", "!=", "out_refund"),
                ("max_date", ">=", since.date()),
            ],
            ["debit_move_id", "max_date"],
        ):
            paid_on[partial.debit_move_id.partner_id.id].append(partial.max_date)
    window = timedelta(days=AB_WINDOW_DAYS)
    result = defaultdict(list)
    for (step_id, partner_id), message in first.items():
        sent = message.sent_at
        result[env["collection.journey.step"].browse(step_id)].append(
            {
                "variant": message.variant_id.id,
                "replied": message.state == "replied" or bool(message.replied_at),
                "promised": any(
                    sent <= when <= sent + window for when in promised_at[partner_id]
                ),
                "paid": any(
                    sent.date() <= day <= (sent + window).date()
                    for day in paid_on[partner_id]
                ),
            }
        )
    return result
