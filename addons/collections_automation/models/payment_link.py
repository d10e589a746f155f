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

Currency: a link is in the currency of the debt it pays, never converted.
A promise's link is in the promise's currency; "pay everything overdue" is
one link per currency, bound to the invoices in that currency it was made
for (``collection_terms``: the currency and the invoices, signed by
``collection_terms_token``). Such a link asks for what is left of those
invoices when it is opened (never more than its amount), and nothing once
they are paid: it cannot be paid twice.
"""

from dataclasses import dataclass

from werkzeug.urls import url_encode

from odoo.tools import consteq
from odoo.tools import hmac as hmac_tool

#: The URL parameter naming the record a link pays, per kind.
TARGET_PARAMS = {
    "promise": ("collection_promise_id", "collection.promise"),
    "overdue": ("collection_debtor_id", "collection.debtor"),
}
#: What a "pay everything overdue" link pays of its invoices: the figure of
#: ``collection.debtor._open_amounts_by_currency`` it is capped by.
SCOPES = ("overdue", "due")
#: A reference lists the invoices paid up to this many, else the customer's.
REFERENCE_INVOICES = 3


def access_token(env, *values):
    """``payment.utils.generate_access_token`` without a request (crons,
    the outbox): the same HMAC over the same values."""
    return hmac_tool(
        env(su=True), "generate_access_token", "|".join(str(v) for v in values)
    )


def short_link(debtor, currency):
    """A link short enough to type from paper (a printed letter): it opens
    the "pay everything overdue" link of ``debtor`` in ``currency`` as it
    stands the day it is opened (``controllers/payment.py``)."""
    token = short_link_token(debtor.env, debtor.id, currency.id)
    return f"{debtor.get_base_url()}/collections/pay/{debtor.id}/{currency.id}/{token}"


def short_link_token(env, debtor_id, currency_id):
    """64 bits of the database's HMAC: enough for a link that only opens
    the payment page of an amount the customer owes."""
    return access_token(env, "collection_short_link", debtor_id, currency_id)[:16]


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


def make_terms(currency, invoices, scope):
    """The terms of a "pay everything overdue" link: what it pays (one of
    :data:`SCOPES`), its currency and its invoices, as a URL-safe string
    (``"overdue.2-41-42"``)."""
    return f"{scope}." + "-".join(str(i) for i in (currency.id, *invoices.ids))


def parse_terms(terms):
    """``(scope, currency id, invoice ids)`` of :func:`make_terms`' string;
    None when it is not one. Links sent before the scope was written name
    none: they pay the balance."""
    scope, _dot, ids = terms.rpartition(".")
    scope = scope or "due"
    if scope not in SCOPES:
        return None
    try:
        currency_id, *invoice_ids = (int(part) for part in ids.split("-"))
    except ValueError:
        return None
    return scope, currency_id, invoice_ids


def terms_token(env, kind, target_id, terms):
    return access_token(env, "collection_terms", kind, target_id, terms)


@dataclass
class LinkTerms:
    """What a link pays as it stands now: the currency, the invoices a
    payment is reconciled with, what is left to pay on them, and what
    payments on their way (:func:`under_way`) take off it."""

    currency: object
    invoices: object
    left: float
    terms: str = ""
    processing: float = 0.0


def under_way(invoices, currency):
    """What transactions paying ``invoices`` in ``currency`` have taken or
    are taking and the invoices do not show yet: pending, authorized, or
    done and not yet reconciled by Odoo's post-processing. A link does not
    ask it again (a second tab, a bank transfer not yet confirmed)."""
    if not invoices:
        return 0.0
    transactions = (
        invoices.env["payment.transaction"]
        .sudo()
        .search(
            [
                ("invoice_ids", "in", invoices.ids),
                ("currency_id", "=", currency.id),
                "|",
                ("state", "in", ("pending", "authorized")),
                "&",
                ("state", "=", "done"),
                ("is_post_processed", "=", False),
            ]
        )
    )
    return sum(transactions.mapped("amount"))


def link_terms(target, kind, terms=None, token=None):
    """The :class:`LinkTerms` of a link of ``kind`` paying ``target``; None
    when a "pay everything overdue" link's terms are missing or were changed.

    A promise's link pays what is left of the promise, in its currency. A
    "pay everything overdue" link pays what is left of its invoices in its
    currency, no more than what the customer owes of its scope in that
    currency now (what was paid or credited since, by this link or
    otherwise, is not asked again); its invoices on hold since are left
    out."""
    target.ensure_one()
    if kind == "promise":
        invoices = target._payment_invoices()
        currency = target.currency_id
        processing = under_way(invoices, currency)
        left = currency.round(target._payment_amount() - processing)
        return LinkTerms(currency, invoices, max(left, 0.0), processing=processing)
    if (
        not terms
        or not token
        or not consteq(str(token), terms_token(target.env, kind, target.id, terms))
    ):
        return None
    parsed = parse_terms(terms)
    if not parsed:
        return None
    scope, currency_id, invoice_ids = parsed
    env = target.env
    currency = env["res.currency"].browse(currency_id).exists()
    invoices = env["account.move"].browse(invoice_ids).exists()
    if not currency:
        return None
    invoices = open_invoices(
        invoices.filtered(
            lambda move: move.currency_id == currency
            and move.commercial_partner_id == target.partner_id
            and move.company_id == target.company_id
            and not move.collection_hold
        )
    )
    processing = under_way(invoices, currency)
    left = (
        min(
            currency.round(sum(invoices.mapped("amount_residual"))),
            target._figures_in(currency)[scope],
        )
        - processing
    )
    return LinkTerms(
        currency, invoices, max(currency.round(left), 0.0), terms, processing
    )


def payment_link(target, kind, amount, currency=None, invoices=None, scope="due"):
    """Odoo's payment page for ``amount`` in ``currency`` (by default the
    target's) paying ``target`` (a promise or a debtor, whose ``partner_id``
    and ``company_id`` say who pays), or None when there is nothing to pay.
    A "pay everything overdue" link is bound to ``invoices`` and pays their
    ``scope`` (one of :data:`SCOPES`)."""
    target.ensure_one()
    currency = currency or target.currency_id
    amount = currency.round(amount or 0.0)
    if currency.compare_amounts(amount, 0) <= 0:
        return None
    if invoices is None:
        invoices = target._payment_invoices()
    partner = target.partner_id.commercial_partner_id
    param = TARGET_PARAMS[kind][0]
    query = {
        "reference": reference(partner, invoices),
        "amount": amount,
        "currency_id": currency.id,
        "partner_id": partner.id,
        "company_id": target.company_id.id,
        "access_token": access_token(target.env, partner.id, amount, currency.id),
        param: target.id,
    }
    if kind == "overdue":
        terms = make_terms(currency, invoices, scope)
        query["collection_terms"] = terms
        query["collection_terms_token"] = terms_token(
            target.env, kind, target.id, terms
        )
    return f"{target.get_base_url()}/payment/pay?{url_encode(query)}"
