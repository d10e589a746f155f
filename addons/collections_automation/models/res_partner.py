from odoo import api, fields, models


class ResPartner(models.Model):
    """Collection figures of a customer, for the company the user works in."""

    _inherit = "res.partner"

    collection_debtor_ids = fields.One2many(
        "collection.debtor", "partner_id", "Collection Records"
    )
    collection_debtor_id = fields.Many2one(
        "collection.debtor",
        "In Collection",
        compute="_compute_collection_figures",
        help="This customer's collection record in the current company.",
    )
    collection_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_figures"
    )
    collection_total_due = fields.Monetary(
        "Total Due (collection)",
        compute="_compute_collection_figures",
        currency_field="collection_currency_id",
    )
    collection_total_overdue = fields.Monetary(
        "Total Overdue",
        compute="_compute_collection_figures",
        currency_field="collection_currency_id",
    )
    collection_worst_bucket_id = fields.Many2one(
        "collection.bucket", "Worst Bucket", compute="_compute_collection_figures"
    )
    collection_oldest_due_date = fields.Date(
        "Oldest Due Date", compute="_compute_collection_figures"
    )

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id.collection_debtor_ids.total_due",
        "commercial_partner_id.collection_debtor_ids.total_overdue",
        "commercial_partner_id.collection_debtor_ids.worst_bucket_id",
        "commercial_partner_id.collection_debtor_ids.oldest_due_date",
    )
    def _compute_collection_figures(self):
        company = self.env.company
        for partner in self:
            debtor = partner.commercial_partner_id.collection_debtor_ids.filtered(
                lambda d: d.company_id == company
            )[:1]
            partner.collection_debtor_id = debtor
            partner.collection_currency_id = company.currency_id
            partner.collection_total_due = debtor.total_due
            partner.collection_total_overdue = debtor.total_overdue
            partner.collection_worst_bucket_id = debtor.worst_bucket_id
            partner.collection_oldest_due_date = debtor.oldest_due_date
