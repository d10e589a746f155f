from odoo import api, fields, models

from ..engine import segments as segment_engine


class CollectionSegment(models.Model):
    """A group of customers treated alike, with the journey they follow.

    Rules are tried by sequence; the first whose criteria all hold wins. An
    empty criterion matches every customer.
    """

    _name = "collection.segment"
    _description = "Collection Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    journey_id = fields.Many2one("collection.journey", index=True)
    bucket_ids = fields.Many2many("collection.bucket", string="Buckets")
    company_type = fields.Selection(
        [("person", "Individual"), ("company", "Company")], "Customer Type"
    )
    min_amount = fields.Float("Overdue From", help="Inclusive; 0: no minimum.")
    max_amount = fields.Float("Overdue Below", help="Exclusive; 0: no maximum.")
    country_ids = fields.Many2many("res.country", string="Countries")
    category_ids = fields.Many2many("res.partner.category", string="Tags")
    min_score = fields.Integer(help="Inclusive, 0-100.")
    max_score = fields.Integer(default=100, help="Inclusive, 0-100.")
    statement_monthly = fields.Boolean(
        "Monthly Statement",
        help="Email the customers of this segment their statement of account "
        "every month.",
    )
    debtor_count = fields.Integer(compute="_compute_debtor_count")

    @api.model_create_multi
    def create(self, vals_list):
        segments = super().create(vals_list)
        self.env["collection.debtor"]._refresh(full=True)
        return segments

    def write(self, vals):
        journeys = self.journey_id
        result = super().write(vals)
        # the journey a segment left must still have customers to follow it
        (journeys | self.journey_id)._check_still_runs()
        self.env["collection.debtor"]._refresh(full=True)
        return result

    def unlink(self):
        journeys = self.journey_id
        result = super().unlink()
        journeys._check_still_runs()
        self.env["collection.debtor"]._refresh(full=True)
        return result

    def _compute_debtor_count(self):
        counts = dict(
            self.env["collection.debtor"]._read_group(
                [("segment_id", "in", self.ids)], ["segment_id"], ["__count"]
            )
        )
        for segment in self:
            segment.debtor_count = counts.get(segment, 0)

    def _to_rule(self):
        self.ensure_one()
        return segment_engine.SegmentRule(
            code=str(self.id),
            name=self.name,
            sequence=self.sequence,
            bucket_codes=frozenset(self.bucket_ids.mapped("code")) or None,
            company_type=self.company_type or None,
            min_amount=self.min_amount or None,
            max_amount=self.max_amount or None,
            country_codes=frozenset(self.country_ids.mapped("code")) or None,
            tag_ids=frozenset(self.category_ids.ids) or None,
            min_score=self.min_score or None,
            max_score=self.max_score if self.max_score < 100 else None,
        )
