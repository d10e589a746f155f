"""The Twilio adapter against a loopback Twilio API; signatures, callbacks, TwiML."""

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from collections_automation_channels import base, twilio
from collections_automation_loopback.base import closed_url, everything_said_about
from collections_automation_loopback.twilio import TwilioServer, twilio_error

SID = "AC" + "a1b2c3d4" * 4
TOKEN = "tw-auth-token-5e4d3c2b1a"
FROM = "+15005550006"
TO = "+5215512345678"
REFERENCE = "0d9f3b2a-7c61-4e1f-9a0b-5c4d3e2f1a00"
RECEIPTS = "https://erp.example.com/collections/webhook/twilio"
TWIML_URL = "https://erp.example.com/collections/voice/42?token=abc"
SMS_SID = "SM" + "0123456789abcdef" * 2
CALL_SID = "CA" + "fedcba9876543210" * 2


@pytest.fixture
def server():
    with TwilioServer(SID, TOKEN) as running:
        yield running


@pytest.fixture
def adapter(server):
    with twilio.TwilioAdapter(
        SID, TOKEN, FROM, base_url=server.url, timeout=(1.0, 2.0)
    ) as built:
        yield built


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_no_credentials(error):
    said = everything_said_about(error)
    assert TOKEN not in said
    assert base64.b64encode(f"{SID}:{TOKEN}".encode()).decode() not in said


# === Sending an SMS === #
def test_send_sms_posts_the_form_with_basic_auth(server, adapter):
    result = adapter.send_sms(TO, "Hola Ana: vence hoy $1,250.00", REFERENCE, RECEIPTS)

    request = server.requests[0]
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.query == {}
    assert request.headers["Authorization"] == basic(SID, TOKEN)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body == {
        "To": TO,
        "From": FROM,
        "Body": "Hola Ana: vence hoy $1,250.00",
        "StatusCallback": f"{RECEIPTS}?ref={REFERENCE}",
    }
    assert TOKEN not in request.raw.decode()

    assert result.provider_id == server.sids[0]
    assert result.provider_id.startswith("SM")
    assert result.status == "queued"


def test_status_callback_keeps_its_own_query_and_replaces_an_old_ref(server, adapter):
    adapter.send_sms(TO, "x", REFERENCE, f"{RECEIPTS}?company=3&ref=stale")
    callback = urlsplit(server.requests[0].body["StatusCallback"])
    assert callback.path == "/collections/webhook/twilio"
    assert parse_qs(callback.query) == {"company": ["3"], "ref": [REFERENCE]}


def test_numbers_are_normalised_to_e164(server, adapter):
    adapter.send_sms("+52 (55) 1234-5678", "x", REFERENCE, RECEIPTS)
    assert server.requests[0].body["To"] == "+525512345678"


def test_an_invalid_number_fails_before_any_request(server, adapter):
    with pytest.raises(base.FatalProviderError, match="cannot send to '55-ABC'"):
        adapter.send_sms("55-ABC", "x", REFERENCE, RECEIPTS)
    assert server.requests == []


def test_messaging_service_sender(server):
    service = "MG" + "0" * 32
    with twilio.TwilioAdapter(SID, TOKEN, service, base_url=server.url) as adapter:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
        with pytest.raises(base.FatalProviderError, match="phone number as sender"):
            adapter.start_call(TO, TWIML_URL, REFERENCE, RECEIPTS)
    body = server.requests[0].body
    assert body["MessagingServiceSid"] == service
    assert "From" not in body


# === Starting a call === #
def test_start_call_posts_url_callbacks_and_machine_detection(server, adapter):
    result = adapter.start_call(TO, TWIML_URL, REFERENCE, RECEIPTS)

    request = server.requests[0]
    assert request.path == f"/2010-04-01/Accounts/{SID}/Calls.json"
    assert request.headers["Authorization"] == basic(SID, TOKEN)
    assert request.body == {
        "To": TO,
        "From": FROM,
        "Url": TWIML_URL,
        "Method": "POST",
        "StatusCallback": f"{RECEIPTS}?ref={REFERENCE}",
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
        "MachineDetection": "DetectMessageEnd",
        "AsyncAmd": "false",
    }
    # repeated form fields, the way Twilio reads a list
    assert request.raw.decode().count("StatusCallbackEvent=") == 4
    assert result.provider_id == server.sids[0]
    assert result.provider_id.startswith("CA")


def test_start_call_without_machine_detection(server, adapter):
    adapter.start_call(TO, TWIML_URL, REFERENCE, RECEIPTS, machine_detection=None)
    body = server.requests[0].body
    assert "MachineDetection" not in body
    assert "AsyncAmd" not in body


