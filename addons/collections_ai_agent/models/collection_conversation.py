import logging
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from odoo.addons.collections_automation.models.collection_provider import (
    ODOO_JOB_CHANNEL,
)

from ..engine import dialogue, replies
from .collection_conversation_turn import VIA_SELECTION

_logger = logging.getLogger(__name__)

#: A conversation quiet for longer than this is over; the next message
#: starts a new one (with the balance of that day).
IDLE_DAYS = 30
#: Channels with an opt-out of their own that confirms itself.
SELF_CONFIRMING_OPT_OUT = ("whatsapp", "sms")
MESSAGE_CHANNELS = ("email", "sms", "whatsapp", "voice")

#: The other debts of a customer owing in several currencies, said where
#: the agent states the balance (the engine negotiates one currency).
ALSO_OWED = {
    "en": "You also owe {others}. Tell me if you want to settle that too.",
    "es": "También nos debe {others}. Dígame si quiere saldarlo también.",
    "pt": "Também nos deve {others}. Diga-me se quer quitar isso também.",
}
#: The agent turns to the debt in another currency the customer asked about.
NOW_ABOUT = {
    "en": "About your debt in {currency}: {amount}.",
    "es": "Sobre su deuda en {currency}: {amount}.",
    "pt": "Sobre a sua dívida em {currency}: {amount}.",
}
#: Words naming a currency in a message, besides its ISO code.
CURRENCY_WORDS = {
    "EUR": ("euro", "euros", "€"),
    "USD": ("dollar", "dollars", "dólar", "dolar", "dólares", "dolares", "us$"),
    "MXN": ("peso", "pesos", "mexicanos"),
    "BRL": ("reais",),
    "GBP": ("pound", "pounds", "libra", "libras", "£"),
    "COP": ("pesos colombianos",),
}
#: The words of a message, for naming currencies (symbols kept).
CURRENCY_TOKEN = re.compile(r"[^\W\d_]+|[€£]|us\$", re.IGNORECASE)

ESCALATION_SELECTION = [
    ("dispute", "Dispute"),
    ("hardship", "Hardship"),
    ("request_human", "Asked for a person"),
    ("wrong_person", "Wrong person"),
    ("misunderstanding", "Not understood twice"),
    ("frustration", "Frustration"),
    ("identity", "Identity not verified"),
]


