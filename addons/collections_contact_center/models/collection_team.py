from decimal import Decimal

from odoo import fields, models

from ..engine import routing


class CollectionTeam(models.Model):
    """Collectors with skills; routing gives a case to the first team (by
    sequence) whose skills all match it. An empty skill matches any case."""

    _name = "collection.team"
    _description = "Collection Team"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    manager_id = fields.Many2one("res.users", "Team Leader")
    member_ids = fields.One2many("collection.team.member", "team_id", "Collectors")
    method = fields.Selection(
        [
            (routing.LEAST_LOADED, "Least loaded"),
            (routing.ROUND_ROBIN, "Round robin"),
        ],
        default=routing.LEAST_LOADED,
        required=True,
    )
    last_assigned_user_id = fields.Many2one("res.users", readonly=True)
    lang_codes = fields.Char(
        "Languages",
        help="Comma-separated language codes (es, pt_BR, en_US); a bare "
        "language covers its regional variants. Empty: any.",
    )
    segment_ids = fields.Many2many(
        "collection.segment", string="Segments", check_company=True
    )
    bucket_ids = fields.Many2many("collection.bucket", string="Buckets")
    country_ids = fields.Many2many("res.country", string="Countries")
    reasons = fields.Char(
        "Escalation Reasons",
        help="Comma-separated escalation reasons (dispute, hardship, "
        "request_human...): only such escalations come here. Empty: any.",
    )
    min_amount = fields.Monetary("Overdue From", currency_field="currency_id")
    max_amount = fields.Monetary(
        "Overdue Below", currency_field="currency_id", help="0: no maximum."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    def _to_engine(self, loads):
        """The team as routing sees it; ``loads``: user id -> open cases."""
        self.ensure_one()

        def codes(text):
            return frozenset(c.strip() for c in (text or "").split(",") if c.strip())

        return routing.Team(
            id=self.id,
            sequence=self.sequence,
            members=tuple(
                routing.Member(
                    m.user_id.id, m.capacity, m.absent, loads.get(m.user_id.id, 0)
                )
                for m in self.member_ids
                if m._can_work()
            ),
            languages=codes(self.lang_codes),
            segments=frozenset(str(s.id) for s in self.segment_ids),
            buckets=frozenset(b.code for b in self.bucket_ids),
            countries=frozenset(self.country_ids.mapped("code")),
            reasons=codes(self.reasons),
            min_amount=Decimal(str(self.min_amount)) if self.min_amount else None,
            max_amount=Decimal(str(self.max_amount)) if self.max_amount else None,
            method=self.method,
            last_assigned_user_id=self.last_assigned_user_id.id or None,
        )
