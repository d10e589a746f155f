from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

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
#: The key of the fact records (and the field of the line) -> dimension.
KEY_DIMENSIONS = {key: dimension for dimension, key in DIMENSIONS.items()}
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
    """A company's KPIs for one period, aggregated in PostgreSQL.

    Each family of KPIs is one query: the month's facts (receivable lines
    and their partial reconciliations, messages and calls, promises, AI
    conversations) are joined with each customer's segment and journey
    (their debtor's) and team and collector (their latest case's), then
    summed with ``GROUPING SETS``, overall and per dimension at once. Only
    those sums come back to Python, where the ``engine.kpis`` definitions
    turn them into figures: the memory used does not grow with the ledger.
    ``tests/kpi_reference.py`` keeps the record-by-record computation these
    queries are checked against.
    """

    def __init__(self, env_model, company, date_from, date_to):
        self.env = env_model.env
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        self.start = datetime.combine(date_from, time.min)
        self.end = datetime.combine(date_to + timedelta(days=1), time.min)

    # -- SQL --------------------------------------------------------------

    def _context_joins(self, alias, cases=True):
        """Joins giving the rows of ``alias`` (which have a ``partner_id``)
        the customer's debtor ``ctx_d`` and, with ``cases``, their latest
        case ``ctx_c``."""
        joins = SQL(
            """
            LEFT JOIN collection_debtor ctx_d
                   ON ctx_d.partner_id = %(alias)s.partner_id
                  AND ctx_d.company_id = %(company)s
            """,
            alias=SQL.identifier(alias),
            company=self.company.id,
        )
        if not cases:
            return joins
        return SQL(
            """%(joins)s
            LEFT JOIN (
                SELECT DISTINCT ON (partner_id) partner_id, team_id, user_id
                  FROM collection_case
                 WHERE company_id = %(company)s
              ORDER BY partner_id, id DESC
            ) ctx_c ON ctx_c.partner_id = %(alias)s.partner_id
            """,
            joins=joins,
            alias=SQL.identifier(alias),
            company=self.company.id,
        )

    def _grouped(self, rows, measures, keys):
        """``measures`` (name -> SQL aggregate over ``r``) over the rows of
        the query ``rows``, overall and per value of each of ``keys``.

        :return: list of ``(key, value, figures)``: ``key`` None for the
            overall row, else the column grouped by, with its value (False
            for none); ``figures``: measure name -> value
        """
        self.env.cr.execute(
            SQL(
                "SELECT %s, %s, %s FROM (%s) AS r GROUP BY GROUPING SETS ((), %s)",
                SQL(", ").join(SQL("GROUPING(r.%s)", SQL.identifier(k)) for k in keys),
                SQL(", ").join(SQL("r.%s", SQL.identifier(k)) for k in keys),
                SQL(", ").join(measures.values()),
                rows,
                SQL(", ").join(SQL("(r.%s)", SQL.identifier(k)) for k in keys),
            )
        )
        result = []
        width = len(keys)
        for row in self.env.cr.fetchall():
            flags, values = row[:width], row[width : 2 * width]
            figures = dict(zip(measures, row[2 * width :], strict=True))
            grouped = [index for index, flag in enumerate(flags) if not flag]
            if grouped:
                result.append((keys[grouped[0]], values[grouped[0]] or False, figures))
            else:
                result.append((None, None, figures))
        return result

    @staticmethod
    def _line(kpi, key, key_value, value, sample, to_value=_as_rate):
        line = {
            "kpi": kpi,
            "dimension": KEY_DIMENSIONS[key] if key else "overall",
            "value": to_value(value),
            "sample_size": sample,
        }
        if key:
            line[key] = key_value
        return line

    # -- KPIs -------------------------------------------------------------

    def kpi_lines(self):
        self.env.flush_all()
        lines = []
        lines += self._contact_lines()
        lines += self._promise_lines()
        lines += self._money_lines()
        lines += self._ai_lines()
        lines += self._ab_lines()
        return lines

    def _contact_lines(self):
        """Contact rate (customers reached / targeted) over messages sent and
        calls logged; right-party and promise rates over the calls. A call
        is a right-party contact when its outcome is, or is one that was
        right-party on some call of the period, or is a promise."""
        rows = SQL(
            """
            WITH calls AS (
                SELECT k.partner_id, k.team_id, k.user_id,
                       COALESCE(k.right_party, FALSE) AS right_party, disp.code
                  FROM collection_case_call k
                  JOIN collection_disposition disp ON disp.id = k.disposition_id
                 WHERE k.company_id = %(company)s
                   AND k.call_date >= %(start)s AND k.call_date < %(end)s
            )
            SELECT m.partner_id, m.channel, m.state = ANY(%(reached)s) AS reached,
                   m.journey_id, m.variant_id, ctx_d.segment_id,
                   ctx_c.team_id, ctx_c.user_id,
                   FALSE AS is_call, FALSE AS right_party, FALSE AS promise
              FROM collection_message m
              %(message_context)s
             WHERE m.company_id = %(company)s
               AND m.kind = ANY(%(kinds)s)
               AND m.state = ANY(%(states)s)
               AND m.sent_at >= %(start)s AND m.sent_at < %(end)s
            UNION ALL
            SELECT k.partner_id, %(collector)s, k.right_party,
                   ctx_d.journey_id, NULL, ctx_d.segment_id, k.team_id, k.user_id,
                   TRUE,
                   k.code = %(promise)s
                       OR k.code IN (SELECT code FROM calls WHERE right_party),
                   k.code = %(promise)s
              FROM calls k
              %(call_context)s
            """,
            company=self.company.id,
            start=self.start,
            end=self.end,
            reached=sorted(kpis.REACHED_STATES),
            kinds=["journey", "promise_reminder", "payment_link"],
            states=[*CONTACTED_STATES, "failed"],
            collector=COLLECTOR_CALL,
            promise=kpis.PROMISE,
            message_context=self._context_joins("m"),
            call_context=self._context_joins("k", cases=False),
        )
        groups = self._grouped(
            rows,
            {
                "targeted": SQL("COUNT(DISTINCT r.partner_id)"),
                "reached": SQL("COUNT(DISTINCT r.partner_id) FILTER (WHERE r.reached)"),
                "calls": SQL("COUNT(*) FILTER (WHERE r.is_call)"),
                "right_party": SQL("COUNT(*) FILTER (WHERE r.right_party)"),
                "promises": SQL("COUNT(*) FILTER (WHERE r.promise)"),
            },
            ["channel", "journey_id", "variant_id", "segment_id", "team_id", "user_id"],
        )
        lines = []
        for key, key_value, figures in groups:
            if figures["targeted"]:
                lines.append(
                    self._line(
                        "contact_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["reached"], figures["targeted"]),
                        figures["targeted"],
                    )
                )
            if key not in (None, "segment_id", "team_id", "user_id"):
                continue
            if figures["calls"]:
                lines.append(
                    self._line(
                        "right_party_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["right_party"], figures["calls"]),
                        figures["calls"],
                    )
                )
            if figures["right_party"]:
                lines.append(
                    self._line(
                        "promise_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["promises"], figures["right_party"]),
                        figures["right_party"],
                    )
                )
        return lines

    def _promise_lines(self):
        """Promises kept in full by their date / promises that fell due in the
        period (cancelled ones left out); settlement marks a promise kept
        when paid by its date."""
        as_of = min(self.date_to, fields.Date.context_today(self.env["res.partner"]))
        rows = SQL(
            """
            SELECT ctx_d.journey_id, ctx_d.segment_id, ctx_c.team_id, ctx_c.user_id,
                   CASE WHEN p.state = 'kept' THEN p.amount
                        ELSE COALESCE(p.amount_paid, 0)
                   END >= p.amount - %(tolerance)s AS kept
              FROM collection_promise p
              %(context)s
             WHERE p.company_id = %(company)s
               AND p.promise_date >= %(date_from)s
               AND p.promise_date <= %(as_of)s
               AND p.state IS DISTINCT FROM 'cancelled'
            """,
            company=self.company.id,
            date_from=self.date_from,
            as_of=as_of,
            tolerance=kpis.KEPT_TOLERANCE,
            context=self._context_joins("p"),
        )
        groups = self._grouped(
            rows,
            {
                "fell_due": SQL("COUNT(*)"),
                "kept": SQL("COUNT(*) FILTER (WHERE r.kept)"),
            },
            ["journey_id", "segment_id", "team_id", "user_id"],
        )
        return [
            self._line(
                "promise_kept_rate",
                key,
                key_value,
                kpis.ratio(figures["kept"], figures["fell_due"]),
                figures["fell_due"],
            )
            for key, key_value, figures in groups
            if figures["fell_due"]
        ]

    def _money_lines(self):
        """Recovery rate, amount collected, roll rates, DSO, best DSO, average
        days delinquent and CEI from the ledger, in one query.

        Each receivable line posted by the period's end gets what its partial
        reconciliations had paid on it before the period, by its end and
        during it (credit notes are not cash): its residual on the first day
        and on the last, and what was collected. A line's bucket on a day is
        the one covering the days from its due date to that day, while its
        residual is over 0.005.
        """
        buckets = self.env["collection.bucket"]._for_company(self.company)
        engine_buckets = sorted(buckets._to_engine(), key=lambda b: b.min_days)
        bucket_ids = {bucket.code: bucket.id for bucket in buckets}
        last_bucket = bucket_ids[engine_buckets[-1].code] if engine_buckets else None
        rows = SQL(
            """
            WITH buckets AS (
                SELECT *
                  FROM UNNEST(%(bucket_ids)s::int[], %(min_days)s::int[],
                              %(max_days)s::int[]) AS b(id, min_days, max_days)
            ),
            lines AS (
                SELECT aml.id, aml.partner_id, aml.balance, aml.date,
                       COALESCE(aml.date_maturity, aml.date) AS due, am.move_type
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.company_id = %(company)s
                   AND acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(date_to)s
            ),
            paid AS (
                SELECT apr.debit_move_id AS id,
                       SUM(apr.amount) FILTER (WHERE apr.max_date < %(date_from)s)
                           AS before,
                       SUM(apr.amount) AS by_end,
                       SUM(apr.amount) FILTER (
                           WHERE apr.max_date >= %(date_from)s
                             AND cm.move_type IS DISTINCT FROM 'out_refund'
                       ) AS collected
                  FROM account_partial_reconcile apr
                  JOIN account_move_line cl ON cl.id = apr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                 WHERE apr.max_date <= %(date_to)s
                   AND apr.debit_move_id IN (SELECT id FROM lines WHERE balance > 0)
              GROUP BY apr.debit_move_id
            ),
            fig AS (
                SELECT l.*,
                       l.balance - COALESCE(p.before, 0) AS residual_start,
                       l.balance - COALESCE(p.by_end, 0) AS residual_end,
                       COALESCE(p.collected, 0) AS collected
                  FROM lines l
                  LEFT JOIN paid p ON p.id = l.id
            ),
            per_partner AS (
                SELECT SUM(balance) FILTER (WHERE date < %(date_from)s) AS opening,
                       SUM(balance) AS closing,
                       SUM(balance) FILTER (
                           WHERE date >= %(date_from)s AND move_type = ANY(%(sales)s)
                       ) AS sales,
                       -- current: not yet due at the end, left unpaid
                       SUM(GREATEST(residual_end, 0)) FILTER (
                           WHERE balance > 0 AND due >= %(date_to)s
                       ) AS current
                  FROM fig
              GROUP BY partner_id
            ),
            totals AS (
                -- a customer's unapplied credits settle their oldest items
                -- first: what is left of their balance is current only up to
                -- their items not yet due
                SELECT COALESCE(SUM(opening), 0) AS opening,
                       COALESCE(SUM(closing), 0) AS closing,
                       COALESCE(SUM(sales), 0) AS sales,
                       COALESCE(
                           SUM(LEAST(COALESCE(current, 0), GREATEST(closing, 0))), 0
                       ) AS closing_current
                  FROM per_partner
            )
            SELECT f.collected, f.residual_start,
                   CASE WHEN f.date < %(date_from)s AND f.due < %(date_from)s
                        THEN f.residual_start ELSE 0
                   END AS overdue_start,
                   bs.id AS bucket_id, bs.min_days AS start_rank,
                   be.min_days AS end_rank,
                   ctx_d.journey_id, ctx_d.segment_id, ctx_c.team_id, ctx_c.user_id,
                   t.opening, t.closing, t.sales, t.closing_current
              FROM totals t
              LEFT JOIN fig f ON f.balance > 0 AND f.partner_id IS NOT NULL
              LEFT JOIN buckets bs
                     ON f.date < %(date_from)s AND f.residual_start > %(zero)s
                    AND %(date_from)s - f.due
                        BETWEEN bs.min_days AND COALESCE(bs.max_days, %(never)s)
              LEFT JOIN buckets be
                     ON f.residual_end > %(zero)s
                    AND %(next_day)s - f.due
                        BETWEEN be.min_days AND COALESCE(be.max_days, %(never)s)
              %(context)s
            """,
            bucket_ids=[bucket_ids[b.code] for b in engine_buckets],
            min_days=[b.min_days for b in engine_buckets],
            max_days=[b.max_days for b in engine_buckets],
            company=self.company.id,
            date_from=self.date_from,
            date_to=self.date_to,
            next_day=self.date_to + timedelta(days=1),
            sales=list(kpis.CREDIT_SALES),
            zero=kpis.PAID_UP,
            never=2**31 - 1,
            context=self._context_joins("f"),
        )
        overdue = SQL("r.overdue_start > 0")
        in_bucket = SQL("r.start_rank IS NOT NULL")
        groups = self._grouped(
            rows,
            {
                "overdue_n": SQL("COUNT(*) FILTER (WHERE %s)", overdue),
                "overdue": SQL("SUM(r.overdue_start) FILTER (WHERE %s)", overdue),
                "recovered": SQL(
                    "SUM(LEAST(GREATEST(r.collected, 0), r.overdue_start)) "
                    "FILTER (WHERE %s)",
                    overdue,
                ),
                "collected_n": SQL("COUNT(*) FILTER (WHERE r.collected <> 0)"),
                "collected": SQL("SUM(r.collected) FILTER (WHERE r.collected <> 0)"),
                "roll_n": SQL("COUNT(*) FILTER (WHERE %s)", in_bucket),
                "roll_amount": SQL(
                    "SUM(r.residual_start) FILTER (WHERE %s)", in_bucket
                ),
                "rolled": SQL(
                    "SUM(r.residual_start) FILTER (WHERE r.end_rank > r.start_rank)"
                ),
                "opening": SQL("MIN(r.opening)"),
                "closing": SQL("MIN(r.closing)"),
                "sales": SQL("MIN(r.sales)"),
                "closing_current": SQL("MIN(r.closing_current)"),
            },
            ["journey_id", "segment_id", "team_id", "user_id", "bucket_id"],
        )
        lines = []
        for key, key_value, figures in groups:
            if figures["overdue_n"]:
                lines.append(
                    self._line(
                        "recovery_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["recovered"], figures["overdue"]),
                        figures["overdue_n"],
                    )
                )
            if figures["collected_n"] and key != "bucket_id":
                lines.append(
                    self._line(
                        "amount_collected",
                        key,
                        key_value,
                        figures["collected"],
                        figures["collected_n"],
                        to_value=float,
                    )
                )
            if (
                key == "bucket_id"
                and key_value
                and key_value != last_bucket
                and figures["roll_n"]
            ):
                rate = kpis.ratio(figures["rolled"] or 0, figures["roll_amount"])
                if rate is not None:
                    lines.append(
                        self._line("roll_rate", key, key_value, rate, figures["roll_n"])
                    )
            if key is None:
                lines += self._receivable_lines(figures)
        return lines

    def _receivable_lines(self, totals):
        """DSO, best DSO, average days delinquent and CEI, company-wide."""
        opening, closing = totals["opening"], totals["closing"]
        sales, closing_current = totals["sales"], totals["closing_current"]
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
        """AI containment and escalation rates over the conversations the
        period started."""
        rows = SQL(
            """
            SELECT cv.channel, cv.escalation_reason, ctx_d.segment_id
              FROM collection_conversation cv
              %(context)s
             WHERE cv.company_id = %(company)s
               AND cv.create_date >= %(start)s AND cv.create_date < %(end)s
            """,
            company=self.company.id,
            start=self.start,
            end=self.end,
            context=self._context_joins("cv", cases=False),
        )
        groups = self._grouped(
            rows,
            {
                "all": SQL("COUNT(*)"),
                "escalated": SQL(
                    "COUNT(*) FILTER (WHERE r.escalation_reason IS NOT NULL)"
                ),
            },
            ["channel", "segment_id", "escalation_reason"],
        )
        total = next(figures["all"] for key, _v, figures in groups if key is None)
        lines = []
        for key, key_value, figures in groups:
            if not figures["all"]:
                continue
            contained = figures["all"] - figures["escalated"]
            if key in (None, "channel", "segment_id"):
                lines.append(
                    self._line(
                        "containment_rate",
                        key,
                        key_value,
                        kpis.ratio(contained, figures["all"]),
                        figures["all"],
                    )
                )
            if key in (None, "channel"):
                lines.append(
                    self._line(
                        "escalation_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["escalated"], figures["all"]),
                        figures["all"],
                    )
                )
            if key == "escalation_reason" and key_value:
                lines.append(
                    self._line(
                        "escalation_rate",
                        key,
                        key_value,
                        kpis.ratio(figures["all"], total),
                        total,
                    )
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
