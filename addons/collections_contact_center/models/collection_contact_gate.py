from datetime import timedelta

import pytz

from odoo import api, models

from odoo.addons.collections_automation.engine import policy as policy_engine
from odoo.addons.collections_automation.models.collection_contact_gate import (
    HISTORY_DAYS,
)


class CollectionContactGate(models.AbstractModel):
    _inherit = "collection.contact.gate"

    @api.model
    def _contact_history(self, partners, now):
        """Calls collectors log on cases are contacts too: each is a call
        attempt, and a right-party call a conversation (Regulation F's seven
        days without calls start from it). A call concerns the customer, not
        one invoice, so it counts for every debt."""
        history = super()._contact_history(partners, now)
        if not partners:
            return history
        calls = (
            self.env["collection.case.call"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("call_date", ">", now - timedelta(days=HISTORY_DAYS)),
                    ("call_date", "<=", now),
                ],
                ["partner_id", "call_date", "right_party"],
            )
        )
        for call in calls:
            history[call.partner_id.id].append(
                policy_engine.ContactEvent(
                    policy_engine.VOICE,
                    pytz.utc.localize(call.call_date),
                    None,
                    conversation=call.right_party,
                    delivered=call.right_party,
                )
            )
        return history
