from odoo import api, fields, models

from .res_partner import CHANNEL_SELECTION


class CollectionTemplate(models.Model):
    """The words of a reminder, per channel, in the customer's language.

    Rendered on the outbox row (``collection.message``) with Odoo's inline
    templates, so ``{{ object.partner_id.name }}``,
    ``{{ format_amount(object.amount_due, object.currency_id) }}`` and
    ``{{ object.payment_url }}`` work; subject and body are translatable and
    rendered in the customer's language.
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
        help="Inline template: {{ object.partner_id.name }}, "
        "{{ format_amount(object.amount_due, object.currency_id) }}, "
        "{{ object.payment_url }}.",
    )
    lang = fields.Char(default="{{ object.partner_id.lang }}")
    is_promise_reminder = fields.Boolean(
        "Promise Reminder", help="Used the day before a promise to pay falls due."
    )

    @api.depends()
    def _compute_render_model(self):
        self.render_model = "collection.message"
