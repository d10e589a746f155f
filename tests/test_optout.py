"""Opt-out words in Spanish, Portuguese and English, and what is not one."""

import pytest
from collections_automation_engine import journeys, optout


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop.",
        "Stop please",
        "UNSUBSCRIBE",
        "BAJA",
        "baja por favor",
        "Darme de baja",
        "no me escriban más!!",
        "NO MAS MENSAJES 🙏",
        "SAIR",
        "Sair, obrigado",
        "descadastrar",
        "não quero mais mensagens",
        # a keyword holding a polite word, said with another one
        "No me escriban más por favor",
        "no me contacten por favor",
        "no quiero recibir más mensajes",
        "do not contact me please",
        "remove me please",
        "stop messaging me please",
        "Não me mandem mais mensagens, obrigado",
    ],
)
def test_opt_out_words(text):
    assert optout.is_opt_out(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no",
        "quiero cancelar la deuda",
        "stop calling me at work, call me at home",
        "I will pay, stop worrying",
        "vou sair do trabalho e pago",
        "¿me puedes dar de baja el recargo?",
        "ok",
    ],
)
def test_messages_that_merely_contain_a_keyword_are_not_opt_outs(text):
    assert not optout.is_opt_out(text)


def test_keyword_language():
    assert optout.keyword_language("BAJA") == "es"
    assert optout.keyword_language("SAIR") == "pt"
    assert optout.keyword_language("unsubscribe") == "en"
    assert optout.keyword_language("hola") is None


def test_unanswered_channel_goes_last_for_the_next_step():
    from datetime import datetime

    sent = datetime(2026, 3, 2, 9, 0)
    order = ("whatsapp", "sms", "email")
    # within the window: keep waiting, keep the order
    outcome = journeys.contact_outcome("delivered", sent, datetime(2026, 3, 3), 48)
    assert journeys.escalate_channels(order, "whatsapp", outcome) == order
    # past the window without a reply
    outcome = journeys.contact_outcome("delivered", sent, datetime(2026, 3, 5), 48)
    assert journeys.escalate_channels(order, "whatsapp", outcome) == (
        "sms",
        "email",
        "whatsapp",
    )
    # undelivered: at once
    outcome = journeys.contact_outcome("failed", sent, sent, 48)
    assert journeys.escalate_channels(order, "sms", outcome) == (
        "whatsapp",
        "email",
        "sms",
    )
    # answered: the channel works, keep it first
    outcome = journeys.contact_outcome("replied", sent, datetime(2026, 3, 9), 48)
    assert journeys.escalate_channels(order, "whatsapp", outcome) == order
    # a channel the step does not offer changes nothing
    assert journeys.escalate_channels(order, "voice", "unanswered") == order
