"""What the agent says, in Spanish, English and Portuguese, and how it writes money.

Every reply is one of these templates filled with amounts, dates and the
customer's first name from the profile: never with words from the customer's
message, so nothing the customer writes can make the agent say something else.
The wording is polite and never threatens (no legal action, no credit bureaus,
no "last warning").

>>> format_amount(Decimal("1250.5"), "MXN", "es")
'$ 1.250,50'
>>> format_amount(Decimal("1250.5"), "USD", "en")
'$1,250.50'
>>> format_amount(Decimal("1250.5"), "BRL", "pt")
'R$ 1.250,50'
>>> format_amount(Decimal("150000"), "CLP", "es", decimals=0)
'$ 150.000'
>>> from datetime import date
>>> format_date(date(2026, 3, 13), "es", today=date(2026, 3, 2))
'viernes 13 de marzo'
>>> format_date(date(2027, 1, 4), "en", today=date(2026, 3, 2))
'Monday, January 4, 2027'
>>> format_date(date(2026, 3, 13), "pt", today=date(2026, 3, 2))
'13 de março (sexta-feira)'
>>> render("confirm_promise", "en", amount="$10.00", date="Friday, March 13")
'So you will pay $10.00 on Friday, March 13. Shall I record it? (yes/no)'
"""

from decimal import ROUND_HALF_UP, Decimal

LANGS = ("es", "en", "pt")
DEFAULT_LANG = "es"

SYMBOLS = {
    "USD": "$",
    "MXN": "$",
    "COP": "$",
    "CLP": "$",
    "ARS": "$",
    "UYU": "$",
    "BRL": "R$",
    "EUR": "€",
    "GBP": "£",
    "PEN": "S/",
    "GTQ": "Q",
    "DOP": "RD$",
    "CRC": "₡",
    "PYG": "₲",
}

# ISO 4217 currencies without a minor unit; the others default to 2 decimals.
ZERO_DECIMALS = frozenset({"CLP", "PYG", "JPY", "KRW", "VND", "ISK", "UGX", "XOF"})

MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
    "noviembre diciembre".split(),
    "en": "January February March April May June July August September October "
    "November December".split(),
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro "
    "novembro dezembro".split(),
}
WEEKDAYS = {
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "pt": "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado "
    "domingo".split(),
}
SPACING_WORDS = {
    "es": {"weekly": "semanales", "biweekly": "quincenales", "monthly": "mensuales"},
    "en": {"weekly": "weekly", "biweekly": "biweekly", "monthly": "monthly"},
    "pt": {"weekly": "semanais", "biweekly": "quinzenais", "monthly": "mensais"},
}

