from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

#: Who may confirm an order of a customer on a sales hold.
APPROVER_GROUPS = (
    "sales_team.group_sale_manager",
    "collections_automation.group_collection_manager",
)


class SaleOrder(models.Model):
    """The sales hold: a customer whose worst delinquency bucket is the one
    the company chose (Settings > Collections, "Hold sales from bucket") or a
    later one is on hold. The order form says so in a banner; confirming it
    needs a Sales Administrator or a Collection Manager, whose override is
    logged on the order. A salesperson is told why and who can approve.

    Orders the system confirms itself (an online payment, a scheduled action)
    are not stopped, only logged: refusing there would lose a payment."""

    _inherit = "sale.order"

    collection_hold = fields.Boolean(
        "On Sales Hold",
        compute="_compute_collection_hold",
        help="The customer is deep enough in collection that confirming needs "
        "a Sales Administrator or a Collection Manager.",
    )
    collection_hold_reason = fields.Char(
        "Sales Hold", compute="_compute_collection_hold"
    )

    @api.depends("partner_id", "company_id")
    def _compute_collection_hold(self):
        for order in self:
            debtor = order._collection_hold_debtor()
            order.collection_hold = bool(debtor)
            order.collection_hold_reason = (
                order._collection_hold_words(debtor) if debtor else False
            )

    def _collection_hold_debtor(self):
        """The customer's collection figures when they are on a sales hold
        in the order's company; an empty recordset otherwise."""
        self.ensure_one()
        Debtor = self.env["collection.debtor"].sudo()
        company = self.company_id or self.env.company
        threshold = company.sudo().collection_sale_hold_bucket_id
        if not threshold or not self.partner_id:
            return Debtor
        debtor = Debtor.search(
            [
                ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        bucket = debtor.worst_bucket_id
        if (
            not bucket
            or bucket.min_days < threshold.min_days
            or debtor.currency_id.compare_amounts(debtor.total_overdue, 0) <= 0
        ):
            return Debtor
        return debtor

    def _collection_hold_words(self, debtor):
        """Why the customer is on hold, in words."""
        company = (self.company_id or self.env.company).sudo()
        threshold = company.collection_sale_hold_bucket_id
        return self.env._(
            "%(customer)s is on a sales hold: %(overdue)s overdue, the oldest "
            "%(days)s days past due (%(bucket)s); this company holds sales from "
            "%(threshold)s on.",
            customer=debtor.partner_id.name,
            overdue=format_amount(self.env, debtor.total_overdue, debtor.currency_id),
            days=debtor.days_overdue,
            bucket=debtor.worst_bucket_id.name,
            threshold=threshold.name,
        )

    def _collection_hold_approvers(self):
        """Names of a few users who may confirm (for the salesperson)."""
        groups = [self.env.ref(xmlid) for xmlid in APPROVER_GROUPS]
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", [group.id for group in groups]),
                    ("share", "=", False),
                    ("company_ids", "in", (self.company_id or self.env.company).id),
                ],
                order="name",
                limit=6,
            )
        )
        return users.mapped("name")

    @api.model
    def _may_override_collection_hold(self):
        return self.env.su or any(
            self.env.user.has_group(xmlid) for xmlid in APPROVER_GROUPS
        )

    def action_confirm(self):
        held = {order: order._collection_hold_debtor() for order in self}
        held = {order: debtor for order, debtor in held.items() if debtor}
        if held and not self._may_override_collection_hold():
            order, debtor = next(iter(held.items()))
            approvers = order._collection_hold_approvers()
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed by you. %(why)s Only a Sales "
                    "Administrator or a Collection Manager may confirm it"
                    "%(names)s. Ask one of them, or ask the customer to pay first.",
                    order=order.name,
                    why=order._collection_hold_words(debtor),
                    names=(
                        self.env._(" (%s)", ", ".join(approvers)) if approvers else ""
                    ),
                )
            )
        result = super().action_confirm()
        for order, debtor in held.items():
            who = (
                self.env._("the system (%s)", self.env.user.name)
                if self.env.su
                else self.env.user.name
            )
            order._message_log(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Confirmed despite the sales hold, by %(user)s.", user=who
                    ),
                    order._collection_hold_words(debtor),
                )
            )
        return result
