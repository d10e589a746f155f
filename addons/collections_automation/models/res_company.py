from odoo import fields, models


class ResCompany(models.Model):
    """How the company charges the late fees and interest of its journeys."""

    _inherit = "res.company"

    collection_fee_product_id = fields.Many2one(
        "product.product",
        "Late Fee Product",
        check_company=True,
        help="The product on the late fee invoices (its income account and "
        "taxes apply). Without one, the account below is used.",
    )
    collection_fee_account_id = fields.Many2one(
        "account.account",
        "Late Fee Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="The income account of the late fee lines when no product is set; "
        "without either, the sales journal's default account.",
    )
    collection_fee_state = fields.Selection(
        [
            ("draft", "Draft, for an accountant to post"),
            ("posted", "Posted at once"),
        ],
        "Late Fee Invoices",
        default="draft",
        required=True,
        help="Whether the invoice charging a journey step's late fee or "
        "interest is left in draft or posted when the step runs.",
    )
