from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.collections_automation.models.res_partner import CHANNEL_SELECTION


class CollectionCaseSendLink(models.TransientModel):
    """Send the payment link on a channel of the collector's choice.

    The contact policy decides as for any reminder; when it refuses, the
    collector is told why and nothing is queued.
    """

    _name = "collection.case.send.link"
    _description = "Send a Payment Link"

    case_id = fields.Many2one("collection.case", required=True)
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    payment_url = fields.Char(compute="_compute_payment_url")

    @api.depends("case_id")
    def _compute_payment_url(self):
        """The link paying the customer's next promise or installment for
        its exact amount, when one is open; else the case's link."""
        Promise = self.env["collection.promise"].sudo()
        for wizard in self:
            case = wizard.case_id
            promise = case and Promise._due_for(case.partner_id, case.company_id)
            link = promise._payment_link() if promise else case._payment_link()
            wizard.payment_url = link or False

    def action_send(self):
        """The outbox row is the suite's, not the collector's: it is written
        with the server's rights once the collector is known to work the case,
        with the link and text made here (collectors never edit outbox rows)."""
        self.ensure_one()
        case = self.case_id
        case.check_access("write")
        if not self.payment_url:
            raise UserError(self.env._("This customer has no open invoice to pay."))
        now = fields.Datetime.now()
        partner = case.partner_id
        verdict = self.env["collection.contact.gate"]._decide(
            partner, self.channel, "by_hand", now, case.company_id
        )
        if not verdict.allowed:
            raise UserError(
                self.env._(
                    "The contact policy does not allow it now: %s", verdict.reason
                )
            )
        # one link per channel and minute: a double click sends it once
        key = f"case-{case.id}-link-{self.channel}-{now:%Y%m%d%H%M}"
        Message = self.env["collection.message"].sudo()
        if Message.search_count([("idempotency_key", "=", key)]):
            raise UserError(self.env._("This link was sent a moment ago."))
        customer = self.with_context(lang=partner.lang or self.env.lang)
        message = Message.create(
            {
                "partner_id": partner.id,
                "company_id": case.company_id.id,
                "debtor_id": case.debtor_id.id,
                "invoice_ids": [(6, 0, case._open_invoices().ids)],
                "kind": "payment_link",
                "channel": self.channel,
                "state": "planned",
                "scheduled_at": now,
                "idempotency_key": key,
                "payment_url": self.payment_url,
                "subject": customer.env._("Your payment link"),
                "body": customer.env._("You can pay online here: %s", self.payment_url),
            }
        )
        message.action_send_now()
        case.message_post(
            body=self.env._(
                "Payment link sent by %(channel)s: %(url)s",
                channel=dict(CHANNEL_SELECTION)[self.channel],
                url=self.payment_url,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
