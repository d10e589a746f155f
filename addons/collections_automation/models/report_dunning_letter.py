from odoo import api, models
from odoo.exceptions import UserError


class ReportDunningLetter(models.AbstractModel):
    """Values of the dunning letter's QWeb report: the letter given in
    ``data`` (or the customer's current step's) and each customer's figures,
    read with the user's rights."""

    _name = "report.collections_automation.report_dunning_letter"
    _description = "Dunning Letter Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        Letter = self.env["collection.letter"]
        letter_id = (data or {}).get("letter_id") or self.env.context.get(
            "collection_letter_id"
        )
        letters = {}
        for partner in partners:
            letter = (
                Letter.browse(letter_id).exists()
                if letter_id
                else Letter._for_partner(partner)
            )
            if not letter:
                raise UserError(
                    self.env._(
                        "No dunning letter for %s: write one on a step of its "
                        "journey.",
                        partner.display_name,
                    )
                )
            letters[partner.id] = Letter._values(letter, partner)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "letters": letters,
        }
