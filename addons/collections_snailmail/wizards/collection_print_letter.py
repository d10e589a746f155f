from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext


class CollectionPrintLetter(models.TransientModel):
    _inherit = "collection.print.letter"

    def action_send_post(self):
        """Send the letter by post to each customer, through the contact gate
        (purpose ``by_hand``) and the outbox (one row each, idempotent per
        customer, letter and minute)."""
        self.ensure_one()
        self.env["collection.manual.reminder"]._check_collector()
        if not self.partner_ids:
            raise UserError(self.env._("Select at least one customer."))
        statement = self.env["collection.statement"]
        for partner in self.partner_ids:
            statement._open_lines(partner, self.env.company)
        now = fields.Datetime.now()
        company = self.env.company
        gate = self.env["collection.contact.gate"].sudo()
        Message = self.env["collection.message"].sudo()
        partners = self.partner_ids.commercial_partner_id.sudo()
        facts = gate._facts(partners, now)
        sent, refused = Message, []
        minute = now.strftime("%Y%m%d%H%M")
        for partner in partners:
            verdict = gate._decide(partner, "post", "by_hand", now, company, facts)
            if not verdict.allowed:
                refused.append(f"{partner.display_name}: {verdict.reason}")
                continue
            key = f"post-{partner.id}-{self.letter_id.id}-{minute}"
            letter = self.letter_id.with_context(lang=partner.lang or self.env.lang)
            if Message.search_count([("idempotency_key", "=", key)]):
                continue
            row = Message.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "kind": "manual_reminder",
                    "channel": "post",
                    "step_id": self.letter_id.step_id.id,
                    "state": "queued",
                    "scheduled_at": now,
                    "idempotency_key": key,
                    "subject": letter.name,
                    "body": html2plaintext(letter.body or ""),
                }
            )
            row._send_one(now)
            sent |= row
        failed = sent.filtered(lambda m: m.state == "failed")
        refused += [f"{m.partner_id.display_name}: {m.error}" for m in failed]
        if len(self.partner_ids) == 1 and refused:
            raise UserError(self.env._("Not sent by post: %s", refused[0]))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Letters by Post"),
                "message": self.env._(
                    "%(sent)s letter(s) queued for posting. %(refused)s",
                    sent=len(sent - failed),
                    refused="; ".join(refused),
                ),
                "type": "warning" if refused else "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
