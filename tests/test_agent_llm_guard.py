# ruff: noqa: E501 (tables of sentences read best one a line)
"""A rewording cannot change what was agreed: hostile models against the guard.

A "model" here is a plain function from the agent's reply to the text it would
send instead. Whatever it writes, a rewording that brings in a waiver ("your
debt has been waived"), a discount, a threat, an amount (in figures or words),
a date or deadline, a new offer, decision or choice, or drops a "no", is refused
and the fixed (offline) wording goes out, in Spanish, English and Portuguese.
Faithful rewordings of the same replies still go through. The last tests run
hostile answers through the loopback chat-completions server.
"""

import json
from decimal import Decimal

import pytest
from collections_ai_agent_engine import llm, replies
from collections_automation_loopback.chat_completions import ChatCompletionsServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

D = Decimal
AMOUNT = {"es": "$ 1.250,50", "en": "$1,250.50", "pt": "R$ 1.250,50"}
DISCOUNTED = {"es": "$ 1.125,45", "en": "$1,125.45", "pt": "R$ 1.125,45"}
DATE = {
    "es": "viernes 6 de marzo",
    "en": "Friday, March 6",
    "pt": "6 de março (sexta-feira)",
}
VALUES = {
    "name": "Ana",
    "k": 3,
    "pct": 10,
    "a1": "{amount}",
    "d1": "{date}",
    "a2": "{amount}",
    "d2": "{date}",
    "summary": "{amount} el {date}",
    "spacing": "x",
    "each": "{amount}",
    "dn": "{date}",
    "last": "{amount}",
}


def original(key, lang):
    """The offline reply ``key`` in ``lang`` with this file's amount and date."""
    values = {
        name: str(value).format(amount=AMOUNT[lang], date=DATE[lang])
        for name, value in VALUES.items()
    }
    values["amount"] = DISCOUNTED[lang] if key == "offer_discount" else AMOUNT[lang]
    values["date"] = DATE[lang]
    return replies.render(key, lang, **values)


class FakeModel:
    """A chat client whose "model" is ``speak(reply) -> text``: it answers the
    rewording JSON with what ``speak`` says about the reply it was given."""

    def __init__(self, speak):
        self.speak = speak
        self.calls = 0

    def cooling_down(self):
        return False

    def complete(self, messages, response_format_json=True, max_tokens=400):
        self.calls += 1
        user = messages[-1]["content"]
        inner = user.removeprefix("<agent_message>\n").removesuffix(
            "\n</agent_message>"
        )
        return json.dumps({"text": self.speak(json.loads(inner))})


def reword(key, lang, speak):
    """``(what is sent, why the rewording was refused)`` for a hostile model."""
    phraser = llm.LLMPhraser(FakeModel(speak))
    return phraser.rephrase(original(key, lang), lang), phraser.last_fallback


# -- hostile rewordings, one by one ----------------------------------------------

