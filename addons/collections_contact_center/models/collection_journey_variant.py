from odoo import fields, models


class CollectionJourneyVariant(models.Model):
    """A variant's results so far, beside its weight."""

    _inherit = "collection.journey.variant"

    ab_sent = fields.Integer("Customers", compute="_compute_ab_rates")
    ab_reply_rate = fields.Float("Reply Rate", compute="_compute_ab_rates")
    ab_promise_rate = fields.Float("Promise Rate", compute="_compute_ab_rates")
    ab_payment_rate = fields.Float("Payment Rate", compute="_compute_ab_rates")

    def _compute_ab_rates(self):
        counts = {
            result.variant: result
            for results in self.step_id._ab_results().values()
            for result in results
        }
        for variant in self:
            result = counts.get(variant.id)
            variant.ab_sent = result.sent if result else 0
            for metric in ("reply", "promise", "payment"):
                rate = result.rate(metric) if result else None
                variant[f"ab_{metric}_rate"] = float(rate or 0)
