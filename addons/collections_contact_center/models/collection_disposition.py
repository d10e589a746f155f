from odoo import fields, models


class CollectionDisposition(models.Model):
    """How a call ended; ``right_party`` calls count as conversations with
    the debtor in the KPIs."""

    _name = "collection.disposition"
    _description = "Call Outcome"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    right_party = fields.Boolean(
        "Right Party Contact", help="The call reached the debtor in person."
    )
    outcome = fields.Selection(
        [
            ("none", "Nothing more"),
            ("promise", "Record a promise"),
            ("refused", "Refused to pay"),
            ("dispute", "Open a dispute"),
            ("callback", "Call back"),
            ("wrong_number", "Wrong number"),
        ],
        default="none",
        required=True,
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each call outcome code is used once."),
    ]