T = {
    "greet_balance": {
        "es": "Hola {name}, le escribimos por su saldo pendiente de {amount}.",
        "en": "Hi {name}, we are contacting you about your pending balance of "
        "{amount}.",
        "pt": "Olá {name}, entramos em contato sobre o seu saldo em aberto de "
        "{amount}.",
    },
    "balance": {
        "es": "Su saldo pendiente es de {amount}.",
        "en": "Your pending balance is {amount}.",
        "pt": "O seu saldo em aberto é de {amount}.",
    },
    "ask_pay_today": {
        "es": "¿Puede pagarlo hoy? Le puedo enviar un enlace de pago.",
        "en": "Can you pay it today? I can send you a payment link.",
        "pt": "Pode pagar hoje? Posso enviar um link de pagamento.",
    },
    "link_sent": {
        "es": "Le envío el enlace de pago en el siguiente mensaje.",
        "en": "I am sending you the payment link in the next message.",
        "pt": "Envio o link de pagamento na próxima mensagem.",
    },
    "link_more": {
        "es": "Si prefiere acordar una fecha o pagar en cuotas, dígame.",
        "en": "If you would rather agree on a date or pay in installments, "
        "just tell me.",
        "pt": "Se preferir combinar uma data ou parcelar, é só me dizer.",
    },
    "offer_link": {
        "es": "¿Quiere que le envíe el enlace de pago?",
        "en": "Would you like me to send you the payment link?",
        "pt": "Quer que eu envie o link de pagamento?",
    },
    "ask_date": {
        "es": "¿Qué día podría pagar?",
        "en": "Which day could you pay?",
        "pt": "Em que dia poderia pagar?",
    },
    "ask_date_amount": {
        "es": "¿Qué fecha y monto le funcionarían? También podemos acordar cuotas.",
        "en": "What date and amount would work for you? We can also agree on "
        "installments.",
        "pt": "Que data e valor funcionariam para você? Também podemos parcelar.",
    },
    "confirm_promise": {
        "es": "Entonces, pagará {amount} el {date}. ¿Lo registro? (sí/no)",
        "en": "So you will pay {amount} on {date}. Shall I record it? (yes/no)",
        "pt": "Então, você pagará {amount} em {date}. Posso registrar? (sim/não)",
    },
    "counter_promise": {
        "es": "Puedo registrar un pago de {amount} hasta el {date}. "
        "¿Le funciona? (sí/no)",
        "en": "I can record a payment of {amount} by {date}. Does that work for "
        "you? (yes/no)",
        "pt": "Posso registrar um pagamento de {amount} até {date}. Funciona para "
        "você? (sim/não)",
    },
    "split_intro": {
        "es": "Ese monto no cubre el pago, pero podemos dividirlo.",
        "en": "That amount does not cover the payment, but we can split it.",
        "pt": "Esse valor não cobre o pagamento, mas podemos parcelar.",
    },
    "plan_two": {
        "es": "{a1} el {d1} y {a2} el {d2}",
        "en": "{a1} on {d1} and {a2} on {d2}",
        "pt": "{a1} em {d1} e {a2} em {d2}",
    },
    "plan_many": {
        "es": "un primer pago de {a1} el {d1} y {k} pagos {spacing} de {each} "
        "hasta el {dn}",
        "en": "a first payment of {a1} on {d1}, then {k} {spacing} payments of "
        "{each} until {dn}",
        "pt": "uma primeira parcela de {a1} em {d1} e {k} parcelas {spacing} de "
        "{each} até {dn}",
    },
    "plan_last": {
        "es": " (la última de {last})",
        "en": " (the last of {last})",
        "pt": " (a última de {last})",
    },
    "offer_plan": {
        "es": "Le propongo: {summary}. ¿Le funciona? (sí/no)",
        "en": "I can offer: {summary}. Does that work for you? (yes/no)",
        "pt": "Posso oferecer: {summary}. Funciona para você? (sim/não)",
    },
    "confirm_plan": {
        "es": "Entonces: {summary}. ¿Lo registro? (sí/no)",
        "en": "So: {summary}. Shall I record it? (yes/no)",
        "pt": "Então: {summary}. Posso registrar? (sim/não)",
    },
    "plan_impossible": {
        "es": "No puedo dividir este saldo en cuotas.",
        "en": "I cannot split this balance into installments.",
        "pt": "Não consigo parcelar este saldo.",
    },
    "offer_discount": {
        "es": "Si liquida el total hasta el {date}, puedo dejarlo en {amount} "
        "({pct}% de descuento). ¿Le funciona? (sí/no)",
        "en": "If you settle in full by {date}, I can make it {amount} ({pct}% "
        "off). Does that work for you? (yes/no)",
        "pt": "Se quitar o total até {date}, posso deixar em {amount} ({pct}% de "
        "desconto). Funciona para você? (sim/não)",
    },
    "best_discount": {
        "es": "Es lo mejor que puedo ofrecerle: {amount} hasta el {date}. "
        "¿Le funciona? (sí/no)",
        "en": "That is the best I can offer: {amount} by {date}. Does that work "
        "for you? (yes/no)",
        "pt": "É o melhor que posso oferecer: {amount} até {date}. Funciona para "
        "você? (sim/não)",
    },
    "no_discount": {
        "es": "No tengo un descuento disponible, pero podemos acordar una fecha o "
        "cuotas.",
        "en": "I do not have a discount available, but we can agree on a date or "
        "installments.",
        "pt": "Não tenho desconto disponível, mas podemos combinar uma data ou "
        "parcelas.",
    },
    "recorded_promise": {
        "es": "Listo, registré su pago de {amount} para el {date}. ¡Gracias!",
        "en": "Done, your payment of {amount} on {date} is recorded. Thank you!",
        "pt": "Pronto, registrei seu pagamento de {amount} para {date}. Obrigado!",
    },
    "recorded_plan": {
        "es": "Listo, registré su plan de {k} pagos. ¡Gracias!",
        "en": "Done, your plan of {k} payments is recorded. Thank you!",
        "pt": "Pronto, registrei seu plano de {k} parcelas. Obrigado!",
    },
    "offer_changed": {
        "es": "Esa oferta ya no está vigente.",
        "en": "That offer is no longer valid.",
        "pt": "Essa oferta não está mais válida.",
    },
    "not_understood": {
        "es": "Disculpe, no le entendí.",
        "en": "Sorry, I did not understand.",
        "pt": "Desculpe, não entendi.",
    },
    "repeat_confirm": {
        "es": "¿Lo registro? Responda sí o no, por favor.",
        "en": "Shall I record it? Please answer yes or no.",
        "pt": "Posso registrar? Responda sim ou não, por favor.",
    },
    "verify_ask": {
        "es": "Hola. Para proteger su cuenta, indíqueme los últimos 4 dígitos de "
        "su identificación fiscal o un número de factura.",
        "en": "Hello. To protect your account, please tell me the last 4 digits of "
        "your tax ID or one of your invoice numbers.",
        "pt": "Olá. Para proteger sua conta, informe os 4 últimos dígitos do seu "
        "CPF/CNPJ ou o número de uma fatura.",
    },
    "verify_fail": {
        "es": "Ese dato no coincide. ¿Puede intentarlo de nuevo?",
        "en": "That does not match our records. Could you try again?",
        "pt": "Esse dado não confere. Pode tentar novamente?",
    },
    "verify_ok": {
        "es": "Gracias, {name}.",
        "en": "Thank you, {name}.",
        "pt": "Obrigado, {name}.",
    },
    "escalate_dispute": {
        "es": "Entiendo. Una persona de nuestro equipo revisará su caso y le "
        "contactará pronto.",
        "en": "Understood. A person from our team will review your case and "
        "contact you soon.",
        "pt": "Entendo. Uma pessoa da nossa equipe vai analisar seu caso e entrará "
        "em contato em breve.",
    },
    "escalate_hardship": {
        "es": "Lamento su situación. Pausamos los recordatorios y una persona de "
        "nuestro equipo le contactará para buscar una opción.",
        "en": "I am sorry to hear that. We have paused reminders, and a person from "
        "our team will contact you to find an option.",
        "pt": "Sinto muito pela situação. Pausamos os lembretes e uma pessoa da "
        "nossa equipe entrará em contato para buscar uma opção.",
    },
    "escalate_bereavement": {
        "es": "Lamentamos mucho su pérdida. Pausamos los recordatorios; no tiene que "
        "hacer nada ahora. Una persona de nuestro equipo le contactará con calma.",
        "en": "We are very sorry for your loss. We have paused reminders; there is "
        "nothing you need to do now. A person from our team will contact you gently.",
        "pt": "Sentimos muito pela sua perda. Pausamos os lembretes; não precisa "
        "fazer nada agora. Uma pessoa da nossa equipe entrará em contato com calma.",
    },
    "escalate_request_human": {
        "es": "Claro. Una persona de nuestro equipo le contactará pronto.",
        "en": "Of course. A person from our team will contact you soon.",
        "pt": "Claro. Uma pessoa da nossa equipe entrará em contato em breve.",
    },
    "escalate_wrong_person": {
        "es": "Disculpe la molestia. Una persona de nuestro equipo revisará "
        "nuestros datos.",
        "en": "Sorry for the trouble. A person from our team will check our "
        "records.",
        "pt": "Desculpe o incômodo. Uma pessoa da nossa equipe vai verificar "
        "nossos dados.",
    },
    "escalate_misunderstanding": {
        "es": "Disculpe, no logro entenderle. Una persona de nuestro equipo le "
        "contactará pronto.",
        "en": "Sorry, I am not able to understand. A person from our team will "
        "contact you soon.",
        "pt": "Desculpe, não estou conseguindo entender. Uma pessoa da nossa equipe "
        "entrará em contato em breve.",
    },
    "escalate_frustration": {
        "es": "Lamento la molestia. Una persona de nuestro equipo le contactará "
        "pronto.",
        "en": "I am sorry for the trouble. A person from our team will contact you "
        "soon.",
        "pt": "Lamento o incômodo. Uma pessoa da nossa equipe entrará em contato em "
        "breve.",
    },
    "escalate_identity": {
        "es": "No pude verificar sus datos. Una persona de nuestro equipo le "
        "contactará pronto.",
        "en": "I could not verify your details. A person from our team will "
        "contact you soon.",
        "pt": "Não consegui verificar seus dados. Uma pessoa da nossa equipe "
        "entrará em contato em breve.",
    },
    "escalated": {
        "es": "Una persona de nuestro equipo le contactará pronto. Gracias por su "
        "paciencia.",
        "en": "A person from our team will contact you soon. Thank you for your "
        "patience.",
        "pt": "Uma pessoa da nossa equipe entrará em contato em breve. Obrigado pela "
        "paciência.",
    },
    "opted_out": {
        "es": "Entendido, no le enviaremos más mensajes.",
        "en": "Understood, we will not send you any more messages.",
        "pt": "Entendido, não enviaremos mais mensagens.",
    },
    "paid_claim": {
        "es": "Gracias por avisarnos. ¿Puede enviarnos el comprobante? Nuestro "
        "equipo lo revisará y actualizará su cuenta.",
        "en": "Thank you for letting us know. Could you send us the receipt? Our "
        "team will check it and update your account.",
        "pt": "Obrigado por avisar. Pode nos enviar o comprovante? Nossa equipe vai "
        "conferir e atualizar sua conta.",
    },
    "paid_claim_thanks": {
        "es": "Gracias, nuestro equipo lo revisará.",
        "en": "Thank you, our team will review it.",
        "pt": "Obrigado, nossa equipe vai conferir.",
    },
    "closing": {
        "es": "¡Gracias! Que tenga un buen día.",
        "en": "Thank you! Have a good day.",
        "pt": "Obrigado! Tenha um bom dia.",
    },
}


