"""The collections conversation: a state machine over plain, JSON-ready data.

The Odoo layer (or a script) keeps the state between messages, on any channel::

    state = start(customer, policy, today, channel="whatsapp")
    turn = respond(state, "puedo pagar el viernes", today)
    turn.reply     # what to send back (<= 300 characters; "" = send nothing)
    turn.actions   # what to do, in order (see below)
    state = turn.state  # store it; pass it to the next respond()

``customer`` is ``{"name", "lang", "balance", "currency"}`` plus optional
``"decimals"`` (minor-unit digits; CLP-like currencies default to 0) and
``"verification"``: the answer(s) a caller on an unverified channel must give,
e.g. the last 4 digits of the tax id or invoice numbers (a string or a list).
``policy`` is a :class:`~.negotiation.Policy` or its dict.

``respond(state, text, today, understand=None, *, channel=None, policy=None)``
reads the message with ``understand(text, today, lang=hint)`` (default
:func:`.nlu.understand`; inject another, e.g. an LLM, or exact Understandings
in tests), may switch ``channel`` (a person switching to voice or web verifies
again, the negotiation carries on) or ``policy``, and returns a :class:`Turn`.

The state (``STATE_VERSION``) holds: ``customer``, ``policy``, ``channel``,
``lang`` (the latest message's language), ``stage`` (``active``, ``escalated``,
``opted_out``), ``verified``/``verify_failures``, ``expect`` (the question the
agent asked: ``verification``, ``pay_today``, ``date``, ``confirm``, ``link``,
``proof`` or None), ``pending`` (the offer awaiting a yes), ``recorded`` (the
agreement recorded), ``discount_pct`` (highest discount offered), ``link_sent``,
``escalation``, ``misunderstandings`` and the ``transcript``.

Actions (amounts are exact decimal strings, dates ISO):

* ``{"type": "send_payment_link"}``: the Odoo layer sends the link after the reply;
* ``{"type": "record_promise", "date", "amount", "discount_pct"}``;
* ``{"type": "record_plan", "installments": [{"date", "amount"}...], "discount_pct"}``;
* ``{"type": "mark_dispute", "reason"}`` (reason: the customer's own words, for a
  person to read) and ``{"type": "hold"}`` (hardship: pause reminders);
* ``{"type": "mark_paid_claim"}``: the customer says it is paid; the agent asks for
  the receipt and a person checks it (no escalation);
* ``{"type": "opt_out"}``: recorded at once with one confirmation message; every
  later message gets no reply at all;
* ``{"type": "escalate", "reason", "transcript"}`` with reason ``dispute``,
  ``hardship``, ``request_human``, ``wrong_person``, ``misunderstanding`` (two in
  a row), ``frustration`` or ``identity`` (3 failed verifications); afterwards the
  agent only says that a person will contact the customer.

Negotiation rules live in :mod:`.negotiation`; the agent only ever proposes what
it returns and checks :func:`~.negotiation.within_policy` before recording.
Discounts: never offered first. The agent offers one only when the policy allows
it and the customer either asks for one (any wording, any percentage: the
number asked is ignored) or turns down settling the whole balance; half the
maximum first, the maximum the next time, never more. Replies come from
:mod:`.replies` templates, so they never repeat the customer's words.

>>> from datetime import date
>>> customer = {"name": "Ana Pérez", "lang": "es", "balance": "1250.50",
...             "currency": "MXN"}
>>> state = start(customer, {"max_promise_days": 10}, date(2026, 3, 2))
>>> turn = respond(state, "hola, cuánto debo?", date(2026, 3, 2))
>>> turn.reply
'Su saldo pendiente es de $ 1.250,50. ¿Puede pagarlo hoy? Le puedo enviar un \
enlace de pago.'
>>> turn = respond(turn.state, "pago el viernes", date(2026, 3, 2))
>>> turn.reply
'Entonces, pagará $ 1.250,50 el viernes 6 de marzo. ¿Lo registro? (sí/no)'
>>> turn = respond(turn.state, "sí", date(2026, 3, 2))
>>> turn.actions
[{'type': 'record_promise', 'date': '2026-03-06', 'amount': '1250.50', \
'discount_pct': '0'}]
"""

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import negotiation as neg
from . import replies
from .replies import LANGS, format_amount, format_date, lang_of, render

