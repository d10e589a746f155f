from odoo import models


class AccountPayment(models.Model):
    """A collector reads the payments of their cases' customers in the case's
    company (``collection.team.scope``)."""

    _name = "account.payment"
    _inherit = ["account.payment", "collection.team.scope"]
