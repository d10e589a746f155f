from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import buckets as bucket_engine
from ..engine import segments as segment_engine
from .collection_message import CONTACTED_STATES


class CollectionDebtor(models.Model):
    """A customer in collection for one company: its figures, segment and score.

    One row per commercial partner and company, kept by the daily refresh
    (:meth:`_refresh`): figures come from the open receivable lines in one
    set-based statement that writes only the rows that changed; segment, score
    and priority come from the pure engine and are written back in bulk.
    """

    _name = "collection.debtor"
    _description = "Customer in Collection"
    _order = "priority desc, total_overdue desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    country_id = fields.Many2one(related="partner_id.country_id", store=True)
    company_type = fields.Selection(related="partner_id.company_type", store=True)
    total_due = fields.Monetary(help="All open receivables, credits deducted.")
    total_overdue = fields.Monetary(help="Open receivables past their due date.")
    oldest_due_date = fields.Date(help="Due date of the oldest unpaid installment.")
    days_overdue = fields.Integer(compute="_compute_days_overdue")
    worst_bucket_id = fields.Many2one("collection.bucket", index=True)
    open_invoice_count = fields.Integer("Open Invoices")
    score = fields.Integer(
        aggregator="avg",
        help="Payment behaviour, 0-100: on-time payments, lateness, promises "
        "kept and replies. 50 for a customer without history.",
    )
    priority = fields.Monetary(
        help="Overdue amount at risk: the overdue amount weighted by a low score."
    )
    segment_id = fields.Many2one("collection.segment", index=True)
    journey_id = fields.Many2one("collection.journey", index=True)
    broken_promise_date = fields.Date(
        help="Date of the last broken promise: journeys restart from it."
    )
    reply_pending = fields.Boolean(
        help="The customer replied and nobody handled it yet: the journey waits."
    )
    last_reply_at = fields.Datetime("Last Reply")
    message_ids = fields.One2many("collection.message", "debtor_id", "Messages")

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer is in collection once per company.",
        ),
    ]

    promise_ids = fields.One2many(
        related="partner_id.collection_promise_ids", string="Promises"
    )

    def action_mark_reply_handled(self):
        """The reply was dealt with: the journey goes on."""
        self.write({"reply_pending": False})
        for debtor in self:
            debtor.partner_id._message_log(
                body=self.env._("Collections: the customer's reply was handled.")
            )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    @api.depends("oldest_due_date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for debtor in self:
            due = debtor.oldest_due_date
            debtor.days_overdue = bucket_engine.days_overdue(due, today) if due else 0

    # === Refresh === #
    @api.model
    def _refresh(self, today=None, company_ids=None):
        """Bring every invoice and customer figure to ``today``, set-based.

        :return: dict of counts written (invoices, debtors)
        """
        # a system process: every user's action (a payment, a bucket change)
        # may trigger it, and it must see every segment and record
        self = self.sudo()
        today = today or fields.Date.context_today(self)
        invoices = self.env["account.move"]._collection_refresh_invoices(
            today, company_ids
        )
        debtors = self._refresh_figures(today, company_ids)
        scored = self._refresh_scores(today, company_ids)
        return {"invoices": invoices, "debtors": debtors, "scored": scored}

    @api.model
    def _refresh_figures(self, today, company_ids=None):
        """Upsert each customer's figures from the open receivable lines.

        Rows whose figures did not change are not written; customers with
        nothing open any more are zeroed.
        """
        self.env.flush_all()
        company_filter = (
            SQL("AND aml.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        debtor_filter = (
            SQL("AND d.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            WITH company_buckets AS (%(buckets)s),
            totals AS (
                SELECT aml.partner_id,
                       aml.company_id,
                       SUM(aml.amount_residual) AS total_due,
                       COALESCE(SUM(aml.amount_residual)
                           FILTER (WHERE aml.date_maturity < %(today)s), 0)
                           AS total_overdue,
                       MIN(aml.date_maturity)
                           FILTER (WHERE aml.amount_residual > 0) AS oldest_due_date,
                       COUNT(DISTINCT aml.move_id)
                           FILTER (WHERE aml.amount_residual > 0
                                   AND aml.display_type = 'payment_term')
                           AS open_invoice_count
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.partner_id IS NOT NULL
                   %(company_filter)s
              GROUP BY aml.partner_id, aml.company_id
            ),
            figures AS (
                SELECT t.*, cb.bucket_id AS worst_bucket_id,
                       p.country_id,
                       CASE WHEN p.is_company THEN 'company' ELSE 'person' END
                           AS company_type
                  FROM totals t
                  JOIN res_partner p ON p.id = t.partner_id
             LEFT JOIN company_buckets cb
                    ON cb.company_id = t.company_id
                   AND %(today)s - t.oldest_due_date >= cb.min_days
                   AND (cb.max_days IS NULL
                        OR %(today)s - t.oldest_due_date <= cb.max_days)
            ),
            upserted AS (
                INSERT INTO collection_debtor AS d
                       (partner_id, company_id, country_id, company_type,
                        total_due, total_overdue, oldest_due_date,
                        worst_bucket_id, open_invoice_count,
                        create_uid, write_uid, create_date, write_date)
                SELECT partner_id, company_id, country_id, company_type,
                       total_due, total_overdue, oldest_due_date,
                       worst_bucket_id, open_invoice_count,
                       %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       NOW() AT TIME ZONE 'UTC'
                  FROM figures
           ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET total_due = EXCLUDED.total_due,
                       total_overdue = EXCLUDED.total_overdue,
                       oldest_due_date = EXCLUDED.oldest_due_date,
                       worst_bucket_id = EXCLUDED.worst_bucket_id,
                       open_invoice_count = EXCLUDED.open_invoice_count,
                       write_date = EXCLUDED.write_date
                 WHERE (d.total_due, d.total_overdue, d.oldest_due_date,
                        d.worst_bucket_id, d.open_invoice_count)
                       IS DISTINCT FROM
                       (EXCLUDED.total_due, EXCLUDED.total_overdue,
                        EXCLUDED.oldest_due_date, EXCLUDED.worst_bucket_id,
                        EXCLUDED.open_invoice_count)
             RETURNING d.id
            ),
            zeroed AS (
                UPDATE collection_debtor d
                   SET total_due = 0, total_overdue = 0, oldest_due_date = NULL,
                       worst_bucket_id = NULL, open_invoice_count = 0,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE (d.total_due <> 0 OR d.oldest_due_date IS NOT NULL)
                   %(debtor_filter)s
                   AND NOT EXISTS (
                       SELECT 1 FROM figures f
                        WHERE f.partner_id = d.partner_id
                          AND f.company_id = d.company_id)
             RETURNING d.id
            )
            SELECT (SELECT COUNT(*) FROM upserted) + (SELECT COUNT(*) FROM zeroed)
            """,
                buckets=self.env["collection.bucket"]._company_buckets_sql(),
                today=today,
                uid=self.env.uid,
                company_filter=company_filter,
                debtor_filter=debtor_filter,
            )
        )
        count = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_debtor d
                   SET broken_promise_date = b.day
                  FROM (SELECT rp.commercial_partner_id AS partner_id, p.company_id,
                               MAX(p.promise_date) AS day
                          FROM collection_promise p
                          JOIN res_partner rp ON rp.id = p.partner_id
                         WHERE p.state IN ('broken', 'partially_kept')
                      GROUP BY rp.commercial_partner_id, p.company_id) b
                 WHERE d.partner_id = b.partner_id
                   AND d.company_id = b.company_id
                   AND d.broken_promise_date IS DISTINCT FROM b.day
                   %s
                """,
                debtor_filter,
            )
        )
        # raw SQL wrote behind the ORM's back (debtors and partners' links)
        self.env.invalidate_all()
        return count

    @api.model
    def _refresh_scores(self, today, company_ids=None):
        """Score, segment, priority and journey of every customer, in bulk.

        History is read in three grouped queries, the engine decides per
        customer, and one statement writes the rows whose values changed.
        """
        domain = [("company_id", "in", list(company_ids))] if company_ids else []
        debtors = self.search_fetch(
            domain,
            [
                "partner_id",
                "company_id",
                "company_type",
                "country_id",
                "total_due",
                "total_overdue",
                "worst_bucket_id",
                "score",
                "segment_id",
                "priority",
                "journey_id",
            ],
        )
        if not debtors:
            return 0
        histories = self._payment_histories(debtors, today)
        tags = self._partner_tags(debtors.partner_id)
        rules_by_company = {}
        segments = self.env["collection.segment"].search([])
        for company in debtors.company_id:
            company_segments = segments.filtered(
                lambda seg, c=company: not seg.company_id or seg.company_id == c
            )
            rules_by_company[company.id] = segment_engine.prepare(
                seg._to_rule() for seg in company_segments
            )
        journeys = {seg.id: seg.journey_id.id for seg in segments}
        empty = segment_engine.PaymentHistory(0, 0, 0.0, 0, 0, 0, 0)
        changed = []
        for debtor in debtors:
            score = segment_engine.payment_score(histories.get(debtor.id, empty))
            at_risk = min(debtor.total_overdue, max(debtor.total_due, 0.0))
            facts = segment_engine.CustomerFacts(
                bucket_code=debtor.worst_bucket_id.code or None,
                company_type=debtor.company_type or None,
                amount_overdue=debtor.total_overdue,
                country_code=debtor.country_id.code or None,
                tag_ids=tags.get(debtor.partner_id.id, frozenset()),
                score=score,
            )
            rule = segment_engine.match_segment(
                facts, rules_by_company[debtor.company_id.id]
            )
            segment_id = int(rule.code) if rule else None
            values = (
                score,
                segment_id,
                # credits not yet due lower what is really at risk
                round(segment_engine.priority(at_risk, score), 2),
                journeys.get(segment_id),
            )
            current = (
                debtor.score,
                debtor.segment_id.id or None,
                debtor.priority,
                debtor.journey_id.id or None,
            )
            if values != current:
                changed.append((debtor.id, *values))
        if changed:
            ids, scores, segment_ids, priorities, journey_ids = zip(
                *changed, strict=True
            )
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE collection_debtor d
                       SET score = v.score, segment_id = v.segment_id,
                           priority = v.priority, journey_id = v.journey_id
                      FROM UNNEST(%s::int[], %s::int[], %s::int[], %s::numeric[],
                                  %s::int[]) AS v(id, score, segment_id, priority,
                                                  journey_id)
                     WHERE d.id = v.id
                    """,
                    list(ids),
                    list(scores),
                    list(segment_ids),
                    list(priorities),
                    list(journey_ids),
                )
            )
            self.env.invalidate_all()
        return len(changed)

    @api.model
    def _payment_histories(self, debtors, today):
        """Debtor id -> PaymentHistory over the last year, in three queries."""
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    SELECT aml.partner_id, aml.company_id,
                           MAX(apr.max_date) - aml.date_maturity AS days_late
                      FROM account_move_line aml
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.display_type = 'payment_term'
                       AND aml.reconciled
                       AND aml.parent_state = 'posted'
                       AND aml.balance > 0
                       AND aml.partner_id = ANY(%(partners)s)
                       AND aml.date_maturity >= %(since)s
                  GROUP BY aml.id
                )
                SELECT d.id, COUNT(p.*), COUNT(p.*) FILTER (WHERE p.days_late <= 0),
                       COALESCE(AVG(p.days_late) FILTER (WHERE p.days_late > 0), 0)
                  FROM collection_debtor d
                  JOIN paid p
                    ON p.partner_id = d.partner_id AND p.company_id = d.company_id
                 WHERE d.id = ANY(%(debtors)s)
              GROUP BY d.id
                """,
                partners=debtors.partner_id.ids,
                debtors=debtors.ids,
                since=fields.Date.subtract(today, days=365),
            )
        )
        paid = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id,
                       COUNT(*) FILTER (WHERE p.state = 'kept'),
                       COUNT(*) FILTER (WHERE p.state IN ('broken', 'partially_kept'))
                  FROM collection_debtor d
                  JOIN res_partner rp ON rp.commercial_partner_id = d.partner_id
                  JOIN collection_promise p
                    ON p.partner_id = rp.id AND p.company_id = d.company_id
                 WHERE d.id = ANY(%s)
              GROUP BY d.id
                """,
                debtors.ids,
            )
        )
        promises = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT debtor_id,
                       COUNT(*) FILTER (WHERE state IN %s),
                       COUNT(*) FILTER (WHERE replied_at IS NOT NULL)
                  FROM collection_message
                 WHERE debtor_id = ANY(%s) AND channel != 'collector'
              GROUP BY debtor_id
                """,
                CONTACTED_STATES,
                debtors.ids,
            )
        )
        messages = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        histories = {}
        for debtor_id in set(paid) | set(promises) | set(messages):
            invoices_paid, on_time, avg_late = paid.get(debtor_id, (0, 0, 0))
            kept, broken = promises.get(debtor_id, (0, 0))
            sent, replies = messages.get(debtor_id, (0, 0))
            histories[debtor_id] = segment_engine.PaymentHistory(
                invoices_paid, on_time, float(avg_late), kept, broken, sent, replies
            )
        return histories

    @api.model
    def _partner_tags(self, partners):
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, ARRAY_AGG(category_id)
                  FROM res_partner_res_partner_category_rel
                 WHERE partner_id = ANY(%s)
              GROUP BY partner_id
                """,
                partners.ids,
            )
        )
        return {row[0]: frozenset(row[1]) for row in self.env.cr.fetchall()}

    @api.model
    def _cron_refresh(self):
        """Scheduled action: the daily refresh of every company."""
        self._refresh()
