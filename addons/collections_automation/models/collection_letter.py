import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from .payment_link import short_link

REPORT = "collections_automation.action_report_dunning_letter"


class CollectionLetter(models.Model):
    """The printable dunning letter of a journey step: the step's text in
    the customer's language, above the overdue invoices, the totals per
    currency and the payment link (``report/dunning_letter.xml``). The
    journey's last step's letter is the final notice before legal action.

    Printed from the customer and the case, attached to the step's email
    reminder when the letter says so, and sent by post where the
    ``collections_snailmail`` bridge is installed."""

    _name = "collection.letter"
    _description = "Dunning Letter"
    _order = "journey_id, sequence, id"
    _check_company_auto = True

    step_id = fields.Many2one(
        "collection.journey.step",
        "Journey Step",
        required=True,
        ondelete="cascade",
        index=True,
    )
    journey_id = fields.Many2one(related="step_id.journey_id", store=True)
    sequence = fields.Integer(related="step_id.sequence", store=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    name = fields.Char("Subject", required=True, translate=True)
    body = fields.Html(
        required=True,
        translate=True,
        help="The letter's text, above the overdue invoices and the totals.",
    )
    final_notice = fields.Boolean(
        compute="_compute_final_notice",
        help="The journey's last step: the final notice before legal action.",
    )
    attach_to_email = fields.Boolean(
        "Attach to the Email",
        help="The step's email reminder carries this letter as a PDF.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("step_uniq", "unique(step_id)", "A journey step has one letter."),
    ]

    @api.depends("step_id", "journey_id")
    def _compute_final_notice(self):
        for letter in self:
            steps = letter.journey_id.step_ids.filtered(
                lambda s: s.action == "message"
            ).sorted(lambda s: (s.anchor != "due", s.sequence, s.id))
            due_steps = steps.filtered(lambda s: s.anchor == "due")
            letter.final_notice = bool(due_steps) and letter.step_id == due_steps[-1]

    # === Rendering === #
    @api.model
    def _for_partner(self, partner, company=None):
        """The letter of the customer's current step: the step of its latest
        journey reminder, else the journey's first step with a letter."""
        company = company or self.env.company
        partner = partner.commercial_partner_id
        last = (
            self.env["collection.message"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("kind", "=", "journey"),
                    ("step_id", "!=", False),
                ],
                order="scheduled_at desc, id desc",
                limit=1,
            )
        )
        letter = self.search([("step_id", "=", last.step_id.id)], limit=1)
        if not letter:
            debtor = (
                self.env["collection.debtor"]
                .sudo()
                .search(
                    [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                    limit=1,
                )
            )
            journey = debtor.journey_id
            letter = self.search(
                [("journey_id", "=", journey.id)] if journey else [], limit=1
            )
        return letter

    @api.model
    def _values(self, letter, partner, company=None):
        """What the letter states: the step's text in the customer's language,
        the items past due (their part past due) and the credits that settle
        them, and the totals per currency of its statement."""
        company = company or self.env.company
        Statement = self.env["collection.statement"]
        data = Statement._data(partner, company)
        letter = letter.with_context(lang=data["lang"])
        debtor = Statement._debtor(partner.commercial_partner_id, company)
        for section in data["sections"]:
            section["short_link"] = section["link"] and short_link(
                debtor, section["currency"]
            )
            section["short_link_qr"] = section["short_link"] and self._qr_code(
                section["short_link"]
            )
            # what the letter's "Overdue" adds up: the installments past due
            # of each item, less the credits
            section["overdue_lines"] = [
                line for line in section["lines"] if line["past_due"]
            ]
        greeting = letter.env._("Dear %s,", data["partner"].name)
        return {"letter": letter, "statement": data, "greeting": greeting}

    @api.model
    def _qr_code(self, url):
        """``url`` as a QR code, in the page itself (a data URI): the PDF
        needs no request back to the server to print it."""
        png = self.env["ir.actions.report"].barcode("QR", url, width=240, height=240)
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def _pdf(self, partner, company=None):
        self.ensure_one()
        company = company or self.env.company
        content, _type = (
            self.env["ir.actions.report"]
            .with_company(company)
            ._render_qweb_pdf(
                REPORT,
                partner.commercial_partner_id.ids,
                data={"letter_id": self.id},
            )
        )
        return content

    def _filename(self, partner):
        self.ensure_one()
        name = self.with_context(lang=partner.lang or self.env.lang).name
        return f"{name} - {partner.commercial_partner_id.name}.pdf"

    @api.model
    def _attachments_for(self, message):
        """``[(file name, content)]``: the letter of an email reminder's step,
        when the letter asks to be attached (``collection.message``)."""
        letter = self.sudo().search(
            [("step_id", "=", message.step_id.id), ("attach_to_email", "=", True)],
            limit=1,
        )
        if not message.step_id or not letter:
            return []
        partner = message.partner_id
        return [(letter._filename(partner), letter._pdf(partner, message.company_id))]

    @api.model
    def _action_print(self, letter, partners):
        if not letter:
            raise UserError(self.env._("Choose the letter to print."))
        partners = partners.commercial_partner_id
        statement = self.env["collection.statement"]
        for partner in partners:
            statement._open_lines(partner, self.env.company)
        return (
            self.env.ref(REPORT)
            .with_context(discard_logo_check=True)
            .report_action(partners, data={"letter_id": letter.id})
        )