STATE_VERSION = 1
MAX_REPLY = 300
TRANSCRIPT_LIMIT = 80
MAX_VERIFY_FAILURES = 3
CHANNELS = ("whatsapp", "sms", "email", "web", "voice")
# From a known number or address the sender is the customer; callers on the web
# or the phone answer a verification question first.
CHALLENGE_CHANNELS = frozenset({"web", "voice"})

ESCALATION_REASONS = (
    "dispute",
    "hardship",
    "request_human",
    "wrong_person",
    "misunderstanding",
    "frustration",
    "identity",
)

_DISCOUNT_ASK = re.compile(
    r"\b(descuentos?|rebajas?|quitas?|discounts?|descontos?|abatimentos?)\b|%",
    re.IGNORECASE,
)
_SPACING = (
    (
        "weekly",
        re.compile(
            r"\b(semanal(es)?|weekly|every week|por semana|cada semana|"
            r"semanais|toda semana)\b",
            re.I,
        ),
    ),
    (
        "biweekly",
        re.compile(
            r"\b(quincenal(es)?|cada quince|biweekly|fortnight(ly)?|every "
            r"two weeks|quinzena(l|is)?|a cada 15|cada 15)\b",
            re.I,
        ),
    ),
    ("monthly", re.compile(r"\b(mensual(es)?|monthly|mensa(l|is)|por mes)\b", re.I)),
)


@dataclass
class Turn:
    """The agent's answer to one message."""

    reply: str
    state: dict
    actions: list = field(default_factory=list)


def start(customer, policy, today, channel="whatsapp"):
    """A new conversation's state; raises ValueError on an unusable customer.

    >>> from datetime import date
    >>> state = start({"name": "Ana", "lang": "pt_BR", "balance": 10,
    ...                "currency": "BRL"}, {}, date(2026, 3, 2), channel="voice")
    >>> state["lang"], state["verified"], state["customer"]["balance"]
    ('pt', False, '10.00')
    """
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}; use one of {CHANNELS}.")
    if not isinstance(customer, dict):
        raise ValueError("The customer must be a mapping.")
    currency = str(customer.get("currency") or "").upper()
    if not currency:
        raise ValueError("The customer needs a currency.")
    decimals = customer.get("decimals")
    decimals = replies.currency_decimals(currency) if decimals is None else decimals
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"Bad decimals {decimals!r}.")
    try:
        balance = neg.money(customer.get("balance"), decimals)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Bad balance {customer.get('balance')!r}.") from None
    if not balance.is_finite() or balance <= 0:
        raise ValueError(f"Nothing to collect on a balance of {balance}.")
    answers = customer.get("verification") or []
    if isinstance(answers, str | int):
        answers = [answers]
    lang = lang_of(customer.get("lang"))
    return {
        "version": STATE_VERSION,
        "started": today.isoformat(),
        "customer": {
            "name": _first_name(customer.get("name")),
            "lang": lang,
            "balance": str(balance),
            "currency": currency,
            "decimals": decimals,
            "verification": [_norm(a) for a in answers if _norm(a)],
        },
        "policy": neg.Policy.from_dict(policy).to_dict(),
        "channel": channel,
        "lang": lang,
        "stage": "active",
        "verified": channel not in CHALLENGE_CHANNELS,
        "verify_failures": 0,
        "expect": None,
        "informed": False,
        "misunderstandings": 0,
        "pending": None,
        "draft_amount": None,
        "spacing": "monthly",
        "discount_pct": "0",
        "link_sent": False,
        "recorded": None,
        "paid_claim": False,
        "escalation": None,
        "transcript": [],
    }


def respond(state, text, today, understand=None, *, channel=None, policy=None):
    """The agent's reply and actions for the customer's message ``text``."""
    state = _load(state)
    if channel is not None and channel != state["channel"]:
        _switch_channel(state, channel)
    if policy is not None:
        state["policy"] = neg.Policy.from_dict(policy).to_dict()
    text = str(text or "")[:2000]
    _log(state, "customer", text)
    if state["stage"] == "opted_out":
        return Turn("", state, [])
    if state["stage"] == "escalated":
        return _finish(state, [render("escalated", state["lang"])], [])
    if understand is None:
        from . import nlu

        understand = nlu.understand
    heard = _Heard.of(understand(text, today, lang=state["lang"]), state["lang"])
    state["lang"] = heard.lang
    also = _second_request(text, heard, today, understand, state["lang"])
    parts, actions = _Agent(state, heard, text, today, also).run()
    return _finish(state, parts, actions)


