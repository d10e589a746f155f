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

    collection_payment_provider_count = fields.Integer(
        compute="_compute_collection_payment_providers",
        string="Active Payment Providers",
        help="Payment providers enabled (or in test mode) and published for "
        "this company: what a customer opening a payment link can pay with.",
    )
    collection_payment_provider_missing = fields.Boolean(
        compute="_compute_collection_payment_providers"
    )
    # late fees and interest of journey steps (models/collection_fee.py)
    collection_fee_product_id = fields.Many2one(
        related="company_id.collection_fee_product_id", readonly=False
    )
    collection_fee_account_id = fields.Many2one(
        related="company_id.collection_fee_account_id", readonly=False
    )
    collection_fee_state = fields.Selection(
        related="company_id.collection_fee_state", readonly=False
    )

    @api.depends("company_id")
    def _compute_collection_payment_providers(self):
        Provider = self.env["payment.provider"].sudo()
        for settings in self:
            count = Provider.search_count(
                [
                    *Provider._check_company_domain(settings.company_id),
                    ("state", "in", ("enabled", "test")),
                    ("is_published", "=", True),
                ]
            )
            settings.collection_payment_provider_count = count
            settings.collection_payment_provider_missing = not count

    @api.depends("company_id")
    def _compute_collection_counts(self):
        journeys = self.env["collection.journey"].search_count([])
        policies = self.env["collection.contact.policy"].search_count([])
        for settings in self:
            settings.collection_journey_count = journeys
            settings.collection_policy_count = policies
