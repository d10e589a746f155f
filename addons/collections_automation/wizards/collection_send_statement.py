from collections import Counter

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError


class CollectionSendStatement(models.TransientModel):
    """Send the statement of account to a customer or to a selection of
    customers: the person reads what the contact gate says (how many go,
    how many it defers or refuses and why), then sends. One customer is
    emailed at once; a selection is sent by queue_job jobs in batches."""

    _name = "collection.send.statement"
    _description = "Send Customer Statement"

    partner_ids = fields.Many2many(
        "res.partner",
        "collection_send_statement_partner_rel",
        "wizard_id",
        "partner_id",
        string="Customers",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    customer_count = fields.Integer(compute="_compute_review")
    allowed_count = fields.Integer("Will Be Sent", compute="_compute_review")
    deferred_count = fields.Integer("Deferred", compute="_compute_review")
    refused_count = fields.Integer("Refused", compute="_compute_review")
    review_html = fields.Html("Review", compute="_compute_review", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            partners = (
                self.env["res.partner"]
                .browse(context["active_ids"])
                .commercial_partner_id
            )
            values["partner_ids"] = [fields.Command.set(partners.ids)]
        return values

    @api.depends("partner_ids", "company_id")
    def _compute_review(self):
        Statement = self.env["collection.statement"]
        labels = {
            "deferred": self.env._("Deferred"),
            "refused": self.env._("Refused"),
        }
        for wizard in self:
            review = (
                # the saved customers: the form not saved yet (the web
                # client's onchange) holds new records standing for them
                Statement._review(wizard.partner_ids._origin, wizard.company_id)
                if wizard.partner_ids
                else []
            )
            counts = Counter(verdict.state for _p, verdict in review)
            reasons = Counter(
                (verdict.state, verdict.reason)
                for _p, verdict in review
                if not verdict.allowed
            )
            wizard.customer_count = len(review)
            wizard.allowed_count = counts["allowed"]
            wizard.deferred_count = counts["deferred"]
            wizard.refused_count = counts["refused"]
            items = [
                Markup("<li><b>%s</b> (%s): %s</li>")
                % (labels[state], count, escape(reason))
                for (state, reason), count in sorted(reasons.items())
            ]
            wizard.review_html = (
                Markup("<ul class='mb-0'>%s</ul>") % Markup("").join(items)
                if items
                else False
            )

    def _partners(self):
        self.ensure_one()
        if not self.partner_ids:
            raise UserError(self.env._("Select at least one customer."))
        return self.partner_ids

    def action_send(self):
        partners = self._partners()
        Statement = self.env["collection.statement"]
        if len(partners) == 1:
            sending = Statement._send_by_hand(partners, self.company_id)
            message = (
                self.env._("Statement emailed to %s.", sending.recipient)
                if sending
                else self.env._("This statement was sent a moment ago; not sent again.")
            )
            return self._notify(message, "success" if sending else "warning")
        Statement._enqueue_bulk(partners, self.company_id)
        return self._notify(
            self.env._(
                "Statements to %(count)s customers are being sent in the "
                "background; the contact policy is checked again for each one. "
                "%(deferred)s deferred and %(refused)s refused customers get "
                "nothing now.",
                count=self.allowed_count,
                deferred=self.deferred_count,
                refused=self.refused_count,
            ),
            "info",
        )

    def action_print(self):
        return self.env["collection.statement"]._action_pdf(self._partners())

    def action_xlsx(self):
        return self.env["collection.statement"]._action_xlsx(self._partners())

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Send Statement"),
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