def summary(state):
    """What the conversation settled, in the scripts' shape (amounts as strings)."""
    recorded = state.get("recorded")
    promise = plan = None
    if recorded and recorded["kind"] == neg.PROMISE:
        promise = dict(recorded["payments"][0])
    elif recorded:
        plan = [dict(p) for p in recorded["payments"]]
    escalation = state.get("escalation") or {}
    return {
        "promise": promise,
        "plan": plan,
        "discount_pct": recorded["discount_pct"] if recorded else "0",
        "payment_link_sent": state["link_sent"],
        "escalated": bool(escalation),
        "escalation_reason": escalation.get("reason"),
        "opted_out": state["stage"] == "opted_out",
    }


# -- two requests in one message ----------------------------------------------

# Where a message turns to a second request: "I paid half yesterday and the
# rest on Friday", "¿cuánto debo? y mándame el link", "já paguei metade, o
# resto pago sexta".
_SECOND_CLAUSE = re.compile(
    r"(?:[?.;!]\s+|,\s*|\s)(?:(?:and|y|e|but|pero|mas|then|luego|depois|plus)\s+)?"
    r"(?=(?:(?:i'?ll|i will|te|le|lo|eu|yo|voy a|vou)\s+(?:\w+\s+){0,2})?"
    r"(?:the rest|el resto|o resto|lo que falta|o que falta|the remainder|"
    r"la otra mitad|a outra metade|the other half)\b)"
    r"|(?:[?.;!]\s+|,\s*|\s)(?:and|y|e|also|tambien|também)\s+(?=(?:send|manda|"
    r"mandame|mándame|envia|envíame|me manda|me passa|pasame|pásame)\b)"
    r"|\?\s+(?=\S)",
    re.IGNORECASE,
)
# Requests that may share a message, in the order they are acted on.
_SECOND_ORDER = (
    "already_paid",
    "balance_inquiry",
    "pay_now",
    "promise_to_pay",
    "request_extension",
    "request_installments",
)
_REST = re.compile(
    r"(?:the rest|el resto|o resto|lo que falta|o que falta|the remainder|"
    r"la otra mitad|a outra metade|the other half)\b",
    re.IGNORECASE,
)
_TO_PAY = {"es": "pagaré ", "en": "I will pay ", "pt": "vou pagar "}
_HALF = re.compile(r"\b(?:half|mitad|metade)\b", re.IGNORECASE)


def _second_request(text, heard, today, understand, lang):
    """The second request of a message that makes two, or None.

    The message is cut where it turns to the rest ("and the rest on Friday")
    or to another question; each part is read alone, and a second request
    counts when both parts ask for different things the agent can do in one
    turn. What was said paid ("half", "200") tells the amount of the rest.
    """
    if heard.intent not in _SECOND_ORDER:
        return None
    match = _SECOND_CLAUSE.search(text)
    if not match or match.end() >= len(text) or match.start() < 3:
        return None
    first_text, second_text = text[: match.start()], text[match.end() :]
    first = _Heard.of(understand(first_text, today, lang=lang), lang)
    said = second_text
    if _REST.match(second_text) and first.intent == "already_paid":
        # "and the rest on Friday" after a payment told: the rest is to come
        said = _TO_PAY.get(first.lang, _TO_PAY["en"]) + second_text
    second = _Heard.of(understand(said, today, lang=lang), lang)
    if (
        first.intent not in _SECOND_ORDER
        or second.intent not in _SECOND_ORDER
        or first.intent == second.intent
    ):
        return None
    if _SECOND_ORDER.index(second.intent) < _SECOND_ORDER.index(first.intent):
        first, second = second, first
        first_text, second_text = second_text, first_text
    rest_of = None
    if first.intent == "already_paid":
        rest_of = "half" if _HALF.search(first_text) else first.amount
    return {"first": first, "second": second, "paid": rest_of}


