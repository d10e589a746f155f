from odoo import api, fields, models
from odoo.exceptions import UserError


def _hold_selection(model):
    return (
        model.env["res.partner"]
        ._fields["collection_hold"]
        ._description_selection(model.env)
    )


class CollectionPutOnHold(models.TransientModel):
    """Put a customer or invoices on collection hold, with the reason logged
    on their chatter: no reminder goes out until the hold is lifted."""

    _name = "collection.put.on.hold"
    _description = "Put on Collection Hold"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    hold = fields.Selection(_hold_selection, required=True, default="dispute")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, ids = context.get("active_model"), context.get("active_ids") or []
        if model in ("res.partner", "account.move") and ids:
            values.update(res_model=model, res_ids=list(ids))
        return values

    def _targets(self):
        if self.res_model not in ("res.partner", "account.move"):
            raise UserError(self.env._("Only customers and invoices can be on hold."))
        records = self.env[self.res_model].browse(self.res_ids or []).exists()
        if self.res_model == "account.move":
            records = records.filtered(
                lambda m: m.move_type in ("out_invoice", "out_receipt")
            )
        if not records:
            raise UserError(self.env._("Nothing to put on hold."))
        if self.hold not in records._fields["collection_hold"].get_values(self.env):
            raise UserError(
                self.env._("This hold does not apply here; pick another one.")
            )
        return records

    def action_hold(self):
        self.ensure_one()
        records = self._targets()
        label = dict(_hold_selection(self))[self.hold]
        # collectors read invoices and contacts but do not edit them: the
        # records are checked as theirs, then the hold is written for them
        records.check_access("read")
        records.sudo().write({"collection_hold": self.hold})
        for record in records.sudo():
            record.message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Put on collection hold (%(hold)s) by %(user)s: %(reason)s",
                    hold=label,
                    user=self.env.user.name,
                    reason=self.reason,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}
