from odoo import fields, models


class ResCompany(models.Model):
    """From which delinquency bucket the company holds its customers' sales."""

    _inherit = "res.company"

    collection_sale_hold_bucket_id = fields.Many2one(
        "collection.bucket",
        "Hold Sales From Bucket",
        help="A customer whose oldest unpaid invoice is in this bucket or a "
        "later one is on a sales hold: only a Sales Administrator or a "
        "Collection Manager may confirm their orders. Empty: no hold.",
    )
