from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    """Collections in Settings: where admins find journeys, buckets and policies."""

    _inherit = "res.config.settings"

    collection_journey_count = fields.Integer(
        compute="_compute_collection_counts", string="Journeys"
    )
    collection_policy_count = fields.Integer(
        compute="_compute_collection_counts", string="Contact Policies"
    )

    @api.depends("company_id")
    def _compute_collection_counts(self):
        journeys = self.env["collection.journey"].search_count([])
        policies = self.env["collection.contact.policy"].search_count([])
        for settings in self:
            settings.collection_journey_count = journeys
            settings.collection_policy_count = policies
