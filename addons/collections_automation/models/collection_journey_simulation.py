from odoo import fields, models


class CollectionJourneySimulation(models.TransientModel):
    """What a journey would do today for a sample of its customers: which
    step, on which channel, sent now, deferred until when, or refused and
    why, as the planner and the contact gate would decide. Nothing is
    written to the outbox."""

    _name = "collection.journey.simulation"
    _description = "Journey Simulation"

    journey_id = fields.Many2one("collection.journey", required=True)
    simulated_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    line_ids = fields.One2many(
        "collection.journey.simulation.line", "simulation_id", "Customers"
    )

    def _run(self, sample):
        """Fill the lines for up to ``sample`` customers of the journey."""
        self.ensure_one()
        journey = self.journey_id
        now = self.simulated_at
        debtors = self.env["collection.debtor"].search(
            [
                ("journey_id", "=", journey.id),
                ("total_due", ">", 0),
                ("oldest_due_date", "!=", False),
            ],
            order="priority desc, id",
            limit=sample,
        )
        planner = self.env["collection.planner"]
        rows = planner._rows_for(
            debtors,
            {journey: journey.step_ids._to_engine()},
            {"rules": {}, "memo": {}, "steps": {}},
            now,
            every_refusal=True,
        )
        by_debtor = {row["debtor"].id: row for row in rows}
        Line = self.env["collection.journey.simulation.line"]
        Line.create(
            [
                dict(
                    Line._describe(by_debtor.get(debtor.id), now),
                    simulation_id=self.id,
                    partner_id=debtor.partner_id.id,
                )
                for debtor in debtors
            ]
        )
