from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import negotiation

POLICY_KEYS = (
    "max_promise_days",
    "min_promise_pct",
    "max_installments",
    "max_plan_days",
    "min_installment_amount",
    "min_down_payment_pct",
    "max_discount_pct",
    "waive_late_fees",
)


class CollectionAgentPolicy(models.Model):
    """What may be agreed with a customer, per segment and bucket.

    The AI agent and, in the contact center, collectors negotiate within the
    first policy (by sequence) whose segments and buckets match the customer;
    an empty list matches any. The engine (``engine.negotiation``) enforces
    it whatever the customer writes.
    """

    _name = "collection.agent.policy"
    _description = "Negotiation Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    segment_ids = fields.Many2many(
        "collection.segment", string="Segments", check_company=True
    )
    bucket_ids = fields.Many2many(
        "collection.bucket", string="Buckets", check_company=True
    )
    max_promise_days = fields.Integer(
        "Latest Promise (days)",
        default=15,
        help="A promise may fall at most this many days from today.",
    )
    min_promise_pct = fields.Float(
        "Promise Covers at Least (%)",
        default=100,
        help="Share of the balance a single promise must cover (100: all of it).",
    )
    max_installments = fields.Integer(default=6)
    max_plan_days = fields.Integer(
        "Plan Length (days)",
        default=180,
        help="The last installment falls at most this many days from today.",
    )
    min_installment_amount = fields.Float(
        "Smallest Installment", help="In the company's currency."
    )
    min_down_payment_pct = fields.Float(
        "First Installment at Least (%)",
        help="Share of the balance the first installment must cover.",
    )
    max_discount_pct = fields.Float(
        "Discount for Settling (%)",
        help="Largest discount the agent may grant for paying in full; "
        "never offered first.",
    )
    waive_late_fees = fields.Boolean(
        "May Waive Late Fees",
        help="When the customer agrees a promise or a payment plan under this "
        "policy, the late fees and interest the journeys charged them are "
        "waived: draft fee invoices cancelled, posted ones reversed, with a "
        "note on the invoice, the customer and the agreement.",
    )

    @api.constrains(*POLICY_KEYS)
    def _check_limits(self):
        for policy in self:
            try:
                policy._to_engine()
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Policy %(name)s: %(error)s", name=policy.name, error=error
                    )
                ) from error

    def _to_dict(self):
        """The policy as the engine's plain keys (exact decimals as text)."""
        self.ensure_one()
        values = {key: self[key] for key in POLICY_KEYS}
        for key in POLICY_KEYS:
            if isinstance(values[key], float):
                values[key] = f"{values[key]:.2f}"
        return values

    def _to_engine(self):
        return negotiation.Policy.from_dict(self._to_dict())

    @api.model
    def _for_debtor(self, debtor):
        """The policy dict that applies to ``debtor`` (a collection.debtor);
        the engine's defaults when no policy matches."""
        policy = self._matching(debtor)
        return policy._to_dict() if policy else negotiation.Policy().to_dict()

    @api.model
    def _matching(self, debtor):
        """The first policy (by sequence) whose segments and buckets match
        ``debtor``; an empty recordset when none does."""
        policies = self.search(
            [("company_id", "in", (False, debtor.company_id.id))], order="sequence, id"
        )
        for policy in policies:
            if policy.segment_ids and debtor.segment_id not in policy.segment_ids:
                continue
            if policy.bucket_ids and debtor.worst_bucket_id not in policy.bucket_ids:
                continue
            return policy
        return self.browse()


class CollectionFee(models.Model):
    """Late fees are waived on an agreement where the customer's negotiation
    policy says so."""

    _inherit = "collection.fee"

    @api.model
    def _waiver_policy(self, debtor):
        if not debtor:
            return False
        policy = self.env["collection.agent.policy"].sudo()._matching(debtor)
        if policy and negotiation.waives_late_fees(policy._to_dict()):
            return policy.name
        return False
