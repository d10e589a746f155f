from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CollectionTeamScope(models.AbstractModel):
    """Rows a collector reaches through the cases of their teams.

    A row (a customer in collection, an invoice, a promise, a message...)
    is in a collector's cases when the customer has a case *in the row's
    company* that is theirs or their team's. Tying the case's company to the
    row's keeps a collector with a case in one company from reading the same
    customer's rows in another company they may also work in. The record
    rules of ``security/`` search this field.
    """

    _name = "collection.team.scope"
    _description = "Rows reached through my teams' cases"

    collection_in_my_cases = fields.Boolean(
        "In My Cases",
        compute="_compute_collection_in_my_cases",
        search="_search_collection_in_my_cases",
    )

    def _compute_collection_in_my_cases(self):
        mine = set(
            self.sudo()
            .with_context(active_test=False)
            ._search([("id", "in", self.ids), ("collection_in_my_cases", "=", True)])
        )
        for row in self:
            row.collection_in_my_cases = row.id in mine

    @api.model
    def _search_collection_in_my_cases(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("This filter only takes yes or no."))
        rows = SQL(
            """(
            SELECT row.id
              FROM %(table)s row
              JOIN res_partner partner ON partner.id = row.partner_id
              JOIN collection_case c
                ON c.partner_id = COALESCE(partner.commercial_partner_id, partner.id)
               AND c.company_id = row.company_id
             WHERE c.user_id = %(uid)s
                OR c.team_id IN (
                    SELECT team_id FROM collection_team_member WHERE user_id = %(uid)s
                )
            )""",
            table=SQL.identifier(self._table),
            uid=self.env.uid,
        )
        return [("id", "in" if (operator == "=") == value else "not in", rows)]
