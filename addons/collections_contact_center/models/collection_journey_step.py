from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..engine import abtest
from .collection_kpi_line import ab_outcomes

AB_METRIC_SELECTION = [
    ("reply", "Replies"),
    ("promise", "Promises"),
    ("payment", "Payments"),
]
_lt = LazyTranslate(__name__)
VERDICT_REASONS = {
    abtest.SIGNIFICANT: _lt("A significant winner"),
    abtest.SINGLE_VARIANT: _lt("Only one variant"),
    abtest.TOO_FEW_SAMPLES: _lt("Not enough customers yet"),
    abtest.TOO_FEW_EVENTS: _lt("Too few successes to test yet"),
    abtest.NOT_SIGNIFICANT: _lt("No significant difference"),
    abtest.BEST_NOT_SEPARATED: _lt("The best variant does not beat all the others"),
}


class CollectionJourneyStep(models.Model):
    """A/B results of a step's variants, and the switch that ends the test."""

    _inherit = "collection.journey.step"

    variant_count = fields.Integer(compute="_compute_variant_count", store=True)
    ab_metric = fields.Selection(
        AB_METRIC_SELECTION,
        "Decide On",
        default="payment",
        required=True,
        help="The outcome the A/B test is judged on, within 14 days of the " "message.",
    )
    ab_min_samples = fields.Integer(
        "Minimum Customers per Variant",
        default=100,
        help="No winner is named before every variant reached this many customers.",
    )
    ab_winner_id = fields.Many2one(
        "collection.journey.variant", "Winner", compute="_compute_ab_verdict"
    )
    ab_verdict = fields.Char("Verdict", compute="_compute_ab_verdict")
    ab_p_value = fields.Float("p-value", digits=(16, 4), compute="_compute_ab_verdict")
    ab_tested = fields.Boolean(
        compute="_compute_ab_verdict",
        help="Whether the variants were compared: a p-value exists only then.",
    )
    ab_decided_variant_id = fields.Many2one(
        "collection.journey.variant", "Sent to Everyone", readonly=True, copy=False
    )
    ab_decided_by = fields.Many2one(
        "res.users", "Decided By", readonly=True, copy=False
    )
    ab_decided_on = fields.Datetime("Decided On", readonly=True, copy=False)

    @api.depends("variant_ids")
    def _compute_variant_count(self):
        for step in self:
            step.variant_count = len(step.variant_ids)

    def _ab_results(self):
        """Step -> the engine's per variant counts, over all time; a variant
        not sent yet counts as sent to nobody (it is one of the test)."""
        outcomes = ab_outcomes(self.env, self)
        results = {}
        for step in self:
            counts = abtest.tally(outcomes.get(step, []))
            met = {count.variant for count in counts}
            results[step] = counts + [
                abtest.VariantCounts(variant.id, 0, 0, 0, 0)
                for variant in step.variant_ids
                if variant.id not in met
            ]
        return results

    @api.constrains("ab_min_samples")
    def _check_ab_min_samples(self):
        if any(step.ab_min_samples < 1 for step in self):
            raise ValidationError(
                self.env._("An A/B test needs at least one customer per variant.")
            )

    def _compute_ab_verdict(self):
        results = self._ab_results()
        for step in self:
            verdict = abtest.winner(
                results[step], step.ab_metric, min_samples=step.ab_min_samples
            )
            step.ab_winner_id = verdict.variant or False
            step.ab_p_value = verdict.p_value or 0.0
            step.ab_tested = verdict.p_value is not None
            reason = str(VERDICT_REASONS[verdict.reason])
            if verdict.reason == abtest.TOO_FEW_SAMPLES:
                reason = self.env._(
                    "%(reason)s: each variant needs %(count)s.",
                    reason=reason,
                    count=step.ab_min_samples,
                )
            step.ab_verdict = reason

    def action_send_winner_to_everyone(self):
        """Give the winning variant all the weight; the others none.

        Managers only, and only with a significant winner: ending a test on
        noise would lock in a worse message.
        """
        if not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise AccessError(
                self.env._("Only collection managers can end an A/B test.")
            )
        for step in self:
            if not step.ab_winner_id:
                raise UserError(
                    self.env._(
                        "Step %(step)s has no winner to send to everyone: %(verdict)s.",
                        step=step.name,
                        verdict=step.ab_verdict,
                    )
                )
            step.ab_winner_id.weight = 100
            (step.variant_ids - step.ab_winner_id).weight = 0
            step.write(
                {
                    "ab_decided_variant_id": step.ab_winner_id.id,
                    "ab_decided_by": self.env.uid,
                    "ab_decided_on": fields.Datetime.now(),
                }
            )
        return True
