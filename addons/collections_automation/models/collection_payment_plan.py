from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from ..engine import promises as promise_engine
from .collection_promise import debt_currency

#: Fields whose change puts a plan to the negotiation policy again.
PLAN_POLICY_FIELDS = frozenset(
    (
        "partner_id",
        "company_id",
        "discount_pct",
        "promise_ids",
        "policy_override_reason",
    )
)


class CollectionPaymentPlan(models.Model):
    """An agreement to pay the balance in installments.

    Each installment is a :class:`collection.promise` with its own date and
    amount, so the daily settlement, the day-before reminders and the broken
    promise follow-up apply to installments unchanged; the plan shares the
    payments received among them in date order (the first installment is
    paid first) and sums up how the agreement is going.
    """

    _name = "collection.payment.plan"
    _inherit = ["mail.thread", "collection.negotiated.mixin"]
    _description = "Payment Plan"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(
        help="The currency of the debt the plan settles: its invoices', else "
        "the single currency of the customer's open invoices, else the "
        "company's. Its installments are in it.",
    )
    promise_ids = fields.One2many("collection.promise", "plan_id", "Installments")
    installment_count = fields.Integer(compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(
        "Total", compute="_compute_amounts", store=True, tracking=True
    )
    amount_paid = fields.Monetary(compute="_compute_amounts", store=True)
    balance = fields.Monetary(
        help="The balance the plan settles, before any discount.", tracking=True
    )
    discount_pct = fields.Float(
        "Discount (%)", digits=(5, 2), help="Granted for keeping the plan."
    )
    first_date = fields.Date(compute="_compute_amounts", store=True)
    last_date = fields.Date(compute="_compute_amounts", store=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_payment_plan_invoice_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
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
            ("open", "Running"),
            ("kept", "Completed"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda s: s.env.user, tracking=True
    )
    note = fields.Text()

    @api.depends("invoice_ids", "partner_id", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = debt_currency(
                plan.env, plan.partner_id, plan.company_id, plan.invoice_ids
            )

    @api.depends("promise_ids.amount", "promise_ids.amount_paid", "promise_ids.state")
    def _compute_amounts(self):
        for plan in self:
            installments = plan.promise_ids.filtered(lambda p: p.state != "cancelled")
            dates = installments.mapped("promise_date")
            plan.installment_count = len(installments)
            plan.amount_total = sum(installments.mapped("amount"))
            plan.amount_paid = sum(installments.mapped("amount_paid"))
            plan.first_date = min(dates, default=False)
            plan.last_date = max(dates, default=False)

    @api.depends("promise_ids.state")
    def _compute_state(self):
        for plan in self:
            states = set(plan.promise_ids.mapped("state"))
            if not states or states == {"cancelled"}:
                plan.state = "cancelled"
            elif states & {"broken", "partially_kept"}:
                plan.state = "broken"
            elif states <= {"kept", "cancelled"}:
                plan.state = "kept"
            else:
                plan.state = "open"

    @api.depends("partner_id", "amount_total", "installment_count")
    def _compute_display_name(self):
        for plan in self:
            plan.display_name = self.env._(
                "%(partner)s: %(amount)s in %(count)s installments",
                partner=plan.partner_id.name or "",
                amount=format_amount(plan.env, plan.amount_total, plan.currency_id),
                count=plan.installment_count,
            )

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans._check_negotiation_policy()
        for plan in plans:
            plan.partner_id._message_log(
                body=self.env._(
                    "Payment plan recorded (%(origin)s): %(lines)s.",
                    origin=dict(
                        self._fields["source"]._description_selection(self.env)
                    )[plan.source],
                    lines="; ".join(
                        self.env._(
                            "%(amount)s by %(date)s",
                            amount=format_amount(p.env, p.amount, p.currency_id),
                            date=format_date(p.env, p.promise_date),
                        )
                        for p in plan.promise_ids.sorted("promise_date")
                    ),
                )
            )
        return plans

    def write(self, vals):
        result = super().write(vals)
        if PLAN_POLICY_FIELDS & set(vals):
            self.filtered(lambda p: p.state == "open")._check_negotiation_policy()
        return result

    def action_cancel(self):
        self.promise_ids.action_cancel()

    def _paid_per_installment(self, paid):
        """Promise id -> its share of the plan's payments.

        ``paid`` maps open installments to what was paid on the plan's
        invoices since the plan was made (the same figure for each: they
        were made together).
        """
        shares = {}
        for plan in self:
            installments = plan.promise_ids.filtered(lambda p: p.state != "cancelled")
            total = max((paid.get(p.id, 0.0) for p in installments), default=0.0)
            shares.update(
                promise_engine.allocate_to_installments(
                    [(p.id, p.promise_date, p.amount) for p in installments], total
                )
            )
        return shares
