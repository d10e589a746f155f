from odoo import api, fields, models

from .res_partner import CHANNEL_SELECTION


class CollectionJourneySimulationLine(models.TransientModel):
    """One customer in a journey's simulation, in words."""

    _name = "collection.journey.simulation.line"
    _description = "Journey Simulation Line"
    _order = "id"

    simulation_id = fields.Many2one(
        "collection.journey.simulation", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    step_id = fields.Many2one("collection.journey.step", readonly=True)
    channel = fields.Selection(
        [*CHANNEL_SELECTION, ("collector", "Collector")], readonly=True
    )
    outcome = fields.Selection(
        [
            ("send", "Sent now"),
            ("deferred", "Deferred"),
            ("review", "Waits for review"),
            ("escalate", "Handed to a collector"),
            ("refused", "Not sent"),
            ("nothing", "Nothing due today"),
        ],
        readonly=True,
    )
    explanation = fields.Char(readonly=True)

    @api.model
    def _describe(self, row, now):
        """Line values for a planner row (None: no step due today)."""
        if row is None:
            return {
                "outcome": "nothing",
                "explanation": self.env._(
                    "No step is due today for this customer (a step already "
                    "went, or the next one is later)."
                ),
            }
        values = {"step_id": row["step"].id, "channel": row.get("channel") or False}
        state = row["state"]
        if state == "refused":
            values.update(outcome="refused", explanation=row.get("refusal_reason"))
        elif row.get("channel") == "collector":
            values.update(
                outcome="escalate",
                explanation=self.env._("A collector gets the customer's case."),
            )
        elif row.get("deferral_reason"):
            values.update(outcome="deferred", explanation=row["deferral_reason"])
        elif state == "review":
            values.update(
                outcome="review",
                explanation=self.env._("A person approves the text before it goes."),
            )
        else:
            values.update(outcome="send", explanation=row.get("channel_notes") or False)
        return values