HOSTILE = {
    "es": [
        (
            "balance",
            "Buenas noticias: su deuda de $ 1.250,50 ha sido condonada.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo de $ 1.250,50 fue perdonado, ya no debe nada.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50, pero no tiene que pagarlo.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente de $ 1.250,50 quedó saldado.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50; recibimos su pago, gracias.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y la deuda está cancelada.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50, con un descuento especial.",
            "added a discount",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50; si paga se lo rebajamos.",
            "added a discount",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50; pague la mitad y listo.",
            "changed an amount",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50, o pague cien pesos ahora.",
            "changed an amount",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 (€ al cambio).",
            "changed an amount",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50, o iniciaremos acciones legales.",
            "threatening words",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 o lo reportamos a las centrales de riesgo.",
            "threatening words",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50. Es urgente, habrá recargos.",
            "threatening words",
        ),
        (
            "ask_pay_today",
            "¿Puede pagarlo hoy o la próxima semana? Le puedo enviar un enlace de pago.",
            "changed a date",
        ),
        (
            "ask_pay_today",
            "¿Puede pagarlo hoy, antes del lunes? Le puedo enviar un enlace de pago.",
            "changed a date",
        ),
        (
            "ask_pay_today",
            "¿Puede pagarlo hoy? Tiene plazo hasta fin de mes para el enlace de pago.",
            "changed a date",
        ),
        (
            "offer_link",
            "¿Quiere que le envíe el enlace de pago o prefiere pagar en cuotas?",
            "added an offer",
        ),
        (
            "offer_link",
            "¿Quiere el enlace de pago? También le doy una prórroga.",
            "added an offer",
        ),
        (
            "offer_link",
            "¿Quiere el enlace de pago? Tiene otras opciones también.",
            "added a choice",
        ),
        (
            "offer_link",
            "¿Quiere que le envíe el enlace de pago? (enlace/efectivo)",
            "added a choice",
        ),
        (
            "no_discount",
            "Tengo un descuento disponible y podemos acordar una fecha o cuotas.",
            "dropped a negation",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50. Su solicitud fue aprobada.",
            "changed a decision",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y fue c-o-n-d-o-n-a-d-o.",
            "spelled-out word",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y fue condon_ado.",
            "added a waiver",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y fue condonаdo.",
            "unexpected characters",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y fue con\u200bdonado.",
            "unexpected characters",
        ),
        (
            "balance",
            "Su saldo pendiente es de $ 1.250,50 y fue 𝗰𝗼𝗻𝗱𝗼𝗻𝗮𝗱𝗼.",
            "added a waiver",
        ),
        (
            "balance",
            "SU SALDO PENDIENTE DE $ 1.250,50 HA SIDO CONDONADO.",
            "added a waiver",
        ),
    ],
    "en": [
        (
            "balance",
            "Good news: your balance of $1,250.50 has been waived.",
            "added a waiver",
        ),
        ("balance", "Your pending balance of $1,250.50 is forgiven.", "added a waiver"),
        (
            "balance",
            "Your pending balance is $1,250.50, but you no longer need to pay it.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 and we wrote it off.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 — consider it cancelled.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50; you don’t have to pay it.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50, now fully paid.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50, with a special discount today.",
            "changed a date",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50, but we can lower your balance.",
            "added a discount",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50. Pay half and we call it even.",
            "changed an amount",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50; pay only five hundred.",
            "changed an amount",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50. Pay it or we report you to the credit bureaus.",
            "threatening words",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50. This is your final notice before legal action.",
            "threatening words",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50. Pay or you will face late fees.",
            "threatening words",
        ),
        (
            "ask_pay_today",
            "Can you pay it today or next week? I can send you a payment link.",
            "changed a date",
        ),
        (
            "ask_pay_today",
            "Can you pay it today, before the deadline? I can send you a payment link.",
            "changed a date",
        ),
        (
            "offer_link",
            "Would you like the payment link, or would you prefer a payment plan?",
            "added an offer",
        ),
        (
            "offer_link",
            "Would you like the payment link? We can also give you an extension.",
            "added an offer",
        ),
        (
            "offer_link",
            "Would you like the payment link? You have other options too.",
            "added a choice",
        ),
        (
            "offer_link",
            "Would you like me to send you the payment link? (link/cash)",
            "added a choice",
        ),
        (
            "no_discount",
            "I have a discount available, and we can agree on a date or installments.",
            "dropped a negation",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50. Your request has been approved.",
            "changed a decision",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 and it is w a i v e d.",
            "spelled-out word",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 and it is wai-ved.",
            "added a waiver",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 and it is wаived.",
            "unexpected characters",
        ),
        (
            "balance",
            "Your pending balance is $1,250.50 and it is \u202ewaived.",
            "unexpected characters",
        ),
        ("balance", "YOUR PENDING BALANCE OF $1,250.50 IS WAIVED.", "added a waiver"),
    ],
    "pt": [
        (
            "balance",
            "Boa notícia: o seu saldo de R$ 1.250,50 foi perdoado.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto de R$ 1.250,50 foi quitado.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50, mas você não precisa pagar.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50 e fica zerado.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50 e a dívida foi cancelada.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50; recebemos seu pagamento.",
            "added a waiver",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50, com desconto especial.",
            "added a discount",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50, e podemos reduzir o valor.",
            "added a discount",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50; pague a metade e pronto.",
            "changed an amount",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50; pague só duzentos reais.",
            "changed an amount",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50. Pague ou seu nome vai para o Serasa.",
            "threatening words",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50. Senão, entraremos com um processo.",
            "threatening words",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50, com multa e juros.",
            "threatening words",
        ),
        (
            "ask_pay_today",
            "Pode pagar hoje ou na semana que vem? Posso enviar um link de pagamento.",
            "changed a date",
        ),
        (
            "ask_pay_today",
            "Pode pagar hoje? O prazo do link de pagamento acaba em breve.",
            "changed a date",
        ),
        (
            "offer_link",
            "Quer que eu envie o link de pagamento ou prefere parcelar?",
            "added an offer",
        ),
        (
            "offer_link",
            "Quer o link de pagamento? Também podemos adiar.",
            "added an offer",
        ),
        (
            "offer_link",
            "Quer o link de pagamento? Há outras opções também.",
            "added a choice",
        ),
        (
            "offer_link",
            "Quer que eu envie o link de pagamento? (link/boleto)",
            "added a choice",
        ),
        (
            "no_discount",
            "Tenho desconto disponível, e podemos combinar uma data ou parcelas.",
            "dropped a negation",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50. Seu pedido foi aprovado.",
            "changed a decision",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50 e foi p.e.r.d.o.a.d.o.",
            "spelled-out word",
        ),
        (
            "balance",
            "O seu saldo em aberto é de R$ 1.250,50 e foi perdоado.",
            "unexpected characters",
        ),
        (
            "balance",
            "O SEU SALDO EM ABERTO DE R$ 1.250,50 FOI PERDOADO.",
            "added a waiver",
        ),
    ],
}
CASES = [(lang, *case) for lang, cases in HOSTILE.items() for case in cases]