# -- plumbing ----------------------------------------------------------------


def _load(state):
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        version = state.get("version") if isinstance(state, dict) else None
        raise ValueError(f"Unknown conversation state version {version!r}.")
    return copy.deepcopy(state)


def _switch_channel(state, channel):
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}; use one of {CHANNELS}.")
    state["channel"] = channel
    if channel not in CHALLENGE_CHANNELS:
        state["verified"] = True
        if state["expect"] == "verification":
            state["expect"] = state.pop("resume", None)
    elif state["verified"]:
        state["verified"] = False
        state["verify_failures"] = 0
        state["resume"] = state["expect"]
        state["expect"] = None


def _log(state, who, text):
    state["transcript"].append({"from": who, "text": text, "channel": state["channel"]})
    del state["transcript"][:-TRANSCRIPT_LIMIT]


def _finish(state, parts, actions):
    reply = _fit(parts)
    _log(state, "agent", reply)
    for action in actions:
        if action["type"] == "escalate":
            action["transcript"] = copy.deepcopy(state["transcript"])
    return Turn(reply, state, actions)


def _fit(parts):
    """Join the parts; drop leading ones (greetings, context) to stay short."""
    parts = [p for p in parts if p]
    while len(parts) > 1 and len(" ".join(parts)) > MAX_REPLY:
        parts.pop(0)
    reply = " ".join(parts)
    return reply if len(reply) <= MAX_REPLY else reply[: MAX_REPLY - 1] + "…"


def _first_name(name):
    words = str(name or "").split()
    first = words[0] if words else ""
    return "".join(ch for ch in first if ch.isprintable())[:24]


