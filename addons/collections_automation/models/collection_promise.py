from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from ..engine import promises as promise_engine
from .payment_link import open_invoices, payment_link


def debt_currency(env, partner, company, invoices=None):
    """The currency of a debt agreed on: the invoices' when they share one,
    else the single currency of the customer's open invoices in ``company``,
    else the company's."""
    currencies = (invoices or env["account.move"]).currency_id
    if not invoices and partner and company:
        currencies = (
            env["collection.invoice"]
            .sudo()
            ._open_moves(partner.commercial_partner_id, company)
            .currency_id
        )
    if len(currencies) == 1:
        return currencies
    return company.currency_id if company else env.company.currency_id


MANAGER_GROUP = "collections_automation.group_collection_manager"
#: Fields whose change puts a promise to the negotiation policy again.
POLICY_FIELDS = frozenset(
    ("partner_id", "company_id", "amount", "promise_date", "plan_id")
)


class NegotiatedMixin(models.AbstractModel):
    """What a promise and a payment plan share: the negotiation policy.

    Whoever records an agreement (a collector's wizard, Log a Call, a client
    over RPC, the AI agent) records it within the negotiation policy; outside
    it, only a collection manager may record it, with a reason that is logged
    on the record. The suite's own jobs (superuser) are trusted, except the
    AI agent, whose agreements are checked against the customer's balance of
    the day whatever its conversation holds.
    """

    _name = "collection.negotiated.mixin"
    _description = "Agreement Within the Negotiation Policy"

    policy_override_reason = fields.Char(
        "Policy Override",
        help="Why a collection manager recorded this outside the negotiation "
        "policy.",
    )
    # the currency of the debt agreed on (``debt_currency``); each model
    # computes it (``_compute_currency_id``) and says so in its help
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )

    def _negotiation_problems(self):
        """What breaks the negotiation policy, in words; empty when it fits.

        Without the AI agent there is no negotiation policy: nothing breaks
        it (``collections_ai_agent`` fills this in)."""
        return []

    def _policy_applies(self):
        self.ensure_one()
        return not self.env.su or self.source == "ai_agent"

    def _check_negotiation_policy(self, log=True):
        manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        for record in self:
            if not record._policy_applies():
                continue
            problems = record._negotiation_problems()
            if not problems:
                continue
            reason = (record.policy_override_reason or "").strip()
            if not reason:
                raise ValidationError(
                    self.env._(
                        "Outside the negotiation policy: %s. A collection manager "
                        "may record it anyway, with a reason.",
                        "; ".join(problems),
                    )
                )
            if not manager:
                raise AccessError(
                    self.env._(
                        "Only a collection manager may record an agreement outside "
                        "the negotiation policy (%s).",
                        "; ".join(problems),
                    )
                )
            if log:
                record._message_log(
                    body=self.env._(
                        "Negotiation policy overridden by %(user)s (%(problems)s): "
                        "%(reason)s",
                        user=self.env.user.name,
                        problems="; ".join(problems),
                        reason=reason,
                    )
                )