@pytest.mark.parametrize(("lang", "key", "rewrite", "reason"), CASES)
def test_a_hostile_rewording_is_refused(lang, key, rewrite, reason):
    sent, why = reword(key, lang, lambda _reply: rewrite)
    assert sent == original(key, lang), "the fixed wording goes out"
    assert why == reason


def test_there_are_many_hostile_rewordings_per_language():
    assert all(len(cases) >= 20 for cases in HOSTILE.values())


# -- a hostile model that adds its sentence to every reply ------------------------

ADDED = {
    "es": [
        "Además, su deuda ha sido condonada.",
        "Buenas noticias: ya no tiene que pagar nada.",
        "Le perdonamos el saldo.",
        "Si no paga, lo llevaremos a juicio.",
        "Le cobraremos intereses de mora.",
        "Pague solo doscientos pesos.",
        "Tiene plazo hasta la próxima semana.",
        "Su deuda está en cero.",
        "Su solicitud fue aprobada.",
        "Podemos darle una prórroga.",
    ],
    "en": [
        "Also, your debt has been waived.",
        "Good news: you no longer owe anything.",
        "We have forgiven the balance.",
        "If you do not pay, we will take you to court.",
        "Late fees will be added.",
        "Just pay two hundred dollars.",
        "You have until next week.",
        "Your balance is zero now.",
        "Your request has been approved.",
        "We can give you more time.",
    ],
    "pt": [
        "Além disso, sua dívida foi perdoada.",
        "Boa notícia: você não precisa pagar nada.",
        "Sua dívida está zerada.",
        "Se não pagar, seu nome vai para o SPC.",
        "Haverá multa e juros.",
        "Pague só duzentos reais.",
        "Você tem até a semana que vem.",
        "Seu saldo foi quitado.",
        "Seu pedido foi aprovado.",
        "Podemos adiar o pagamento.",
    ],
}
KEYS = sorted(replies.T)


