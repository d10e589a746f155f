from odoo import models
from odoo.exceptions import UserError


class CollectionMessageRender(models.AbstractModel):
    """Rendering an outbox row: its template in the customer's language, the
    payment link, WhatsApp's approved template parameters. A template error
    fails its row, never the batch, and says so on the customer's chatter."""

    _name = "collection.message.render"
    _description = "Outbox Row Rendering"

    def _render_or_fail(self):
        """Render now; a template error marks this row failed, not the batch,
        and says so on the customer's chatter, whatever the channel's path."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._render()
        except UserError as error:
            if self._apply_event("fail", {"error": str(error)}):
                self._log_failed()

    def _render(self):
        """Render subject and body in the customer's language."""
        self.ensure_one()
        template = self.template_id
        if not template:
            raise UserError(
                self.env._(
                    "No %(channel)s template on this step.", channel=self.channel
                )
            )
        lang = self.partner_id.lang or self.env.lang
        rendered = {"payment_url": self._payment_url()}
        self.payment_url = rendered["payment_url"]
        for fname in ("subject", "body"):
            if template[fname]:
                try:
                    rendered[fname] = template._render_field(
                        fname, self.ids, set_lang=lang
                    )[self.id]
                except Exception as error:
                    raise UserError(
                        self.env._(
                            "Template %(template)s could not be rendered: %(error)s",
                            template=template.display_name,
                            error=error,
                        )
                    ) from error
        self.write(rendered)

    def _payment_url(self):
        """The link the row was planned with (a promise reminder carries the
        promise's, for its exact amount), else the portal page of the oldest
        invoice, which states the overdue amount with a link paying it."""
        if self.payment_url:
            return self.payment_url
        invoice = self.invoice_ids.sorted(
            lambda move: (move.collection_due_date or move.invoice_date_due, move.id)
        )[:1]
        if not invoice:
            return False
        return invoice.get_base_url() + invoice.get_portal_url()

    def _whatsapp_template(self):
        """(name, language, body parameters) of the approved template."""
        lang = self.partner_id.lang or self.env.lang or "en_US"
        mapping = self.template_id._whatsapp_template_for(lang)
        if not mapping:
            raise UserError(
                self.env._(
                    "No approved WhatsApp template is mapped to %(template)s for "
                    "%(lang)s, and the customer has not written in the last 24 "
                    "hours: WhatsApp only carries approved templates then.",
                    template=self.template_id.display_name,
                    lang=lang,
                )
            )
        params = []
        if self.template_id.whatsapp_params:
            rendered = self.template_id._render_field(
                "whatsapp_params", self.ids, set_lang=lang
            )[self.id]
            params = [line.strip() for line in rendered.splitlines() if line.strip()]
        return mapping.whatsapp_name, mapping.whatsapp_lang, params
