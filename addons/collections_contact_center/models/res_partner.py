from odoo import api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    """The customer's cases, its open case and its statement, from the
    customer form."""

    _inherit = "res.partner"

    #: The customer's cases: whose teams and collectors work the customer
    #: (the record rules of collectors go through it).
    collection_case_ids = fields.One2many(
        "collection.case",
        "partner_id",
        "Collection Cases",
        groups="collections_automation.group_collection_user",
    )

    collection_open_case_id = fields.Many2one(
        "collection.case",
        "Open Case",
        compute="_compute_collection_open_case_id",
        groups="collections_automation.group_collection_user",
    )

    def _collection_follow_up_user(self, company):
        """The collector of the customer's open case comes first: the
        customer is theirs to answer."""
        case = (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                    ("user_id", "!=", False),
                ],
                limit=1,
            )
        )
        collector = case.user_id
        if collector and collector.active and company in collector.company_ids:
            return collector
        return super()._collection_follow_up_user(company)

    @api.depends_context("company")
    def _compute_collection_open_case_id(self):
        cases = self.env["collection.case"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("is_closed", "=", False),
            ]
        )
        by_partner = {case.partner_id: case for case in cases}
        for partner in self:
            partner.collection_open_case_id = by_partner.get(
                partner.commercial_partner_id, False
            )

    def action_collection_open_case(self):
        self.ensure_one()
        case = self.collection_open_case_id
        if not case:
            raise UserError(self.env._("This customer has no open case."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.case",
            "res_id": case.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_collection_send_statement(self):
        """Email the customer's statement now (``collection.statement``:
        through the contact gate, with the statement PDF); the customer's
        open case, if any, logs it."""
        self.ensure_one()
        partner = self.commercial_partner_id
        case = self.collection_open_case_id
        if case:
            case.action_send_statement()
            recipient = partner._collection_email_candidates().mapped("email")
        else:
            sending = self.env["collection.statement"]._send_by_hand(partner)
            recipient = [sending.recipient] if sending else []
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Statement Sent"),
                "message": self.env._(
                    "Statement emailed to %s.", ", ".join(filter(None, recipient))
                ),
                "type": "success",
            },
        }
