from markupsafe import Markup

from odoo import api, models


class CollectionPlanner(models.AbstractModel):
    _inherit = "collection.planner"

    @api.model
    def _schedule_calls(self, escalations):
        """A journey step that escalates opens (or updates) the customer's
        case, routed to a collector, rather than a loose activity."""
        self.env["collection.case"].sudo()._escalate_many(
            [
                (
                    message.partner_id,
                    message.company_id,
                    "journey",
                    Markup("<p>%s</p>")
                    % self.env._(
                        "Journey step %(step)s escalated this customer to a "
                        "collector.",
                        step=message.step_id.name or "",
                    ),
                )
                for message in escalations
            ]
        )
