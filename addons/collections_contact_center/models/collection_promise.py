"""Cases follow agreements, whoever records them.

A promise or a payment plan recorded anywhere (the AI agent in a chat or on
the phone, the case's agreement wizard, Log a Call, "Record Promise" on the
customer or an invoice, a client over RPC) replaces the customer's open
agreement for the same debt, moves the customer's open case to its stage and
marks the case's open calls done. A broken promise or installment hands its
follow-up call to the case's collector and moves the case back to work.
"""

from odoo import api, models


class CollectionPromise(models.Model):
    _name = "collection.promise"
    _inherit = ["collection.promise", "collection.team.scope"]

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        # installments follow as their plan (see the plan's create)
        promises.filtered(lambda p: not p.plan_id and p.state == "open")._follow()
        return promises

    # === Agreements and cases === #
    def _agreement_key(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id, self.company_id

    def _follow(self):
        """Replace the agreements these promises replace, move the cases."""
        for agreement in self:
            agreement._replace_others()
            case = agreement._open_case()
            if case:
                case._on_agreement(agreement, "promise")

    def _replace_others(self):
        """Cancel the customer's other open agreements for the same debt:
        never two open for one debt. Two agreements are for the same debt
        when their invoices overlap, or when one of them has no invoices (it
        is about the whole balance)."""
        self.ensure_one()
        partner, company = self._agreement_key()
        mine = self | self.plan_id.promise_ids
        invoices = self.invoice_ids | self.plan_id.invoice_ids
        others = (
            self.sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "open"),
                    ("id", "not in", mine.ids),
                ]
            )
            .filtered(
                lambda p: not invoices
                or not (p.invoice_ids | p.plan_id.invoice_ids)
                or (p.invoice_ids | p.plan_id.invoice_ids) & invoices
            )
        )
        if not others:
            return
        # the server keeps the rule, whoever recorded the new agreement
        plans = others.plan_id.sudo()
        promises = others.filtered(lambda p: not p.plan_id).sudo()
        plans.action_cancel()
        promises.action_cancel()
        new = (self.plan_id or self).sudo()
        replaced = [*plans, *promises]
        for record in replaced:
            record.message_post(
                body=self.env._("Replaced by a new agreement: %s.", new.display_name),
                subtype_xmlid="mail.mt_note",
            )
        partner._message_log(
            body=self.env._(
                "%(old)s replaced by %(new)s.",
                old=", ".join(record.display_name for record in replaced),
                new=new.display_name,
            )
        )

    def _open_case(self):
        self.ensure_one()
        partner, company = self._agreement_key()
        return (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                ],
                limit=1,
            )
        )

    # === Settlement === #
    def _on_settled(self):
        """The broken promise's follow-up call goes to the case's collector,
        on the case (rather than to whoever recorded the promise, on the
        customer); a case whose agreement has ended goes back to work."""
        self.ensure_one()
        case = self._open_case()
        if not case:
            return super()._on_settled()
        partner = self.partner_id.sudo()
        before = partner.activity_ids
        result = super()._on_settled()
        if self.state in ("broken", "partially_kept"):
            (partner.activity_ids - before).unlink()
            case._on_broken_agreement(self)
        elif self.state == "kept":
            case._on_agreement_ended()
        return result
