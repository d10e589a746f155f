from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_ai_agent.engine import negotiation
from odoo.addons.collections_ai_agent.models.collection_negotiated import (
    problem_labels,
)


class CollectionCaseAgreement(models.TransientModel):
    """A promise or a payment plan agreed by a collector on a case.

    The AI agent's negotiation policy applies to people too: outside it the
    agreement is refused with the reasons, unless a collection manager
    overrides it, which is logged with their reason on the case. The server
    checks the promise or plan itself (``collection.negotiated.mixin``), so the
    policy holds whatever way an agreement is recorded; this wizard only
    shows the problems before it is.
    """

    _name = "collection.case.agreement"
    _description = "Record an Agreement"

    case_id = fields.Many2one("collection.case", required=True)
    currency_id = fields.Many2one(
        "res.currency",
        help="The currency of the debt agreed on: a customer owing in several "
        "currencies agrees on each debt apart, in its currency, as with the "
        "AI agent. By default the largest debt's.",
    )
    debt_currency_ids = fields.Many2many(
        "res.currency", compute="_compute_debt_currency_ids"
    )
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
        if case:
            debtor = case.debtor_id
            currency = debtor._debt_currency() if debtor else case.currency_id
            values.setdefault("currency_id", currency.id)
            if "amount" in fields_list:
                wizard = self.new(
                    {"case_id": case.id, "currency_id": values["currency_id"]}
                )
                values["amount"] = float(wizard._balance())
        return values

    @api.depends("case_id")
    def _compute_debt_currency_ids(self):
        for wizard in self:
            debtor = wizard.case_id.debtor_id
            currencies = self.env["res.currency"]
            for line in debtor._open_amounts_by_currency() if debtor else []:
                currencies |= line["currency"]
            wizard.debt_currency_ids = currencies | wizard._currency()

    @api.onchange("currency_id")
    def _onchange_currency_id(self):
        if self.case_id and self.currency_id:
            self.amount = float(self._balance())

    def _currency(self):
        """The currency of the debt negotiated."""
        debtor = self.case_id.debtor_id
        return self.currency_id or (
            debtor._debt_currency() if debtor else self.case_id.currency_id
        )

    def _invoices(self):
        """The case's open invoices in the debt's currency."""
        currency = self._currency()
        return self.case_id._open_invoices().filtered(
            lambda move: move.currency_id == currency
        )

    def _policy(self):
        return self.env["collection.agent.policy"]._for_debtor(self.case_id.debtor_id)

    def _outcome(self):
        """The agreement as the engine's Outcome."""
        today = fields.Date.context_today(self)
        balance = self._balance() or Decimal(str(self.amount or 0))
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

    @api.depends(
        "kind", "currency_id", "amount", "promise_date", "installments", "spacing"
    )
    def _compute_policy_problems(self):
        for wizard in self:
            wizard.policy_problems = (
                "; ".join(wizard._problems()) if wizard.case_id else ""
            )

    def _balance(self):
        """The balance the server checks agreements against (the AI agent's):
        the debt in the wizard's currency, never a sum over currencies."""
        debtor = self.case_id.debtor_id
        currency = self._currency()
        amount = debtor._amount_to_pay(currency) if debtor else 0
        return Decimal(str(currency.round(amount)))

    def _problems(self):
        today = fields.Date.context_today(self)
        balance = self._balance()
        if balance <= 0:
            return problem_labels(self.env, ["nothing_owed"])
        return problem_labels(
            self.env,
            negotiation.within_policy(
                self._policy(),
                balance,
                today,
                self._outcome(),
                self._currency().decimal_places,
            ),
        )

    def action_record(self):
        self.ensure_one()
        problems = self._problems()
        case = self.case_id
        reason = (self.override_reason or "").strip() if self.override else ""
        if problems and self.override:
            if not self.env.user.has_group(
                "collections_automation.group_collection_manager"
            ):
                raise UserError(
                    self.env._("Only a collection manager may override the policy.")
                )
            if not reason:
                raise UserError(self.env._("Say why the policy is overridden."))
        outcome = self._outcome()
        if outcome.kind == negotiation.PROMISE:
            payment = outcome.payments[0]
            self._record_promise(
                case,
                float(payment.amount),
                payment.date,
                override_reason=reason,
                currency=self._currency(),
                invoices=self._invoices(),
            )
        else:
            self._record_plan(case, outcome, override_reason=reason)
        if problems and reason:
            case.message_post(
                body=self.env._(
                    "Policy overridden by %(user)s (%(problems)s): %(reason)s",
                    user=self.env.user.name,
                    problems="; ".join(problems),
                    reason=reason,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        # the agreement moves the case to its stage and closes its calls,
        # as any agreement does (see models/collection_agreement.py)
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def _record_promise(
        self, case, amount, when, override_reason="", currency=None, invoices=None
    ):
        """The promise, checked by the server against the negotiation policy
        (the override reason, a collection manager's, lets it through); in
        ``currency`` (by default the largest debt's), on ``invoices`` (by
        default the case's open invoices in that currency)."""
        if not currency:
            debtor = case.debtor_id
            currency = debtor._debt_currency() if debtor else case.currency_id
        if invoices is None:
            invoices = case._open_invoices().filtered(
                lambda m: m.currency_id == currency
            )
        values = {
            "partner_id": case.partner_id.id,
            "company_id": case.company_id.id,
            "amount": amount,
            "promise_date": when,
            "source": "collector",
            "invoice_ids": invoices.ids,
            "policy_override_reason": override_reason or False,
            "currency_id": currency.id,
        }
        return self.env["collection.promise"].create(values)

    def _record_plan(self, case, outcome, override_reason=""):
        invoices = self._invoices().ids
        currency = self._currency()
        return self.env["collection.payment.plan"].create(
            {
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "currency_id": currency.id,
                "source": "collector",
                "policy_override_reason": override_reason or False,
                "balance": float(self._balance()),
                "invoice_ids": invoices,
                "promise_ids": [
                    fields.Command.create(
                        {
                            "partner_id": case.partner_id.id,
                            "company_id": case.company_id.id,
                            "amount": float(payment.amount),
                            "promise_date": payment.date,
                            "currency_id": currency.id,
                            "source": "collector",
                            "invoice_ids": invoices,
                        }
                    )
                    for payment in outcome.payments
                ],
            }
        )
