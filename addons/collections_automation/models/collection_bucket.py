from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..engine import buckets as bucket_engine


class CollectionBucket(models.Model):
    """A delinquency ("mora") bucket: a range of days past due.

    Invoices and customers carry the bucket of their oldest unpaid installment.
    Buckets are shared by all companies unless a company is set.
    """

    _name = "collection.bucket"
    _description = "Delinquency Bucket"
    _order = "min_days, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical code used by journeys.")
    sequence = fields.Integer(default=10)
    min_days = fields.Integer(
        "From (days overdue)",
        required=True,
        help="First day past due in this bucket; negative: before the due date.",
    )
    max_days = fields.Integer(
        "To (days overdue)",
        help="Last day past due in this bucket; leave empty for an open end.",
    )
    open_ended = fields.Boolean(help="No upper bound: every later day falls here.")
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the bucket; a company with buckets of its own "
        "uses only those.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Bucket codes must be unique.",
        ),
    ]

    @api.constrains("min_days", "max_days", "open_ended", "active", "company_id")
    def _check_no_overlap(self):
        for company_id in set(self.mapped("company_id.id")) | {False}:
            buckets = self.search([("company_id", "=", company_id)])
            try:
                bucket_engine.validate(buckets._to_engine())
            except ValueError as error:
                raise ValidationError(str(error)) from error

    @api.model_create_multi
    def create(self, vals_list):
        buckets = super().create(vals_list)
        self._refresh_after_change()
        return buckets

    def write(self, vals):
        result = super().write(vals)
        self._refresh_after_change()
        return result

    def unlink(self):
        result = super().unlink()
        self._refresh_after_change()
        return result

    def _refresh_after_change(self):
        """New ranges move invoices and customers to other buckets: refresh now."""
        self.env["collection.debtor"]._refresh(full=True)

    def _to_engine(self):
        return [
            bucket_engine.Bucket(
                b.code,
                b.name,
                b.min_days,
                None if b.open_ended else b.max_days,
                b.sequence,
            )
            for b in self
        ]

    @api.model
    def _for_company(self, company):
        """The buckets ``company`` uses: its own if it has any, else the shared."""
        own = self.search([("company_id", "=", company.id)])
        return own or self.search([("company_id", "=", False)])

    @api.model
    def _company_buckets_sql(self):
        """SQL rows (company_id, bucket_id, min_days, max_days) each company uses."""
        return SQL(
            """
            SELECT c.id AS company_id, b.id AS bucket_id, b.min_days,
                   CASE WHEN b.open_ended THEN NULL ELSE b.max_days END AS max_days
              FROM res_company c
              JOIN collection_bucket b
                ON b.active
               AND (b.company_id = c.id
                    OR (b.company_id IS NULL AND NOT EXISTS (
                            SELECT 1 FROM collection_bucket own
                             WHERE own.active AND own.company_id = c.id)))
            """
        )
