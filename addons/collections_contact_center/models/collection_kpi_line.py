from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date, formatLang

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
    ("aging_amount", "Receivables by age"),
]
AMOUNT_KPIS = ("amount_collected", "aging_amount")
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
#: Months of history the dashboard shows and the cron fills when missing.
HISTORY_MONTHS = 12
#: Company-months the cron computes per batch; Odoo runs the next batches
#: at once, committing in between (``ir.cron._notify_progress``).
CRON_BATCH = 3
#: Lines written less than this long ago are fresh: the cron's later
#: batches do not compute the recent months again.
FRESH = timedelta(hours=1)
#: KPIs that improve when they fall.
LOWER_IS_BETTER = frozenset(
    {"dso", "best_dso", "average_days_delinquent", "roll_rate", "escalation_rate"}
)
#: The dashboard's trends, in order: KPI, the KPI drawn with it (same unit).
DASHBOARD_KPIS = [
    ("amount_collected", None),
    ("recovery_rate", None),
    ("dso", "best_dso"),
    ("cei", None),
    ("contact_rate", None),
    ("right_party_rate", None),
    ("promise_rate", None),
    ("promise_kept_rate", None),
    ("average_days_delinquent", None),
    ("containment_rate", None),
]


class _NoFigure:
    """A number field that stores "no figure" (False) as NULL, not 0: a
    line's value in another unit is then left out of the pivot's sums and
    averages instead of counting as zero."""

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        return super().convert_to_cache(value, record, validate)

    def convert_to_column(self, value, record, values=None, validate=True):
        if value is None or value is False:
            return None
        return super().convert_to_column(value, record, values, validate)

    def convert_to_column_insert(self, value, record, values=None, validate=True):
        if value is None or value is False:
            return None
        return super().convert_to_column_insert(value, record, values, validate)

    def convert_to_column_update(self, value, record):
        if value is None or value is False:
            return None
        return super().convert_to_column_update(value, record)


class _FloatOrNone(_NoFigure, fields.Float):
    pass


