from odoo import api, models


class ReportCustomerStatement(models.AbstractModel):
    """Values of the statement's QWeb report: each customer's statement,
    read with the user's rights (``collection.statement._data``), so that
    printing through ``/report`` checks access as the buttons do."""

    _name = "report.collections_automation.report_customer_statement"
    _description = "Customer Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        Statement = self.env["collection.statement"]
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {p.id: Statement._data(p) for p in partners},
        }
