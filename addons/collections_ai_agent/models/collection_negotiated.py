from decimal import Decimal

from odoo import _lt, fields, models

from ..engine import negotiation

#: What ``negotiation.within_policy`` finds, in words.
PROBLEM_LABELS = {
    "no_payments": _lt("no payment"),
    "bad_amount": _lt("an amount is not a positive sum of money"),
    "date_in_past": _lt("the date has passed"),
    "dates_not_increasing": _lt("the dates do not follow each other"),
    "negative_discount": _lt("the discount is negative"),
    "discount_too_big": _lt("the discount is larger than the policy allows"),
    "promise_not_one_payment": _lt("a promise is one payment"),
    "promise_too_late": _lt("the promise falls later than the policy allows"),
    "discount_outside_window": _lt("a discount is only for paying soon"),
    "total_mismatch": _lt("the payments do not add up to the balance"),
    "total_above_balance": _lt("the promise is more than the balance"),
    "promise_too_small": _lt("the promise covers less of the balance than required"),
    "installment_count": _lt("the number of installments is outside the policy"),
    "plan_too_long": _lt("the plan ends later than the policy allows"),
    "installment_too_small": _lt("an installment is smaller than the policy allows"),
    "down_payment_too_small": _lt("the first installment is too small"),
    "nothing_owed": _lt("the customer owes nothing"),
}


def problem_labels(env, codes):
    """The problems ``within_policy`` found, in words (unknown ones as they are)."""
    labels = [PROBLEM_LABELS.get(code.split(":")[0]) for code in codes]
    return [
        env._(label) if label else code
        for label, code in zip(labels, codes, strict=True)
    ]


class CollectionNegotiatedMixin(models.AbstractModel):
    """Promises and plans are checked against the negotiation policy that
    applies to the customer, with the customer's balance of the day (never a
    balance given by whoever records the agreement)."""

    _inherit = "collection.negotiated.mixin"

    def _negotiation_outcome(self):
        """The record as the engine's Outcome."""
        raise NotImplementedError

    def _negotiation_problems(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        company = self.company_id
        debtor = (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                limit=1,
            )
        )
        # the figure the customer is told and the agent negotiates on: the
        # debt in the agreement's currency, never a sum over currencies
        currency = self.currency_id or company.currency_id
        balance = debtor._amount_to_pay(currency) if debtor else 0.0
        if balance <= 0:
            return problem_labels(self.env, ["nothing_owed"])
        policy = self.env["collection.agent.policy"].sudo()._for_debtor(debtor)
        outcome = self._negotiation_outcome()
        # the user's day and the customer's: either may be the one agreed on
        days = {
            fields.Date.context_today(self),
            fields.Date.context_today(self.with_context(tz=partner.tz or "UTC")),
        }
        found = [
            negotiation.within_policy(
                policy,
                Decimal(str(currency.round(balance))),
                today,
                outcome,
                currency.decimal_places,
            )
            for today in sorted(days)
        ]
        return problem_labels(self.env, min(found, key=len))

    def _money(self, amount):
        currency = self.currency_id or self.company_id.currency_id
        return Decimal(str(currency.round(amount)))


class CollectionPromise(models.Model):
    _inherit = "collection.promise"

    def _negotiation_outcome(self):
        return negotiation.Outcome(
            negotiation.PROMISE,
            (negotiation.Payment(self.promise_date, self._money(self.amount)),),
        )


class CollectionPaymentPlan(models.Model):
    _inherit = "collection.payment.plan"

    def _negotiation_outcome(self):
        installments = self.promise_ids.filtered(
            lambda p: p.state != "cancelled"
        ).sorted(lambda p: (p.promise_date, p.id))
        return negotiation.Outcome(
            negotiation.PLAN,
            tuple(
                negotiation.Payment(p.promise_date, self._money(p.amount))
                for p in installments
            ),
            discount_pct=Decimal(str(round(self.discount_pct or 0, 2))),
        )
