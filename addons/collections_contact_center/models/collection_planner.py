from markupsafe import Markup

from odoo import api, models


class CollectionPlanner(models.AbstractModel):
    _inherit = "collection.planner"

    @api.model
    def _schedule_calls(self, escalations):
        """A journey step that escalates opens (or updates) the customer's
        case, routed to a collector, rather than a loose activity: the whole
        planning's escalations at once (``collection.case._escalate_many``)."""
        notes = {}
        for step in escalations.step_id:
            notes[step.id] = Markup("<p>%s</p>") % self.env._(
                "Journey step %(step)s escalated this customer to a collector.",
                step=step.name or "",
            )
        self.env["collection.case"].sudo()._escalate_many(
            [
                (
                    message.partner_id,
                    message.company_id,
                    "journey",
                    notes.get(message.step_id.id)
                    or Markup("<p>%s</p>")
                    % self.env._(
                        "Journey step %(step)s escalated this customer to a "
                        "collector.",
                        step="",
                    ),
                )
                for message in escalations
            ]
        )
