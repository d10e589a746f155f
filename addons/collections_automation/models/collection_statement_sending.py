from odoo import fields, models


class CollectionStatementSending(models.Model):
    """A statement sent to a customer: by whom, when, to which addresses,
    and the chatter message carrying it. Its unique key (customer, company
    and the minute, or the month of the monthly statement) makes sending
    idempotent: a double click, a retried job or a second run of the
    monthly action sends nothing twice."""

    _name = "collection.statement.sending"
    _description = "Statement Sent"
    _order = "sent_at desc, id desc"

    key = fields.Char(required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    purpose = fields.Selection(
        [("by_hand", "Sent by hand"), ("requested", "Monthly, as requested")],
        required=True,
    )
    user_id = fields.Many2one("res.users", "Sent By")
    message_id = fields.Many2one("mail.message", ondelete="set null")
    recipient = fields.Char()
    sent_at = fields.Datetime("Sent", required=True)

    _sql_constraints = [
        ("key_uniq", "unique(key)", "This statement was already sent."),
    ]
