from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import sms as sms_engine


class CollectionTemplatePreview(models.TransientModel):
    """A template as one customer would read it.

    The text is rendered by the outbox's own rendering
    (``collection.message.render``: the template in the customer's language,
    the payment link, and for email the whole message with the open invoices
    and the totals) on an outbox row that only lives in memory: nothing is
    written to the outbox and nothing is sent.
    """

    _name = "collection.template.preview"
    _description = "Message Template Preview"

    template_id = fields.Many2one(
        "collection.template", required=True, ondelete="cascade"
    )
    channel = fields.Selection(related="template_id.channel")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        domain="[('collection_debtor_ids', '!=', False)]",
        help="The customer the text is written for: their name, their open "
        "invoices and amounts, their language.",
    )
    lang_name = fields.Char("Language", readonly=True)
    subject = fields.Char(readonly=True)
    body = fields.Text("Text", readonly=True)
    email_html = fields.Html("Email", readonly=True, sanitize=False)
    error = fields.Char("Cannot Be Rendered", readonly=True)
    sms_size = fields.Char(
        "SMS Length",
        compute="_compute_sms_size",
        help="How many SMS this customer's text takes, counted exactly.",
    )

    @api.depends("body", "channel")
    def _compute_sms_size(self):
        """The rendered text's size, exact (the template's own form can only
        estimate its placeholders): the template's sentences."""
        Template = self.env["collection.template"]
        for preview in self:
            preview.sms_size = False
            if preview.channel == "sms" and preview.body:
                size = sms_engine.measure(preview.body)
                sentence = Template._sms_size_sentence(size, 0)
                warning = Template._sms_warning_sentence(size, preview.body, 0)
                preview.sms_size = f"{sentence} {warning}" if warning else sentence

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "partner_id" in fields_list and not values.get("partner_id"):
            company = self.env.company
            template = self.env["collection.template"].browse(values.get("template_id"))
            if template.company_id:
                company = template.company_id
            debtor = self.env["collection.debtor"].search(
                [("company_id", "=", company.id), ("total_due", ">", 0)],
                order="total_overdue desc, id",
                limit=1,
            )
            values["partner_id"] = debtor.partner_id.id
        return values

    # === CRUD === #
    @api.model_create_multi
    def create(self, vals_list):
        previews = super().create(vals_list)
        previews._refresh()
        return previews

    def write(self, vals):
        result = super().write(vals)
        if {"template_id", "partner_id"} & set(vals):
            self._refresh()
        return result

    # === Actions === #
    def action_refresh(self):
        """Render again (for the customer chosen) and stay on the preview."""
        self.ensure_one()
        self._refresh()
        return self._action_open()

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview of %s", self.template_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # === Rendering === #
    def _refresh(self):
        for preview in self:
            preview.write(preview._rendered())

    def _rendered(self):
        """The preview's values: the outbox row the customer would get, made
        and rendered by the outbox's own code inside a savepoint that is
        rolled back, so that nothing stays in the outbox."""
        self.ensure_one()
        values = dict.fromkeys(
            ("lang_name", "subject", "body", "email_html", "error"), False
        )
        if not (self.template_id and self.partner_id):
            return values
        row_values = self._row_values()
        # the links' portal tokens are made for good, as planning would
        moves = self.env["account.move"].browse(row_values["invoice_ids"][0][2])
        Message = (
            self.env["collection.message"].sudo().with_context(tracking_disable=True)
        )
        Message._ensure_access_tokens(moves.sudo())
        languages = dict(self.env["res.lang"].get_installed())
        rendered = {}
        savepoint = self.env.cr.savepoint()
        try:
            message = Message.create(row_values)
            lang = message._lang()
            rendered["lang_name"] = languages.get(lang, lang)
            try:
                message._render()
            except UserError as error:
                rendered["error"] = str(error)
            else:
                rendered["subject"] = message.subject
                rendered["body"] = message.body
                if message.channel == "email":
                    rendered["email_html"] = message._email_html()
        finally:
            # the row, and whatever rendering wrote, are undone
            savepoint.close(rollback=True)
        values.update(rendered)
        return values

    def _debtor(self, partner):
        """The customer's figures in the template's company, else in the
        current company, else in another company the user works in."""
        companies = self.template_id.company_id or self.env.companies
        debtors = (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("company_id", "in", companies.ids)]
            )
        )
        return (
            debtors.filtered(lambda d: d.company_id == self.env.company)[:1]
            or debtors[:1]
        )

    def _row_values(self):
        """The outbox row the customer would get with this template: planned
        now as a reminder sent by hand, with the customer's open invoices
        (those on hold left out) and figures."""
        self.ensure_one()
        template = self.template_id
        partner = self.partner_id.commercial_partner_id
        debtor = self._debtor(partner)
        company = template.company_id or debtor.company_id or self.env.company
        moves = (
            self.env["collection.invoice"]
            .sudo()
            ._open_moves(partner, company)
            .filtered(lambda move: not move.collection_hold)
        )
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "debtor_id": debtor.id,
            "kind": "manual_reminder",
            "channel": template.channel,
            "template_id": template.id,
            "state": "planned",
            "scheduled_at": fields.Datetime.now(),
            "idempotency_key": f"preview-{self.id}",
            "invoice_ids": [fields.Command.set(moves.ids)],
            "amount_due": debtor._amount_to_pay() if debtor else 0.0,
        }