class CollectionPromise(models.Model):
    """A customer's promise to pay an amount by a date.

    Life cycle (``state``): ``open`` until payments reconciled on the
    promised invoices (or, without invoices, on the customer's receivables)
    since the promise was made reach the amount (``kept``); once the date has
    passed unpaid, ``partially_kept`` if something was paid, else ``broken``.
    A broken promise re-enters the customer's journey from the day after the
    date and schedules an activity for the responsible user. While open and
    not yet due, the customer gets no reminder (a hold in the contact policy).
    """

    _name = "collection.promise"
    _inherit = ["mail.thread", "collection.negotiated.mixin"]
    _description = "Promise to Pay"
    _order = "promise_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(
        help="The currency of the debt promised: the promised invoices' (or the "
        "plan's), else the single currency of the customer's open invoices, "
        "else the company's. Amounts and payments are counted in it.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_promise_invoice_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')),"
        " ('state', '=', 'posted'), ('commercial_partner_id', '=', partner_id)]",
    )
    amount = fields.Monetary(required=True, tracking=True)
    promise_date = fields.Date(required=True, tracking=True)
    source = fields.Selection(
        [
            ("collector", "Collector"),
            ("ai_agent", "AI agent"),
            ("customer", "Customer"),
            ("import", "Import"),
        ],
        required=True,
        default="collector",
    )
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("partially_kept", "Partially kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="open",
        tracking=True,
        index=True,
    )
    amount_paid = fields.Monetary(
        readonly=True, help="Paid on the promised invoices since the promise."
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda s: s.env.user, tracking=True
    )
    note = fields.Text()
    plan_id = fields.Many2one(
        "collection.payment.plan",
        "Payment Plan",
        index="btree_not_null",
        ondelete="cascade",
        help="The installment plan this promise is one installment of.",
    )

    @api.depends("invoice_ids", "plan_id.currency_id", "partner_id", "company_id")
    def _compute_currency_id(self):
        for promise in self:
            promise.currency_id = promise.plan_id.currency_id or debt_currency(
                promise.env,
                promise.partner_id,
                promise.company_id,
                promise.invoice_ids,
            )

    @api.constrains("currency_id", "invoice_ids")
    def _check_invoice_currency(self):
        for promise in self:
            others = promise.invoice_ids.filtered(
                lambda move, promise=promise: move.currency_id != promise.currency_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "A promise is in one currency: %(invoices)s are not in "
                        "%(currency)s. Record one promise per currency.",
                        invoices=", ".join(others.mapped("name")),
                        currency=promise.currency_id.name,
                    )
                )

    @api.depends("partner_id", "amount", "promise_date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(partner)s: %(amount)s by %(date)s",
                partner=promise.partner_id.name or "",
                amount=format_amount(promise.env, promise.amount, promise.currency_id),
                date=format_date(promise.env, promise.promise_date),
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._may_settle():
            # a promise starts open: only the settlement says how it went
            for vals in vals_list:
                vals.update(state="open", amount_paid=0)
        promises = super().create(vals_list)
        promises.filtered(lambda p: not p.plan_id)._check_negotiation_policy()
        # installments: the plan as a whole is checked (it logs an override)
        promises.plan_id._check_negotiation_policy(log=False)
        # a plan logs itself once rather than once per installment
        for promise in promises.filtered(lambda p: not p.plan_id):
            promise.partner_id._message_log(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s recorded (%(origin)s).",
                    amount=format_amount(
                        promise.env, promise.amount, promise.currency_id
                    ),
                    date=format_date(promise.env, promise.promise_date),
                    origin=dict(
                        self._fields["source"]._description_selection(self.env)
                    )[promise.source],
                )
            )
        return promises

    def write(self, vals):
        if not self._may_settle() and (
            {"amount_paid", "source"} & set(vals)
            or vals.get("state", "cancelled") != "cancelled"
        ):
            raise AccessError(
                self.env._(
                    "Only a collection manager may change how a promise stands; "
                    "a collector may cancel it."
                )
            )
        result = super().write(vals)
        if POLICY_FIELDS & set(vals) or "policy_override_reason" in vals:
            self.filtered(
                lambda p: p.state == "open" and not p.plan_id
            )._check_negotiation_policy()
            self.plan_id.filtered(
                lambda p: p.state == "open"
            )._check_negotiation_policy()
        return result

    def _may_settle(self):
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def action_cancel(self):
        self.filtered(lambda p: p.state == "open").write({"state": "cancelled"})

    # === Settlement === #
    @api.model
    def _cron_settle(self):
        self.search([("state", "=", "open")])._settle()

    def _settle(self, today=None):
        """Check open promises against payments; act on the ones that end."""
        today = today or fields.Date.context_today(self)
        promises = self.filtered(lambda p: p.state == "open")
        if not promises:
            return
        paid = promises._paid_since_promise()
        paid.update(promises.plan_id._paid_per_installment(paid))
        for promise in promises:
            new_state = promise_engine.settle(
                promise_engine.PromiseFacts(
                    promise.id,
                    promise.amount,
                    promise.promise_date,
                    paid.get(promise.id, 0.0),
                    promise.state,
                ),
                today,
            )
            promise.amount_paid = paid.get(promise.id, 0.0)
            if new_state != promise.state:
                promise.state = new_state
                promise._on_settled()

    def _paid_since_promise(self):
        """Promise id -> amount reconciled on its invoices since it was made,
        in the promise's currency: only invoices in that currency count, by
        what the payments settled of them in it (``debit_amount_currency``),
        whatever the payment's own currency. A reconciliation that
        ``_paid_not_counted`` names is left out of the sum."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id,
                       COALESCE(SUM(apr.debit_amount_currency)
                                FILTER (WHERE NOT (%s)), 0)
                  FROM collection_promise p
                  JOIN res_partner rp ON rp.id = p.partner_id
                  JOIN account_move_line aml
                    ON aml.partner_id = rp.commercial_partner_id
                   AND aml.company_id = p.company_id
                   AND aml.currency_id = p.currency_id
                   AND aml.display_type = 'payment_term'
                   AND aml.balance > 0
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE p.id = ANY(%s)
                   AND apr.create_date >= p.create_date
                   AND (NOT EXISTS (SELECT 1 FROM collection_promise_invoice_rel r
                                     WHERE r.promise_id = p.id)
                        OR aml.move_id IN (
                            SELECT r.move_id FROM collection_promise_invoice_rel r
                             WHERE r.promise_id = p.id))
              GROUP BY p.id
                """,
                self._paid_not_counted(),
                self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _paid_not_counted(self):
        """SQL condition on a reconciliation ``apr`` of an invoice's
        receivable line ``aml`` (as in ``_paid_since_promise``) that is no
        payment towards a promise; none here."""
        return SQL("FALSE")

    def _on_settled(self):
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        self.partner_id._message_log(
            body=self.env._(
                "Promise to pay %(amount)s by %(date)s: %(state)s.",
                amount=format_amount(self.env, self.amount, self.currency_id),
                date=format_date(self.env, self.promise_date),
                state=labels[self.state],
            )
        )
        if self.state in ("broken", "partially_kept"):
            debtor = self.env["collection.debtor"].search(
                [
                    ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ]
            )
            debtor.broken_promise_date = self.promise_date
            self.partner_id.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._("Broken promise: call %s", self.partner_id.name),
                user_id=(self.user_id or self.env.user).id,
            )

    # === Reminders === #
    @api.model
    def _cron_remind(self, now=None):
        """Plan the day-before reminder of promises falling due tomorrow.

        The reminder goes through the outbox like any reminder (contact
        policy, idempotency), on the first channel with a promise-reminder
        template that the policy allows.
        """
        now = now or fields.Datetime.now()
        tomorrow = fields.Date.add(now.date(), days=1)
        promises = self.search(
            [("state", "=", "open"), ("promise_date", "=", tomorrow)]
        )
        paid = promises._paid_since_promise()
        paid.update(promises.plan_id._paid_per_installment(paid))
        promises = promises.filtered(
            lambda p: promise_engine.needs_reminder(
                promise_engine.PromiseFacts(
                    p.id, p.amount, p.promise_date, paid.get(p.id, 0.0), p.state
                ),
                now.date(),
            )
        )
        templates = self.env["collection.template"].search(
            [("is_promise_reminder", "=", True)]
        )
        Message = self.env["collection.message"]
        existing = set(
            Message.search(
                [("idempotency_key", "in", [p._reminder_key() for p in promises])]
            ).mapped("idempotency_key")
        )
        gate = self.env["collection.contact.gate"]
        context = gate._facts(promises.partner_id, now)
        vals_list = []
        for promise in promises.filtered(lambda p: p._reminder_key() not in existing):
            partner = promise.partner_id
            # what is left of the promise, and the link paying exactly that
            left = promise.currency_id.round(promise.amount - paid.get(promise.id, 0.0))
            for template in templates:
                verdict = gate._decide(
                    partner,
                    template.channel,
                    "promise_reminder",
                    now,
                    promise.company_id,
                    context,
                )
                if verdict.state != "refused":
                    vals_list.append(
                        {
                            "partner_id": partner.id,
                            "company_id": promise.company_id.id,
                            "kind": "promise_reminder",
                            "channel": template.channel,
                            "template_id": template.id,
                            # the invoices in the promise's currency, which
                            # say the currency of its amount
                            "invoice_ids": (
                                promise.invoice_ids or promise._payment_invoices()
                            ).ids,
                            "amount_due": left,
                            "payment_url": promise._payment_link(left),
                            "idempotency_key": promise._reminder_key(),
                            "scheduled_at": verdict.until or now,
                            "deferral_rule": verdict.rule,
                            "deferral_reason": verdict.until
                            and gate._deferral_note(verdict, partner),
                        }
                    )
                    break
        Message.create(vals_list)

    def _reminder_key(self):
        self.ensure_one()
        return f"p{self.id}-reminder"

    # === Payment link === #
    def _payment_amount(self):
        """What is left to pay of this open promise (0 once it has ended)."""
        self.ensure_one()
        if self.state != "open":
            return 0.0
        return max(self.currency_id.round(self.amount - self.amount_paid), 0.0)

    def _payment_link(self, amount=None):
        """Odoo's payment page for exactly what is left of this promise (an
        installment, a settlement), paying its invoices oldest due first;
        None when nothing is left (see ``models/payment_link.py``)."""
        self.ensure_one()
        amount = self._payment_amount() if amount is None else amount
        return payment_link(self, "promise", amount)

    def _payment_invoices(self):
        """The invoices a payment of :meth:`_payment_link` is reconciled with:
        the promise's (or its plan's) still open, else the customer's open
        invoices not on hold."""
        self.ensure_one()
        invoices = open_invoices(self.invoice_ids or self.plan_id.invoice_ids)
        if invoices:
            return invoices
        debtor = self.env["collection.debtor"].search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        return debtor._payment_invoices(self.currency_id) if debtor else invoices

    @api.model
    def _due_for(self, partner, company):
        """The customer's open promise or installment to pay next (the
        earliest date first), with something left to pay; empty if none."""
        promises = self.search(
            [
                (
                    "partner_id.commercial_partner_id",
                    "=",
                    partner.commercial_partner_id.id,
                ),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ],
            order="promise_date, id",
        )
        for promise in promises:
            if promise._payment_amount() > 0:
                return promise
        return self.browse()
