from odoo import api, fields, models
from odoo.exceptions import UserError

#: Customers a simulation looks at.
SIMULATION_SAMPLE = 20


class CollectionJourney(models.Model):
    """An ordered series of reminders and escalations a segment follows.

    A journey runs only once started, and it cannot start while it could
    never send anything (no segment follows it, or a step has no channel
    with both a provider and a template). Lesser problems (a channel of a
    step that will always be passed over) are warnings on the form.
    """

    _name = "collection.journey"
    _description = "Collection Journey"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running")],
        required=True,
        default="draft",
        help="Draft: being built, nothing is planned. Running: the daily planning "
        "sends its steps to the customers of its segments.",
    )
    company_id = fields.Many2one("res.company", index=True)
    step_ids = fields.One2many("collection.journey.step", "journey_id", "Steps")
    segment_ids = fields.One2many("collection.segment", "journey_id", "Segments")
    review_first = fields.Boolean(
        help="Planned messages wait for a person to approve, edit or skip them.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        help="Gets the activities of escalations and broken promises when the "
        "customer has no salesperson.",
    )
    blocking_problems = fields.Text(
        compute="_compute_problems",
        help="What keeps this journey from ever sending anything.",
    )
    warnings = fields.Text(
        compute="_compute_problems",
        help="Channels and templates this journey will always pass over.",
    )

    # === Compute === #
    @api.depends(
        "segment_ids",
        "step_ids.action",
        "step_ids.channel",
        "step_ids.fallback_channels",
        "step_ids.template_ids",
        "step_ids.variant_ids.template_ids",
        "company_id",
    )
    def _compute_problems(self):
        for journey in self:
            blocking, warnings = journey._problems()
            journey.blocking_problems = "\n".join(blocking) or False
            journey.warnings = "\n".join(warnings) or False

    def _problems(self):
        """``(blocking, warnings)``: lists of sentences for people."""
        self.ensure_one()
        blocking, warnings = [], []
        if not self.segment_ids:
            blocking.append(
                self.env._(
                    "No segment follows this journey, so no customer will get its "
                    "messages: choose it on a segment."
                )
            )
        if not self.step_ids:
            blocking.append(self.env._("The journey has no step."))
        company = self.company_id or self.env.company
        for step in self.step_ids:
            step_blocking, step_warnings = step._problems(company)
            blocking += step_blocking
            warnings += step_warnings
        return blocking, warnings

    # === CRUD === #
    @api.model_create_multi
    def create(self, vals_list):
        """Made running (by a script, an import): checked as Start is."""
        to_start = [vals.get("state") == "running" for vals in vals_list]
        journeys = super().create(
            [
                {**vals, "state": "draft"} if start else vals
                for vals, start in zip(vals_list, to_start, strict=True)
            ]
        )
        journeys.browse(
            [j.id for j, start in zip(journeys, to_start, strict=True) if start]
        ).action_start()
        return journeys

    def write(self, vals):
        if vals.get("state") != "running":
            result = super().write(vals)
            self._check_still_runs()
            return result
        others = {k: v for k, v in vals.items() if k != "state"}
        if others:
            super().write(others)
        self._check_can_run()
        return super().write({"state": "running"})

    def _check_still_runs(self):
        """Refuse a change (to the journey, its steps, its segments) that
        would leave a running journey unable to send anything: it would
        stop silently. Pausing it first allows any change."""
        if self.env.context.get("install_module"):
            return
        for journey in self.exists().filtered(lambda j: j.state == "running"):
            blocking, _warnings = journey._problems()
            if blocking:
                raise UserError(
                    self.env._(
                        "%(journey)s is running, and this change would keep it "
                        "from sending anything:\n%(problems)s\nPause it first "
                        "to change it this way.",
                        journey=journey.name,
                        problems="\n".join(f"- {line}" for line in blocking),
                    )
                )

    def _check_can_run(self):
        """Refuse to run a journey that could never send anything, however it
        is started (the form's button, JSON-RPC, an import). The module's own
        data is loaded before the segments that follow it, so it is trusted."""
        if self.env.context.get("install_module"):
            return
        for journey in self:
            blocking, _warnings = journey._problems()
            if blocking:
                raise UserError(
                    self.env._(
                        "%(journey)s cannot start:\n%(problems)s",
                        journey=journey.name,
                        problems="\n".join(f"- {line}" for line in blocking),
                    )
                )

    # === Actions === #
    def action_start(self):
        """Run the journey, unless it could never send anything."""
        return self.write({"state": "running"})

    def action_pause(self):
        """Stop planning this journey's steps; what is planned stays."""
        self.write({"state": "draft"})

    def action_simulate(self):
        """What the journey would send today to a sample of its customers,
        and why not, in the contact gate's words."""
        self.ensure_one()
        simulation = self.env["collection.journey.simulation"].create(
            {"journey_id": self.id}
        )
        simulation._run(SIMULATION_SAMPLE)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Simulation of %s", self.name),
            "res_model": "collection.journey.simulation",
            "res_id": simulation.id,
            "view_mode": "form",
            "target": "new",
        }
