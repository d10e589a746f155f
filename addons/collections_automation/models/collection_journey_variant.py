from odoo import api, fields, models


class CollectionJourneyVariant(models.Model):
    """An A/B variant of a step: other words for a share of the customers.

    Each customer always gets the same variant of a step (a stable hash of
    step and customer), in proportion to the weights.
    """

    _name = "collection.journey.variant"
    _description = "Journey Step Variant"
    _order = "step_id, code"

    step_id = fields.Many2one(
        "collection.journey.step", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    code = fields.Char(required=True, default="A")
    weight = fields.Integer(default=50, help="Relative share of customers.")
    template_ids = fields.Many2many("collection.template", string="Templates")
    share = fields.Float(
        "Share (%)",
        compute="_compute_share",
        help="The share of the step's customers who get this variant.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(step_id, code)", "Variant codes are unique per step."),
        ("weight_positive", "CHECK(weight >= 0)", "Weights cannot be negative."),
    ]

    @api.depends("code", "step_id.name")
    def _compute_display_name(self):
        """ "First reminder, variant B": a variant is read by its step."""
        for variant in self:
            variant.display_name = self.env._(
                "%(step)s, variant %(code)s",
                step=variant.step_id.name or "",
                code=variant.code or "",
            )

    @api.depends("weight", "step_id.variant_ids.weight")
    def _compute_share(self):
        for variant in self:
            total = sum(variant.step_id.variant_ids.mapped("weight"))
            variant.share = 100.0 * variant.weight / total if total else 0.0
