from odoo import fields, models


class CollectionJourney(models.Model):
    """An ordered series of reminders and escalations a segment follows."""

    _name = "collection.journey"
    _description = "Collection Journey"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    step_ids = fields.One2many("collection.journey.step", "journey_id", "Steps")
    segment_ids = fields.One2many("collection.segment", "journey_id", "Segments")
    review_first = fields.Boolean(
        help="Planned messages wait for a person to approve, edit or skip them.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        help="Gets the activities of escalations and broken promises when the "
        "customer has no salesperson.",
    )
