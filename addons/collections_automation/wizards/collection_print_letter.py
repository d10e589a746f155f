from odoo import api, fields, models


class CollectionPrintLetter(models.TransientModel):
    """Print a dunning letter for a customer (or a selection): the letter of
    the customer's current journey step by default, any step's on demand."""

    _name = "collection.print.letter"
    _description = "Print Dunning Letter"

    partner_ids = fields.Many2many(
        "res.partner",
        "collection_print_letter_partner_rel",
        "wizard_id",
        "partner_id",
        string="Customers",
    )
    letter_id = fields.Many2one(
        "collection.letter",
        required=True,
        domain="['|', ('company_id', '=', False), "
        "('company_id', '=', current_company_id)]",
    )
    final_notice = fields.Boolean(related="letter_id.final_notice")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        partners = self.env["res.partner"]
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            partners = partners.browse(context["active_ids"]).commercial_partner_id
        elif context.get("active_model") == "collection.case" and context.get(
            "active_id"
        ):
            case = self.env["collection.case"].browse(context["active_id"])
            partners = case.partner_id
        if partners:
            values["partner_ids"] = [fields.Command.set(partners.ids)]
            letter = self.env["collection.letter"]._for_partner(partners[0])
            if letter and "letter_id" in fields_list:
                values["letter_id"] = letter.id
        return values

    def action_print(self):
        self.ensure_one()
        return self.env["collection.letter"]._action_print(
            self.letter_id, self.partner_ids
        )
