from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

#: What a message of the customer's history is about, in words.
HISTORY_SOURCES = {
    "res.partner": _lt("Customer"),
    "account.payment": _lt("Payment"),
    "collection.case": _lt("Case"),
    "collection.payment.plan": _lt("Payment Plan"),
    "collection.promise": _lt("Promise"),
    "collection.conversation": _lt("AI Conversation"),
}


class MailMessage(models.Model):
    """What a message of a case's customer history is about, in words."""

    _inherit = "mail.message"

    collection_source = fields.Char(
        "On", compute="_compute_collection_source", compute_sudo=True
    )

    @api.depends("model", "res_id")
    def _compute_collection_source(self):
        moves = self.filtered(lambda m: m.model == "account.move")
        Move = self.env["account.move"]
        types = dict(Move._fields["move_type"]._description_selection(self.env))
        move_types = {
            move.id: move.move_type
            for move in Move.sudo().browse(moves.mapped("res_id")).exists()
        }
        names = {}
        for message in self:
            if message.model == "account.move":
                move_type = move_types.get(message.res_id)
                message.collection_source = (
                    self.env._("Invoice")
                    if move_type in ("out_invoice", "out_receipt")
                    else types.get(move_type) or self.env._("Invoice")
                )
            elif message.model in HISTORY_SOURCES:
                message.collection_source = HISTORY_SOURCES[message.model]._translate(
                    self.env.lang
                )
            elif message.model:
                if message.model not in names:
                    names[message.model] = (
                        self.env["ir.model"]._get(message.model).name or message.model
                    )
                message.collection_source = names[message.model]
            else:
                message.collection_source = False
