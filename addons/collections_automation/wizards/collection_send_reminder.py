from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..models.res_partner import CHANNEL_SELECTION

#: Above this many customers the reminders are written by queue_job jobs.
SINGLE_MAX = 1


class CollectionSendReminder(models.TransientModel):
    """Send a reminder by hand, to a customer or to a selection of customers
    or invoices: the person picks the channel and the template, reads what
    the contact gate says (how many go, how many it defers or refuses and
    why), then sends. One customer is sent at once; a selection is written
    by queue_job jobs in batches."""

    _name = "collection.send.reminder"
    _description = "Send Collection Reminder"

    partner_ids = fields.Many2many(
        "res.partner",
        "collection_send_reminder_partner_rel",
        "wizard_id",
        "partner_id",
        string="Customers",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_send_reminder_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    template_id = fields.Many2one(
        "collection.template",
        compute="_compute_template_id",
        store=True,
        readonly=False,
        domain="[('channel', '=', channel), ('company_id', 'in', [False, company_id])]",
        help="Empty: each customer gets the template of its journey's current "
        "step for this channel, else a template of this channel.",
    )
    customer_count = fields.Integer(compute="_compute_review")
    allowed_count = fields.Integer("Will Be Sent", compute="_compute_review")
    deferred_count = fields.Integer("Deferred", compute="_compute_review")
    refused_count = fields.Integer("Refused", compute="_compute_review")
    verdict_state = fields.Selection(
        [("allowed", "Allowed"), ("deferred", "Deferred"), ("refused", "Refused")],
        "Contact Policy",
        compute="_compute_review",
    )
    verdict_reason = fields.Char("Why Not", compute="_compute_review")
    verdict_until = fields.Datetime("Allowed From", compute="_compute_review")
    review_html = fields.Html("Review", compute="_compute_review", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, ids = context.get("active_model"), context.get("active_ids") or []
        if model == "res.partner" and ids:
            partners = self.env["res.partner"].browse(ids).commercial_partner_id
            values["partner_ids"] = [fields.Command.set(partners.ids)]
        elif model == "collection.debtor" and ids:
            debtors = self.env["collection.debtor"].browse(ids)
            values["partner_ids"] = [fields.Command.set(debtors.partner_id.ids)]
            values["company_id"] = self._company_of_selection(debtors.company_id)
        elif model == "account.move" and ids:
            moves = (
                self.env["account.move"]
                .browse(ids)
                .filtered(
                    lambda m: m.move_type in ("out_invoice", "out_receipt")
                    and m.state == "posted"
                )
            )
            if not moves:
                raise UserError(
                    self.env._("Select posted customer invoices to send reminders.")
                )
            values["company_id"] = self._company_of_selection(moves.company_id)
            values["invoice_ids"] = [fields.Command.set(moves.ids)]
            values["partner_ids"] = [
                fields.Command.set(moves.commercial_partner_id.ids)
            ]
        partners = self.env["res.partner"].browse(
            values.get("partner_ids", [[0, 0, []]])[0][2]
        )
        if len(partners) == 1 and partners.collection_preferred_channel:
            values["channel"] = partners.collection_preferred_channel
        return values

    @api.model
    def _company_of_selection(self, companies):
        """The company whose reminders a selection of its customers or
        invoices sends (its figures, templates and providers), whichever
        company is active; a selection over several companies is refused."""
        if len(companies) > 1:
            raise UserError(
                self.env._(
                    "The selection spans several companies (%s): send the "
                    "reminders of one company at a time.",
                    ", ".join(companies.mapped("name")),
                )
            )
        return companies.id

    @api.depends("channel", "partner_ids", "company_id")
    def _compute_template_id(self):
        Manual = self.env["collection.manual.reminder"]
        for wizard in self:
            if len(wizard.partner_ids) == 1 and wizard.channel:
                wizard.template_id = Manual._template_for(
                    wizard.partner_ids._origin, wizard.channel, wizard.company_id
                )
            else:
                wizard.template_id = False

    @api.depends("channel", "partner_ids", "template_id", "company_id")
    def _compute_review(self):
        Manual = self.env["collection.manual.reminder"]
        labels = {
            "deferred": self.env._("Deferred"),
            "refused": self.env._("Refused"),
        }
        for wizard in self:
            review = (
                Manual._review(
                    # the saved customers: the form not saved yet (the web
                    # client's onchange) holds new records standing for them
                    wizard.partner_ids._origin,
                    wizard.channel,
                    wizard.company_id,
                    wizard.template_id or None,
                )
                if wizard.channel and wizard.partner_ids
                else []
            )
            counts, reasons = Manual._summary(review)
            wizard.customer_count = len(review)
            wizard.allowed_count = counts["allowed"]
            wizard.deferred_count = counts["deferred"]
            wizard.refused_count = counts["refused"]
            single = review[0][1] if len(review) == 1 else None
            wizard.verdict_state = single.state if single else False
            wizard.verdict_reason = single.reason if single else False
            wizard.verdict_until = single.until if single else False
            items = [
                Markup("<li><b>%s</b> (%s): %s</li>")
                % (labels[state], count, escape(reason))
                for (state, reason), count in sorted(
                    reasons.items(), key=lambda item: (item[0][0], -item[1])
                )
            ]
            wizard.review_html = (
                Markup("<ul class='mb-0'>%s</ul>") % Markup("").join(items)
                if items
                else False
            )

    def _until_text(self, partner, until):
        tz = partner.tz or self.env.user.tz or "UTC"
        return self.env._(
            "%(when)s (%(tz)s)",
            when=format_datetime(self.env, until, tz=tz, dt_format="short"),
            tz=tz,
        )

    def action_send(self):
        self.ensure_one()
        Manual = self.env["collection.manual.reminder"]
        Manual._check_collector()
        if not self.partner_ids:
            raise UserError(self.env._("Select at least one customer."))
        if len(self.partner_ids) > SINGLE_MAX:
            return self._send_bulk()
        partner = self.partner_ids
        now = fields.Datetime.now()
        review = Manual._review(
            partner, self.channel, self.company_id, self.template_id or None, now
        )
        _partner, verdict, template = review[0]
        if verdict.state == "deferred":
            raise UserError(
                self.env._(
                    "Not sent: %(reason)s The contact policy allows it from "
                    "%(until)s.",
                    reason=verdict.reason,
                    until=self._until_text(partner, verdict.until),
                )
            )
        if not verdict.allowed:
            raise UserError(self.env._("Not sent: %s", verdict.reason))
        rows = Manual._write_rows(
            review, self.channel, self.company_id, now, self.invoice_ids
        )
        if not rows:
            return self._notify(
                self.env._("This reminder was sent a moment ago; not sent again."),
                "warning",
            )
        rows.action_send_now()
        return self._notify(
            self.env._(
                "Reminder to %(customer)s queued for sending by %(channel)s.",
                customer=partner.display_name,
                channel=rows._channel_label(),
            ),
            "success",
        )

    def _send_bulk(self):
        self.env["collection.manual.reminder"]._enqueue_bulk(
            self.partner_ids,
            self.channel,
            self.company_id,
            self.template_id or None,
            self.invoice_ids,
        )
        return self._notify(
            self.env._(
                "Reminders to %(count)s customers are being sent in the "
                "background; the contact policy is checked again for each one. "
                "%(deferred)s deferred and %(refused)s refused customers get "
                "nothing now.",
                count=self.allowed_count,
                deferred=self.deferred_count,
                refused=self.refused_count,
            ),
            "info",
        )

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Send Reminder"),
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
