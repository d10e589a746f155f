from odoo import api, models


class CollectionPlanner(models.AbstractModel):
    _inherit = "collection.planner"

    @api.model
    def _choose_channel(self, context, debtor, step, decision, now):
        """A row on post prints its step's letter: it has no template (the
        "template" the step gave for post was its letter)."""
        row = super()._choose_channel(context, debtor, step, decision, now)
        if row.get("channel") == "post" and "template_id" in row:
            row["template_id"] = None
        return row