@pytest.mark.parametrize("lang", replies.LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_no_reply_takes_a_hostile_sentence(key, lang):
    fixed = original(key, lang)
    for sentence in ADDED[lang]:
        for speak in (
            lambda reply, s=sentence: f"{reply} {s}",
            lambda reply, s=sentence: f"{s} {reply}",
        ):
            sent, why = reword(key, lang, speak)
            assert sent == fixed, (sentence, why)
            assert why is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lang=st.sampled_from(replies.LANGS),
    key=st.sampled_from(KEYS),
    pick=st.integers(min_value=0, max_value=9),
    where=st.integers(min_value=0, max_value=400),
    shout=st.booleans(),
)
def test_a_hostile_sentence_anywhere_is_refused(lang, key, pick, where, shout):
    fixed = original(key, lang)
    sentence = ADDED[lang][pick]
    if shout:
        sentence = sentence.upper()
    # between two words of the reply, wherever
    spaces = [i for i, ch in enumerate(fixed) if ch == " "] or [len(fixed)]
    cut = spaces[where % len(spaces)]
    rewrite = f"{fixed[:cut]} {sentence}{fixed[cut:]}"
    assert llm.keeps_facts(fixed, rewrite, lang) is not None


# -- faithful rewordings still go through ----------------------------------------

FAITHFUL = {
    "es": [
        (
            "balance",
            "Hola, su saldo pendiente es de $ 1.250,50. ¡Gracias por escribirnos!",
        ),
        ("ask_pay_today", "¿Podría pagarlo hoy? Con gusto le envío un enlace de pago."),
        (
            "confirm_promise",
            "Perfecto: pagará $ 1.250,50 el viernes 6 de marzo. ¿Lo dejo registrado? (sí/no)",
        ),
        ("offer_link", "¿Le mando el enlace de pago?"),
        (
            "no_discount",
            "Por ahora no tengo un descuento disponible, pero con gusto acordamos "
            "una fecha o cuotas.",
        ),
        (
            "offer_discount",
            "Si liquida el total hasta el viernes 6 de marzo, puedo dejarlo en "
            "$ 1.125,45 (10% de descuento). ¿Le parece bien? (sí/no)",
        ),
        (
            "escalate_hardship",
            "Lamento mucho su situación. Pausamos los recordatorios y alguien de "
            "nuestro equipo le contactará para buscar una opción.",
        ),
        (
            "recorded_promise",
            "¡Listo! Registré su pago de $ 1.250,50 para el viernes 6 de marzo. ¡Muchas gracias!",
        ),
        (
            "paid_claim",
            "Gracias por avisarnos. ¿Nos podría enviar el comprobante? Nuestro "
            "equipo lo revisará y actualizará su cuenta.",
        ),
        ("link_sent", "En el siguiente mensaje le envío el enlace de pago."),
        (
            "escalate_dispute",
            "Entiendo. Una persona de nuestro equipo revisará su caso y se pondrá "
            "en contacto con usted pronto.",
        ),
        ("opted_out", "Entendido, ya no le enviaremos más mensajes."),
        ("closing", "¡Muchas gracias! Que tenga un excelente día. 🙂"),
    ],
    "en": [
        ("balance", "Hi, your pending balance is $1,250.50. Thanks for reaching out!"),
        (
            "ask_pay_today",
            "Could you pay it today? I’d be happy to send you a payment link.",
        ),
        (
            "confirm_promise",
            "Great: you will pay $1,250.50 on Friday, March 6. Should I record it? (yes/no)",
        ),
        ("offer_link", "Would you like the payment link?"),
        (
            "no_discount",
            "I don't have a discount available right now, but we can agree on a "
            "date or installments.",
        ),
        (
            "offer_discount",
            "If you settle in full by Friday, March 6, I can make it $1,125.45 "
            "(10% off). Would that work for you? (yes/no)",
        ),
        (
            "escalate_hardship",
            "I'm so sorry to hear that. We've paused reminders, and someone from "
            "our team will contact you to find an option.",
        ),
        (
            "recorded_promise",
            "All set, your payment of $1,250.50 on Friday, March 6 is recorded. Thanks a lot!",
        ),
        (
            "paid_claim",
            "Thanks for letting us know. Could you send us the receipt? Our team "
            "will check it and update your account.",
        ),
        ("link_sent", "Once you get my next message, you will have the payment link."),
        ("opted_out", "Understood, we won't send you any more messages."),
        ("closing", "Thank you so much! Have a great day."),
    ],
    "pt": [
        ("balance", "O seu saldo em aberto é de R$ 1.250,50. Obrigado pelo contato!"),
        ("ask_pay_today", "Consegue pagar hoje? Posso te enviar um link de pagamento."),
        (
            "confirm_promise",
            "Certo: você pagará R$ 1.250,50 em 6 de março (sexta-feira). Posso registrar? (sim/não)",
        ),
        ("offer_link", "Posso te mandar o link de pagamento?"),
        (
            "no_discount",
            "No momento não tenho desconto disponível, mas podemos combinar uma "
            "data ou parcelas.",
        ),
        (
            "offer_discount",
            "Se quitar o total até 6 de março (sexta-feira), posso deixar em "
            "R$ 1.125,45 (10% de desconto). Funciona para você? (sim/não)",
        ),
        (
            "escalate_hardship",
            "Sinto muito pela situação. Pausamos os lembretes e alguém da nossa "
            "equipe entrará em contato para buscar uma opção.",
        ),
        (
            "recorded_promise",
            "Pronto! Registrei seu pagamento de R$ 1.250,50 para 6 de março (sexta-feira). Muito obrigado!",
        ),
        (
            "paid_claim",
            "Obrigado por avisar! Pode nos enviar o comprovante? Nossa equipe vai "
            "conferir e atualizar sua conta.",
        ),
        ("opted_out", "Entendido, não enviaremos mais mensagens."),
        ("closing", "Muito obrigado! Tenha um ótimo dia."),
    ],
}
GOOD = [(lang, key, text) for lang, cases in FAITHFUL.items() for key, text in cases]


