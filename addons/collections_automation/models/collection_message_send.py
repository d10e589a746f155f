from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import formataddr

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
                self._rerender_if_moved()
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
        """Post the email on the customer's chatter, addressed to its
        invoicing contacts (see :meth:`_email_recipients`), authored by the
        company (see :meth:`_collection_author`), with a reply-to that brings
        answers back to the customer's chatter, and the invoices' PDFs when
        the step asks for them."""
        partner = self.partner_id
        recipients = self._email_recipients()
        self.recipient = ", ".join(recipients.mapped("email"))
        author = self._collection_author()
        email_from = self._collection_email_from(author)
        attachments = self._invoice_pdfs() if self.step_id.attach_invoices else []
        html = self._email_html(attached=bool(attachments))
        attachments += self.env["collection.letter"]._attachments_for(self)
        self.email_html = html
        # to the recipients named, not to the customer's followers too
        # (the salesperson who created the contact, a collector)
        message = partner.with_context(
            collection_named_recipients_only=True
        ).message_post(
            body=html,
            subject=self.subject or False,
            partner_ids=recipients.ids,
            author_id=author.id,
            email_from=email_from,
            reply_to=partner._notify_get_reply_to(default=email_from)[partner.id],
            attachments=attachments,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return str(message.id)

    def _email_recipients(self):
        """Who reads the reminder: the customer's collections contact when
        one is set, else its invoicing contacts (child contacts of type
        "invoice" with an address), else the customer itself."""
        self.ensure_one()
        partner = self.partner_id
        recipients = partner._collection_email_candidates().filtered(
            lambda recipient: not recipient.is_blacklisted
        )
        if recipients:
            return recipients
        contact = partner.collection_contact_id
        if contact and not contact.email:
            raise UserError(
                self.env._(
                    "%(contact)s, the collections contact of %(customer)s, "
                    "has no email address.",
                    contact=contact.display_name,
                    customer=partner.name,
                )
            )
        if partner._collection_email_candidates():
            raise UserError(self.env._("The customer's email address is blacklisted."))
        raise UserError(self.env._("%s has no email address.", partner.name))

    def _collection_author(self):
        """Who signs the reminder: the company. The contact center makes it
        the collector responsible for the customer's case."""
        self.ensure_one()
        return self.company_id.partner_id

    def _collection_email_from(self, author):
        """The author's address, else the company's (or its catchall), else
        the default sender of its mail domain or of the server."""
        company = self.company_id
        default = (
            company.default_from_email
            or self.env["ir.mail_server"]._get_default_from_address()
        )
        return (
            author.email_formatted
            or company.email_formatted
            or (default and formataddr((company.name, default)))
            or self.env.user.partner_id.email_formatted
        )

    def _invoice_pdfs(self):
        """``[(file name, content)]``: the PDF of each invoice of the row,
        the one Odoo sent when there is one, else rendered now."""
        self.ensure_one()
        reports = self.env["ir.actions.report"].with_context(
            report_pdf_no_attachment=True
        )
        attachments = []
        for move in self.invoice_ids.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        ):
            document = move.invoice_pdf_report_id
            if document:
                attachments.append((document.name, document.raw))
                continue
            content, _report_type = reports._render_qweb_pdf(
                "account.account_invoices", move.ids
            )
            attachments.append((move._get_invoice_report_filename(), content))
        return attachments

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
            try:
                return ", ".join(self._email_recipients().mapped("email"))
            except UserError:
                return ""
        return self.partner_id.collection_phone_e164 or ""

    def _send_by_provider(self, adapter):
        """Send this row through ``adapter``; return its ``SendResult``.

        Raises the adapter's typed errors, or ``UserError`` for what the
        row itself lacks (a number, an approved template).
        """
        self.ensure_one()
        self._rerender_if_moved()
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
                "html": str(self._email_html()) if self.channel == "email" else None,
            },
        )
