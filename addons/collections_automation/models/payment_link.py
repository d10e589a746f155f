"""Payment links of the suite: Odoo's payment page for an exact amount.

Two kinds, built here and nowhere else:

* a promise's link (:meth:`collection.promise._payment_link`): what is left
  of a promise, an installment of a payment plan or an agreed settlement;
* the "pay everything overdue" link (:meth:`collection.debtor._payment_link`).

Both open ``/payment/pay`` with the amount, currency and customer bound by
an access token, as Odoo's payment link wizard makes them, plus the record
they pay (``collection_promise_id`` or ``collection_debtor_id``). The
controller (``controllers/payment.py``) links the transaction to the
record's open invoices, so that Odoo's own post-processing (account_payment)
creates the payment and reconciles it with them, oldest due first; the
reconciliation settles the promise (``account.partial.reconcile``).
"""

from werkzeug.urls import url_encode

from odoo.tools import hmac as hmac_tool

#: The URL parameter naming the record a link pays, per kind.
TARGET_PARAMS = {
    "promise": ("collection_promise_id", "collection.promise"),
    "overdue": ("collection_debtor_id", "collection.debtor"),
}
#: A reference lists the invoices paid up to this many, else the customer's.
REFERENCE_INVOICES = 3


def access_token(env, *values):
    """``payment.utils.generate_access_token`` without a request (crons,
    the outbox): the same HMAC over the same values."""
    return hmac_tool(
        env(su=True), "generate_access_token", "|".join(str(v) for v in values)
    )


def open_invoices(invoices):
    """The invoices among ``invoices`` with something left to pay."""
    return invoices.filtered(
        lambda move: move.state == "posted"
        and not move.currency_id.is_zero(move.amount_residual)
    )


def reference(partner, invoices):
    """The payment reference: the invoices' numbers when few, else the
    customer's reference or name."""
    if invoices and len(invoices) <= REFERENCE_INVOICES:
        return "-".join(invoices.mapped("name"))
    return partner.ref or partner.name


def payment_link(target, kind, amount):
    """Odoo's payment page for ``amount`` paying ``target`` (a promise or a
    debtor, whose ``partner_id``, ``company_id`` and ``currency_id`` say who
    pays what), or None when there is nothing to pay."""
    target.ensure_one()
    currency = target.currency_id
    amount = currency.round(amount or 0.0)
    if currency.compare_amounts(amount, 0) <= 0:
        return None
    partner = target.partner_id.commercial_partner_id
    param = TARGET_PARAMS[kind][0]
    query = {
        "reference": reference(partner, target._payment_invoices()),
        "amount": amount,
        "currency_id": currency.id,
        "partner_id": partner.id,
        "company_id": target.company_id.id,
        "access_token": access_token(target.env, partner.id, amount, currency.id),
        param: target.id,
    }
    return f"{target.get_base_url()}/payment/pay?{url_encode(query)}"
