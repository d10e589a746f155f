from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    #: The customer's cases: whose teams and collectors work the customer
    #: (the record rules of collectors go through it).
    collection_case_ids = fields.One2many(
        "collection.case",
        "partner_id",
        "Collection Cases",
        groups="collections_automation.group_collection_user",
    )