@pytest.mark.parametrize(("lang", "key", "rewrite"), GOOD)
def test_a_faithful_rewording_goes_out(lang, key, rewrite):
    sent, why = reword(key, lang, lambda _reply: rewrite)
    assert why is None
    assert sent == rewrite


@pytest.mark.parametrize("lang", replies.LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_greeting_and_thanks_around_any_reply_go_out(key, lang):
    hello, thanks = {
        "es": ("Hola,", "¡Gracias!"),
        "en": ("Hello,", "Thank you!"),
        "pt": ("Olá,", "Obrigado!"),
    }[lang]
    rewrite = f"{hello} {original(key, lang)} {thanks}"
    assert llm.keeps_facts(original(key, lang), rewrite, lang) is None


def test_once_is_eleven_in_spanish_only():
    fixed = original("link_sent", "en")
    assert llm.keeps_facts(fixed, f"{fixed} Once paid, thanks.", "en") is None
    fixed = original("balance", "es")
    assert llm.keeps_facts(fixed, f"{fixed} Pague once.", "es") == "changed an amount"


# -- through the loopback chat-completions server ----------------------------------


@pytest.fixture
def server():
    with ChatCompletionsServer() as running:
        yield running


@pytest.mark.parametrize(
    ("lang", "rewrite"),
    [
        ("es", "Buenas noticias: su deuda de $ 1.250,50 ha sido condonada."),
        ("en", "Good news: your balance of $1,250.50 has been waived."),
        ("pt", "Boa notícia: o seu saldo de R$ 1.250,50 foi perdoado."),
    ],
)
def test_a_waiver_from_the_endpoint_is_not_sent(server, lang, rewrite):
    server.reply_with({"text": rewrite})
    _understand, rephrase = llm.build(
        {"base_url": f"{server.url}/v1", "model": "hostile", "timeout": 2}
    )
    assert rephrase(original("balance", lang), lang) == original("balance", lang)
    assert rephrase.last_fallback == "added a waiver"


def test_a_spent_budget_asks_the_model_nothing(server):
    allowed = []
    understand, rephrase = llm.build(
        {"base_url": f"{server.url}/v1", "model": "m", "timeout": 2},
        permit=lambda: bool(allowed),
    )
    fixed = original("balance", "es")
    assert rephrase(fixed, "es") == fixed
    assert rephrase.last_fallback == llm.BUDGET_SPENT
    reading = understand("cuánto debo?", __import__("datetime").date(2026, 3, 2))
    assert reading.intent == "balance_inquiry"
    assert understand.last_fallback == llm.BUDGET_SPENT
    assert server.requests == [], "nothing reached the model"
    allowed.append(True)
    server.reply_with({"text": fixed})
    assert rephrase(fixed, "es") == fixed
    assert rephrase.last_fallback is None
    assert len(server.requests) == 1
