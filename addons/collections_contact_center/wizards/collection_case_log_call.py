from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.collection_case import DISPUTE_REASONS


class CollectionCaseLogCall(models.TransientModel):
    """Log a call's outcome in one step; the outcome moves the case on."""

    _name = "collection.case.log.call"
    _description = "Log a Call"

    case_id = fields.Many2one("collection.case", required=True)
    disposition_id = fields.Many2one("collection.disposition", "Outcome", required=True)
    outcome = fields.Selection(related="disposition_id.outcome", string="Next Step")
    note = fields.Text()
    callback_date = fields.Date("Call Back On")
    promise_amount = fields.Monetary(currency_field="currency_id")
    promise_date = fields.Date()
    dispute_reason = fields.Selection(DISPUTE_REASONS)
    currency_id = fields.Many2one(related="case_id.currency_id")

    @api.onchange("disposition_id")
    def _onchange_disposition(self):
        if self.outcome == "promise" and not self.promise_amount:
            self.promise_amount = self.case_id.amount_overdue

    def action_log(self):
        self.ensure_one()
        case = self.case_id
        self.env["collection.case.call"].create(
            {
                "case_id": case.id,
                "team_id": case.team_id.id,
                "disposition_id": self.disposition_id.id,
                "note": self.note,
            }
        )
        case.message_post(
            body=self.env._(
                "Call: %(outcome)s. %(note)s",
                outcome=self.disposition_id.name,
                note=self.note or "",
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        stage = None
        outcome = self.outcome
        if outcome == "promise":
            if not (self.promise_amount and self.promise_date):
                raise UserError(self.env._("A promise needs an amount and a date."))
            self.env["collection.case.agreement"]._record_promise(
                case, self.promise_amount, self.promise_date
            )
            stage = "stage_promise"
        elif outcome == "dispute":
            if not self.dispute_reason:
                raise UserError(self.env._("Say why the customer disputes."))
            case.action_dispute(self.dispute_reason)
        elif outcome == "callback":
            case.next_action_date = self.callback_date or fields.Date.add(
                fields.Date.context_today(self), days=1
            )
        elif outcome == "wrong_number":
            # on the customer's chatter, which collectors read but do not
            # edit (their contacts are not theirs): as the system, signed by
            # the collector
            case.partner_id.sudo().message_post(
                body=self.env._("Wrong number reported by a collector on a call."),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        if stage:
            case.stage_id = self.env.ref(f"collections_contact_center.{stage}")
        elif case.stage_code == "new":
            case.stage_id = self.env.ref("collections_contact_center.stage_in_progress")
        return {"type": "ir.actions.act_window_close"}
