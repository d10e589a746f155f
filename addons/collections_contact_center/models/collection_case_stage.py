from odoo import fields, models

STAGE_CODES = [
    ("new", "New"),
    ("in_progress", "In progress"),
    ("promise", "Promise"),
    ("plan", "Payment plan"),
    ("dispute", "Dispute"),
    ("legal", "Legal"),
    ("closed", "Closed"),
]


class CollectionCaseStage(models.Model):
    """A column of the cases' kanban; ``code`` is what the code relies on."""

    _name = "collection.case.stage"
    _description = "Collection Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(STAGE_CODES, required=True)
    fold = fields.Boolean(help="Folded in the kanban.")
    is_closed = fields.Boolean(help="Cases here are finished.")
    sla_hours = fields.Integer(
        "SLA (hours)",
        help="A case entering this stage must be worked within these hours; "
        "0: no SLA.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Each stage code is used once."),
    ]