def lang_of(value):
    """One of :data:`LANGS` from a profile or detected language ("es_MX" -> "es").

    >>> lang_of("pt_BR"), lang_of("EN"), lang_of("fr"), lang_of(None)
    ('pt', 'en', 'es', 'es')
    """
    code = str(value or "")[:2].lower()
    return code if code in LANGS else DEFAULT_LANG


def currency_decimals(currency):
    """Minor-unit digits of ``currency``: 0 for the peso chileno and the like."""
    return 0 if str(currency).upper() in ZERO_DECIMALS else 2


def format_amount(amount, currency, lang, decimals=2):
    """``amount`` written the way a reader of ``lang`` expects, with its symbol.

    Spanish and Portuguese group thousands with dots and use a decimal comma.
    """
    value = Decimal(str(amount)).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    text = f"{abs(value):,.{decimals}f}"
    if lang != "en":
        text = text.translate(str.maketrans(",.", ".,"))
    code = str(currency or "").upper()
    symbol = SYMBOLS.get(code)
    sign = "-" if value < 0 else ""
    if symbol is None:
        return f"{sign}{code} {text}".strip()
    if lang == "en":
        return f"{sign}{symbol}{text}"
    return f"{sign}{symbol} {text}"


def format_date(day, lang, today=None, weekday=True):
    """``day`` written out, with the weekday; the year only when it is not this one.

    >>> from datetime import date
    >>> format_date(date(2026, 4, 2), "pt", date(2026, 3, 2), weekday=False)
    '2 de abril'
    """
    month = MONTHS[lang][day.month - 1]
    name = WEEKDAYS[lang][day.weekday()] if weekday else ""
    with_year = today is None or day.year != today.year
    if lang == "en":
        text = f"{month} {day.day}" + (f", {day.year}" if with_year else "")
        return f"{name}, {text}" if name else text
    text = f"{day.day} de {month}" + (f" de {day.year}" if with_year else "")
    if not name:
        return text
    return f"{text} ({name})" if lang == "pt" else f"{name} {text}"


def render(key, lang, **values):
    """The template ``key`` in ``lang``, filled with ``values``."""
    return T[key][lang_of(lang)].format(**values)
