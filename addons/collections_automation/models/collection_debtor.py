import ast
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, float_round, get_lang, split_every

from odoo.addons.base.models.res_lang import intersperse

from ..engine import buckets as bucket_engine
from ..engine import segments as segment_engine
from ..tools import pg_array
from .collection_message import CONTACTED_STATES
from .payment_link import open_invoices, payment_link

#: When the scores were last refreshed for every customer.
SCORED_AT_PARAM = "collections_automation.scored_at"
#: The day of the last refresh of every customer, and of the last full one.
REFRESHED_ON_PARAM = "collections_automation.refreshed_on"
FULL_REFRESH_ON_PARAM = "collections_automation.full_refresh_on"
#: A full refresh runs at least this often, whatever the hooks caught.
FULL_REFRESH_DAYS = 7
#: Customers scored per batch (see ``_refresh_scores``).
SCORE_BATCH = 20000


def _settled(items, key, today):
    """What one currency's open lines (``items``, oldest due first) leave
    to pay in their ``key`` amounts: the unapplied credits settle the oldest
    items first, what they leave of the items past due is overdue, the
    invoices on hold are left out. ``(overdue, due, ids of the invoices with
    something overdue)``."""
    credit = sum(line[key] for line in items if line[key] < 0)
    running, uncovered = 0.0, {}
    for line in items:
        if line[key] > 0:
            running += line[key]
            uncovered[line["id"]] = min(line[key], max(running + credit, 0))
    overdue = held_overdue = held_due = 0.0
    late_ids = set()
    for line in items:
        past = line["maturity"] and line["maturity"] < today
        left = uncovered.get(line["id"], 0.0) if past else 0.0
        overdue += left
        if line["held"] and line["installment"]:
            held_overdue += left
            held_due += line[key]
        if line["installment"] and past and left > 0:
            late_ids.add(line["move_id"])
    due = sum(line[key] for line in items)
    return max(overdue - held_overdue, 0.0), max(due - held_due, 0.0), late_ids


