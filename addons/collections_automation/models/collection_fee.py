from decimal import Decimal

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from ..engine import fees as fee_engine
from ..engine import outbox
from ..tools import pg_array


class CollectionFee(models.Model):
    """A late fee or interest a journey step charged a customer.

    Life cycle: when a step with a fee (``late_fee_fixed``) or an interest
    rate (``late_fee_rate``) is planned for a customer (any outcome but a
    refusal), the amount is quoted by ``engine/fees.py`` and charged as a
    customer invoice in the company's currency (``move_id``), left in draft or
    posted as Settings > Collections says; the reminder of that step states
    it. ``state`` is ``charged`` until the fee is waived (``waived``): by
    hand, or when the customer agrees a promise or a plan under a negotiation
    policy that waives late fees (``collections_ai_agent``). A waived draft
    invoice is cancelled, a posted one reversed by a credit note.

    Once per customer, step and cycle: a cycle is the anchor date the step
    counts from (the oldest unpaid due date, or the date a promise was
    broken), and a unique constraint holds it whatever reruns.
    """

    _name = "collection.fee"
    _description = "Late Fee"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    debtor_id = fields.Many2one("collection.debtor", readonly=True)
    step_id = fields.Many2one(
        "collection.journey.step", "Journey Step", ondelete="set null", readonly=True
    )
    journey_id = fields.Many2one(
        "collection.journey", ondelete="set null", readonly=True
    )
    anchor_date = fields.Date(
        "Cycle",
        required=True,
        readonly=True,
        help="The date the step counted from (oldest unpaid due date, or the "
        "date a promise was broken): one fee per step and cycle.",
    )
    message_id = fields.Many2one(
        "collection.message",
        "Reminder",
        ondelete="set null",
        readonly=True,
        index="btree_not_null",
    )
    move_id = fields.Many2one(
        "account.move", "Fee Invoice", readonly=True, check_company=True
    )
    move_state = fields.Selection(related="move_id.state", string="Invoice Status")
    move_payment_state = fields.Selection(
        related="move_id.payment_state", string="Invoice Payment Status"
    )
    fixed_amount = fields.Monetary("Fee", readonly=True)
    interest_amount = fields.Monetary("Interest", readonly=True)
    amount_total = fields.Monetary(
        "Charged", readonly=True, help="Fee plus interest, before taxes."
    )
    interest_rate = fields.Float("Rate (% a year)", digits=(16, 4), readonly=True)
    interest_base = fields.Monetary(
        "Overdue Bearing Interest", readonly=True, help="In the company's currency."
    )
    interest_through = fields.Date(
        "Interest Up To",
        readonly=True,
        help="Interest is charged up to this day; the next fee counts from it.",
    )
    state = fields.Selection(
        [("charged", "Charged"), ("waived", "Waived")],
        default="charged",
        required=True,
        readonly=True,
        help="Charged: the fee invoice stands. Waived: cancelled (draft) or "
        "reversed (posted), with the reason on the invoice.",
    )
    waived_reason = fields.Char("Why Waived", readonly=True)

    _sql_constraints = [
        (
            "step_cycle_uniq",
            "unique(partner_id, company_id, step_id, anchor_date)",
            "A journey step charges a customer once per cycle.",
        ),
    ]

    @api.depends("partner_id", "move_id", "amount_total")
    def _compute_display_name(self):
        for fee in self:
            partner = fee.partner_id.name or ""
            amount = format_amount(fee.env, fee.amount_total, fee.currency_id)
            if fee.move_id.state == "posted":
                fee.display_name = self.env._(
                    "Late fee %(number)s: %(partner)s, %(amount)s",
                    number=fee.move_id.name,
                    partner=partner,
                    amount=amount,
                )
            else:
                fee.display_name = self.env._(
                    "Late fee: %(partner)s, %(amount)s", partner=partner, amount=amount
                )

    # === Charging === #
    @api.model
    def _charge_for_messages(self, messages):
        """Charge the fees of the steps just planned in ``messages``, as of
        the day they were planned.

        Rows refused, not from a journey, or whose step charges nothing are
        passed over, as are customers already charged for that step and cycle.
        Returns the fees created.
        """
        messages = self._messages_charging(messages)
        if not messages:
            return self.browse()
        Fee = self.sudo()
        partners, companies = messages.partner_id, messages.company_id
        known = Fee.search(
            [("partner_id", "in", partners.ids), ("company_id", "in", companies.ids)]
        )
        taken = {
            (f.partner_id.id, f.company_id.id, f.step_id.id, f.anchor_date)
            for f in known
        }
        # waived interest stays forgiven: the next charge counts from it too
        charged_through = {}
        for fee in known.filtered("interest_through"):
            key = (fee.partner_id.id, fee.company_id.id)
            charged_through[key] = max(
                fee.interest_through, charged_through.get(key, fee.interest_through)
            )
        items = self._overdue_items(partners, companies, known.move_id)
        values = []
        for message in messages:
            key = (message.partner_id.id, message.company_id.id)
            cycle = (*key, message.step_id.id, message.anchor_date)
            if cycle in taken:
                continue
            taken.add(cycle)
            step, currency = message.step_id, message.company_id.currency_id
            # the planning day (a rerun or a simulation plans as of its own)
            today = (message.create_date or fields.Datetime.now()).date()
            quote = fee_engine.quote(
                items.get(key, ()),
                today,
                fixed=Decimal(str(step.late_fee_fixed or 0)),
                annual_rate_pct=Decimal(str(step.late_fee_rate or 0)),
                charged_through=charged_through.get(key),
                decimals=currency.decimal_places,
            )
            if not quote.total:
                continue
            values.append((message, quote))
        if not values:
            return self.browse()
        fees = Fee.create(
            [
                {
                    "partner_id": message.partner_id.id,
                    "company_id": message.company_id.id,
                    "debtor_id": message.debtor_id.id,
                    "step_id": message.step_id.id,
                    "journey_id": message.step_id.journey_id.id,
                    "anchor_date": message.anchor_date,
                    "message_id": message.id,
                    "fixed_amount": float(quote.fixed),
                    "interest_amount": float(quote.interest),
                    "amount_total": float(quote.total),
                    "interest_rate": float(quote.rate_pct),
                    "interest_base": float(quote.base),
                    "interest_through": quote.charged_through if quote.lines else False,
                }
                for message, quote in values
            ]
        )
        quotes = {
            fee.id: quote for fee, (_message, quote) in zip(fees, values, strict=True)
        }
        return fees._make_invoices(quotes)

    @api.model
    def _messages_charging(self, messages):
        """The rows of ``messages`` whose step charges a fee (journey rows
        not refused, of a customer's cycle, whose step has a fee or an
        interest rate: ``step._charges_late_fee``), in their order.

        The few steps that charge are found first; without any, no row is
        read. The rows are then read by id alone: read row by row, a first
        planning's 50,000 rows took 1.5 s; joined to their steps in one
        query, PostgreSQL walked the whole outbox for each batch once it
        outgrew its statistics in the middle of a first planning (12.7 s at
        1,000,000 invoices)."""
        if not messages:
            return messages
        # a few dozen steps, asked through the rule's one home; whatever
        # companies the person rendering has selected, a row's step charges
        # what it charges
        charging_steps = set(
            self.env["collection.journey.step"]
            .sudo()
            .search([])
            .filtered(lambda step: step._charges_late_fee())
            .ids
        )
        if not charging_steps:
            return messages.browse()
        self.env["collection.message"].flush_model(
            ["kind", "state", "debtor_id", "anchor_date", "step_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT id, step_id, kind, state, debtor_id, anchor_date
                  FROM collection_message
                 WHERE id = ANY(%s::int[])
                """,
                pg_array(messages.ids),
            )
        )
        charging = {
            row_id
            for row_id, step_id, kind, state, debtor_id, anchor_date in (
                self.env.cr.fetchall()
            )
            if step_id in charging_steps
            and kind == "journey"
            and state != "refused"
            and debtor_id
            and anchor_date
        }
        return messages.browse([mid for mid in messages.ids if mid in charging])

    @api.model
    def _overdue_items(self, partners, companies, fee_moves):
        """Per (customer, company): the overdue part of each open invoice not
        on hold, in company currency, as the engine's items. Fee invoices
        bear no interest."""
        rows = (
            self.env["collection.invoice"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.ids),
                    ("company_id", "in", companies.ids),
                    ("amount_overdue", ">", 0),
                    ("move_id.collection_hold", "=", False),
                    ("move_id", "not in", fee_moves.ids),
                ]
            )
        )
        items = {}
        for row in rows:
            items.setdefault((row.partner_id.id, row.company_id.id), []).append(
                fee_engine.OverdueItem(
                    Decimal(str(row.currency_id.round(row.amount_overdue))),
                    row.due_date,
                    row.move_id.name or "",
                )
            )
        return items

    def _make_invoices(self, quotes):
        """The customer invoices charging these fees (``quotes``: fee id ->
        engine quote), created together per company, left in draft or posted
        as the company says, and noted on each invoice and customer.

        An invoice that cannot be made (no sales journal, a product of
        another company) leaves its fee uncharged and says why on the
        customer's chatter; it never stops the planning. Returns the fees
        charged."""
        charged = self.browse()
        for company in self.company_id:
            fees = self.filtered(lambda f, c=company: f.company_id == c)
            try:
                with self.env.cr.savepoint():
                    fees._create_invoices(quotes)
                charged |= fees
            except (UserError, ValidationError):
                # one by one, so that only the fee that cannot be made fails
                for fee in fees:
                    try:
                        with self.env.cr.savepoint():
                            fee._create_invoices(quotes)
                        charged |= fee
                    except (UserError, ValidationError) as error:
                        fee.partner_id._message_log(
                            body=self.env._(
                                "Late fee of %(amount)s (step %(step)s) not "
                                "charged: %(error)s",
                                amount=format_amount(
                                    self.env, fee.amount_total, fee.currency_id
                                ),
                                step=fee.step_id.name,
                                error=error,
                            )
                        )
                        fee.unlink()
        return charged

    def _create_invoices(self, quotes):
        """Create (and post, if so) the invoices of these fees of one company."""
        company = self.company_id.ensure_one()
        Move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(default_move_type="out_invoice")
        )
        moves = Move.create([fee._invoice_values(quotes[fee.id]) for fee in self])
        for fee, move in zip(self, moves, strict=True):
            fee.move_id = move
        if company.collection_fee_state == "posted":
            moves.action_post()
        notes, partner_notes = {}, {}
        for fee, move in zip(self, moves, strict=True):
            note = self.env._(
                "Late fee charged by the collection journey %(journey)s, step "
                "%(step)s: %(amount)s (fee %(fixed)s, interest %(interest)s).",
                journey=fee.journey_id.name,
                step=fee.step_id.name,
                amount=format_amount(self.env, fee.amount_total, fee.currency_id),
                fixed=format_amount(self.env, fee.fixed_amount, fee.currency_id),
                interest=format_amount(self.env, fee.interest_amount, fee.currency_id),
            )
            notes[move.id] = note
            partner_notes[fee.partner_id.id] = Markup("%s %s") % (
                note,
                move._get_html_link(title=move.name or ""),
            )
        moves._message_log_batch(bodies=notes)
        self.partner_id._message_log_batch(bodies=partner_notes)

    def _invoice_values(self, quote):
        """The values of the customer invoice charging this fee: a line for
        the fixed fee, one for the interest (saying on what and how long), in
        the company's currency, due the day it is charged."""
        self.ensure_one()
        company, step, today = self.company_id, self.step_id, quote.charged_through
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        line = {"quantity": 1}
        if company.collection_fee_product_id:
            line["product_id"] = company.collection_fee_product_id.id
        elif company.collection_fee_account_id:
            line["account_id"] = company.collection_fee_account_id.id
            line["tax_ids"] = [Command.clear()]
        lines = []
        if quote.fixed:
            lines.append(
                dict(
                    line,
                    name=env._("Late fee (%(step)s)", step=step.name),
                    price_unit=float(quote.fixed),
                )
            )
        if quote.interest:
            details = "; ".join(
                env._(
                    "%(ref)s: %(amount)s for %(days)s days",
                    ref=item.ref,
                    amount=format_amount(env, float(item.amount), company.currency_id),
                    days=item.days,
                )
                for item in quote.lines
            )
            lines.append(
                dict(
                    line,
                    name=env._(
                        "Interest at %(rate)s%% a year to %(date)s on %(base)s "
                        "overdue (%(details)s)",
                        rate=format(quote.rate_pct.normalize(), "f"),
                        date=format_date(env, today),
                        base=format_amount(env, float(quote.base), company.currency_id),
                        details=details,
                    ),
                    price_unit=float(quote.interest),
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "invoice_date": today,
            "invoice_payment_term_id": False,
            "invoice_date_due": today,
            "invoice_origin": step.journey_id.name,
            "ref": env._("Late fee: %(step)s", step=step.name),
            "invoice_line_ids": [Command.create(vals) for vals in lines],
        }

    # === Waiving === #
    def action_waive(self):
        """Waive by hand (a collection manager). A fee that cannot be waived
        (waived already, its invoice paid or reversed) says why: alone or all
        of them, as an error; among others waived, in a notification."""
        if not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise UserError(
                self.env._("Only a collection manager may waive a late fee.")
            )
        refused = [(fee, why) for fee in self if (why := fee._why_not_waivable())]
        lines = [
            why if len(self) == 1 else f"{fee.display_name}: {why}"
            for fee, why in refused
        ]
        if len(refused) == len(self):
            raise UserError("\n".join(lines))
        waived = self._waive(self.env._("waived by %(user)s", user=self.env.user.name))
        if not refused:
            return None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Waive"),
                "message": "\n".join(
                    [self.env._("%s late fee(s) waived.", len(waived)), *lines]
                ),
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _why_not_waivable(self):
        """Why this fee cannot be waived, in words; False when it can (see
        :meth:`_waive`)."""
        self.ensure_one()
        fee = self.sudo()
        if fee.state == "waived":
            if fee.waived_reason:
                return self.env._(
                    "This late fee was waived already (%(reason)s).",
                    reason=fee.waived_reason,
                )
            return self.env._("This late fee was waived already.")
        move = fee.move_id
        if move.state != "posted" or move.payment_state == "not_paid":
            return False
        if move.payment_state in ("paid", "in_payment", "partial"):
            return self.env._(
                "This late fee is paid already, in full or in part: it can no "
                "longer be waived. To give the money back, issue a credit note "
                "on its invoice %(invoice)s.",
                invoice=move.name,
            )
        if move.payment_state == "reversed":
            return self.env._(
                "The invoice %(invoice)s of this late fee was reversed already: "
                "there is nothing left to waive.",
                invoice=move.name,
            )
        status = dict(
            move._fields["payment_state"]._description_selection(self.env)
        ).get(move.payment_state, move.payment_state)
        return self.env._(
            "The invoice %(invoice)s of this late fee is %(status)s: it cannot be "
            "waived.",
            invoice=move.name,
            status=status,
        )

    def _waive(self, reason, record=None):
        """Cancel the draft fee invoices, reverse the posted ones not yet
        paid, and say why on the invoice, the customer and ``record`` (the
        agreement). Fees already paid, even in part, are left as they are."""
        waived = self.browse()
        for fee in self.sudo().filtered(lambda f: f.state == "charged"):
            move = fee.move_id
            why = fee._why_not_waivable()
            if why:
                move._message_log(
                    body=self.env._(
                        "Late fee not waived (%(reason)s): %(why)s",
                        reason=reason,
                        why=why,
                    )
                )
                continue
            if move.state == "draft":
                move.button_cancel()
            elif move.state == "posted":
                move._reverse_moves(
                    [
                        {
                            "ref": self.env._("Late fee waived: %s", reason),
                            "invoice_date": fields.Date.context_today(self),
                        }
                    ],
                    cancel=True,
                )
            fee.write({"state": "waived", "waived_reason": reason})
            note = self.env._("Late fee waived: %(reason)s.", reason=reason)
            move._message_log(body=note)
            fee.partner_id._message_log(
                body=Markup("%s %s")
                % (note, move._get_html_link(title=move.name or ""))
            )
            waived |= fee
        # a reminder not sent yet no longer announces a fee waived since
        # (rendered as the planning renders it: a manager waiving need not
        # be allowed to edit the template's expressions)
        for message in waived.sudo().message_id.filtered(
            lambda m: m.state in outbox.NOT_SENT and m.body
        ):
            message._render()
        if waived and record:
            record._message_log(
                body=self.env._(
                    "Late fees waived: %(fees)s.",
                    fees=", ".join(
                        format_amount(self.env, f.amount_total, f.currency_id)
                        for f in waived
                    ),
                )
            )
        return waived

    @api.model
    def _waiver_policy(self, debtor):
        """The name of the negotiation policy that waives ``debtor``'s late
        fees when an agreement is made, or False. Without the AI agent there
        is no negotiation policy: nothing is waived
        (``collections_ai_agent`` fills this in)."""
        return False

    @api.model
    def _waive_on_agreement(self, agreements):
        """Waive the charged fees of the customers of these new promises or
        plans, where the negotiation policy says so."""
        for agreement in agreements:
            partner = agreement.partner_id.commercial_partner_id
            fees = self.sudo().search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", agreement.company_id.id),
                    ("state", "=", "charged"),
                ]
            )
            if not fees:
                continue
            debtor = fees.debtor_id[:1] or partner.sudo().collection_debtor_id
            policy = self.sudo()._waiver_policy(debtor)
            if not policy:
                continue
            waived = fees._waive(
                self.env._(
                    "the customer agreed %(agreement)s; the negotiation policy "
                    "%(policy)s waives late fees",
                    agreement=agreement.display_name,
                    policy=policy,
                ),
                record=agreement,
            )
            self._fit_agreement(agreement, waived, debtor)

    @api.model
    def _fit_agreement(self, agreement, waived, debtor):
        """The agreement no longer counts the posted fees just waived: a
        promise (or a plan's balance) above what the customer owes now in its
        currency comes down to it, a plan's installments in proportion; what
        was agreed below it stands. Done before the agreement is checked
        against the negotiation policy, with the balance of after the
        waiver."""
        currency = agreement.currency_id
        reversed_fees = waived.filtered(
            lambda f: f.move_id.state == "posted" and f.move_id.currency_id == currency
        )
        if not reversed_fees or not debtor:
            return
        balance = currency.round(debtor.sudo()._amount_to_pay(currency))
        agreement = agreement.sudo()
        if agreement._name == "collection.promise":
            before = agreement.amount
            if currency.compare_amounts(before, balance) <= 0 or balance <= 0:
                return
            agreement.amount = balance
        else:
            before = agreement.balance
            if currency.compare_amounts(before, balance) <= 0 or balance <= 0:
                return
            installments = agreement.promise_ids.filtered(
                lambda p: p.state != "cancelled"
            ).sorted(lambda p: (p.promise_date, p.id))
            ratio = balance / before
            total = currency.round(sum(installments.mapped("amount")) * ratio)
            amounts = [currency.round(p.amount * ratio) for p in installments[:-1]]
            amounts.append(currency.round(total - sum(amounts)))
            # the installments together, then the plan: each write alone
            # would put a plan adding up to neither balance to the policy
            self.env.flush_all()
            for promise, amount in zip(installments, amounts, strict=True):
                self.env.cr.execute(
                    "UPDATE collection_promise SET amount = %s WHERE id = %s",
                    (amount, promise.id),
                )
            installments.invalidate_recordset(["amount"])
            installments.modified(["amount"])
            agreement.balance = balance
        agreement._message_log(
            body=self.env._(
                "Agreed amount lowered from %(before)s to %(after)s: the late "
                "fees waived are no longer owed.",
                before=format_amount(self.env, before, currency),
                after=format_amount(self.env, balance, currency),
            )
        )

    # === Stating it in the reminder === #
    @api.model
    def _reminder_lines(self, messages, lang):
        """Per reminder row: the sentence stating the fee its step charged,
        in ``lang`` (short on SMS and WhatsApp)."""
        fees = self.sudo().search(
            [("message_id", "in", messages.ids), ("state", "=", "charged")]
        )
        if not fees:
            return {}
        env = self.with_context(lang=lang).env
        lines = {}
        for fee in fees:
            message = fee.message_id
            amount = fee.move_id.amount_total or fee.amount_total
            total = format_amount(env, amount, fee.currency_id, lang)
            if message.channel != "email":
                lines[message.id] = env._("Late fee added: %(amount)s.", amount=total)
                continue
            parts = []
            if fee.fixed_amount:
                parts.append(
                    env._(
                        "a fee of %(amount)s",
                        amount=format_amount(
                            env, fee.fixed_amount, fee.currency_id, lang
                        ),
                    )
                )
            if fee.interest_amount:
                parts.append(
                    env._(
                        "interest of %(amount)s at %(rate)s%% a year on the amount "
                        "overdue",
                        amount=format_amount(
                            env, fee.interest_amount, fee.currency_id, lang
                        ),
                        rate=format(Decimal(str(fee.interest_rate)).normalize(), "f"),
                    )
                )
            posted = fee.move_id.state == "posted"
            lines[message.id] = env._(
                "A late payment charge of %(amount)s has been added to your account"
                "%(number)s: %(parts)s.",
                amount=total,
                number=" (%s)" % fee.move_id.name if posted else "",
                parts=env._(" and ").join(parts),
            )
        return lines


class CollectionPromise(models.Model):
    """A late fee waived is no payment: the credit note reversing it is not
    counted as paid on the promises made since."""

    _inherit = "collection.promise"

    @api.model
    def _paid_not_counted(self):
        # the credit note reversing a waived fee's invoice
        return SQL(
            """(%s OR EXISTS (
                SELECT 1
                  FROM collection_fee f
                  JOIN account_move_line cl ON cl.id = apr.credit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                 WHERE f.move_id = aml.move_id
                   AND f.state = 'waived'
                   AND cm.reversed_entry_id = aml.move_id))""",
            super()._paid_not_counted(),
        )


class CollectionPlanner(models.AbstractModel):
    """Journey steps charge their late fees as they are planned, before the
    reminder is rendered, so that it states the fee."""

    _inherit = "collection.planner"

    @api.model
    def _after_insert(self, message_ids):
        messages = self.env["collection.message"].browse(message_ids)
        self.env["collection.fee"]._charge_for_messages(messages)
        return super()._after_insert(message_ids)


class CollectionNegotiatedMixin(models.AbstractModel):
    """A promise or a plan agreed may waive the customer's late fees, where
    the negotiation policy says so (``collection.fee._waiver_policy``)."""

    _inherit = "collection.negotiated.mixin"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # a plan's installments are the plan's agreement, not one each
        agreements = records.filtered(
            lambda r: "plan_id" not in r._fields or not r.plan_id
        )
        self.env["collection.fee"]._waive_on_agreement(agreements)
        return records
