from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_ai_agent.engine import negotiation


class CollectionCaseAgreement(models.TransientModel):
    """A promise or a payment plan agreed by a collector on a case.

    The AI agent's negotiation policy applies to people too: outside it the
    agreement is refused with the reasons, unless a collection manager
    overrides it, which is logged with their reason on the case.
    """

    _name = "collection.case.agreement"
    _description = "Record an Agreement"

    case_id = fields.Many2one("collection.case", required=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    kind = fields.Selection(
        [("promise", "Promise to pay"), ("plan", "Payment plan")],
        default="promise",
        required=True,
    )
    amount = fields.Monetary(help="Promise: the amount. Plan: the balance it settles.")
    promise_date = fields.Date("Date", help="Promise: the date. Plan: the first one.")
    installments = fields.Integer(default=3)
    spacing = fields.Selection(
        [("weekly", "Weekly"), ("biweekly", "Every two weeks"), ("monthly", "Monthly")],
        default="monthly",
    )
    override = fields.Boolean(
        "Override the Policy", help="Collection managers only; the reason is logged."
    )
    override_reason = fields.Char()
    policy_problems = fields.Char(compute="_compute_policy_problems")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        case = self.env["collection.case"].browse(values.get("case_id"))
        if case and "amount" in fields_list:
            values["amount"] = case.amount_overdue
        return values

    def _policy(self):
        return self.env["collection.agent.policy"]._for_debtor(self.case_id.debtor_id)

    def _outcome(self):
        """The agreement as the engine's Outcome."""
        today = fields.Date.context_today(self)
        balance = Decimal(str(self.case_id.amount_overdue or self.amount or 0))
        when = self.promise_date or today
        if self.kind == "promise":
            payment = negotiation.Payment(when, Decimal(str(self.amount or 0)))
            return negotiation.Outcome(negotiation.PROMISE, (payment,))
        dates = negotiation.schedule(when, max(self.installments, 1), self.spacing)
        total = Decimal(str(self.amount or balance))
        share = (total / len(dates)).quantize(Decimal("0.01"))
        amounts = [share] * (len(dates) - 1) + [total - share * (len(dates) - 1)]
        return negotiation.Outcome(
            negotiation.PLAN,
            tuple(
                negotiation.Payment(d, a) for d, a in zip(dates, amounts, strict=True)
            ),
        )

    @api.depends("kind", "amount", "promise_date", "installments", "spacing")
    def _compute_policy_problems(self):
        for wizard in self:
            wizard.policy_problems = (
                ", ".join(wizard._problems()) if wizard.case_id else ""
            )

    def _problems(self):
        today = fields.Date.context_today(self)
        balance = Decimal(str(self.case_id.amount_overdue or 0))
        if balance <= 0:
            return []
        return negotiation.within_policy(
            self._policy(), balance, today, self._outcome()
        )

    def action_record(self):
        self.ensure_one()
        problems = self._problems()
        case = self.case_id
        if problems:
            if not self.override:
                raise UserError(
                    self.env._(
                        "Outside the negotiation policy (%s). A collection manager "
                        "may override it with a reason.",
                        ", ".join(problems),
                    )
                )
            if not self.env.user.has_group(
                "collections_automation.group_collection_manager"
            ):
                raise UserError(
                    self.env._("Only a collection manager may override the policy.")
                )
            if not self.override_reason:
                raise UserError(self.env._("Say why the policy is overridden."))
            case.message_post(
                body=self.env._(
                    "Policy overridden by %(user)s (%(problems)s): %(reason)s",
                    user=self.env.user.name,
                    problems=", ".join(problems),
                    reason=self.override_reason,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        outcome = self._outcome()
        if outcome.kind == negotiation.PROMISE:
            payment = outcome.payments[0]
            self._record_promise(case, float(payment.amount), payment.date)
            stage = "stage_promise"
        else:
            self._record_plan(case, outcome)
            stage = "stage_plan"
        case.stage_id = self.env.ref(f"collections_contact_center.{stage}")
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def _record_promise(self, case, amount, when):
        return self.env["collection.promise"].create(
            {
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "amount": amount,
                "promise_date": when,
                "source": "collector",
                "invoice_ids": case._open_invoices().ids,
            }
        )

    def _record_plan(self, case, outcome):
        invoices = case._open_invoices().ids
        return self.env["collection.payment.plan"].create(
            {
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "source": "collector",
                "balance": case.amount_overdue,
                "invoice_ids": invoices,
                "promise_ids": [
                    fields.Command.create(
                        {
                            "partner_id": case.partner_id.id,
                            "company_id": case.company_id.id,
                            "amount": float(payment.amount),
                            "promise_date": payment.date,
                            "source": "collector",
                            "invoice_ids": invoices,
                        }
                    )
                    for payment in outcome.payments
                ],
            }
        )
