from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_partner import CHANNEL_SELECTION


class CollectionTemplate(models.Model):
    """The words of a reminder, per channel, in the customer's language.

    Rendered on the outbox row (``collection.message``) with Odoo's inline
    templates, so ``{{ object.partner_id.name }}``,
    ``{{ format_amount(object.debtor_id.stated_overdue, object.currency_id) }}``
    and ``{{ object.payment_url }}`` work; subject and body are translatable
    and rendered in the customer's language.

    Amounts: what a reminder calls overdue is the customer's overdue amount
    (``debtor_id.stated_overdue``: past-due items less unapplied credits,
    oldest first, invoices on hold left out) and the whole balance is
    ``debtor_id.stated_due``, the figures the payment page and the AI agent
    state too (see ``collection.refresh``). ``amount_due`` is the amount of a
    promise on a promise reminder.
    """

    _name = "collection.template"
    _inherit = ["mail.render.mixin"]
    _description = "Collection Message Template"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    company_id = fields.Many2one("res.company", index=True)
    subject = fields.Char(translate=True, help="Email subject.")
    body = fields.Text(
        translate=True,
        required=True,
        help="Inline template: {{ object.partner_id.name }}, the overdue amount "
        "{{ format_amount(object.debtor_id.stated_overdue, object.currency_id) }}, "
        "the whole balance "
        "{{ format_amount(object.debtor_id.stated_due, object.currency_id) }}, "
        "{{ object.payment_url }}.",
    )
    lang = fields.Char(default="{{ object.partner_id.lang }}")
    is_promise_reminder = fields.Boolean(
        "Promise Reminder", help="Used the day before a promise to pay falls due."
    )
    whatsapp_template_ids = fields.One2many(
        "collection.template.whatsapp",
        "template_id",
        "Approved WhatsApp Templates",
        help="Sent outside the 24-hour window, where free text is not allowed.",
    )
    whatsapp_params = fields.Text(
        "WhatsApp Parameters",
        default="{{ object.partner_id.name }}\n"
        "{{ format_amount(object.amount_due, object.currency_id) }}\n"
        "{{ object.payment_url or '' }}",
        help="One inline template per line: the approved template's body "
        "parameters {{1}}, {{2}}... in order.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_storable(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_storable([vals])
        return super().write(vals)

    @api.model
    def _check_storable(self, vals_list):
        """A NUL character (pasted from another program) cannot be stored:
        said in words, before PostgreSQL refuses it."""
        for vals in vals_list:
            for name in ("name", "subject", "body"):
                if "\x00" in str(vals.get(name) or ""):
                    raise UserError(
                        self.env._(
                            "The %(field)s holds a NUL character, which cannot "
                            "be stored: remove it.",
                            field=self._fields[name]._description_string(self.env),
                        )
                    )

    def action_preview(self):
        """The template as a chosen customer would read it (see
        ``collection.template.preview``)."""
        self.ensure_one()
        preview = (
            self.env["collection.template.preview"]
            .with_context(default_template_id=self.id)
            .create({"template_id": self.id})
        )
        return preview._action_open()

    def _whatsapp_template_for(self, lang):
        """The approved template mapped for ``lang``, else the catch-all one."""
        self.ensure_one()
        lines = self.whatsapp_template_ids
        return (
            lines.filtered(lambda line: line.lang == lang)[:1]
            or lines.filtered(lambda line: line.lang and line.lang[:2] == lang[:2])[:1]
            or lines.filtered(lambda line: not line.lang)[:1]
        )

    @api.depends()
    def _compute_render_model(self):
        self.render_model = "collection.message"
