from collections import defaultdict
from datetime import timedelta
from typing import NamedTuple

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime

from ..engine import outbox
from ..engine import policy as policy_engine
from ..tools import pg_array

#: Channels needing a valid phone number.
PHONE_CHANNELS = ("sms", "whatsapp", "voice")
#: How far ahead a contact may be deferred when the policy refuses "now".
HORIZON_DAYS = 7
#: Contact history the policy needs: its longest rolling window plus a margin.
HISTORY_DAYS = 8
#: An outbox row's kind -> the purpose of the contact (engine.policy.PURPOSES).
PURPOSE_BY_KIND = {
    "journey": "journey",
    "promise_reminder": "promise_reminder",
    "optout_confirmation": "optout_confirmation",
    "payment_link": "requested",
    "agent_reply": "answer",
    "manual_reminder": "by_hand",
}


class Verdict(NamedTuple):
    """The gate's answer: ``allowed``, ``refused`` or ``deferred`` (until
    ``until``, naive UTC), always with the rule and a reason for people."""

    state: str
    rule: str | None
    reason: str
    until: object = None

    @property
    def allowed(self):
        return self.state == "allowed"


class CollectionContactGate(models.AbstractModel):
    """The one contact gate: may we contact this customer, on this channel,
    for this purpose, now? Every outbound contact asks :meth:`_decide`: the
    planner, the dispatcher at the time of sending, the agent's answers,
    promise reminders, links and statements sent from a case or by hand.

    The rules live in ``engine/policy.py``. The gate gathers what they need,
    in bulk for a whole batch (:meth:`_facts`): the customer's country,
    state, time zone, consents, opt-outs and holds, the channel itself (a
    provider, a valid number or address, not blacklisted), and the contact
    history of every source: outbox rows that went out (attempts, including
    those that failed after going out), replies and answered calls where the
    customer spoke (conversations), and whatever other addons add through
    :meth:`_contact_history` (the contact center adds the calls collectors
    log, a right-party call being a conversation).
    """

    _name = "collection.contact.gate"
    _description = "Collection Contact Gate"

    # === Entry point === #
    @api.model
    def _decide(
        self, partner, channel, purpose="journey", at=None, company=None, facts=None
    ):
        """Allowed, refused, or deferred until the next allowed minute.

        :param partner: the customer (``res.partner``)
        :param channel: ``email``, ``sms``, ``whatsapp`` or ``voice``
        :param purpose: one of ``engine.policy.PURPOSES``
        :param at: naive UTC datetime; now by default
        :param company: the company contacting; the current one by default
        :param facts: :meth:`_facts` for a batch of customers; built for
            this one customer when omitted
        :return: a :class:`Verdict`
        """
        at = at or fields.Datetime.now()
        company = company or self.env.company
        if facts is None:
            facts = self._facts(partner, at)
        refusal = self._channel_refusal(facts, partner, channel, company)
        if refusal:
            return refusal
        decision = self._ask_policy(
            policy_engine.check, facts, partner, channel, at, company, purpose
        )
        if decision.allowed:
            return Verdict("allowed", None, "")
        reason = self._reason(decision)
        if decision.rule in policy_engine.TIMING_RULES:
            later = self._ask_policy(
                self._engine_next_allowed,
                facts,
                partner,
                channel,
                at,
                company,
                purpose,
            )
            if later:
                until = later.astimezone(pytz.utc).replace(tzinfo=None)
                return Verdict("deferred", decision.rule, reason, until)
        return Verdict("refused", decision.rule, reason)

    @api.model
    def _purpose_of(self, message):
        """The purpose of an outbox row, from its kind."""
        return PURPOSE_BY_KIND.get(message.kind, "journey")

    @api.model
    def _remember(self, facts, partner, channel, at, debtor=None):
        """A contact decided during a batch counts for the next checks."""
        facts["history"][partner.id].append(
            policy_engine.ContactEvent(
                channel,
                pytz.utc.localize(at),
                str(debtor.id) if debtor else None,
            )
        )

    @api.model
    def _deferral_note(self, verdict, partner):
        """What a person reads on a deferred row: the reason and until when,
        in the customer's time zone (or its country's first one) when known,
        and in which zones the hours were checked when the customer's own
        zone is missing or not of its country (:meth:`_zone_note`)."""
        country = partner.country_id.code or None
        basis = policy_engine.zone_basis(partner.tz, country)
        if basis in ("tz", "tz_and_country"):
            tz = partner.tz
        elif basis == "country":
            tz = pytz.country_timezones(country)[0]
        else:
            tz = self.env.user.tz or "UTC"
        when = format_datetime(self.env, verdict.until, tz=tz, dt_format="short")
        note = self.env._(
            "%(reason)s Deferred until %(when)s (%(tz)s).",
            reason=verdict.reason,
            when=when,
            tz=tz,
        )
        zone_note = self._zone_note(partner)
        return f"{note} {zone_note}" if zone_note else note

    @api.model
    def _zone_note(self, partner):
        """In words, what the contact policy assumes of the customer's local
        time when its time zone is missing or is not one of its country's
        (see ``engine.policy.zone_basis``); None when it uses the customer's
        own zone."""
        country = partner.country_id
        basis = policy_engine.zone_basis(partner.tz, country.code or None)
        if basis == "country":
            return self.env._(
                "The customer has no time zone: the allowed hours must hold in "
                "every time zone of %(country)s.",
                country=country.name,
            )
        if basis == "tz_and_country":
            return self.env._(
                "The customer's time zone (%(tz)s) is not one of %(country)s: "
                "the allowed hours must hold there and in every time zone of "
                "%(country)s.",
                tz=partner.tz,
                country=country.name,
            )
        return None

    # === Facts, read in bulk === #
    @api.model
    def _facts(self, partners, now):
        """Everything the policy needs about ``partners``, read in bulk."""
        partners = partners.with_context(prefetch_fields=False)
        partners.fetch(
            [
                "country_id",
                "state_id",
                "tz",
                "email",
                "collection_contact_id",
                "child_ids",
                "collection_do_not_contact",
                "collection_hold",
                "collection_phone_e164",
                "collection_phone_error",
                "collection_preferred_channel",
                *(f"collection_consent_{c}" for c in policy_engine.CHANNELS),
                *(f"collection_optout_{c}" for c in policy_engine.CHANNELS),
            ]
        )
        candidates = self._email_candidates(partners)
        return {
            "rules": {},
            "memo": {},
            "history": self._contact_history(partners, now),
            "promise_holds": self._promise_holds(partners, now),
            "blacklist": self._blacklisted(partners, candidates),
            # partner id -> who reads its emails (see _channel_refusal)
            "email_candidates": candidates,
            # partner id -> what a request says of the customer (see _request)
            "customers": {},
        }

    @api.model
    def _contact_history(self, partners, now):
        """Partner id -> ContactEvents over the last days, from the outbox.

        Every row that went out is an attempt, even one that failed after
        (an unanswered call is a call attempt), and so is a row another job
        is sending now (claimed, not yet sent: counted from its claim). A
        reply, or a call on which the customer spoke, is a conversation. A
        statement of account emailed (``collection.statement.sending``, which
        is no outbox row) is an email attempt too, so the daily and weekly
        caps count it. Other addons extend this with contacts of their own.
        """
        history = defaultdict(list)
        if not partners:
            return history
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, channel, attempted_at, debtor_id,
                       state IN ('delivered', 'read', 'replied'),
                       state = 'replied', replied_at
                  FROM (SELECT *,
                               CASE WHEN state = 'sending' THEN claimed_at
                                    ELSE sent_at END AS attempted_at
                          FROM collection_message
                         WHERE partner_id = ANY(%s::int[])
                           AND (state IN %s OR state IN ('failed', 'sending'))
                           AND channel != 'collector') m
                 WHERE attempted_at IS NOT NULL
                   AND (attempted_at > %s OR replied_at > %s)
                """,
                pg_array(partners.ids),
                outbox.CONTACTED,
                now - timedelta(days=HISTORY_DAYS),
                now - timedelta(days=HISTORY_DAYS),
            )
        )
        for row in self.env.cr.fetchall():
            partner_id, channel, at, debtor_id, delivered, talked, replied = row
            history[partner_id].append(
                policy_engine.ContactEvent(
                    channel,
                    pytz.utc.localize(at),
                    str(debtor_id) if debtor_id else None,
                    conversation=talked,
                    delivered=delivered or talked or channel == "email",
                    conversation_at=replied and pytz.utc.localize(replied),
                )
            )
        # statements of account emailed: email attempts about the customer's
        # debt in the company that sent them
        self.env.cr.execute(
            SQL(
                """
                SELECT s.partner_id, s.sent_at, d.id
                  FROM collection_statement_sending s
             LEFT JOIN collection_debtor d
                    ON d.partner_id = s.partner_id AND d.company_id = s.company_id
                 WHERE s.partner_id = ANY(%s::int[])
                   AND s.sent_at > %s
                """,
                pg_array(partners.ids),
                now - timedelta(days=HISTORY_DAYS),
            )
        )
        for partner_id, sent_at, debtor_id in self.env.cr.fetchall():
            history[partner_id].append(
                policy_engine.ContactEvent(
                    "email",
                    pytz.utc.localize(sent_at),
                    str(debtor_id) if debtor_id else None,
                )
            )
        return history

    @api.model
    def _promise_holds(self, partners, now):
        """Partners with an open promise not yet due: no reminder meanwhile."""
        if not partners:
            return set()
        promises = (
            self.env["collection.promise"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "open"),
                    ("promise_date", ">=", now.date()),
                ],
                ["partner_id"],
            )
        )
        return set(promises.partner_id.ids)

    @api.model
    def _email_candidates(self, partners):
        """Partner id -> who reads its email reminders
        (``res.partner._collection_email_candidates``), for all of them."""
        candidates = self.env["res.partner"]._collection_email_candidates_of(partners)
        # the addresses of every customer and contact in one query: read one
        # customer at a time, they cost a query each (34 s for 10,000)
        self.env["res.partner"].browse(
            {partner.id for found in candidates.values() for partner in found}
        ).fetch(["email", "email_normalized"])
        return candidates

    @api.model
    def _blacklisted(self, partners, candidates=None):
        """Per partner, the channels blacklisted: email in ``mail.blacklist``,
        the phone channels when the number is in ``phone.blacklist``.
        ``candidates``: :meth:`_email_candidates` of ``partners``, when known."""
        result = defaultdict(set)
        if candidates is None:
            candidates = self._email_candidates(partners)
        # email: blacklisted when every address a reminder would go to is
        emails = {
            partner.id: set(candidates[partner.id].mapped("email_normalized")) - {False}
            for partner in partners
        }
        wanted = sorted(set().union(*emails.values())) if emails else []
        if wanted:
            listed = set(
                self.env["mail.blacklist"]
                .sudo()
                .search([("email", "in", wanted)])
                .mapped("email")
            )
            for partner_id, addresses in emails.items():
                if addresses and addresses <= listed:
                    result[partner_id].add("email")
        numbers = {
            p.id: p.collection_phone_e164 for p in partners if p.collection_phone_e164
        }
        if numbers:
            # the numbers are E.164 already, as the blacklist holds them:
            # searching through the ORM parses each one again (8 s for 10,000)
            self.env["phone.blacklist"].flush_model(["number", "active"])
            self.env.cr.execute(
                SQL(
                    "SELECT number FROM phone_blacklist"
                    " WHERE active AND number = ANY(%s)",
                    sorted(set(numbers.values())),
                )
            )
            listed = {row[0] for row in self.env.cr.fetchall()}
            for partner_id, number in numbers.items():
                if number in listed:
                    result[partner_id].update(PHONE_CHANNELS)
        return result

    # === Asking the engine === #
    @api.model
    def _channel_refusal(self, facts, partner, channel, company):
        """A refusal about the channel itself, which no waiting lifts."""
        Message = self.env["collection.message"]
        if not Message._channel_available(channel, company):
            return Verdict(
                "refused",
                "no_provider",
                self.env._("No provider for %s.", self._channel_label(channel)),
            )
        if channel in PHONE_CHANNELS and not partner.collection_phone_e164:
            return Verdict(
                "refused",
                "invalid_phone",
                partner.collection_phone_error or self.env._("No phone number."),
            )
        if channel == "email" and not self._email_candidates_of(facts, partner):
            return Verdict("refused", "no_email", self.env._("No email address."))
        if channel in facts.get("blacklist", {}).get(partner.id, ()):
            return Verdict(
                "refused",
                "blacklisted",
                self.env._("The customer's email address is blacklisted.")
                if channel == "email"
                else self.env._("The customer's phone number is blacklisted."),
            )
        return None

    @api.model
    def _email_candidates_of(self, facts, partner):
        """Who reads ``partner``'s email reminders, as the batch's facts say."""
        candidates = facts.get("email_candidates", {}).get(partner.id)
        if candidates is None:
            candidates = partner._collection_email_candidates()
        return candidates

    @api.model
    def _holds(self, facts, partner):
        """The holds on contacting ``partner`` (do not contact, a hold on
        the customer, an open promise), as a request states them."""
        holds = set()
        if partner.collection_do_not_contact:
            holds.add("do_not_contact")
        if partner.collection_hold:
            holds.add(partner.collection_hold)
        if partner.id in facts["promise_holds"]:
            holds.add("promise")
        return frozenset(holds)

    @api.model
    def _request(self, facts, partner, channel, at, purpose):
        # what the request says of the customer is read once per batch: a
        # planning asks for several channels of each of thousands of them
        customers = facts.get("customers")
        known = customers.get(partner.id) if customers is not None else None
        if known is None:
            known = (
                partner.country_id.code or None,
                partner.state_id.code or None,
                partner.tz or None,
                partner._collection_consents(),
                partner._collection_opted_out(),
                self._holds(facts, partner),
            )
            if customers is not None:
                customers[partner.id] = known
        country, subdivision, tz, consents, opted_out, holds = known
        return policy_engine.ContactRequest(
            channel=channel,
            at=pytz.utc.localize(at) if at.tzinfo is None else at,
            country=country,
            subdivision=subdivision,
            tz=tz,
            consents=dict(consents),
            opted_out=opted_out,
            holds=holds,
            purpose=purpose,
        )

    @api.model
    def _rules(self, facts, partner, company):
        resolvers = facts["rules"]
        if company.id not in resolvers:
            resolvers[company.id] = self.env[
                "collection.contact.policy"
            ]._rules_resolver(company)
        # the customer's place, read once per batch with the rest of what a
        # request says of it (see _request)
        customers = facts.get("customers")
        known = customers.get(partner.id) if customers is not None else None
        if known is None:
            country, subdivision = (
                partner.country_id.code or None,
                partner.state_id.code or None,
            )
        else:
            country, subdivision = known[0], known[1]
        return resolvers[company.id](country, subdivision)

    @api.model
    def _engine_next_allowed(self, request, rules, history):
        return policy_engine.next_allowed(
            request, rules, history, horizon_days=HORIZON_DAYS
        )

    @api.model
    def _ask_policy(self, question, facts, partner, channel, at, company, purpose):
        """Ask the engine; answers for customers without contact history are
        shared by every customer asking the same question (same rules, place,
        consents and holds), which turns a first run over tens of thousands
        of customers into a few dozen computations."""
        request = self._request(facts, partner, channel, at, purpose)
        rules = self._rules(facts, partner, company)
        history = facts["history"].get(partner.id, ())
        if history:
            return question(request, rules, history)
        key = (
            # a model's method is bound to a new recordset at each call: the
            # function itself says which question it is
            getattr(question, "__func__", question),
            id(rules),
            request.channel,
            request.at,
            request.country,
            request.subdivision,
            request.tz,
            tuple(sorted(request.consents.items())),
            request.opted_out,
            request.holds,
            request.purpose,
        )
        memo = facts["memo"]
        if key not in memo:
            memo[key] = question(request, rules, history)
        return memo[key]

    @api.model
    def _channel_label(self, channel):
        """The channel's name in the user's language, not its code."""
        labels = dict(
            self.env["collection.message"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        return labels.get(channel, channel)

    @api.model
    def _reason(self, decision):
        """The engine's decision in the user's language.

        The engine's reasons are English templates marked for translation
        (``engine.policy.REASONS``), formatted with the decision's params.
        """
        rule = decision.rule
        if not rule or (
            rule not in policy_engine.REASONS and not rule.startswith("hold_")
        ):
            return decision.reason
        key = rule if rule in policy_engine.REASONS else "hold"
        params = dict(decision.params)
        if params.get("channel"):
            params["channel"] = self._channel_label(params["channel"])
        return self.env._(policy_engine.REASONS[key]).format(**params)  # pylint: disable=translation-required