# === Error mapping === #
def test_wrong_auth_token_is_fatal_credentials_rejected(server):
    wrong = "not-the-token-9f8e7d"
    with twilio.TwilioAdapter(SID, wrong, FROM, base_url=server.url) as adapter:
        with pytest.raises(base.FatalProviderError) as caught:
            adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    error = caught.value
    assert (error.status, error.code) == (401, 20003)
    assert "credentials rejected" in str(error)
    said = everything_said_about(error)
    assert wrong not in said
    assert base64.b64encode(f"{SID}:{wrong}".encode()).decode() not in said


def test_unsubscribed_recipient_21610_is_fatal_and_says_stop(server, adapter):
    server.unsubscribed.add(TO)
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    error = caught.value
    assert (error.status, error.code) == (400, 21610)
    assert str(error) == (
        f"Twilio refused the SMS (code 21610): {TO} unsubscribed by replying STOP; "
        "Twilio will not deliver to them until they reply START."
    )


def test_landline_21614_is_fatal(server, adapter):
    server.landlines.add(TO)
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert caught.value.code == 21614
    assert "not a mobile number" in str(caught.value)


def test_invalid_number_21211_is_fatal(server, adapter):
    body = twilio_error(400, 21211, f"Invalid 'To' Phone Number: {TO}")
    server.fail_next(status=400, body=body)
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.start_call(TO, TWIML_URL, REFERENCE, RECEIPTS)
    assert caught.value.code == 21211
    assert str(caught.value) == (
        f"Twilio refused the call (code 21211): {TO} is not a valid phone number."
    )


def test_unknown_code_keeps_twilios_message(server, adapter):
    server.fail_next(status=400, body=twilio_error(400, 21999, "Something odd"))
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert "Something odd" in str(caught.value)
    assert "21999" in str(caught.value)


def test_empty_body_is_refused_by_twilio(server, adapter):
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_sms(TO, "", REFERENCE, RECEIPTS)
    assert caught.value.code == 21602


def test_429_with_retry_after_is_retryable(server, adapter):
    server.fail_next(status=429, retry_after=12)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    error = caught.value
    assert (error.status, error.code, error.seconds) == (429, 20429, 12)
    assert error.ambiguous is False
    assert "throttling" in str(error)


def test_code_20429_without_http_429_is_retryable(server, adapter):
    server.fail_next(status=400, body=twilio_error(400, 20429, "Too Many Requests"))
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert caught.value.throttled is True


def test_500_is_retryable(server, adapter):
    server.fail_next(status=500)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert caught.value.status == 500
    assert caught.value.ambiguous is False


def test_read_timeout_is_ambiguous_and_never_resent(server):
    server.fail_next(delay=1.0)
    with twilio.TwilioAdapter(
        SID, TOKEN, FROM, base_url=server.url, timeout=(1.0, 0.3)
    ) as adapter:
        with pytest.raises(base.RetryableProviderError) as caught:
            adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert caught.value.ambiguous is True
    assert len(server.requests) == 1  # a second POST could send it twice
    assert_no_credentials(caught.value)


def test_dropped_connection_is_ambiguous_and_never_resent(server, adapter):
    server.fail_next(drop=True)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.start_call(TO, TWIML_URL, REFERENCE, RECEIPTS)
    assert caught.value.ambiguous is True
    assert len(server.requests) == 1


def test_connection_refused_is_retryable_and_not_ambiguous():
    with twilio.TwilioAdapter(
        SID, TOKEN, FROM, base_url=closed_url(), timeout=(0.5, 0.5)
    ) as adapter:
        with pytest.raises(base.RetryableProviderError) as caught:
            adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert caught.value.ambiguous is False
    assert "Could not connect to Twilio" in str(caught.value)
    assert_no_credentials(caught.value)


def test_a_token_echoed_by_the_provider_is_redacted(server, adapter):
    body = twilio_error(400, 21999, f"token {TOKEN} is not allowed here")
    server.fail_next(status=400, body=body)
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_sms(TO, "x", REFERENCE, RECEIPTS)
    assert_no_credentials(caught.value)
    assert base.REDACTED in str(caught.value)


def test_adapter_repr_has_no_credentials(adapter):
    assert TOKEN not in repr(adapter)
    assert TOKEN not in str(adapter)


