from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The sales hold in Settings > Collections."""

    _inherit = "res.config.settings"

    collection_sale_hold_bucket_id = fields.Many2one(
        related="company_id.collection_sale_hold_bucket_id", readonly=False
    )
