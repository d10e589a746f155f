from odoo import api, fields, models
from odoo.exceptions import ValidationError


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

    @api.constrains("user_id", "team_id")
    def _check_user(self):
        """A collector works the cases of the team's company: an employee of
        it (routing also skips those who lost it since, see
        ``collection.team._to_engine``)."""
        for member in self:
            if not member._can_work():
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot join %(team)s: only employees of "
                        "%(company)s can.",
                        user=member.user_id.sudo().name,
                        team=member.team_id.name,
                        company=member.team_id.company_id.name,
                    )
                )

    def _can_work(self):
        """Whether the member may work the team's cases now."""
        self.ensure_one()
        return self._may_work(self.user_id, self.team_id.company_id)

    @api.model
    def _may_work(self, user, company):
        """Whether ``user`` may work ``company``'s cases: an employee of it
        (not a portal login, nor someone who cannot open them). The one
        rule for a team's members and a case's collector."""
        user = user.sudo()
        return not user.share and company in user.company_ids

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
