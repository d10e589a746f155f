from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext


class CollectionMessage(models.Model):
    """The "post" channel: an outbox row on it prints the dunning letter of
    its step (``collection.letter``) and hands it to Odoo's Snailmail
    (``snailmail.letter``), whose own queue sends it through IAP."""

    _inherit = "collection.message"

    channel = fields.Selection(
        selection_add=[("post", "Post")], ondelete={"post": "set null"}
    )
    snailmail_letter_id = fields.Many2one(
        "snailmail.letter", "Letter by Post", readonly=True, index="btree_not_null"
    )

    @api.model
    def _channel_available(self, channel, company=None):
        if channel == "post":
            return True
        return super()._channel_available(channel, company)

    def _post_letter(self):
        """The dunning letter this row prints: its step's, else the
        customer's current step's."""
        self.ensure_one()
        Letter = self.env["collection.letter"].sudo()
        letter = Letter.search([("step_id", "=", self.step_id.id)], limit=1)
        if not self.step_id or not letter:
            letter = Letter._for_partner(self.partner_id, self.company_id)
        if not letter:
            raise UserError(
                self.env._(
                    "No dunning letter to send by post to %s.", self.partner_id.name
                )
            )
        return letter

    def _render(self):
        """A row on post has no template: its subject and text are its
        dunning letter's, in the customer's language (the PDF is printed
        when it is sent)."""
        self.ensure_one()
        if self.channel != "post" or self.template_id:
            return super()._render()
        letter = self._post_letter().with_context(lang=self._lang())
        self.write({"subject": letter.name, "body": html2plaintext(letter.body or "")})

    def _send_post(self):
        partner = self.partner_id
        letter = self._post_letter()
        pdf = letter._pdf(partner, self.company_id)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": letter._filename(partner),
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": "res.partner",
                    "res_id": partner.id,
                }
            )
        )
        post = (
            self.env["snailmail.letter"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "model": "res.partner",
                    "res_id": partner.id,
                    "user_id": self.env.user.id,
                    "company_id": self.company_id.id,
                    "attachment_id": attachment.id,
                }
            )
        )
        # queued: Snailmail's own scheduled action sends it (and retries)
        post._snailmail_print(immediate=False)
        if post.state == "error":
            raise UserError(post.info_msg or self.env._("The letter cannot be posted."))
        self.snailmail_letter_id = post
        self.recipient = ", ".join(
            filter(
                None,
                [partner.street, partner.zip, partner.city, partner.country_id.name],
            )
        )
        return str(post.id)