def _norm(value):
    """Letters and digits only, upper case, no accents: "inv/2026-01" -> INV202601."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore")
    return re.sub(r"[^0-9A-Z]", "", text.decode().upper())


def _answers_verification(text, answers):
    """Whether ``text`` holds an expected answer as a whole word (or as its digits)."""
    words = {_norm(w) for w in re.split(r"[\s,;:]+", text)}
    digits = re.sub(r"\D", "", text)
    whole = _norm(text)
    for answer in answers:
        if answer in words or answer == whole:
            return True
        if answer.isdigit() and answer == digits:
            return True
    return False


@dataclass(frozen=True)
class _Heard:
    """An Understanding made safe: known intent, Decimal amount, valid language."""

    intent: str
    amount: Decimal | None
    date: object
    installments: int | None
    lang: str
    frustrated: bool

    @classmethod
    def of(cls, understanding, fallback_lang):
        intent = getattr(understanding, "intent", "unknown")
        amount = getattr(understanding, "amount", None)
        try:
            amount = None if amount is None else Decimal(str(amount))
        except InvalidOperation:
            amount = None
        if amount is not None and (not amount.is_finite() or amount <= 0):
            amount = None
        count = getattr(understanding, "installments", None)
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            count = None
        day = getattr(understanding, "date", None)
        if not hasattr(day, "toordinal"):
            day = None
        lang = str(getattr(understanding, "lang", "") or "")[:2].lower()
        return cls(
            intent=intent if intent in _INTENTS else "unknown",
            amount=amount,
            date=day,
            installments=count,
            lang=lang if lang in LANGS else fallback_lang,
            frustrated=bool(getattr(understanding, "frustrated", False)),
        )


_INTENTS = frozenset(
    "pay_now promise_to_pay request_extension request_installments already_paid "
    "dispute request_human opt_out wrong_person balance_inquiry hardship affirm "
    "deny unknown".split()
)
_NEGOTIATING = frozenset(
    {"pay_now", "promise_to_pay", "request_extension", "request_installments"}
)


class _Agent:
    """One turn: decides the reply parts and actions, updating ``state`` in place."""

    def __init__(self, state, heard, text, today, also=None):
        self.state = state
        self.heard = heard
        self.also = also
        self.text = text
        self.today = today
        self.lang = state["lang"]
        self.policy = neg.Policy.from_dict(state["policy"])
        customer = state["customer"]
        self.decimals = customer["decimals"]
        self.balance = Decimal(customer["balance"])
        self.parts = []
        self.actions = []

    # -- helpers -------------------------------------------------------------

    def say(self, key, **values):
        self.parts.append(render(key, self.lang, **values))

    def money(self, amount):
        currency = self.state["customer"]["currency"]
        return format_amount(amount, currency, self.lang, self.decimals)

    def day(self, value, weekday=True):
        return format_date(neg._as_date(value), self.lang, self.today, weekday)

    def ask(self, expect):
        self.state["expect"] = expect

    def escalate(self, reason):
        self.state["stage"] = "escalated"
        self.state["escalation"] = {"reason": reason}
        self.state["expect"] = None
        self.state["pending"] = None
        self.actions.append({"type": "escalate", "reason": reason})
        self.say(f"escalate_{reason}")

    # -- the turn ------------------------------------------------------------

    def run(self):
        heard, state = self.heard, self.state
        if heard.intent == "opt_out":
            state["stage"] = "opted_out"
            state["expect"] = state["pending"] = None
            self.actions.append({"type": "opt_out"})
            self.say("opted_out")
        elif heard.intent == "wrong_person":
            self.escalate("wrong_person")
        elif heard.frustrated:
            self.escalate("frustration")
        elif heard.intent == "request_human":
            self.escalate("request_human")
        elif not state["verified"]:
            self.verify()
        elif self.also:
            self.both()
        else:
            before = state["misunderstandings"]
            understood = self.dispatch()
            if understood:
                state["misunderstandings"] = 0
            else:
                state["misunderstandings"] = before + 1
                if state["misunderstandings"] >= 2:
                    self.parts = []
                    self.escalate("misunderstanding")
                else:
                    self.say("not_understood")
                    self.reask()
        return self.parts, self.actions

    def both(self):
        """Two requests in one message: each acted on, in a sensible order (a
        payment made before the rest promised, the balance before the link)."""
        also, state = self.also, self.state
        self.heard = also["first"]
        self.dispatch()
        if state["stage"] != "active":
            return
        second = also["second"]
        paid = also["paid"]
        if second.amount is None and paid is not None:
            rest = (
                self.balance / 2
                if paid == "half"
                else self.balance - Decimal(str(paid))
            )
            if rest > 0:
                # "and the rest on Friday": one payment of the rest that day
                one_payment = second.date is not None and second.installments in (
                    None,
                    2,
                )
                second = _Heard(
                    "promise_to_pay" if one_payment else second.intent,
                    neg.money(rest, self.decimals),
                    second.date,
                    None if one_payment else second.installments,
                    second.lang,
                    second.frustrated,
                )
        self.heard = second
        state["misunderstandings"] = 0
        if paid is not None and second.amount is not None:
            # the rest is what is left once the payment told is checked: the
            # promise is weighed against it, not against the whole balance
            full, self.balance = self.balance, second.amount
            self.dispatch()
            self.balance = full
            if state["pending"]:
                state["pending"]["balance"] = str(second.amount)
        else:
            self.dispatch()

    def verify(self):
        state, heard = self.state, self.heard
        answers = state["customer"]["verification"]
        expected = state["expect"] == "verification"
        if not answers:
            self.escalate("identity")
        elif expected and _answers_verification(self.text, answers):
            # the answer to the question asked, whatever else the reading found
            state["verified"] = True
            state["verify_failures"] = 0
            self.say("verify_ok", name=state["customer"]["name"])
            self.resume()
        elif heard.intent in ("dispute", "hardship"):
            # Nothing about the account is said nor changed for an unknown caller.
            self.escalate(heard.intent)
        elif not expected:
            self.say("verify_ask")
            self.ask("verification")
        else:
            state["verify_failures"] += 1
            if state["verify_failures"] >= MAX_VERIFY_FAILURES:
                self.escalate("identity")
            else:
                self.say("verify_fail")

    def resume(self):
        """After verification: back to the open question, or inform the balance."""
        resume = self.state.pop("resume", None)
        pending = self.state["pending"]
        if pending and resume == "confirm":
            self.restate(pending)
        else:
            self.inform(greet=False)

    def dispatch(self):  # noqa: C901 - one branch per intent, in order of precedence
        """Handle the message; False when it is a misunderstanding."""
        heard, state = self.heard, self.state
        intent, expect = heard.intent, state["expect"]
        if intent == "dispute":
            self.actions.append({"type": "mark_dispute", "reason": self.text[:500]})
            self.escalate("dispute")
        elif intent == "hardship":
            self.actions.append({"type": "hold"})
            self.escalate("hardship")
            if _GRIEF_WORDS(self.text):
                # a death in the family: condolences, nothing about paying
                self.parts = [render("escalate_bereavement", self.lang)]
        elif intent == "already_paid" and state["paid_claim"]:
            self.say("paid_claim_thanks")
            self.ask(None)
        elif intent == "already_paid":
            state["paid_claim"] = True
            self.actions.append({"type": "mark_paid_claim"})
            self.say("paid_claim")
            self.ask("proof")
        elif intent == "pay_now" and _LINK_ASKED(self.text):
            # "send me the link", asked once or again: the link, for the
            # balance, whatever else the message claims ("the manager
            # approved 50% off"); a pending offer for another day is dropped
            if expect == "confirm" and state["pending"] and self.pending_today():
                self.record()
            else:
                state["pending"] = None
                self.send_link()
        elif self.asks_discount():
            self.discount(heard.date)
        elif intent == "pay_now":
            # "I want to pay now" accepts a promise to pay today; an offer of
            # installments or of a later day is not agreed by it: it is
            # dropped for the link to pay the balance now
            if expect == "confirm" and state["pending"] and self.pending_today():
                self.record()
            else:
                state["pending"] = None
                self.send_link()
        elif intent == "promise_to_pay":
            self.promise(heard.date, heard.amount)
        elif intent == "request_extension":
            when = heard.date or neg.latest_promise_date(self.policy, self.today)
            self.promise(when, heard.amount)
        elif intent == "request_installments":
            self.plan(heard.installments, heard.amount, heard.date)
        elif intent == "balance_inquiry":
            self.inform(greet=False)
        elif heard.date is not None and (
            expect in ("date", "pay_today", "confirm") or intent == "affirm"
        ):
            # "sí, el 20 está bien": a yes to a day is a promise for that day
            self.promise(heard.date, heard.amount)
        elif intent == "affirm":
            return self.affirm()
        elif intent == "deny":
            self.deny()
        elif heard.amount is not None and expect == "date":
            state["draft_amount"] = str(heard.amount)
            self.say("ask_date")
        elif expect == "proof":
            self.say("paid_claim_thanks")
            self.ask(None)
        elif not state["informed"]:
            self.inform(greet=True)
        elif expect is None and (state["recorded"] or state["link_sent"]):
            # Nothing was asked ("thanks", "bye"): not a misunderstanding.
            self.say("closing")
        else:
            return False
        return True

    def pending_today(self):
        outcome = neg.Outcome.from_dict(self.state["pending"])
        return outcome.kind == neg.PROMISE and outcome.payments[0].date == self.today

    def asks_discount(self):
        """Whether the message asks for a discount (its number, if any, is ignored).

        A yes to the offer on the table, or a request for installments, is not.
        """
        intent = self.heard.intent
        if intent == "request_installments":
            return False
        if intent == "affirm" and self.state["expect"] == "confirm":
            return False
        return bool(_DISCOUNT_ASK.search(self.text))

    def reask(self):
        """Repeat the open question after a message the agent did not get."""
        expect = self.state["expect"]
        if expect == "confirm" and self.state["pending"]:
            self.say("repeat_confirm")
        elif expect == "date":
            self.say("ask_date")
        elif expect == "link":
            self.say("offer_link")
        else:
            self.say("ask_date_amount")
            self.ask("date")

    # -- steps ---------------------------------------------------------------

    def inform(self, greet):
        amount = self.money(self.balance)
        if greet:
            self.say(
                "greet_balance", name=self.state["customer"]["name"], amount=amount
            )
        else:
            self.say("balance", amount=amount)
        self.state["informed"] = True
        if self.state["recorded"]:
            self.say("offer_link")
            self.ask("link")
        else:
            self.say("ask_pay_today")
            self.ask("pay_today")

    def send_link(self):
        self.actions.append({"type": "send_payment_link"})
        self.state["link_sent"] = True
        self.state["informed"] = True
        self.say("link_sent")
        if not self.state["recorded"]:
            self.say("link_more")
        self.ask(None)

    def affirm(self):
        expect = self.state["expect"]
        if expect == "confirm" and self.state["pending"]:
            self.record()
        elif expect in ("pay_today", "link"):
            self.send_link()
        elif expect == "date":
            return False  # a yes does not say which day
        elif expect == "proof":
            self.say("paid_claim_thanks")
            self.ask(None)
        elif not self.state["informed"]:
            self.inform(greet=True)
        else:
            self.say("closing")
            self.ask(None)
        return True

    def deny(self):
        state = self.state
        expect, pending = state["expect"], state["pending"]
        if expect == "confirm" and pending and self.whole_in_one(pending):
            # Turning down settling in full is when a discount may help.
            if neg.next_discount(self.policy, Decimal(state["discount_pct"])):
                self.discount(None)
                return
        if expect == "date":
            # No day works: offer installments instead.
            self.plan(None, None, None)
            return
        if expect in ("link", None) and state["recorded"]:
            self.say("closing")
            self.ask(None)
            return
        state["pending"] = None
        self.say("ask_date_amount")
        self.ask("date")

    def whole_in_one(self, pending):
        outcome = neg.Outcome.from_dict(pending)
        return outcome.kind == neg.PROMISE and (
            outcome.discount_pct > 0 or outcome.total == self.balance
        )

    def offer(self, outcome, key=None):
        """Put ``outcome`` on the table and ask for a yes."""
        self.state["pending"] = outcome.to_dict()
        self.state["informed"] = True
        self.restate(self.state["pending"], key)

    def restate(self, pending, key=None):
        outcome = neg.Outcome.from_dict(pending)
        if outcome.kind == neg.PLAN:
            self.say(key or "confirm_plan", summary=self.plan_summary(outcome))
        else:
            payment = outcome.payments[0]
            self.say(
                key or "confirm_promise",
                amount=self.money(payment.amount),
                date=self.day(payment.date),
            )
        self.ask("confirm")

    def plan_summary(self, outcome):
        payments = outcome.payments
        first, last = payments[0], payments[-1]
        if len(payments) == 2:
            return render(
                "plan_two",
                self.lang,
                a1=self.money(first.amount),
                d1=self.day(first.date, weekday=False),
                a2=self.money(last.amount),
                d2=self.day(last.date, weekday=False),
            )
        each = payments[1].amount
        text = render(
            "plan_many",
            self.lang,
            a1=self.money(first.amount),
            d1=self.day(first.date, weekday=False),
            k=len(payments) - 1,
            spacing=replies.SPACING_WORDS[self.lang][self.state["spacing"]],
            each=self.money(each),
            dn=self.day(last.date, weekday=False),
        )
        if last.amount != each:
            text += render("plan_last", self.lang, last=self.money(last.amount))
        return text

    def promise(self, when, amount):
        state = self.state
        if amount is None and state["draft_amount"]:
            amount = Decimal(state["draft_amount"])
        if amount is None and state["expect"] == "confirm" and state["pending"]:
            # "two fifty on the 20th" then "no, the 18th": a new day for the
            # sum on the table, not for the whole balance
            pending = neg.Outcome.from_dict(state["pending"])
            if pending.discount_pct:
                pass  # a discount was for paying then: the new day is for the balance
            elif pending.kind == neg.PROMISE and len(pending.payments) == 1:
                amount = pending.payments[0].amount
            elif pending.kind == neg.PLAN and when is not None:
                # a plan on the table starts on the new day, same payments
                self.plan(None, pending.payments[0].amount, when)
                return
        if when is None:
            state["draft_amount"] = None if amount is None else str(amount)
            self.say("ask_date")
            self.ask("date")
            return
        state["draft_amount"] = None
        decision = neg.evaluate_promise(
            self.policy, self.balance, self.today, when, amount, self.decimals
        )
        if decision.status == neg.ACCEPTED:
            self.offer(decision.outcome)
        elif decision.status == neg.COUNTER:
            self.offer(decision.outcome, "counter_promise")
        else:
            self.say("split_intro")
            self.plan(None, amount, when)

    def plan(self, count, amount, first_date):
        for spacing, pattern in _SPACING:
            if pattern.search(self.text):
                self.state["spacing"] = spacing
                break
        decision = neg.build_plan(
            self.policy,
            self.balance,
            self.today,
            count=count,
            first_date=first_date,
            spacing=self.state["spacing"],
            installment_amount=amount if count is None else None,
            decimals=self.decimals,
        )
        if decision.status == neg.IMPOSSIBLE:
            self.say("plan_impossible")
            fallback = neg.evaluate_promise(
                self.policy,
                self.balance,
                self.today,
                neg.latest_promise_date(self.policy, self.today),
                None,
                self.decimals,
            )
            self.offer(fallback.outcome, "counter_promise")
            return
        outcome = decision.outcome
        spacing = self._spacing_of(outcome)
        if spacing:
            self.state["spacing"] = spacing
        key = "confirm_plan" if decision.status == neg.ACCEPTED else "offer_plan"
        if count is None:
            key = "offer_plan"
        self.offer(outcome, key)

    @staticmethod
    def _spacing_of(outcome):
        dates = [p.date for p in outcome.payments]
        gap = (dates[1] - dates[0]).days
        return {7: "weekly", 14: "biweekly"}.get(gap, "monthly")

    def discount(self, when):
        state = self.state
        offered = Decimal(state["discount_pct"])
        pct = neg.next_discount(self.policy, offered)
        if pct is None and offered > 0:
            decision = neg.settlement(
                self.policy, self.balance, self.today, offered, when, self.decimals
            )
            self.offer(decision.outcome, "best_discount")
            return
        if pct is None:
            state["pending"] = None
            self.say("no_discount")
            self.say("ask_date_amount")
            self.ask("date")
            return
        decision = neg.settlement(
            self.policy, self.balance, self.today, pct, when, self.decimals
        )
        state["discount_pct"] = str(pct)
        payment = decision.outcome.payments[0]
        self.state["pending"] = decision.outcome.to_dict()
        self.say(
            "offer_discount",
            date=self.day(payment.date),
            amount=self.money(payment.amount),
            pct=_pct_text(pct, self.lang),
        )
        self.ask("confirm")

    def record(self):
        state = self.state
        outcome = neg.Outcome.from_dict(state["pending"])
        # an offer for the rest of a balance partly paid is checked against it
        balance = Decimal(state["pending"].get("balance") or self.balance)
        problems = neg.within_policy(
            self.policy, balance, self.today, outcome, self.decimals
        )
        state["pending"] = None
        if problems:
            # e.g. the offer was made on an earlier day: never record it as is.
            self.say("offer_changed")
            self.say("ask_date_amount")
            self.ask("date")
            return
        pct = str(outcome.discount_pct)
        replaced = state["recorded"]
        if outcome.kind == neg.PROMISE:
            payment = outcome.payments[0]
            self.actions.append(
                {
                    "type": "record_promise",
                    "date": payment.date.isoformat(),
                    "amount": str(payment.amount),
                    "discount_pct": pct,
                }
            )
            self.say(
                "recorded_promise",
                amount=self.money(payment.amount),
                date=self.day(payment.date),
            )
        else:
            installments = outcome.to_dict()["payments"]
            self.actions.append(
                {
                    "type": "record_plan",
                    "installments": installments,
                    "discount_pct": pct,
                }
            )
            self.say("recorded_plan", k=len(installments))
        if replaced:
            # a change of mind after a yes: the new agreement replaces the
            # earlier one, which the Odoo layer may cancel
            self.actions[-1]["replaces"] = copy.deepcopy(replaced["payments"])
        state["recorded"] = outcome.to_dict()
        if state["link_sent"]:
            self.ask(None)
        else:
            self.say("offer_link")
            self.ask("link")


def _words(pattern_name):
    """A cue of the lexicon, run on the message as the rules read it."""

    def search(text):
        from . import lexicon, nlu

        return bool(getattr(lexicon, pattern_name).search(nlu.spelled(text)))

    return search


_GRIEF_WORDS = _words("GRIEF")
_LINK_ASKED = _words("LINK_REQUEST")


def _pct_text(pct, lang):
    """7 -> "7", 7.5 -> "7.5" (en) or "7,5" (es, pt)."""
    text = format(pct.normalize(), "f")
    return text if lang == "en" else text.replace(".", ",")
