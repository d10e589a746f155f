"""The suite's payment links on Odoo's payment page (``/payment/pay``).

A link names the record it pays (a promise or a customer's overdue
account, see ``models/payment_link.py``) beside the amount, currency and
customer its access token binds. The page is Odoo's own; only the route
creating the transaction is ours, so that the transaction is linked to the
record's open invoices and Odoo's post-processing (account_payment) creates
the payment and reconciles it with them.
"""

from odoo import http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import consteq, format_amount

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.payment import utils as payment_utils

from ..models.payment_link import (
    TARGET_PARAMS,
    link_terms,
    reference,
    short_link_token,
    terms_token,
)

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
    def _collection_terms(kind, target, kwargs):
        """What the link pays now (currency, invoices, amount left), or None
        when its terms were changed (see ``models/payment_link.py``)."""
        return link_terms(
            target,
            kind,
            kwargs.get("collection_terms"),
            kwargs.get("collection_terms_token"),
        )

    @staticmethod
    def _collection_invalid_link():
        """The page of a suite's link that was changed, cut short or mistyped:
        refused in words, with the status Odoo refuses a changed link with
        (404). It names no company nor record: the link's ids are not to be
        trusted."""
        return request.render(
            "collections_automation.payment_link_invalid", {}, status=404
        )

    @staticmethod
    def _collection_provider(kwargs):
        """The provider a transaction request pays with: its token's when it
        pays with a saved one, else the one it names (sudoed; may be empty)."""
        cast = CollectionsPaymentPortal._cast_as_int
        if kwargs.get("flow") == "token":
            token = (
                request.env["payment.token"]
                .sudo()
                .browse(cast(kwargs.get("token_id")))
                .exists()
            )
            return token.provider_id
        return (
            request.env["payment.provider"]
            .sudo()
            .browse(cast(kwargs.get("provider_id")))
            .exists()
        )

    def _collection_kind(self, kwargs):
        """(kind, record id) of the suite's link in these parameters, if any."""
        for kind, (param, _model) in TARGET_PARAMS.items():
            if kwargs.get(param) is not None:
                return kind, self._cast_as_int(kwargs[param])
        return None, None

    @http.route(
        "/collections/pay/<int:debtor_id>/<int:currency_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def collection_short_link(self, debtor_id, currency_id, token):
        """A printed letter's link: today's "pay everything overdue" link of
        the customer in that currency, or a thank-you when nothing is left."""
        if not consteq(token, short_link_token(request.env, debtor_id, currency_id)):
            return self._collection_invalid_link()  # mistyped from paper
        debtor = request.env["collection.debtor"].sudo().browse(debtor_id).exists()
        if not debtor:
            return self._collection_invalid_link()
        for currency, _amount, url in debtor._payment_links_by_currency():
            if currency.id == currency_id:
                return request.redirect(url, local=False)
        return request.render(
            "collections_automation.payment_nothing_left",
            # res_company: the layout's logo is the debtor's company's
            {"company": debtor.company_id, "res_company": debtor.company_id},
        )

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
            company_id = self._cast_as_int(kwargs.get("company_id"))
            terms = target and self._collection_terms(kind, target, kwargs)
            if (
                not terms
                or not partner
                or partner.commercial_partner_id
                != target.partner_id.commercial_partner_id
                # the link names its record's company: another is a change
                or (company_id and company_id != target.company_id.id)
                # Odoo's token (customer, amount, currency), checked here to
                # refuse in words rather than by Odoo's bare 404
                or not payment_utils.check_access_token(
                    kwargs.get("access_token"),
                    partner_id,
                    self._cast_as_float(kwargs.get("amount")),
                    terms.currency.id,
                )
            ):
                return self._collection_invalid_link()
            kwargs.update(
                currency_id=terms.currency.id,
                company_id=target.company_id.id,
                reference=reference(partner.commercial_partner_id, terms.invoices),
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
        terms = target and self._collection_terms(kind, target, kwargs)
        if not terms or not amount:
            return values
        currency = terms.currency
        processing = currency.compare_amounts(terms.processing, 0) > 0
        if currency.compare_amounts(terms.left, 0) <= 0:
            values["amount"] = 0.0  # Odoo's page: "There is nothing to pay."
            if processing:
                # a payment on its way (pending, authorized, or done and not
                # yet reconciled): the link is not paid yet, nor to pay again
                values["collection_processing_note"] = request.env._(
                    "Your payment is being processed: there is nothing more "
                    "to pay for now. Thank you."
                )
            else:
                values["collection_paid_note"] = request.env._(
                    "This link is paid: nothing is left to pay on it. Thank you."
                )
            return values
        if processing:
            values["collection_processing_note"] = request.env._(
                "A payment of %(amount)s is being processed: only what is left "
                "is asked here.",
                amount=format_amount(request.env, terms.processing, currency),
            )
        # what was paid since the link was made is not asked again
        amount = currency.round(min(float(amount), terms.left))
        route = f"/collections/payment/transaction/{kind}/{target.id}"
        if terms.terms:
            route += f"/{terms.terms}"
        values.update(
            amount=amount,
            transaction_route=route,
            access_token=payment_utils.generate_access_token(
                TOKEN_SCOPE, kind, target.id, amount, currency.id, terms.terms
            ),
        )
        return values

    @http.route(
        [
            "/collections/payment/transaction/<string:kind>/<int:res_id>",
            "/collections/payment/transaction/<string:kind>/<int:res_id>"
            "/<string:terms>",
        ],
        type="json",
        auth="public",
    )
    def collection_payment_transaction(
        self, kind, res_id, amount, access_token, terms="", **kwargs
    ):
        """Create the transaction of a suite's link, linked to the open
        invoices of the record it pays, and return its processing values.
        ``terms`` (a "pay everything overdue" link's currency and invoices)
        are bound by the access token the page was given."""
        target = self._collection_target(kind, res_id)
        try:
            amount = float(amount)  # the page's JavaScript may strip the ".0"
        except (TypeError, ValueError):
            amount = None
        # the terms are bound by the access token checked below
        link = (
            target
            and amount
            and link_terms(
                target, kind, terms, terms_token(target.env, kind, res_id, terms)
            )
        )
        if not link or not payment_utils.check_access_token(
            access_token, TOKEN_SCOPE, kind, res_id, amount, link.currency.id, terms
        ):
            raise ValidationError(request.env._("The access token is invalid."))
        currency = link.currency
        if currency.compare_amounts(amount, link.left) > 0:
            if currency.compare_amounts(link.left, 0) > 0:
                message = request.env._(
                    "Part of this link was paid meanwhile: open it again to pay "
                    "what is left."
                )
            elif currency.compare_amounts(link.processing, 0) > 0:
                message = request.env._(
                    "A payment on this link is being processed already: there "
                    "is nothing more to pay for now."
                )
            else:
                message = request.env._("There is nothing left to pay on this link.")
            raise ValidationError(message)
        # the page offers the link's company's providers only: another
        # company's would book the payment there, the invoices left open
        provider = self._collection_provider(kwargs)
        if (
            not provider
            or provider.state == "disabled"
            or provider.company_id != target.company_id
        ):
            raise ValidationError(
                request.env._(
                    "This payment method cannot be used to pay this link: "
                    "please choose one of the methods the page offers."
                )
            )
        invoices = link.invoices
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