# === Signature of callbacks === #
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        # the two examples of Twilio's documentation (auth token 12345)
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
    ],
)
def test_validate_signature_against_twilios_documented_vectors(caller, expected):
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": caller,
        "Digits": "1234",
        "From": caller,
        "To": "+18005551212",
    }
    assert twilio.validate_signature("12345", DOC_URL, params, expected)
    assert not twilio.validate_signature("12346", DOC_URL, params, expected)


def independent_signature(token, url, params):
    """Twilio's recipe, written out: URL, then name+value sorted by name."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


CALLBACK_URL = f"{RECEIPTS}?ref={REFERENCE}"
CALLBACK = {
    "AccountSid": SID,
    "ApiVersion": "2010-04-01",
    "From": FROM,
    "MessageSid": SMS_SID,
    "MessageStatus": "delivered",
    "SmsSid": SMS_SID,
    "SmsStatus": "delivered",
    "To": TO,
}


def test_validate_signature_of_our_status_callback():
    header = independent_signature(TOKEN, CALLBACK_URL, CALLBACK)
    assert twilio.validate_signature(TOKEN, CALLBACK_URL, CALLBACK, header)
    # the default port written or not, as Twilio's libraries accept
    with_port = CALLBACK_URL.replace("erp.example.com", "erp.example.com:443")
    assert twilio.validate_signature(TOKEN, with_port, CALLBACK, header)


def test_validate_signature_rejects_forged_unsigned_and_tampered():
    header = independent_signature(TOKEN, CALLBACK_URL, CALLBACK)
    forged = independent_signature("attacker-token", CALLBACK_URL, CALLBACK)
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, CALLBACK, forged)
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, CALLBACK, "")
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, CALLBACK, None)
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, CALLBACK, "not base64!")
    tampered = dict(CALLBACK, MessageStatus="failed")
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, tampered, header)
    extra = dict(CALLBACK, ErrorCode="30003")
    assert not twilio.validate_signature(TOKEN, CALLBACK_URL, extra, header)
    other_ref = CALLBACK_URL.replace(REFERENCE, "someone-elses")
    assert not twilio.validate_signature(TOKEN, other_ref, CALLBACK, header)
    assert not twilio.validate_signature(TOKEN, RECEIPTS, CALLBACK, header)
    assert not twilio.validate_signature("", CALLBACK_URL, CALLBACK, header)


def test_validate_signature_with_repeated_fields():
    params = {"To": TO, "MediaUrl": ["https://b.example/2", "https://a.example/1"]}
    data = CALLBACK_URL + "MediaUrlhttps://a.example/1MediaUrlhttps://b.example/2"
    data += "To" + TO
    digest = hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()
    header = base64.b64encode(digest).decode()
    assert twilio.validate_signature(TOKEN, CALLBACK_URL, params, header)


def test_validate_signature_of_accented_text():
    params = {"Body": "Pagaré mañana ✓", "From": TO}
    header = independent_signature(TOKEN, RECEIPTS, params)
    assert twilio.validate_signature(TOKEN, RECEIPTS, params, header)


# === Parsing callbacks === #
def test_parse_sms_status_callback_with_the_reference_of_the_url():
    events = twilio.parse_status(CALLBACK, url=CALLBACK_URL)
    assert events == [
        {
            "kind": "status",
            "provider_id": SMS_SID,
            "status": "delivered",
            "recipient": TO,
            "reference": REFERENCE,
            "error": None,
            "error_code": None,
            "timestamp": None,
            "event_key": f"{SMS_SID}:delivered",
        }
    ]


def test_parse_failed_sms_with_its_error_and_ref_among_params():
    params = dict(
        CALLBACK,
        MessageStatus="undelivered",
        SmsStatus="undelivered",
        ErrorCode="30007",
        ref=REFERENCE,
    )
    (event,) = twilio.parse_status(params)
    assert event["status"] == "undelivered"
    assert event["error"] == "filtered by the carrier as spam (Twilio error 30007)"
    assert event["error_code"] == "30007"
    assert event["reference"] == REFERENCE
    assert event["event_key"] == f"{SMS_SID}:undelivered"


def test_parse_call_status_callback():
    params = {
        "AccountSid": SID,
        "ApiVersion": "2010-04-01",
        "CallSid": CALL_SID,
        "CallStatus": "completed",
        "Called": TO,
        "Caller": FROM,
        "Direction": "outbound-api",
        "From": FROM,
        "To": TO,
        "AnsweredBy": "machine_end_beep",
        "CallDuration": "27",
        "Duration": "1",
        "SequenceNumber": "3",
        "CallbackSource": "call-progress-events",
        "Timestamp": "Wed, 01 May 2024 12:00:30 +0000",
    }
    (event,) = twilio.parse_status(params, url=CALLBACK_URL)
    assert event == {
        "kind": "call",
        "provider_id": CALL_SID,
        "status": "completed",
        "answered_by": "machine_end_beep",
        "duration": 27,
        "recipient": TO,
        "reference": REFERENCE,
        "error": None,
        "timestamp": datetime(2024, 5, 1, 12, 0, 30, tzinfo=timezone.utc),
        "event_key": f"{CALL_SID}:completed",
    }


def test_parse_call_ringing_has_no_duration():
    (event,) = twilio.parse_status(
        {"CallSid": CALL_SID, "CallStatus": "ringing", "To": TO}
    )
    assert (event["status"], event["duration"], event["answered_by"]) == (
        "ringing",
        None,
        None,
    )


def test_parse_inbound_sms():
    params = {
        "ToCountry": "MX",
        "SmsMessageSid": SMS_SID,
        "NumMedia": "0",
        "SmsSid": SMS_SID,
        "SmsStatus": "received",
        "Body": "STOP",
        "To": FROM,
        "NumSegments": "1",
        "MessageSid": SMS_SID,
        "AccountSid": SID,
        "From": TO,
        "ApiVersion": "2010-04-01",
    }
    assert twilio.parse_status(params) == [
        {
            "kind": "message",
            "provider_id": SMS_SID,
            "from": TO,
            "to": FROM,
            "text": "STOP",
            "name": None,
            "timestamp": None,
            "num_media": 0,
            "attachment": None,
            "reaction": False,
            "reference": None,
            "event_key": SMS_SID,
        }
    ]


def test_parse_inbound_mms_says_it_carries_an_attachment():
    params = {
        "MessageSid": SMS_SID,
        "SmsStatus": "received",
        "Body": "",
        "NumMedia": "1",
        "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME",
        "MediaContentType0": "image/jpeg",
        "To": FROM,
        "From": TO,
    }
    (event,) = twilio.parse_status(params)
    assert (event["attachment"], event["num_media"], event["text"]) == ("media", 1, "")


def test_parse_inbound_whatsapp_through_twilio_and_list_values():
    params = {
        "MessageSid": [SMS_SID],
        "From": ["whatsapp:+5215512345678"],
        "To": ["whatsapp:+15005550006"],
        "Body": ["Pago el viernes"],
        "ProfileName": ["Ana"],
    }
    (event,) = twilio.parse_status(params)
    assert (event["from"], event["to"], event["text"], event["name"]) == (
        "+5215512345678",
        "+15005550006",
        "Pago el viernes",
        "Ana",
    )


@pytest.mark.parametrize(
    "params",
    [
        None,
        ["MessageSid", SMS_SID],
        {},
        {"MessageStatus": "delivered", "To": TO},
        {"MessageSid": "SM123", "MessageStatus": "delivered"},
        {"MessageSid": SMS_SID},
        {"MessageSid": SMS_SID, "MessageStatus": ""},
        {"MessageSid": SMS_SID, "MessageStatus": "de<livered"},
        {"MessageSid": SMS_SID, "MessageStatus": 3},
        {"MessageSid": SMS_SID, "Body": "hola"},
        {"CallSid": CALL_SID},
        {"CallSid": "CA-nope", "CallStatus": "completed"},
        {"CallSid": CALL_SID, "CallStatus": "completed", "CallDuration": "ten"},
        {"CallSid": CALL_SID, "CallStatus": "completed", "Timestamp": "yesterday"},
    ],
)
def test_parse_status_rejects_malformed(params):
    with pytest.raises(ValueError):
        twilio.parse_status(params)


# === TwiML === #
NAME = 'Ana "La Jefa" <García> & Hijos'


def parse(xml):
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(xml.encode())


def test_reminder_twiml_element_by_element():
    action = "https://erp.example.com/collections/voice/42/gather?token=t0k&x=1"
    xml = twilio.reminder_twiml(
        f"Hola {NAME}, su saldo de $1,250.00 vence hoy.",
        "es_MX",
        action,
        "Marque 1 para el enlace, 2 para una persona.",
    )
    root = parse(xml)
    assert root.tag == "Response"
    gather, goodbye = list(root)
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "input": "dtmf speech",
        "numDigits": "1",
        "action": action,
        "method": "POST",
        "language": "es-MX",
        "speechTimeout": "auto",
        "timeout": "5",
        "speechModel": "experimental_conversations",
        "hints": twilio.PHRASES["es"]["hints"],
    }
    # the hints name what debtors say: days, amounts, paying, a person
    hints = gather.attrib["hints"].split(",")
    for phrase in ("pagar", "viernes", "quinientos", "cuotas", "persona"):
        assert phrase in hints
    (say,) = list(gather)
    assert say.tag == "Say"
    assert say.attrib == {"language": "es-MX", "voice": "Polly.Mia"}
    assert say.text == (
        f"Hola {NAME}, su saldo de $1,250.00 vence hoy. "
        "Marque 1 para el enlace, 2 para una persona."
    )
    assert goodbye.tag == "Say"
    assert goodbye.text == "Gracias. Hasta luego."
    assert "&amp;" in xml and "&lt;García&gt;" in xml
    assert "<García>" not in xml


def test_reminder_twiml_defaults_to_the_customers_language():
    root = parse(twilio.reminder_twiml("Your balance is due.", "pt_BR", "https://x/g"))
    gather, goodbye = list(root)
    assert gather.attrib["language"] == "pt-BR"
    assert gather[0].text.startswith("Your balance is due. Tecle 1")
    assert goodbye.text == "Obrigado. Até logo."
    assert goodbye.attrib == {"language": "pt-BR", "voice": "Polly.Camila"}


def test_reminder_twiml_hints_and_goodbye_can_be_given():
    root = parse(
        twilio.reminder_twiml(
            "m", "en_US", "https://x/g", "p", hints='pay,"now"<', goodbye="Bye"
        )
    )
    assert root[0].attrib["hints"] == 'pay,"now"<'
    assert root[1].text == "Bye"


def test_control_characters_are_dropped_not_breaking_the_xml():
    root = parse(twilio.say_twiml("Hola\x00 Ana\x07\x1b", "es"))
    assert root[0].text == "Hola Ana"


def test_transfer_twiml():
    xml = twilio.transfer_twiml(
        "+57 601 555 0101", f"Un momento, {NAME}.", "es_CO", caller_id=FROM
    )
    root = parse(xml)
    say, dial = list(root)
    assert say.tag == "Say"
    assert say.text == f"Un momento, {NAME}."
    assert say.attrib == {"language": "es-US", "voice": "Polly.Lupe"}
    assert dial.tag == "Dial"
    assert dial.attrib == {"callerId": FROM, "timeout": "30"}
    (number,) = list(dial)
    assert (number.tag, number.text) == ("Number", "+576015550101")


def test_transfer_twiml_refuses_a_bad_number():
    with pytest.raises(ValueError):
        twilio.transfer_twiml("call me", "x", "es_MX", FROM)


def test_voicemail_twiml():
    root = parse(twilio.voicemail_twiml(f"Mensaje para {NAME}", "es_ES"))
    say, hangup = list(root)
    assert (say.tag, say.text) == ("Say", f"Mensaje para {NAME}")
    assert say.attrib == {"language": "es-ES", "voice": "Polly.Lucia"}
    assert hangup.tag == "Hangup"
    assert len(hangup) == 0 and not hangup.text


@pytest.mark.parametrize(
    ("hangup", "tags"), [(True, ["Say", "Hangup"]), (False, ["Say"])]
)
def test_say_twiml(hangup, tags):
    root = parse(twilio.say_twiml("Thank you", "en_US", hangup=hangup))
    assert [child.tag for child in root] == tags
    assert root[0].attrib == {"language": "en-US", "voice": "Polly.Joanna"}


@pytest.mark.parametrize(
    ("lang", "say", "gather"),
    [
        ("es_MX", "es-MX", "es-MX"),
        ("es", "es-MX", "es-MX"),
        ("es_CO", "es-US", "es-CO"),
        ("es_AR", "es-US", "es-AR"),
        ("es_419", "es-US", "es-US"),
        ("es_ES", "es-ES", "es-ES"),
        ("pt_BR", "pt-BR", "pt-BR"),
        ("pt", "pt-BR", "pt-BR"),
        ("pt_PT", "pt-PT", "pt-PT"),
        ("en_US", "en-US", "en-US"),
        ("en_GB", "en-GB", "en-GB"),
        ("fr_FR", "en-US", "en-US"),
        (None, "en-US", "en-US"),
    ],
)
def test_language_mapping(lang, say, gather):
    language = twilio.twilio_language(lang)
    assert (language.say, language.gather) == (say, gather)
    root = parse(twilio.reminder_twiml("m", lang, "https://x/g", "p"))
    assert root[0].attrib["language"] == gather
    assert root[0][0].attrib["language"] == say
