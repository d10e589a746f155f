from odoo import fields, models


class CollectionJourneyStep(models.Model):
    _inherit = "collection.journey.step"

    channel = fields.Selection(
        selection_add=[("post", "Post")], ondelete={"post": "set default"}
    )
