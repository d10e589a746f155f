from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..channels import twilio, whatsapp
from ..engine import outbox


class CollectionMessageSend(models.AbstractModel):
    """Sending an outbox row on its channel: through Odoo's own email and
    SMS (transactional: row, chatter and mail queue commit together), or
    through a provider's adapter (see ``collection.dispatcher``, which
    claims, paces and records)."""

    _name = "collection.message.send"
    _description = "Outbox Row Sending"

    def _send_one(self, now=None):
        """Render and send one queued row inside a savepoint; a failure stays
        on the row and on the customer's chatter."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if not self.body:
                    self._render()
                reference = getattr(self, f"_send_{self.channel}")()
                self.write(
                    {
                        "state": outbox.check(self.state, "sent"),
                        "sent_at": now or fields.Datetime.now(),
                        "provider_ref": reference,
                        "error": False,
                    }
                )
                self._log_on_invoices()
        except (UserError, ValueError) as error:
            if self._apply_event("fail", {"error": str(error)}):
                self._log_failed()

    def _send_email(self):
        partner = self.partner_id
        if not partner.email:
            raise UserError(self.env._("%s has no email address.", partner.name))
        self.recipient = partner.email
        message = partner.message_post(
            body=plaintext2html(self.body),
            subject=self.subject or False,
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return str(message.id)

    def _send_sms(self):
        partner = self.partner_id
        number = partner.collection_phone_e164
        if not number:
            raise UserError(
                partner.collection_phone_error
                or self.env._("%s has no phone number.", partner.name)
            )
        self.recipient = number
        message = partner._message_sms(
            self.body, partner_ids=partner.ids, sms_pid_to_number={partner.id: number}
        )
        return str(message.id)

    def _send_whatsapp(self):
        raise UserError(self.env._("No WhatsApp provider is configured."))

    def _send_voice(self):
        raise UserError(self.env._("No voice provider is configured."))

    def _provider_recipient(self):
        self.ensure_one()
        if self.channel == "email":
            return self.partner_id.email or ""
        return self.partner_id.collection_phone_e164 or ""

    def _send_by_provider(self, adapter):
        """Send this row through ``adapter``; return its ``SendResult``.

        Raises the adapter's typed errors, or ``UserError`` for what the
        row itself lacks (a number, an approved template).
        """
        self.ensure_one()
        partner = self.partner_id
        to = self._provider_recipient()
        if not to:
            raise UserError(
                (self.channel != "email" and partner.collection_phone_error)
                or self.env._(
                    "%s has no number or address for this channel.",
                    partner.display_name,
                )
            )
        reference = self.idempotency_key
        base = self.get_base_url()
        receipts = f"{base}/collections/webhook/twilio"
        if isinstance(adapter, whatsapp.WhatsAppCloudAdapter):
            if whatsapp.within_service_window(
                partner.collection_whatsapp_inbound_at, fields.Datetime.now()
            ):
                return adapter.send_text(to, self.body, reference)
            return adapter.send_template(to, *self._whatsapp_template(), reference)
        if isinstance(adapter, twilio.TwilioAdapter):
            if self.channel == "voice":
                return adapter.start_call(
                    to, f"{base}{self._voice_path()}", reference, receipts
                )
            return adapter.send_sms(to, self.body, reference, receipts)
        return adapter.send(
            self.channel,
            to,
            self.body,
            reference,
            partner.lang or self.env.lang,
            template=self.template_id.name or None,
            metadata={
                "customer": partner.display_name,
                "amount_due": self.amount_due,
                "currency": self.currency_id.name,
                "payment_url": self.payment_url or None,
                "subject": self.subject or None,
            },
        )
