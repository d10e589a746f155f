"""The suite's payment links on Odoo's payment page (``/payment/pay``).

A link names the record it pays (a promise or a customer's overdue
account, see ``models/payment_link.py``) beside the amount, currency and
customer its access token binds. The page is Odoo's own; only the route
creating the transaction is ours, so that the transaction is linked to the
record's open invoices and Odoo's post-processing (account_payment) creates
the payment and reconciles it with them.
"""

import werkzeug

from odoo import http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.payment import utils as payment_utils

from ..models.payment_link import TARGET_PARAMS, reference

#: Values of our own access token, besides the record, amount and currency.
TOKEN_SCOPE = "collections"


class CollectionsPaymentPortal(PaymentPortal):
    @staticmethod
    def _collection_target(kind, res_id):
        """The sudoed record a link of ``kind`` pays; empty or None if none."""
        if kind not in TARGET_PARAMS or not res_id:
            return None
        return request.env[TARGET_PARAMS[kind][1]].sudo().browse(res_id).exists()

    @staticmethod
    def _collection_amount_left(kind, target):
        return (
            target._amount_to_pay() if kind == "overdue" else target._payment_amount()
        )

    def _collection_kind(self, kwargs):
        """(kind, record id) of the suite's link in these parameters, if any."""
        for kind, (param, _model) in TARGET_PARAMS.items():
            if kwargs.get(param) is not None:
                return kind, self._cast_as_int(kwargs[param])
        return None, None

    @http.route()
    def payment_pay(self, *args, **kwargs):
        """Odoo's payment page; a link of the suite must name a record of
        the customer its token was made for, in its company and currency
        (the token itself is checked by Odoo: a changed amount is a 404)."""
        kind, res_id = self._collection_kind(kwargs)
        if kind:
            target = self._collection_target(kind, res_id)
            partner_id = self._cast_as_int(kwargs.get("partner_id"))
            partner = request.env["res.partner"].sudo().browse(partner_id).exists()
            if (
                not target
                or not partner
                or partner.commercial_partner_id
                != target.partner_id.commercial_partner_id
            ):
                raise werkzeug.exceptions.NotFound()
            kwargs.update(
                currency_id=target.currency_id.id,
                company_id=target.company_id.id,
                reference=reference(
                    partner.commercial_partner_id, target._payment_invoices()
                ),
            )
        return super().payment_pay(*args, **kwargs)

    def _get_extra_payment_form_values(self, **kwargs):
        """Reroute the transaction of a suite's link to our route, with a
        token binding the record, amount and currency; a link whose record
        has nothing left to pay asks for nothing."""
        values = super()._get_extra_payment_form_values(**kwargs)
        kind, res_id = self._collection_kind(kwargs)
        if not kind:
            return values
        target = self._collection_target(kind, res_id)
        amount = kwargs.get("amount")
        currency_id = kwargs.get("currency_id")
        if not target or not amount:
            return values
        left = self._collection_amount_left(kind, target)
        if target.currency_id.compare_amounts(left, 0) <= 0:
            values["amount"] = 0.0  # Odoo's page: "There is nothing to pay."
            return values
        values.update(
            transaction_route=f"/collections/payment/transaction/{kind}/{target.id}",
            access_token=payment_utils.generate_access_token(
                TOKEN_SCOPE, kind, target.id, float(amount), currency_id
            ),
        )
        return values

    @http.route(
        "/collections/payment/transaction/<string:kind>/<int:res_id>",
        type="json",
        auth="public",
    )
    def collection_payment_transaction(
        self, kind, res_id, amount, access_token, **kwargs
    ):
        """Create the transaction of a suite's link, linked to the open
        invoices of the record it pays, and return its processing values."""
        target = self._collection_target(kind, res_id)
        try:
            amount = float(amount)  # the page's JavaScript may strip the ".0"
        except (TypeError, ValueError):
            amount = None
        if (
            not target
            or not amount
            or not payment_utils.check_access_token(
                access_token, TOKEN_SCOPE, kind, res_id, amount, target.currency_id.id
            )
        ):
            raise ValidationError(request.env._("The access token is invalid."))
        currency = target.currency_id
        if currency.compare_amounts(self._collection_amount_left(kind, target), 0) <= 0:
            raise ValidationError(
                request.env._("There is nothing left to pay on this link.")
            )
        invoices = target._payment_invoices()
        customer = target.partner_id.commercial_partner_id
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else customer
        self._validate_transaction_kwargs(kwargs)
        kwargs.pop("is_validation", None)  # a payment, never a validation
        tx_sudo = self._create_transaction(
            amount=amount,
            currency_id=currency.id,
            partner_id=partner.id,
            reference_prefix=reference(customer, invoices),
            custom_create_values={"invoice_ids": [Command.set(invoices.ids)]},
            **kwargs,
        )
        self._update_landing_route(
            tx_sudo,
            payment_utils.generate_access_token(
                tx_sudo.partner_id.id, tx_sudo.amount, tx_sudo.currency_id.id
            ),
        )
        return tx_sudo._get_processing_values()
