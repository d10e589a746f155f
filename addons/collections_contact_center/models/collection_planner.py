from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.collections_automation.tools import pg_array


class CollectionPlanner(models.AbstractModel):
    _inherit = "collection.planner"

    @api.model
    def _schedule_calls(self, escalations):
        """A journey step that escalates opens (or updates) the customer's
        case, routed to a collector, rather than a loose activity: the whole
        planning's escalations at once (``collection.case._escalate_many``)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, partner_id, company_id, step_id FROM collection_message"
                " WHERE id = ANY(%s::int[])",
                pg_array(escalations.ids),
            )
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        # the steps from the rows just read: through ``escalations.step_id``
        # the ORM read every column of tens of thousands of rows
        steps = self.env["collection.journey.step"].browse(
            {step_id for *_ids, step_id in rows.values() if step_id}
        )
        notes = {step.id: self._escalation_note(step.name) for step in steps}
        self.env["collection.case"].sudo()._escalate_many(
            [
                (
                    partner_id,
                    company_id,
                    "journey",
                    notes.get(step_id) or self._escalation_note(""),
                )
                for partner_id, company_id, step_id in map(rows.get, escalations.ids)
            ]
        )

    @api.model
    def _escalation_note(self, step_name):
        return Markup("<p>%s</p>") % self.env._(
            "Journey step %(step)s escalated this customer to a collector.",
            step=step_name or "",
        )