class CollectionConversation(models.Model):
    """One conversation of the AI agent with a customer, on any channel.

    The dialogue's state (``engine.dialogue``) is kept as JSON between
    messages, so a customer who starts on WhatsApp and goes on by voice or
    on the invoice's page carries on where they were. Each exchange is a
    :class:`collection.conversation.turn`; what the agent agreed becomes the
    automation's records (promises, payment plans, holds, opt-outs) and an
    escalation schedules an activity with the whole transcript.
    """

    _name = "collection.conversation"
    _inherit = ["mail.thread"]
    _description = "AI Agent Conversation"
    _order = "last_turn_at desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    debtor_id = fields.Many2one("collection.debtor", readonly=True, index=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of the debt negotiated: the invoice's the customer "
        "asked about, else the larger debt's. A customer owing in several "
        "currencies is told each, and agrees on one at a time.",
    )
    channel = fields.Selection(
        [
            ("whatsapp", "WhatsApp"),
            ("sms", "SMS"),
            ("email", "Email"),
            ("web", "Web chat"),
            ("voice", "Voice"),
        ],
        readonly=True,
        help="The channel of the latest message.",
    )
    lang = fields.Selection(
        [("es", "Spanish"), ("en", "English"), ("pt", "Portuguese")],
        "Language",
        readonly=True,
        help="The language the agent speaks with this customer.",
    )
    state = fields.Selection(
        [
            ("active", "With the agent"),
            ("escalated", "Escalated"),
            ("opted_out", "Opted out"),
            ("closed", "Closed"),
        ],
        default="active",
        required=True,
        index=True,
        tracking=True,
    )
    outcome = fields.Selection(
        [
            ("promise", "Promise to pay"),
            ("plan", "Payment plan"),
            ("payment_link", "Payment link sent"),
            ("paid_claim", "Says it is paid"),
            ("opted_out", "Opted out"),
            ("escalated", "Escalated"),
        ],
        readonly=True,
        index=True,
        help="What the conversation achieved, the most decisive first.",
    )
    resolved_by_agent = fields.Boolean(
        compute="_compute_resolved_by_agent",
        store=True,
        help="Ended with an outcome and without a person.",
    )
    escalation_reason = fields.Selection(ESCALATION_SELECTION, readonly=True)
    promise_id = fields.Many2one("collection.promise", readonly=True)
    plan_id = fields.Many2one("collection.payment.plan", readonly=True)
    dialogue_state = fields.Json(readonly=True, copy=False)
    turn_ids = fields.One2many(
        "collection.conversation.turn", "conversation_id", "Turns", readonly=True
    )
    turn_count = fields.Integer(compute="_compute_turn_count")
    last_turn_at = fields.Datetime(readonly=True, index=True)
    via = fields.Selection(
        VIA_SELECTION, readonly=True, help="How the latest message was understood."
    )

    @api.depends("outcome")
    def _compute_resolved_by_agent(self):
        for conversation in self:
            conversation.resolved_by_agent = conversation.outcome not in (
                False,
                "escalated",
            )

    def _compute_turn_count(self):
        counts = dict(
            self.env["collection.conversation.turn"]._read_group(
                [("conversation_id", "in", self.ids)], ["conversation_id"], ["__count"]
            )
        )
        for conversation in self:
            conversation.turn_count = counts.get(conversation, 0)

    @api.depends("partner_id", "create_date")
    def _compute_display_name(self):
        for conversation in self:
            conversation.display_name = self.env._(
                "%(partner)s, %(date)s",
                partner=conversation.partner_id.name or "",
                date=format_date(
                    self.env, conversation.create_date or fields.Date.today()
                ),
            )

    def action_close(self):
        """A person has taken it from here: the next message starts afresh."""
        self.write({"state": "closed"})

    @api.model
    def chat_as_customer(self, partner_id, text):
        """Talk to the agent as ``partner_id`` from outside (``agent_chat.py``
        over XML-RPC): a web-chat turn, nothing is sent to the customer, but
        what is agreed is recorded as from any channel. Collection managers
        only.

        :return: ``{"reply", "link", "state", "outcome", "actions"}``, or
            ``{"error"}`` when nothing is due
        """
        if not self.env.user.has_group(
            "collections_automation.group_collection_manager"
        ):
            raise AccessError(
                self.env._("Only collection managers may chat as a customer.")
            )
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not partner:
            raise UserError(self.env._("No customer has the id %s.", partner_id))
        company = self.env.company
        invoice = (
            self.env["collection.invoice"]
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                ],
                order="due_date, id",
                limit=1,
            )
            .move_id
        )
        turn, link = self.sudo()._converse(
            partner, company, "web", str(text or ""), invoice=invoice
        )
        if not turn:
            return {
                "error": self.env._("%s owes nothing overdue.", partner.display_name)
            }
        conversation = turn.conversation_id
        return {
            "reply": turn.reply,
            "link": link,
            "state": conversation.state,
            "outcome": conversation.outcome or None,
            "actions": turn.actions or [],
            "conversation_id": conversation.id,
        }

    # === Entry point === #
    @api.model
    def _converse(
        self, partner, company, channel, text, provider=None, source=None, invoice=None
    ):
        """Run one customer message through the agent and act on the answer.

        :param partner: who wrote (the contact; the conversation is kept on
            its commercial partner)
        :param provider: the ``collection.provider`` the message came by, to
            answer through it (WhatsApp, SMS)
        :param source: the outbox row answered (for voice: the call)
        :param invoice: the invoice whose page the customer chats from (web)
        :return: ``(turn, link)``: the stored turn (None when the agent has
            nothing to say to this customer) and the payment link to show
        """
        conversation = self._current(partner, company)
        if not conversation:
            conversation = self._start(partner, company, channel, invoice)
            if not conversation:
                return None, None
        return conversation._respond(partner, channel, text, provider, source, invoice)

    @api.model
    def _current(self, partner, company):
        since = fields.Datetime.now() - timedelta(days=IDLE_DAYS)
        return self.search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("state", "!=", "closed"),
                ("last_turn_at", ">=", since),
            ],
            limit=1,
        )

    @api.model
    def _start(self, partner, company, channel, invoice=None):
        commercial = partner.commercial_partner_id
        debtor = self.env["collection.debtor"].search(
            [("partner_id", "=", commercial.id), ("company_id", "=", company.id)],
            limit=1,
        )
        # the amount the reminders and the payment page ask for (the overdue
        # amount, or the whole balance when nothing is overdue yet), in the
        # currency of the debt asked about (the invoice's), else the larger
        currency = debtor._debt_currency(invoice) if debtor else company.currency_id
        balance = debtor._amount_to_pay(currency) if debtor else 0
        if not debtor or balance <= 0:
            # nothing to collect: the reply waits in the chatter for a person
            return self.browse()
        customer = {
            "name": partner.name,
            "lang": partner.lang or company.partner_id.lang or "en_US",
            "balance": f"{balance:.{currency.decimal_places}f}",
            "currency": currency.name,
            "decimals": currency.decimal_places,
            "verification": self._verification_answers(commercial, company),
        }
        policy = self.env["collection.agent.policy"]._for_debtor(debtor)
        today = self._today(partner)
        try:
            state = dialogue.start(customer, policy, today, channel=channel)
        except ValueError as error:
            commercial._message_log(
                body=self.env._("The AI agent could not start: %s", error),
                author_id=company.partner_id.id,
            )
            return self.browse()
        if invoice and channel == "web":
            # the invoice's access token is the credential Odoo's own portal
            # accepts to show and pay the invoice: the visitor is its customer
            state["verified"] = True
        return self.create(
            {
                "partner_id": commercial.id,
                "company_id": company.id,
                "debtor_id": debtor.id,
                "currency_id": currency.id,
                "channel": channel,
                "lang": state["lang"],
                "dialogue_state": state,
                "last_turn_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _verification_answers(self, commercial, company):
        """What an unverified caller may answer: the last 4 characters of the
        tax id, or the number of an open invoice."""
        answers = []
        vat = re.sub(r"[^0-9A-Za-z]", "", commercial.vat or "")
        if len(vat) >= 4:
            answers.append(vat[-4:])
        answers += (
            self.env["collection.invoice"]
            .search(
                [
                    ("partner_id", "=", commercial.id),
                    ("company_id", "=", company.id),
                ],
                limit=20,
            )
            .move_id.mapped("name")
        )
        return answers

    @api.model
    def _today(self, partner):
        return fields.Date.context_today(self.with_context(tz=partner.tz or "UTC"))

    # === One message === #
    def _respond(self, partner, channel, text, provider, source, invoice):
        self.ensure_one()
        understander = self.env["collection.agent.llm"]._understander()
        policy = self.env["collection.agent.policy"]._for_debtor(self.debtor_id)
        today = self._today(partner)
        switched = self._switch_currency(text)
        informed = self.dialogue_state.get("informed")
        turn = dialogue.respond(
            self.dialogue_state,
            text,
            today,
            understander,
            channel=channel,
            policy=policy,
        )
        via, fallback = self.env["collection.agent.llm"]._last_reading(understander)
        reply = turn.reply
        if reply and via == "llm":
            reply = self.env["collection.agent.llm"]._rephrase(
                reply, turn.state["lang"]
            )
        intent = understander.last.intent if understander.last else False
        stated = turn.state.get("informed") and (
            not informed or intent == "balance_inquiry"
        )
        # nothing about the account for a caller not yet verified
        if reply and turn.state.get("verified") and (stated or switched):
            reply = self._with_other_currencies(reply, turn.state, switched)
        record = self.env["collection.conversation.turn"].create(
            {
                "conversation_id": self.id,
                "channel": channel,
                "customer_text": text,
                "reply": reply,
                "intent": intent,
                "actions": turn.actions,
                "via": via,
                "note": fallback,
            }
        )
        values = {
            "dialogue_state": turn.state,
            "channel": channel,
            "lang": turn.state["lang"],
            "last_turn_at": fields.Datetime.now(),
            "via": via,
        }
        self.write(values)
        link = self._apply_actions(record, partner, provider, source, invoice)
        self._log_turn(record, partner)
        if record.reply:
            self._answer(record, partner, provider, link)
        return record, link

    # === Several currencies === #
    def _other_debts(self):
        """The customer's debts in other currencies than the one negotiated:
        a list of (currency, amount asked), the larger first."""
        self.ensure_one()
        if not self.debtor_id:
            return []
        return [
            (line["currency"], line["to_pay"])
            for line in self.debtor_id._open_amounts_by_currency()
            if line["currency"] != self._currency()
            and line["currency"].compare_amounts(line["to_pay"], 0) > 0
        ]

    def _currency(self):
        self.ensure_one()
        return self.currency_id or self.company_id.currency_id

    def _switch_currency(self, text):
        """Turn the negotiation to the debt in another currency the message
        names ("and the euros?", "EUR"), unless an agreement is on the table:
        the engine negotiates one balance, in one currency. Return the
        currency switched to, else None."""
        self.ensure_one()
        state = self.dialogue_state or {}
        if (
            state.get("pending")
            or state.get("stage") != "active"
            or not state.get("verified")
        ):
            return None
        words = {word.lower() for word in CURRENCY_TOKEN.findall(text or "")}
        for currency, amount in self._other_debts():
            names = {currency.name.lower(), *CURRENCY_WORDS.get(currency.name, ())}
            label = (currency.currency_unit_label or "").lower()
            if label:
                names.add(label)
            if words & names:
                state = dict(state)
                state["customer"] = dict(
                    state["customer"],
                    balance=f"{amount:.{currency.decimal_places}f}",
                    currency=currency.name,
                    decimals=currency.decimal_places,
                )
                state.update(pending=None, draft_amount=None, discount_pct="0")
                self.write({"currency_id": currency.id, "dialogue_state": state})
                return currency
        return None

    def _with_other_currencies(self, reply, state, switched):
        """The reply, with the debt switched to said first and the debts in
        the other currencies said after, in the conversation's language."""
        lang = state.get("lang") if state.get("lang") in ALSO_OWED else "en"
        customer = state["customer"]

        def money(currency, amount):
            return replies.format_amount(
                amount, currency.name, lang, currency.decimal_places
            )

        if switched:
            reply = (
                NOW_ABOUT[lang].format(
                    currency=switched.name,
                    amount=money(switched, float(customer["balance"])),
                )
                + " "
                + reply
            )
        others = self._other_debts()
        if others:
            joined = {"en": " and ", "es": " y ", "pt": " e "}[lang].join(
                money(currency, amount) for currency, amount in others
            )
            reply = reply + "\n" + ALSO_OWED[lang].format(others=joined)
        return reply

    # === Acting on the agent's decisions === #
    def _apply_actions(self, turn, partner, provider, source, invoice):
        """Promises, plans, holds, opt-outs and escalations; return the
        payment link when the agent sends one."""
        self.ensure_one()
        commercial = self.partner_id
        link = None
        outcome = self.outcome
        for action in turn.actions or []:
            kind = action["type"]
            if kind == "send_payment_link":
                link = self._payment_link(invoice)
                outcome = outcome or "payment_link"
            elif kind == "record_promise":
                self.promise_id = self._record_promise(action)
                outcome = "promise"
            elif kind == "record_plan":
                self.plan_id = self._record_plan(action)
                outcome = "plan"
            elif kind == "mark_dispute":
                commercial.collection_hold = "dispute"
                commercial._message_log(
                    body=self.env._(
                        "Disputed with the AI agent; reminders on hold: %s",
                        action.get("reason") or "",
                    ),
                    author_id=self._agent_author().id,
                )
            elif kind == "hold":
                if not commercial.collection_hold:
                    commercial.collection_hold = "hardship"
            elif kind == "mark_paid_claim":
                commercial.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Check the payment the customer says was made"),
                    note=turn.customer_text,
                    user_id=self._responsible().id,
                )
                outcome = outcome or "paid_claim"
            elif kind == "opt_out":
                self._opt_out(partner, turn, provider)
                self.state = "opted_out"
                outcome = "opted_out"
            elif kind == "escalate":
                self.write(
                    {"state": "escalated", "escalation_reason": action["reason"]}
                )
                outcome = "escalated"
                self._on_escalation(action["reason"], action.get("transcript") or [])
        if outcome != self.outcome:
            self.outcome = outcome
        return link

    def _cancel_replaced(self, action):
        """A change of mind after a yes: the agreement the customer made
        before in this conversation is cancelled, never two open for one
        debt."""
        if not action.get("replaces"):
            return
        earlier = self.env["collection.promise"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("source", "=", "ai_agent"),
                ("state", "=", "open"),
                ("create_date", ">=", self.create_date),
            ]
        )
        earlier.plan_id.action_cancel()
        earlier.action_cancel()
        for record in earlier.plan_id or earlier:
            record.message_post(
                body=self.env._("Replaced by a new agreement with the customer.")
            )

    def _record_promise(self, action):
        self._cancel_replaced(action)
        return self.env["collection.promise"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "amount": float(action["amount"]),
                "promise_date": action["date"],
                "source": "ai_agent",
                "currency_id": self._currency().id,
                "invoice_ids": self._open_invoices().ids,
                "user_id": self._responsible().id,
                "note": self._agreement_note(action),
            }
        )

    def _record_plan(self, action):
        self._cancel_replaced(action)
        return self.env["collection.payment.plan"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "source": "ai_agent",
                "currency_id": self._currency().id,
                "balance": float(self.dialogue_state["customer"]["balance"]),
                "discount_pct": float(action.get("discount_pct") or 0),
                "invoice_ids": self._open_invoices().ids,
                "user_id": self._responsible().id,
                "note": self._agreement_note(action),
                "promise_ids": [
                    fields.Command.create(
                        {
                            "partner_id": self.partner_id.id,
                            "company_id": self.company_id.id,
                            "amount": float(line["amount"]),
                            "promise_date": line["date"],
                            "source": "ai_agent",
                            "invoice_ids": self._open_invoices().ids,
                            "user_id": self._responsible().id,
                        }
                    )
                    for line in action["installments"]
                ],
            }
        )

    def _agreement_note(self, action):
        discount = action.get("discount_pct") or "0"
        if float(discount):
            return self.env._(
                "Agreed with the AI agent by %(channel)s, with a %(pct)s%% discount "
                "for settling: write the rest off once paid.",
                channel=self.channel,
                pct=discount,
            )
        return self.env._("Agreed with the AI agent by %s.", self.channel)

    def _open_invoices(self):
        """The open invoices of the debt negotiated (in its currency)."""
        self.ensure_one()
        currency = self._currency()
        return (
            self.env["collection.invoice"]
            ._open_moves(self.partner_id, self.company_id)
            .filtered(lambda move: move.currency_id == currency)
        )

    def _payment_link(self, invoice=None):
        """The link paying the customer's next promise or installment for its
        exact amount, when one is open; else the portal page of the invoice
        (the oldest overdue one by default), which states the overdue amount
        with a link paying it."""
        promise = (
            self.env["collection.promise"]
            .sudo()
            ._due_for(self.partner_id, self.company_id)
        )
        if promise:
            return promise._payment_link()
        invoice = invoice or self._open_invoices()[:1]
        if not invoice:
            return None
        return invoice.get_base_url() + invoice.get_portal_url()

    def _opt_out(self, partner, turn, provider):
        """The customer asked to stop. WhatsApp and SMS confirm it by their
        own opt-out path (one confirmation, ever); elsewhere the agent's
        reply is the confirmation."""
        channel = turn.channel
        if channel in SELF_CONFIRMING_OPT_OUT and provider:
            partner._collection_opt_out(channel, provider, turn.customer_text)
            turn.reply = ""
            return
        channels = MESSAGE_CHANNELS if channel == "web" else (channel,)
        values = {}
        for name in channels:
            if f"collection_optout_{name}" in partner._fields:
                values[f"collection_optout_{name}"] = True
                values[f"collection_consent_{name}"] = False
        partner.write(values)
        partner._message_log(
            body=self.env._(
                "Opted out of collection messages by %(channels)s, told the AI "
                "agent: \u201c%(text)s\u201d",
                channels=", ".join(channels),
                text=turn.customer_text,
            ),
            author_id=self._agent_author().id,
        )

    def _agent_author(self):
        """The agent speaks for the company: its notes on the chatter are the
        company's, never the public user's (the portal chat) or OdooBot's."""
        self.ensure_one()
        return self.company_id.partner_id

    def _responsible(self):
        """Who follows up (``res.partner._collection_follow_up_user``)."""
        self.ensure_one()
        return self.partner_id._collection_follow_up_user(self.company_id)

    def _on_escalation(self, reason, transcript):
        """Hand over to a person: the transcript on the customer's chatter and
        an activity for the responsible. The contact center opens a case."""
        self.ensure_one()
        label = dict(ESCALATION_SELECTION)[reason]
        transcript_html = self._transcript_html(transcript)
        self.partner_id.message_post(
            body=Markup("%s<br/>%s")
            % (
                self.env._("The AI agent handed the conversation over: %s", label),
                transcript_html,
            ),
            author_id=self._agent_author().id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.partner_id.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("AI agent escalation: %s", label),
            note=transcript_html,
            user_id=self._responsible().id,
        )

    @api.model
    def _transcript_html(self, transcript):
        who = {
            "customer": self.env._("Customer"),
            "agent": self.env._("Agent"),
        }
        lines = [
            Markup("<li><b>%s</b> (%s): %s</li>")
            % (
                who.get(line["from"], line["from"]),
                line.get("channel") or "",
                line["text"],
            )
            for line in transcript
            if line.get("text")
        ]
        return Markup("<ul>%s</ul>") % Markup("").join(lines)

    def _log_turn(self, turn, partner):
        """The exchange on the customer's chatter (the inbound text is there
        already when it came by a webhook)."""
        if turn.channel == "web":
            partner.message_post(
                body=Markup("%s<br/>%s")
                % (self.env._("Wrote in the invoice's web chat:"), turn.customer_text),
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        if turn.reply:
            self.partner_id._message_log(
                body=self.env._(
                    "AI agent (%(channel)s): %(reply)s",
                    channel=turn.channel_label or turn.channel,
                    reply=turn.reply,
                ),
                author_id=self._agent_author().id,
            )

    def _answer(self, turn, partner, provider, link):
        """Send the reply (and the link) back by the channel it came from.

        Voice and web answer in the request itself; WhatsApp and SMS go
        through the outbox, one row per text with a key of its own, so a
        retried webhook or job never sends them twice.
        """
        channel = turn.channel
        if channel == "voice":
            if link:
                self._voice_link(turn, partner, link)
            return
        if channel == "web" or (not provider and channel != "email"):
            return
        Message = self.env["collection.message"].sudo()
        values = {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "debtor_id": self.debtor_id.id,
            "kind": "agent_reply",
            "channel": channel,
            "state": "queued",
            "scheduled_at": fields.Datetime.now(),
        }
        rows = Message.create(
            dict(
                values,
                idempotency_key=f"agent-{turn.id}",
                body=turn.reply,
                subject=self.env._("Your account") if channel == "email" else False,
            )
        )
        if link:
            rows |= Message.create(
                dict(
                    values,
                    idempotency_key=f"agent-{turn.id}-link",
                    payment_url=link,
                    body=link,
                )
            )
        turn.message_ids = rows
        # email goes through Odoo's own mail queue unless a provider carries it
        rows.with_delay(
            channel=provider.job_channel if provider else ODOO_JOB_CHANNEL,
            description=self.env._("AI agent reply to %s", partner.display_name),
            max_retries=5,
        )._job_send(provider.id if provider else False)

    def _voice_link(self, turn, partner, link):
        """On a call the link goes by SMS, through the contact policy like any
        reminder sent on our initiative."""
        Message = self.env["collection.message"].sudo()
        key = f"agent-{turn.id}-link"
        if Message.search_count([("idempotency_key", "=", key)]):
            return
        turn.message_ids = Message._link_by_sms(
            partner, self.company_id, self.debtor_id, link, key
        )