class _MonetaryOrNone(_NoFigure, fields.Monetary):
    pass


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
        aggregator=None,
        help="Rates in %, DSO figures in days, amounts in the company currency. "
        "Not a measure: a total would add money, days and rates; the pivot and "
        "graph use the value of each unit instead.",
    )
    value_amount = _MonetaryOrNone(
        "Amount",
        compute="_compute_unit_values",
        store=True,
        aggregator="sum",
        help="The value of money KPIs, in the company currency.",
    )
    value_days = _FloatOrNone(
        "Days",
        digits=(16, 1),
        compute="_compute_unit_values",
        store=True,
        aggregator="avg",
        help="The value of DSO figures, in days.",
    )
    value_rate = _FloatOrNone(
        "Rate (%)",
        digits=(16, 1),
        compute="_compute_unit_values",
        store=True,
        aggregator="avg",
        help="The value of rates, in %.",
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

    @api.depends("kpi", "value")
    def _compute_unit_values(self):
        for line in self:
            unit = (
                "amount"
                if line.kpi in AMOUNT_KPIS
                else "days"
                if line.kpi in DAY_KPIS
                else "rate"
            )
            line.value_amount = line.value if unit == "amount" else False
            line.value_days = line.value if unit == "days" else False
            line.value_rate = line.value if unit == "rate" else False

    # -- computing --------------------------------------------------------

    @api.model
    def _cron_compute(self):
        """Recompute the last :data:`CRON_MONTHS` months of every company and
        fill the months of the last :data:`HISTORY_MONTHS` that have no
        KPIs yet, :data:`CRON_BATCH` company-months at a time: Odoo runs the
        next batch at once while some remain, committing in between."""
        todo = self._months_to_compute()
        for company, month in todo[:CRON_BATCH]:
            self._compute_period(month, company)
        self.env["ir.cron"]._notify_progress(
            done=min(len(todo), CRON_BATCH), remaining=max(len(todo) - CRON_BATCH, 0)
        )

    @api.model
    def _months_to_compute(self):
        """``(company, month)`` pairs the cron should compute, most urgent
        first: the recent months not computed within :data:`FRESH`, then the
        missing months of the history, newest first; none before the
        company's first journal item (every month computed since has lines:
        at least its aging)."""
        today = fields.Date.context_today(self)
        months = kpis.last_months(today, HISTORY_MONTHS)
        recent = months[-CRON_MONTHS:]
        companies = self.env["res.company"].sudo().search([])
        computed = {
            (company.id, month): written
            for company, month, written in self.sudo()._read_group(
                [("company_id", "in", companies.ids), ("date_from", ">=", months[0])],
                ["company_id", "date_from:day"],
                ["create_date:max"],
            )
        }
        stale = fields.Datetime.now() - FRESH
        todo, missing = [], []
        for company in companies:
            start = self._ledger_start(company)
            if not start:
                continue  # no journal item: nothing to collect yet
            for month in reversed(months):
                if month < start.replace(day=1):
                    continue
                written = computed.get((company.id, month))
                if month in recent and (not written or written < stale):
                    todo.append((company, month))
                elif month not in recent and not written:
                    missing.append((company, month))
        return todo + missing

    @api.model
    def _ledger_start(self, company):
        """The date of the company's first posted journal item (None
        without one): months before it have no KPIs to fill."""
        self.env.cr.execute(
            SQL(
                "SELECT MIN(date) FROM account_move_line "
                "WHERE company_id = %s AND parent_state = 'posted'",
                company.id,
            )
        )
        return self.env.cr.fetchone()[0]

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise AccessError(self.env._("Only collection managers compute KPIs."))

    def action_recompute(self):
        """Recompute this month and the last two (menu and list button), for
        the companies the collection manager works in now."""
        self._check_manager()
        first = fields.Date.context_today(self).replace(day=1)
        for months_back in range(CRON_MONTHS):
            self._compute_period(
                first - relativedelta(months=months_back), self.env.companies
            )
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_recompute_history(self):
        """Recompute the last :data:`HISTORY_MONTHS` months (dashboard and
        list button) for the companies the collection manager works in now."""
        self._check_manager()
        for month in kpis.last_months(fields.Date.context_today(self), HISTORY_MONTHS):
            self._compute_period(month, self.env.companies)
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

    # -- dashboard --------------------------------------------------------

    @api.model
    def get_dashboard_data(self, team_id=False, user_id=False):
        """Everything the collections dashboard shows, for the current
        company: each KPI over the last :data:`HISTORY_MONTHS` months in its
        own unit, this month against the last in words, the aging per
        bucket today and at the end of last month, and the A/B verdicts.

        :param team_id: only the figures of this team's customers
        :param user_id: only the figures of this collector's customers
            (wins over ``team_id``)
        :return: a JSON-able dict (months as "November 2026")
        """
        self.check_access("read")
        try:
            team_id, user_id = int(team_id or 0), int(user_id or 0)
        except (TypeError, ValueError) as error:
            raise UserError(
                self.env._("Choose a team or a collector from the lists.")
            ) from error
        company = self.env.company
        today = fields.Date.context_today(self)
        months = kpis.last_months(today, HISTORY_MONTHS)
        scope = [("dimension", "=", "overall")]
        scope_name = self.env._("All teams")
        # a team or collector of this company only, as the lists offer them
        if user_id:
            user = self.env["res.users"].search(
                [("id", "=", user_id), ("company_ids", "in", company.id)]
            )
            if not user:
                raise UserError(
                    self.env._("Choose a team or a collector from the lists.")
                )
            scope = [("dimension", "=", "collector"), ("user_id", "=", user.id)]
            scope_name = user.name
        elif team_id:
            team = self.env["collection.team"].search(
                [("id", "=", team_id), ("company_id", "=", company.id)]
            )
            if not team:
                raise UserError(
                    self.env._("Choose a team or a collector from the lists.")
                )
            scope = [("dimension", "=", "team"), ("team_id", "=", team.id)]
            scope_name = team.name
        lines = self.search_fetch(
            [
                ("company_id", "=", company.id),
                ("date_from", ">=", months[0]),
                ("kpi", "in", [kpi for pair in DASHBOARD_KPIS for kpi in pair if kpi]),
                *scope,
            ],
            ["date_from", "date_to", "kpi", "value", "sample_size"],
        )
        values = {(line.kpi, line.date_from): line for line in lines}
        per_scope = self._kpis_per_dimension()
        labels = dict(self._fields["kpi"]._description_selection(self.env))
        this_month, last_month = months[-1], months[-2]
        trends = []
        for kpi, companion in DASHBOARD_KPIS:
            unit = self._unit_of(kpi)
            series = [values.get((kpi, month)) for month in months]
            current, previous = series[-1], series[-2]
            delta, direction, judgement = kpis.month_change(
                current and current.value,
                previous and previous.value,
                higher_is_better=kpi not in LOWER_IS_BETTER,
            )
            trend = {
                "kpi": kpi,
                "name": labels[kpi],
                "unit": unit,
                "available": scope[0][2] == "overall"
                or scope[0][2] in per_scope.get(kpi, ()),
                "values": [line and line.value for line in series],
                "value_text": self._format_value(current and current.value, unit),
                "previous_text": self._format_value(previous and previous.value, unit),
                "sample_size": current and current.sample_size or 0,
                "direction": direction,
                "judgement": judgement,
                "change_text": self._change_words(
                    delta, direction, judgement, unit, previous, last_month
                ),
                "companion": False,
            }
            if companion:
                trend["companion"] = {
                    "name": labels[companion],
                    "values": [
                        (line := values.get((companion, month))) and line.value
                        for month in months
                    ],
                    "value_text": self._format_value(
                        (line := values.get((companion, this_month))) and line.value,
                        unit,
                    ),
                }
            trends.append(trend)
        return {
            "company": company.name,
            "currency": company.currency_id.name,
            "currency_id": company.currency_id.id,
            "scope_name": scope_name,
            "team_id": not user_id and team_id or False,
            "user_id": user_id or False,
            "months": [
                {
                    "date": fields.Date.to_string(month),
                    "label": format_date(self.env, month, date_format="MMMM y"),
                    "short": format_date(self.env, month, date_format="MMM y"),
                }
                for month in months
            ],
            "this_month": format_date(self.env, this_month, date_format="MMMM y"),
            "last_month": format_date(self.env, last_month, date_format="MMMM y"),
            "months_computed": len(
                self._read_group(
                    [("company_id", "=", company.id), ("date_from", ">=", months[0])],
                    ["date_from:day"],
                )
            ),
            "trends": trends,
            "aging": self._dashboard_aging(company, this_month, last_month),
            "teams": self._dashboard_choices("team_id"),
            "collectors": self._dashboard_choices("user_id"),
            "ab_tests": self._dashboard_ab_tests(company),
        }

    @api.model
    def _unit_of(self, kpi):
        if kpi in AMOUNT_KPIS:
            return "amount"
        return "days" if kpi in DAY_KPIS else "rate"

    @api.model
    def _kpis_per_dimension(self):
        """KPI -> the dimensions it is computed for (see ``_Facts``)."""
        people = ("team", "collector")
        return {
            "amount_collected": people,
            "recovery_rate": people,
            "contact_rate": people,
            "right_party_rate": people,
            "promise_rate": people,
            "promise_kept_rate": people,
        }

    @api.model
    def _format_value(self, value, unit, signed=False):
        """A figure in words of its unit: "$1,200.00", "41.5 days", "38.2 %"."""
        if value is None or value is False:
            return self.env._("No data")
        sign = ("+" if value > 0 else "-" if value < 0 else "") if signed else ""
        shown = abs(value) if signed else value
        if unit == "amount":
            return sign + format_amount(self.env, shown, self.env.company.currency_id)
        number = sign + formatLang(self.env, shown, digits=1)
        if unit == "days":
            return self.env._("%(days)s days", days=number)
        if signed:
            return self.env._("%(points)s points", points=number)
        return f"{number} %"

    @api.model
    def _change_words(self, delta, direction, judgement, unit, previous, last_month):
        """This month against the last in words, with an arrow."""
        month = format_date(self.env, last_month, date_format="MMMM y")
        if delta is None:
            return self.env._("Nothing to compare with in %(month)s.", month=month)
        arrow = {kpis.UP: "▲", kpis.DOWN: "▼", kpis.FLAT: "="}[direction]
        words = {
            kpis.BETTER: self.env._("better"),
            kpis.WORSE: self.env._("worse"),
            kpis.SAME: self.env._("steady"),
        }[judgement]
        change = self._format_value(float(delta), unit, signed=True)
        if unit == "amount" and previous.value:
            change = self.env._(
                "%(change)s (%(percent)s %%)",
                change=change,
                percent=formatLang(
                    self.env, float(delta) / abs(previous.value) * 100, digits=0
                ),
            )
        return self.env._(
            "%(arrow)s %(change)s against %(month)s: %(words)s",
            arrow=arrow,
            change=change,
            month=month,
            words=words,
        )

    @api.model
    def _dashboard_aging(self, company, this_month, last_month):
        """Receivables per bucket at the end of this month so far and of
        the last one, in the company currency."""
        lines = self.search_fetch(
            [
                ("company_id", "=", company.id),
                ("kpi", "=", "aging_amount"),
                ("date_from", "in", [this_month, last_month]),
            ],
            ["date_from", "date_to", "bucket_id", "value"],
        )
        buckets = self.env["collection.bucket"]._for_company(company).sorted("min_days")
        columns = [(False, self.env._("Not due yet"))] + [
            (bucket.id, bucket.name) for bucket in buckets
        ]
        amounts = {(line.date_from, line.bucket_id.id): line.value for line in lines}
        as_of = {line.date_from: line.date_to for line in lines}

        def side(month):
            figures = [amounts.get((month, bucket), 0.0) for bucket, _name in columns]
            return {
                "label": self.env._(
                    "On %(date)s",
                    date=format_date(self.env, as_of[month], date_format="MMMM d, y"),
                )
                if month in as_of
                else format_date(self.env, month, date_format="MMMM y"),
                "amounts": figures,
                "total_text": self._format_value(sum(figures), "amount"),
                "computed": month in as_of,
            }

        return {
            "buckets": [name for _bucket, name in columns],
            "today": side(this_month),
            "month_ago": side(last_month),
        }

    @api.model
    def _dashboard_choices(self, field_name):
        """The teams or collectors that have figures in the history."""
        months = kpis.last_months(fields.Date.context_today(self), HISTORY_MONTHS)
        groups = self._read_group(
            [
                ("company_id", "=", self.env.company.id),
                ("date_from", ">=", months[0]),
                (field_name, "!=", False),
            ],
            [field_name],
        )
        return sorted(
            ({"id": record.id, "name": record.display_name} for (record,) in groups),
            key=lambda choice: choice["name"],
        )

    @api.model
    def _dashboard_ab_tests(self, company):
        """The journey steps under A/B test and their verdict, in words."""
        steps = (
            self.env["collection.journey.step"]
            .search([("company_id", "in", (False, company.id))])
            .filtered(lambda step: len(step.variant_ids) > 1)
        )
        return [
            {
                "id": step.id,
                "name": step.display_name,
                "journey": step.journey_id.display_name,
                "verdict": step.ab_verdict,
                "winner": step.ab_winner_id.display_name or False,
            }
            for step in steps
        ]

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
                for line in facts.kpi_lines() + facts.aging_lines()
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

        The aging is what customers owe: each customer's credits still
        unapplied at the period's end (credit notes, payments, other credit
        items not reconciled by then) settle their open items oldest due
        first, as ``collection.refresh`` does, and only what they leave
        uncovered is aged.
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
            -- what was applied on each credit item by the period's end
            applied AS (
                SELECT apr.credit_move_id AS id, SUM(apr.amount) AS by_end
                  FROM account_partial_reconcile apr
                 WHERE apr.max_date <= %(date_to)s
                   AND apr.credit_move_id IN (SELECT id FROM lines WHERE balance < 0)
              GROUP BY apr.credit_move_id
            ),
            -- each customer's credits left unapplied at the period's end
            credits AS (
                SELECT l.partner_id,
                       SUM(LEAST(l.balance + COALESCE(a.by_end, 0), 0)) AS credit
                  FROM lines l
                  LEFT JOIN applied a ON a.id = l.id
                 WHERE l.balance < 0 AND l.partner_id IS NOT NULL
              GROUP BY l.partner_id
            ),
            -- settle the customer's open items oldest due first, as an aging
            -- does (collection.refresh): what they leave of each item is owed
            settled AS (
                SELECT f.id,
                       LEAST(f.residual_end, GREATEST(
                           SUM(f.residual_end) OVER (
                               PARTITION BY f.partner_id
                               ORDER BY f.due, f.id
                               ROWS UNBOUNDED PRECEDING)
                           + c.credit, 0)) AS owed
                  FROM credits c
                  JOIN fig f ON f.partner_id = c.partner_id
                 WHERE c.credit < 0 AND f.balance > 0 AND f.residual_end > %(zero)s
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
                   be.min_days AS end_rank, be.id AS end_bucket_id,
                   f.residual_end, COALESCE(s.owed, f.residual_end) AS owed,
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
              LEFT JOIN settled s ON s.id = f.id
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
        zero = kpis.PAID_UP
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
                # the aging: what the customers' unapplied credits leave
                "open_n": SQL("COUNT(*) FILTER (WHERE r.owed > %s)", zero),
                "open": SQL("SUM(r.owed) FILTER (WHERE r.owed > %s)", zero),
            },
            [
                "journey_id",
                "segment_id",
                "team_id",
                "user_id",
                "bucket_id",
                "end_bucket_id",
            ],
        )
        lines = []
        self._aging = []
        for key, key_value, figures in groups:
            if key == "end_bucket_id":
                if figures["open_n"]:
                    self._aging.append(
                        {
                            "kpi": "aging_amount",
                            "dimension": "bucket",
                            "bucket_id": key_value,
                            "value": float(figures["open"]),
                            "sample_size": figures["open_n"],
                        }
                    )
                continue
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

    def aging_lines(self):
        """What customers owe at the period's end per bucket of days overdue
        (``bucket_id`` empty: not yet in a bucket, i.e. due later), in the
        company currency: the aging chart. :meth:`kpi_lines` computes them
        with the money KPIs."""
        if not hasattr(self, "_aging"):
            self._money_lines()
        # nothing open: nothing owed, said with one line (which also tells
        # the cron this month was computed)
        return self._aging or [
            {
                "kpi": "aging_amount",
                "dimension": "bucket",
                "bucket_id": False,
                "value": 0.0,
                "sample_size": 0,
            }
        ]

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
        # payments are read as the system: a collections manager need not
        # be an accountant to read an A/B verdict; the steps' company bounds
        # them
        for partial in (
            env["account.partial.reconcile"]
            .sudo()
            .search_fetch(
                [
                    ("company_id", "in", steps.company_id.ids),
                    ("debit_move_id.partner_id", "in", partner_ids),
                    ("debit_move_id.account_id.account_type", "=", "asset_receivable"),
                    ("credit_move_id.move_id.move_type", "!=", "out_refund"),
                    ("max_date", ">=", since.date()),
                ],
                ["debit_move_id", "max_date"],
            )
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