class AmountFormatter:
    """``format_amount(env, amount, currency, lang_code)``, the same text,
    with the language resolved and its separators and the currency's
    rounding, symbol and position read once: a planning formats three
    amounts for each of its thousands of customers, and ``format_amount``
    looks the language up again each time."""

    def __init__(self, env, lang_code=None):
        lang = get_lang(env, lang_code)
        self.grouping = ast.literal_eval(lang.grouping)
        self.thousands_sep = lang.thousands_sep or ""
        self.decimal_point = lang.decimal_point
        self.currencies = {}

    def _currency(self, currency):
        spec = self.currencies.get(currency.id)
        if spec is None:
            symbol = currency.symbol or ""
            spec = self.currencies[currency.id] = (
                f"%.{currency.decimal_places}f",
                currency.rounding,
                f"{symbol}\N{NO-BREAK SPACE}" if currency.position == "before" else "",
                "" if currency.position == "before" else f"\N{NO-BREAK SPACE}{symbol}",
            )
        return spec

    def __call__(self, amount, currency):
        fmt, rounding, pre, post = self._currency(currency)
        parts = (fmt % float_round(amount, precision_rounding=rounding)).split(".")
        parts[0] = intersperse(parts[0], self.grouping, self.thousands_sep)[0]
        text = (
            self.decimal_point.join(parts)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        return f"{pre}{text}{post}"


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

    # no index of their own: the unique (partner_id, company_id) serves both,
    # and every index is rewritten on each of the refresh's updates
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    country_id = fields.Many2one(related="partner_id.country_id", store=True)
    company_type = fields.Selection(related="partner_id.company_type", store=True)
    # one definition: see collection.refresh (the customer's unapplied credits
    # settle its oldest items first, as an aging applies them)
    total_due = fields.Monetary(
        help="All open receivables, unapplied credit notes and payments deducted."
    )
    total_overdue = fields.Monetary(
        help="Open receivables past their due date, less the unapplied credit "
        "notes and payments (applied to the oldest items first); never below zero."
    )
    oldest_due_date = fields.Date(
        help="Due date of the oldest unpaid installment the unapplied credits "
        "do not cover."
    )
    stated_overdue = fields.Monetary(
        "Overdue (as told)",
        compute="_compute_stated_amounts",
        help="The overdue amount reminders, the payment page and the AI agent "
        "state: the total overdue less the invoices on hold.",
    )
    stated_due = fields.Monetary(
        "Total Due (as told)",
        compute="_compute_stated_amounts",
        help="The whole balance reminders and the payment page state: the "
        "total due less the invoices on hold.",
    )
    overdue_by_currency = fields.Char(
        "Overdue per Currency",
        compute="_compute_by_currency",
        help="The overdue amount as told, in the currency of each debt: a "
        "customer owing in two currencies has two totals, never a mixed sum.",
    )
    due_by_currency = fields.Char(
        "Total Due per Currency",
        compute="_compute_by_currency",
        help="The whole balance as told, in the currency of each debt.",
    )
    to_pay_by_currency = fields.Char(
        "Asked to Pay",
        compute="_compute_by_currency",
        help="What reminders ask for, in the currency of each debt: the overdue "
        "amount, or the whole balance when nothing is overdue yet.",
    )
    days_overdue = fields.Integer(
        compute="_compute_days_overdue",
        help="Days since the oldest open item fell due; negative: the days "
        "left before it falls due, when nothing is overdue yet.",
    )
    worst_bucket_id = fields.Many2one("collection.bucket")
    open_invoice_count = fields.Integer("Open Invoices")
    score = fields.Integer(
        "Payment Score",
        aggregator="avg",
        help="How likely the customer pays, from 0 (will not pay) to 100 (pays "
        "on time), from on-time payments, lateness, promises kept and replies; "
        "50 for a customer without history.",
    )
    priority = fields.Monetary(
        "Amount at Risk",
        help="The overdue amount weighted by the risk of not being paid: "
        "overdue x (100 - payment score) / 100. Customers are worked from the "
        "highest amount at risk.",
    )
    segment_id = fields.Many2one("collection.segment")
    journey_id = fields.Many2one("collection.journey")
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
        """The reply was dealt with: the journey goes on.

        Collectors handle the replies of the customers they see (the record
        rules) but write no debtor figure: the flag is written with the
        server's rights once the rows are known to be theirs."""
        self.check_access("read")
        self.sudo().write({"reply_pending": False})
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

    @api.depends("total_due", "total_overdue")
    def _compute_stated_amounts(self):
        """The figures told to the customer: this debtor's, less what its
        invoices on hold (a dispute, a legal case) account for; rounded in
        the company's currency as the fields are. Figures, rounding and
        holds come in one query for the whole batch, and the results go in
        the cache at once: read record by record through the ORM, 50,000
        customers of a planning took a second."""
        saved = self.browse([debtor_id for debtor_id in self.ids if debtor_id])
        figures = {}
        if saved:
            saved.flush_recordset(["total_overdue", "total_due", "company_id"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT d.id, d.total_overdue, d.total_due, cur.rounding,
                           held.overdue, held.residual
                      FROM collection_debtor d
                      JOIN res_company rc ON rc.id = d.company_id
                      JOIN res_currency cur ON cur.id = rc.currency_id
                      LEFT JOIN (
                           SELECT hd.id, SUM(ci.amount_overdue) AS overdue,
                                  SUM(ci.amount_residual) AS residual
                             FROM collection_invoice ci
                             JOIN collection_debtor hd
                               ON hd.partner_id = ci.partner_id
                              AND hd.company_id = ci.company_id
                            WHERE ci.move_id IN (%(held)s)
                              AND hd.id = ANY(%(ids)s::int[])
                         GROUP BY hd.id
                           ) held ON held.id = d.id
                     WHERE d.id = ANY(%(ids)s::int[])
                    """,
                    held=self.env["account.move"]._collection_held_sql(),
                    ids=pg_array(saved.ids),
                )
            )
            figures = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        overdues, dues = [], []
        for debtor in self:
            if debtor.id in figures:
                overdue, due, rounding, held_overdue, held_due = figures[debtor.id]
            else:  # not saved yet (a form's onchange): nothing on hold
                overdue, due = debtor.total_overdue, debtor.total_due
                rounding = debtor.sudo().company_id.currency_id.rounding
                held_overdue = held_due = 0
            values = [
                max(float(overdue or 0) - float(held_overdue or 0), 0.0),
                max(float(due or 0) - float(held_due or 0), 0.0),
            ]
            if rounding:
                values = [
                    float_round(value, precision_rounding=float(rounding))
                    if value
                    else value
                    for value in values
                ]
            overdues.append(values[0])
            dues.append(values[1])
        cache = self.env.cache
        cache.update(self, self._fields["stated_overdue"], overdues)
        cache.update(self, self._fields["stated_due"], dues)

    @api.depends("total_due", "total_overdue")
    @api.depends_context("lang")
    def _compute_by_currency(self):
        # one query for all these customers: rendering a batch of reminders
        # reads this for each of its customers; the language's separators
        # and the word "and" looked up once for them all
        lines = self.filtered("id")._open_receivable_lines()
        formatter = AmountFormatter(self.env)
        separator = self.env._(" and ")
        today = fields.Date.context_today(self)
        texts = {"overdue": [], "due": [], "to_pay": []}
        for debtor in self:
            figures = (
                debtor._open_amounts_by_currency(today=today, lines=lines[debtor.id])
                if debtor.id
                else []
            )
            said = {}  # what to pay is the overdue amount or the balance
            for key, column in texts.items():
                # rounded in their currency already: above zero is what
                # compare_amounts says, without rounding again
                amounts = tuple(
                    (line["currency"], line[key]) for line in figures if line[key] > 0
                )
                if amounts not in said:
                    said[amounts] = debtor._amounts_in_words(
                        amounts, formatter=formatter, separator=separator
                    )
                column.append(said[amounts])
        # in the cache for the whole batch at once, as assigning them does
        cache = self.env.cache
        for key, column in texts.items():
            cache.update(self, self._fields[f"{key}_by_currency"], column)

    def _amounts_in_words(self, amounts, formatter=None, separator=None):
        """``[(currency, amount)]`` as one text: "$ 700.00 and 600.00 €",
        each amount in its currency; a symbol two of the currencies share
        ($ for USD and MXN) is followed by the currency's code.
        ``formatter`` (an :class:`AmountFormatter` for this environment) and
        ``separator`` (" and " in its language) spare looking them up again
        for each customer of a batch."""
        self.ensure_one()
        formatter = formatter or AmountFormatter(self.env)
        if not amounts:
            return formatter(0.0, self.currency_id)
        symbols = [currency.symbol for currency, _amount in amounts]
        texts = []
        for currency, amount in amounts:
            text = formatter(amount, currency)
            if symbols.count(currency.symbol) > 1:
                text = f"{text} {currency.name}"
            texts.append(text)
        return (separator or self.env._(" and ")).join(texts)

    # === Figures per currency === #
    def _open_amounts_by_currency(self, today=None, lines=None):
        """The customer's figures in the currency of each debt, as told.

        The same definition as the company-currency figures of
        ``collection.refresh``, applied within each currency: the unapplied
        credits (credit notes, payments) in a currency settle the open items
        in that currency, oldest due first; what they leave of the items
        past due is overdue; invoices on hold are left out of what is told.

        :return: a list, the largest debt (in company currency) first, of
            dicts with ``currency`` (``res.currency``), ``overdue``, ``due``,
            ``to_pay`` (the overdue amount, else the whole balance) in that
            currency, ``overdue_company`` and ``due_company`` (the same in
            company currency, as booked), ``invoices`` (the open invoices not
            on hold, oldest due first) and ``overdue_invoices`` (those with
            something overdue). Currencies with open items only.
            A statement, a reminder or the agent reads its totals here.
        """
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        if lines is None:
            lines = self._open_receivable_lines()[self.id]
        by_currency = defaultdict(list)
        for line in lines:
            by_currency[line["currency_id"]].append(line)
        Currency = self.env["res.currency"]
        Move = self.env["account.move"]
        # the company's, as ``currency_id`` relates it, without computing
        # that related field customer by customer
        company_currency = self.company_id.currency_id
        result = []
        for currency_id, items in by_currency.items():
            currency = Currency.browse(currency_id)
            items.sort(key=lambda line: (line["maturity"] or today, line["id"]))
            overdue, due, late_ids = _settled(items, "residual_currency", today)
            # in the company's currency its lines' two residuals are the same
            # (most customers): settled once
            company_figures = (
                (overdue, due)
                if all(line["residual_currency"] == line["residual"] for line in items)
                else _settled(items, "residual", today)[:2]
            )
            overdue, due = currency.round(overdue), currency.round(due)
            moves = Move.browse(
                dict.fromkeys(
                    line["move_id"]
                    for line in items
                    if line["installment"] and not line["held"]
                )
            )
            result.append(
                {
                    "currency": currency,
                    "overdue": overdue,
                    "due": due,
                    "to_pay": overdue
                    if currency.compare_amounts(overdue, 0) > 0
                    else due,
                    "overdue_company": company_currency.round(company_figures[0]),
                    "due_company": company_currency.round(company_figures[1]),
                    "invoices": moves,
                    "overdue_invoices": moves.browse(
                        [move_id for move_id in moves.ids if move_id in late_ids]
                    ),
                }
            )
        result.sort(
            key=lambda line: (
                -line["overdue_company"],
                -line["due_company"],
                line["currency"].name,
            )
        )
        return result

    def _open_receivable_lines(self):
        """Debtor id -> its customer's open receivable lines in its company
        (the lines the refresh reads), with their currency's residual and the
        hold of their invoice, in one query for all these debtors."""
        result = {debtor.id: [] for debtor in self}
        if not self:
            return result
        self.env["account.move.line"].flush_model(
            ["amount_residual", "amount_residual_currency", "reconciled"]
        )
        self.flush_recordset(["partner_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id, aml.id, aml.move_id,
                       COALESCE(aml.currency_id, rc.currency_id),
                       aml.amount_residual_currency, aml.amount_residual,
                       aml.date_maturity,
                       aml.display_type = 'payment_term'
                           AND aml.amount_residual > 0,
                       aml.move_id IN (%s)
                  FROM collection_debtor d
                  JOIN res_company rc ON rc.id = d.company_id
                  -- customer by customer through the index of unreconciled
                  -- lines: joined as a whole, PostgreSQL read every open
                  -- line of the company for each batch
                 CROSS JOIN LATERAL (
                       SELECT aml.id, aml.move_id, aml.currency_id,
                              aml.amount_residual_currency, aml.amount_residual,
                              aml.date_maturity, aml.display_type
                         FROM account_move_line aml
                        WHERE aml.partner_id = d.partner_id
                          AND aml.company_id = d.company_id
                          AND aml.account_id IN (
                                  SELECT id FROM account_account
                                   WHERE account_type = 'asset_receivable')
                          AND aml.parent_state = 'posted'
                          AND aml.reconciled IS NOT TRUE
                       ) aml
                 WHERE d.id = ANY(%s::int[])
                """,
                self.env["account.move"]._collection_held_sql(),
                pg_array(self.ids),
            )
        )
        keys = (
            "id",
            "move_id",
            "currency_id",
            "residual_currency",
            "residual",
            "maturity",
            "installment",
            "held",
        )
        for debtor_id, *row in self.env.cr.fetchall():
            line = dict(zip(keys, row, strict=True))
            line["residual_currency"] = float(line["residual_currency"] or 0)
            line["residual"] = float(line["residual"] or 0)
            result[debtor_id].append(line)
        return result

    def _figures_in(self, currency):
        """:meth:`_open_amounts_by_currency`'s figures in ``currency``; zeros
        and no invoices when nothing is open in it."""
        self.ensure_one()
        for line in self._open_amounts_by_currency():
            if line["currency"] == currency:
                return line
        empty = self.env["account.move"]
        return {
            "currency": currency,
            "overdue": 0.0,
            "due": 0.0,
            "to_pay": 0.0,
            "overdue_company": 0.0,
            "due_company": 0.0,
            "invoices": empty,
            "overdue_invoices": empty,
        }

    def _debt_currency(self, invoice=None):
        """The currency of the debt a customer is asked about: the given
        invoice's when it is open, else the currency of the largest debt (in
        company currency), else the company's."""
        self.ensure_one()
        figures = [
            line
            for line in self._open_amounts_by_currency()
            if line["currency"].compare_amounts(line["to_pay"], 0) > 0
        ]
        if invoice and invoice.currency_id in [line["currency"] for line in figures]:
            return invoice.currency_id
        return figures[0]["currency"] if figures else self.currency_id

    def _amount_to_pay(self, currency=None):
        """What the customer is asked to pay now: the overdue amount, or the
        whole balance when nothing is overdue yet; in company currency (the
        figure buckets, scores and priorities use), or in ``currency``: the
        debt in that currency alone."""
        self.ensure_one()
        if currency:
            return self._figures_in(currency)["to_pay"]
        return self.stated_overdue or self.stated_due

    def _payment_link(self, amount=None, currency=None):
        """The "pay everything overdue" link in ``currency`` (by default the
        currency of the largest debt): Odoo's payment page for ``amount`` (by
        default :meth:`_amount_to_pay` in that currency), bound to the
        invoices in that currency it pays (:meth:`_payment_invoices`),
        oldest due first; None when there is nothing to pay (see
        ``models/payment_link.py``)."""
        self.ensure_one()
        currency = currency or self._debt_currency()
        figures = self._figures_in(currency)
        amount = figures["to_pay"] if amount is None else amount
        scope, invoices = self._payment_scope(currency, figures)
        return payment_link(self, "overdue", amount, currency, invoices, scope)

    def _payment_links_by_currency(self):
        """One "pay everything overdue" link per currency owed: a list of
        (currency, amount, url), the largest debt first."""
        self.ensure_one()
        links = []
        for line in self._open_amounts_by_currency():
            currency = line["currency"]
            if currency.compare_amounts(line["to_pay"], 0) <= 0:
                continue
            scope, invoices = self._payment_scope(currency, line)
            url = payment_link(
                self, "overdue", line["to_pay"], currency, invoices, scope
            )
            links.append((currency, line["to_pay"], url))
        return links

    def _payment_invoices(self, currency=None, figures=None):
        """The invoices a payment of :meth:`_payment_link` in ``currency``
        (by default the currency of the largest debt) is reconciled with
        (see :meth:`_payment_scope`)."""
        return self._payment_scope(currency, figures)[1]

    def _payment_scope(self, currency=None, figures=None):
        """What :meth:`_payment_link` in ``currency`` (by default the
        currency of the largest debt) pays, as the stated figures count it:
        ``("overdue", the overdue invoices not on hold)``, or ``("due",
        every open invoice not on hold)`` when nothing is overdue in that
        currency (see ``models/payment_link.py``)."""
        self.ensure_one()
        currency = currency or self._debt_currency()
        figures = figures or self._figures_in(currency)
        if currency.compare_amounts(figures["overdue"], 0) > 0:
            return "overdue", open_invoices(figures["overdue_invoices"])
        return "due", open_invoices(figures["invoices"])

    @api.depends("oldest_due_date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for debtor in self:
            due = debtor.oldest_due_date
            debtor.days_overdue = bucket_engine.days_overdue(due, today) if due else 0

    # === Refresh === #
    @api.model
    def _refresh(self, today=None, company_ids=None, partner_ids=None, full=False):
        """Bring invoice and customer figures to ``today``, set-based, then
        score the customers whose figures or history changed.

        :param partner_ids: limit to these customers (a payment, a posting)
        :param full: score every customer (segments or buckets were edited)
        :return: dict of counts written (invoices, debtors, scored)
        """
        # a system process: every user's action (a payment, a bucket change)
        # may trigger it, and it must see every segment and record
        self = self.sudo()
        today = today or fields.Date.context_today(self)
        started = fields.Datetime.now()
        Refresh = self.env["collection.refresh"]
        scoped = bool(partner_ids or company_ids)
        incremental = not scoped and not full and self._incremental_since(today)
        if incremental:
            # only customers with a line crossing a boundary since the last
            # run can have moved: payments and postings were refreshed at once
            partner_ids = Refresh._partners_crossing(incremental, today)
        if incremental and not partner_ids:
            invoices, debtor_ids = 0, []
        else:
            invoices, debtor_ids = Refresh._run(today, company_ids, partner_ids)
        if scoped:
            to_score = self.browse(debtor_ids)
        else:
            to_score = self._to_score(debtor_ids, company_ids, full)
        scored = to_score._refresh_scores(today)
        if not scoped:
            set_param = self.env["ir.config_parameter"].set_param
            set_param(SCORED_AT_PARAM, started)
            set_param(REFRESHED_ON_PARAM, today)
            if not incremental:
                set_param(FULL_REFRESH_ON_PARAM, today)
        return {"invoices": invoices, "debtors": len(debtor_ids), "scored": scored}

    @api.model
    def _incremental_since(self, today):
        """The date of the last refresh when today's can be incremental, else
        False: a full refresh runs at least every ``FULL_REFRESH_DAYS`` days
        and whenever the calendar went backwards."""
        get_param = self.env["ir.config_parameter"].get_param
        last = get_param(REFRESHED_ON_PARAM)
        last_full = get_param(FULL_REFRESH_ON_PARAM)
        if not (last and last_full):
            return False
        last, last_full = fields.Date.to_date(last), fields.Date.to_date(last_full)
        if not last_full <= last <= today or (today - last_full).days >= (
            FULL_REFRESH_DAYS
        ):
            return False
        return last

    @api.model
    def _to_score(self, debtor_ids, company_ids, full):
        """The debtors whose score inputs changed since the last full run:
        figures written now, payments reconciled, promises or messages moved."""
        domain = [("company_id", "in", list(company_ids))] if company_ids else []
        last = self.env["ir.config_parameter"].get_param(SCORED_AT_PARAM)
        if full or not last:
            return self.search(domain)
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id FROM collection_debtor d
                 WHERE d.partner_id IN (
                        SELECT aml.partner_id
                          FROM account_partial_reconcile apr
                          JOIN account_move_line aml ON aml.id = apr.debit_move_id
                         WHERE apr.create_date >= %(last)s
                        UNION
                        SELECT rp.commercial_partner_id
                          FROM collection_promise p
                          JOIN res_partner rp ON rp.id = p.partner_id
                         WHERE p.write_date >= %(last)s
                        UNION
                        SELECT m.partner_id FROM collection_message m
                         WHERE m.write_date >= %(last)s)
                """,
                last=last,
            )
        )
        ids = set(debtor_ids) | {row[0] for row in self.env.cr.fetchall()}
        return self.search([("id", "in", list(ids)), *domain])

    def _refresh_scores(self, today):
        """Score, segment, priority and journey of these customers, in bulk,
        :data:`SCORE_BATCH` at a time: a first refresh scores every customer,
        and holding them all at once made memory grow with the portfolio
        (437 MB at 250,000 customers).

        :return: how many customers' values changed
        """
        if not self:
            return 0
        self.env.flush_all()
        return sum(
            self.browse(ids)._refresh_scores_batch(today)
            for ids in split_every(SCORE_BATCH, self.ids)
        )

    def _refresh_scores_batch(self, today):
        """History is read in three grouped queries, the engine decides per
        customer, and one statement writes the rows whose values changed."""
        # plain rows, not records: this loop may see every customer
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id, d.partner_id, d.company_id, d.company_type,
                       d.total_due, d.total_overdue, b.code, c.code,
                       d.score, d.segment_id, d.priority, d.journey_id
                  FROM collection_debtor d
             LEFT JOIN collection_bucket b ON b.id = d.worst_bucket_id
             LEFT JOIN res_country c ON c.id = d.country_id
                 WHERE d.id = ANY(%s::int[])
                """,
                pg_array(self.ids),
            )
        )
        rows = self.env.cr.fetchall()
        histories = self._payment_histories(self, today)
        tags = self._partner_tags({row[1] for row in rows})
        segments = self.env["collection.segment"].search([])
        rules_by_company = {
            company_id: segment_engine.prepare(
                seg._to_rule()
                for seg in segments
                if not seg.company_id or seg.company_id.id == company_id
            )
            for company_id in {row[2] for row in rows}
        }
        journeys = {seg.id: seg.journey_id.id or None for seg in segments}
        empty = segment_engine.PaymentHistory(0, 0, 0.0, 0, 0, 0, 0)
        changed = []
        for row in rows:
            (
                debtor_id,
                partner_id,
                company_id,
                company_type,
                total_due,
                total_overdue,
                bucket_code,
                country_code,
                *current,
            ) = row
            total_due, total_overdue = float(total_due or 0), float(total_overdue or 0)
            score = segment_engine.payment_score(histories.get(debtor_id, empty))
            facts = segment_engine.CustomerFacts(
                bucket_code=bucket_code,
                company_type=company_type,
                amount_overdue=total_overdue,
                country_code=country_code,
                tag_ids=tags.get(partner_id, frozenset()),
                score=score,
            )
            rule = segment_engine.match_segment(facts, rules_by_company[company_id])
            segment_id = int(rule.code) if rule else None
            values = (
                score,
                segment_id,
                round(segment_engine.priority(total_overdue, score), 2),
                journeys.get(segment_id),
            )
            current[2] = float(current[2] or 0)
            if values != tuple(current):
                changed.append((debtor_id, *values))
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
                    pg_array(ids),
                    pg_array(scores),
                    pg_array(segment_ids),
                    pg_array(priorities),
                    pg_array(journey_ids),
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
                       AND aml.partner_id IN (SELECT partner_id FROM collection_debtor
                                               WHERE id = ANY(%(debtors)s::int[]))
                       AND aml.date_maturity >= %(since)s
                  GROUP BY aml.id
                )
                SELECT d.id, COUNT(p.*), COUNT(p.*) FILTER (WHERE p.days_late <= 0),
                       COALESCE(AVG(p.days_late) FILTER (WHERE p.days_late > 0), 0)
                  FROM collection_debtor d
                  JOIN paid p
                    ON p.partner_id = d.partner_id AND p.company_id = d.company_id
                 WHERE d.id = ANY(%(debtors)s::int[])
              GROUP BY d.id
                """,
                debtors=pg_array(debtors.ids),
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
                 WHERE d.id = ANY(%s::int[])
              GROUP BY d.id
                """,
                pg_array(debtors.ids),
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
                 WHERE debtor_id = ANY(%s::int[]) AND channel != 'collector'
              GROUP BY debtor_id
                """,
                CONTACTED_STATES,
                pg_array(debtors.ids),
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
    def _partner_tags(self, partner_ids):
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, ARRAY_AGG(category_id)
                  FROM res_partner_res_partner_category_rel
                 WHERE partner_id = ANY(%s::int[])
              GROUP BY partner_id
                """,
                pg_array(partner_ids),
            )
        )
        return {row[0]: frozenset(row[1]) for row in self.env.cr.fetchall()}

    @api.model
    def _cron_refresh(self):
        """Scheduled action: the daily refresh of every company."""
        self._refresh()
