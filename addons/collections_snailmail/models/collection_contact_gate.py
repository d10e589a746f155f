from odoo import api, models

from odoo.addons.collections_automation.models.collection_contact_gate import Verdict


class CollectionContactGate(models.AbstractModel):
    _inherit = "collection.contact.gate"

    @api.model
    def _channel_refusal(self, facts, partner, channel, company):
        """Post needs a complete postal address (what Snailmail needs)."""
        if channel == "post" and not self.env["snailmail.letter"]._is_valid_address(
            partner
        ):
            return Verdict(
                "refused",
                "no_address",
                self.env._(
                    "The postal address is incomplete (street, city, zip, country)."
                ),
            )
        return super()._channel_refusal(facts, partner, channel, company)
