from odoo import api, fields, models


class CollectionTeamMember(models.Model):
    """A collector in a team, with the number of open cases they can carry."""

    _name = "collection.team.member"
    _description = "Collection Team Member"
    _order = "team_id, user_id"

    team_id = fields.Many2one(
        "collection.team", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", "Collector", required=True, index=True)
    capacity = fields.Integer(default=50, help="Open cases at most.")
    absent = fields.Boolean(
        help="On leave: new cases skip them and their open cases are reassigned."
    )
    open_case_count = fields.Integer(compute="_compute_open_case_count")

    _sql_constraints = [
        ("member_uniq", "unique(team_id, user_id)", "A collector is in a team once."),
    ]

    @api.depends("user_id")
    def _compute_open_case_count(self):
        loads = self.env["collection.case"]._open_loads(self.user_id.ids)
        for member in self:
            member.open_case_count = loads.get(member.user_id.id, 0)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("absent"):
            self.env["collection.case"]._reassign_absent()
        return result
