from odoo import api, fields, models


class CollectionCaseCall(models.Model):
    """One call attempt logged on a case, for the history and the KPIs."""

    _name = "collection.case.call"
    _description = "Collection Call"
    _order = "call_date desc, id desc"
    _check_company_auto = True

    case_id = fields.Many2one(
        "collection.case", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="case_id.partner_id", store=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    team_id = fields.Many2one("collection.team", index=True)
    user_id = fields.Many2one("res.users", "Collector", index=True)
    call_date = fields.Datetime(default=fields.Datetime.now, required=True)
    disposition_id = fields.Many2one("collection.disposition", "Outcome", required=True)
    right_party = fields.Boolean(related="disposition_id.right_party", store=True)
    note = fields.Text()

    @api.model_create_multi
    def create(self, vals_list):
        """A call counts for the case's team unless told otherwise, and for
        the person who logs it; logged by the system (an import, data
        loaded), for the case's collector: never for OdooBot (KPIs per team
        and collector)."""
        cases = self.env["collection.case"].browse(
            [vals["case_id"] for vals in vals_list if vals.get("case_id")]
        )
        team_of = {case.id: case.team_id.id for case in cases}
        owner_of = {case.id: case.user_id.id for case in cases}
        system = self.env.user._is_superuser() or self.env.user._is_public()
        for vals in vals_list:
            if not vals.get("team_id") and vals.get("case_id"):
                vals["team_id"] = team_of.get(vals["case_id"], False)
            if "user_id" not in vals:
                vals["user_id"] = (
                    owner_of.get(vals.get("case_id"), False)
                    if system
                    else self.env.user.id
                )
        return super().create(vals_list)
