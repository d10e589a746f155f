"""The WhatsApp Cloud API adapter against a loopback Graph API; webhooks."""

import copy
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest
from collections_automation_channels import base, whatsapp
from collections_automation_loopback.base import closed_url, everything_said_about
from collections_automation_loopback.whatsapp import WhatsAppServer, meta_error

PHONE_ID = "106540352242922"
TOKEN = "EAAGm0PX4ZCpsBAKZCZBtest0token0value0xyz"
OUR_NUMBER = "15550783881"
TO = "+5215512345678"
REFERENCE = "7b0e9c51-3f2d-4a8e-b6c1-2d9e8f7a6b5c"
APP_SECRET = "meta-app-secret-4f3e2d1c"


@pytest.fixture
def server():
    with WhatsAppServer(PHONE_ID, TOKEN, OUR_NUMBER) as running:
        running.templates[("payment_reminder", "es_MX")] = 2
        running.templates[("payment_link", "es_MX")] = 1
        running.templates[("hello_world", "en_US")] = 0
        yield running


@pytest.fixture
def adapter(server):
    with whatsapp.WhatsAppCloudAdapter(
        PHONE_ID, TOKEN, base_url=server.url, timeout=(1.0, 2.0)
    ) as built:
        yield built


def assert_no_token(error):
    assert TOKEN not in everything_said_about(error)


# === Templates === #
def test_send_template_posts_metas_shape_with_bearer(server, adapter):
    result = adapter.send_template(
        TO, "payment_reminder", "es_MX", ["Ana", "$1,250.00"], REFERENCE
    )

    request = server.requests[0]
    assert request.method == "POST"
    assert request.path == f"/v21.0/{PHONE_ID}/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5215512345678",
        "type": "template",
        "template": {
            "name": "payment_reminder",
            "language": {"code": "es_MX"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ana"},
                        {"type": "text", "text": "$1,250.00"},
                    ],
                }
            ],
        },
        "biz_opaque_callback_data": REFERENCE,
    }
    assert result.provider_id == server.wamids[0]
    assert result.provider_id.startswith("wamid.")
    assert result.status == "accepted"
    assert result.raw == {"wa_id": "5215512345678"}


def test_template_header_and_url_button_parameters(server, adapter):
    adapter.send_template(
        TO,
        "payment_link",
        "es_MX",
        ["Ana"],
        REFERENCE,
        header_params=["Factura INV/2024/0042"],
        button_url_param="pay/abc123",
    )
    components = server.requests[0].body["template"]["components"]
    assert components == [
        {
            "type": "header",
            "parameters": [{"type": "text", "text": "Factura INV/2024/0042"}],
        },
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "pay/abc123"}],
        },
    ]


def test_template_without_parameters_has_no_components(server, adapter):
    adapter.send_template(TO, "hello_world", "en_US", [], REFERENCE)
    assert server.requests[0].body["template"] == {
        "name": "hello_world",
        "language": {"code": "en_US"},
    }


def test_parameters_lose_new_lines_tabs_and_long_spaces(server, adapter):
    adapter.send_template(
        TO, "payment_reminder", "es_MX", ["Ana\nMaría", 1250], REFERENCE
    )
    parameters = server.requests[0].body["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["Ana María", "1250"]


def test_an_empty_parameter_fails_before_any_request(server, adapter):
    with pytest.raises(base.FatalProviderError, match="body parameter 2 is empty"):
        adapter.send_template(TO, "payment_reminder", "es_MX", ["Ana", " "], REFERENCE)
    assert server.requests == []


def test_api_version_is_configurable(server):
    with whatsapp.WhatsAppCloudAdapter(
        PHONE_ID, TOKEN, base_url=server.url + "/", api_version="v20.0"
    ) as adapter:
        adapter.send_text(TO, "hola", REFERENCE)
    assert server.requests[0].path == f"/v20.0/{PHONE_ID}/messages"


# === Free text === #
def test_send_text(server, adapter):
    result = adapter.send_text(
        "+52 55 1234 5678", "Hola Ana, aquí tu enlace", REFERENCE, preview_url=False
    )
    assert server.requests[0].body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "525512345678",
        "type": "text",
        "text": {"preview_url": False, "body": "Hola Ana, aquí tu enlace"},
        "biz_opaque_callback_data": REFERENCE,
    }
    assert result.provider_id == server.wamids[0]


def test_invalid_number_fails_before_any_request(server, adapter):
    with pytest.raises(base.FatalProviderError, match="cannot send to"):
        adapter.send_text("ana@example.com", "hola", REFERENCE)
    assert server.requests == []


# === Error mapping === #
def test_unknown_template_is_fatal_and_names_it(server, adapter):
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_template(TO, "payment_reminder", "pt_BR", ["a", "b"], REFERENCE)
    error = caught.value
    assert (error.status, error.code) == (400, 132001)
    assert str(error) == (
        "WhatsApp refused the template 'payment_reminder' (code 132001): "
        "template does not exist in pt_BR"
    )


def test_parameter_count_mismatch_is_fatal(server, adapter):
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_template(TO, "payment_reminder", "es_MX", ["Ana"], REFERENCE)
    assert caught.value.code == 132000
    assert str(caught.value) == (
        "WhatsApp refused the template 'payment_reminder' (code 132000): the "
        "number of parameters (1) does not match the template's in es_MX"
    )


def test_expired_token_is_fatal_with_a_clear_message(server):
    expired = "EAAGexpired0token0value0000"
    with whatsapp.WhatsAppCloudAdapter(PHONE_ID, expired, base_url=server.url) as wa:
        with pytest.raises(base.FatalProviderError) as caught:
            wa.send_text(TO, "hola", REFERENCE)
    error = caught.value
    assert (error.status, error.code) == (401, 190)
    assert "access token invalid or expired" in str(error)
    assert expired not in everything_said_about(error)


def test_outside_the_24_hour_window_is_fatal_131047(server, adapter):
    server.closed_windows.add("5215512345678")
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_text(TO, "hola", REFERENCE)
    assert caught.value.code == 131047
    assert str(caught.value) == (
        "WhatsApp refused the message (code 131047): more than 24 hours since the "
        "customer last wrote: only an approved template can be sent"
    )


def test_recipient_is_sender_131021(server, adapter):
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_text("+" + OUR_NUMBER, "hola", REFERENCE)
    assert caught.value.code == 131021
    assert "sender's own number" in str(caught.value)


def test_undeliverable_131026(server, adapter):
    server.fail_next(status=400, body=meta_error(131026, "Message undeliverable"))
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_template(TO, "payment_reminder", "es_MX", ["a", "b"], REFERENCE)
    assert caught.value.code == 131026
    assert "may not use WhatsApp" in str(caught.value)


def test_unknown_phone_number_id_keeps_metas_message(server):
    with whatsapp.WhatsAppCloudAdapter("999", TOKEN, base_url=server.url) as wa:
        with pytest.raises(base.FatalProviderError) as caught:
            wa.send_text(TO, "hola", REFERENCE)
    assert caught.value.code == 100
    assert "Object with ID '999' does not exist" in str(caught.value)


def test_throughput_429_is_retryable_with_retry_after(server, adapter):
    server.fail_next(status=429, retry_after=3)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_text(TO, "hola", REFERENCE)
    error = caught.value
    assert (error.status, error.code, error.seconds) == (429, 130429, 3)
    assert (error.ambiguous, error.throttled) == (False, True)
    assert "throughput" in str(error)


def test_pair_rate_limit_131056_is_retryable_even_as_http_400(server, adapter):
    body = meta_error(131056, "(#131056) (Business Account, Consumer Account) pair")
    server.fail_next(status=400, body=body)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_text(TO, "hola", REFERENCE)
    assert caught.value.code == 131056
    assert caught.value.seconds == base.RETRY_AFTER_SERVER_ERROR
    assert caught.value.throttled is True  # a rate limit, though HTTP 400


def test_500_is_retryable(server, adapter):
    server.fail_next(status=500)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_text(TO, "hola", REFERENCE)
    assert caught.value.status == 500
    assert caught.value.throttled is False


def test_read_timeout_is_ambiguous_and_never_resent(server):
    server.fail_next(delay=1.0)
    with whatsapp.WhatsAppCloudAdapter(
        PHONE_ID, TOKEN, base_url=server.url, timeout=(1.0, 0.3)
    ) as wa:
        with pytest.raises(base.RetryableProviderError) as caught:
            wa.send_text(TO, "hola", REFERENCE)
    assert caught.value.ambiguous is True
    assert len(server.requests) == 1
    assert_no_token(caught.value)


def test_dropped_connection_is_ambiguous_and_never_resent(server, adapter):
    server.fail_next(drop=True)
    with pytest.raises(base.RetryableProviderError) as caught:
        adapter.send_template(TO, "payment_reminder", "es_MX", ["a", "b"], REFERENCE)
    assert caught.value.ambiguous is True
    assert len(server.requests) == 1


def test_connection_refused_is_retryable_not_ambiguous():
    with whatsapp.WhatsAppCloudAdapter(
        PHONE_ID, TOKEN, base_url=closed_url(), timeout=(0.5, 0.5)
    ) as wa:
        with pytest.raises(base.RetryableProviderError) as caught:
            wa.send_text(TO, "hola", REFERENCE)
    assert caught.value.ambiguous is False
    assert "Could not connect to WhatsApp" in str(caught.value)
    assert_no_token(caught.value)


def test_a_token_echoed_by_meta_is_redacted(server, adapter):
    body = meta_error(100, f"Invalid parameter: Bearer {TOKEN}")
    server.fail_next(status=400, body=body)
    with pytest.raises(base.FatalProviderError) as caught:
        adapter.send_text(TO, "hola", REFERENCE)
    assert_no_token(caught.value)
    assert base.REDACTED in str(caught.value)


# === The 24-hour window === #
NOW = datetime(2024, 5, 1, 12, 0, 0)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (NOW - timedelta(hours=23, minutes=59, seconds=59), True),
        (NOW - timedelta(hours=24), False),
        (NOW - timedelta(days=3), False),
        (NOW, True),
        (NOW + timedelta(minutes=1), True),  # clocks a little apart
        (None, False),
    ],
)
def test_within_service_window(last, expected):
    assert whatsapp.within_service_window(last, NOW) is expected


def test_within_service_window_mixes_naive_utc_and_aware():
    aware_last = datetime(2024, 5, 1, 0, 0, tzinfo=timezone(timedelta(hours=-6)))
    # 06:00 UTC, six hours before NOW (naive UTC, as Odoo stores it)
    assert whatsapp.within_service_window(aware_last, NOW)
    assert not whatsapp.within_service_window(
        aware_last, NOW + timedelta(hours=18, seconds=1)
    )


def test_within_service_window_margin():
    last = NOW - timedelta(hours=23, minutes=55)
    assert whatsapp.within_service_window(last, NOW)
    assert not whatsapp.within_service_window(last, NOW, margin=timedelta(minutes=10))


# === Webhook signature and subscription === #
RAW = b'{"object":"whatsapp_business_account","entry":[]}'


def meta_signature(secret, raw):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def test_verify_signature_accepts_metas_signature():
    assert whatsapp.verify_signature(APP_SECRET, RAW, meta_signature(APP_SECRET, RAW))
    upper = "sha256=" + meta_signature(APP_SECRET, RAW)[7:].upper()
    assert whatsapp.verify_signature(APP_SECRET, RAW, upper)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=xyz",
        "sha256=" + "0" * 64,
        "sha1=" + hmac.new(APP_SECRET.encode(), RAW, hashlib.sha1).hexdigest(),
        hmac.new(APP_SECRET.encode(), RAW, hashlib.sha256).hexdigest(),
        meta_signature(APP_SECRET, RAW)[:-2],
        meta_signature("another-app-secret", RAW),
    ],
)
def test_verify_signature_rejects_forged_unsigned_and_malformed(header):
    assert whatsapp.verify_signature(APP_SECRET, RAW, header) is False


def test_verify_signature_rejects_a_tampered_body_and_no_secret():
    header = meta_signature(APP_SECRET, RAW)
    assert not whatsapp.verify_signature(
        APP_SECRET, RAW.replace(b"[]", b"[{}]"), header
    )
    assert not whatsapp.verify_signature("", RAW, header)


def test_verify_subscription():
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "my-verify-token",
        "hub.challenge": "1158201444",
    }
    assert whatsapp.verify_subscription(params, "my-verify-token") == "1158201444"
    as_lists = {key: [value] for key, value in params.items()}
    assert whatsapp.verify_subscription(as_lists, "my-verify-token") == "1158201444"
    assert whatsapp.verify_subscription(params, "other-token") is None
    assert whatsapp.verify_subscription(params, "") is None
    assert whatsapp.verify_subscription(dict(params, **{"hub.mode": "x"}), "x") is None
    no_challenge = {k: v for k, v in params.items() if k != "hub.challenge"}
    assert whatsapp.verify_subscription(no_challenge, "my-verify-token") is None
    assert whatsapp.verify_subscription({}, "my-verify-token") is None


# === Webhook payloads (the shapes of Meta's documentation) === #
WAMID = "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABEYEjdCMEU5QzUxM0YyRDRBOEVCNgA="
IN_WAMID = "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFjNFQjBDMTIzNDU2Nzg5MEFCQ0RFRgA="


def notification(value, field="messages"):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PHONE_ID,
                            },
                            **value,
                        },
                        "field": field,
                    }
                ],
            }
        ],
    }


DELIVERED = notification(
    {
        "statuses": [
            {
                "id": WAMID,
                "status": "delivered",
                "timestamp": "1714564805",
                "recipient_id": "5215512345678",
                "biz_opaque_callback_data": REFERENCE,
                "conversation": {
                    "id": "4f1e2d3c4b5a69788796a5b4c3d2e1f0",
                    "origin": {"type": "utility"},
                },
                "pricing": {
                    "billable": True,
                    "pricing_model": "PMP",
                    "category": "utility",
                    "type": "regular",
                },
            }
        ]
    }
)

FAILED = notification(
    {
        "statuses": [
            {
                "id": WAMID,
                "status": "failed",
                "timestamp": "1714564806",
                "recipient_id": "5215512345678",
                "errors": [
                    {
                        "code": 131047,
                        "title": "Re-engagement message",
                        "message": "Re-engagement message",
                        "error_data": {
                            "details": "Message failed to send because more than 24 "
                            "hours have passed since the customer last replied to "
                            "this number."
                        },
                        "href": "https://developers.facebook.com/docs/whatsapp/"
                        "cloud-api/support/error-codes/",
                    }
                ],
            }
        ]
    }
)

INBOUND_TEXT = notification(
    {
        "contacts": [{"profile": {"name": "Ana Pérez"}, "wa_id": "5215512345678"}],
        "messages": [
            {
                "from": "5215512345678",
                "id": IN_WAMID,
                "timestamp": "1714564820",
                "type": "text",
                "text": {"body": "Pago el viernes"},
            }
        ],
    }
)


def test_parse_delivered_status():
    assert whatsapp.parse_webhook(DELIVERED) == [
        {
            "kind": "status",
            "provider_id": WAMID,
            "status": "delivered",
            "timestamp": datetime(2024, 5, 1, 12, 0, 5, tzinfo=timezone.utc),
            "recipient": TO,
            "reference": REFERENCE,
            "error": None,
            "error_code": None,
            "event_key": f"{WAMID}:delivered",
            "phone_number_id": PHONE_ID,
        }
    ]


def test_parse_failed_status_explains_the_error():
    (event,) = whatsapp.parse_webhook(FAILED)
    assert event["status"] == "failed"
    assert event["reference"] is None
    assert event["error_code"] == 131047
    assert event["error"] == (
        "more than 24 hours since the customer last wrote: only an approved "
        "template can be sent (WhatsApp error 131047)"
    )
    assert event["event_key"] == f"{WAMID}:failed"


def test_parse_failed_status_with_an_unknown_code_keeps_metas_details():
    payload = copy.deepcopy(FAILED)
    error = payload["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]
    error["code"] = 135000
    error["error_data"]["details"] = "Generic user error"
    (event,) = whatsapp.parse_webhook(payload)
    assert event["error"] == "Generic user error (WhatsApp error 135000)"


def test_parse_inbound_text():
    assert whatsapp.parse_webhook(INBOUND_TEXT) == [
        {
            "kind": "message",
            "provider_id": IN_WAMID,
            "from": TO,
            "to": "+15550783881",
            "type": "text",
            "text": "Pago el viernes",
            "timestamp": datetime(2024, 5, 1, 12, 0, 20, tzinfo=timezone.utc),
            "name": "Ana Pérez",
            "context_id": None,
            "attachment": None,
            "reaction": False,
            "reference": None,
            "event_key": IN_WAMID,
            "phone_number_id": PHONE_ID,
        }
    ]


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (
            {
                "type": "button",
                "button": {"payload": "PAY_NOW", "text": "Pagar ahora"},
                "context": {"from": OUR_NUMBER, "id": WAMID},
            },
            "Pagar ahora",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "talk", "title": "Hablar con alguien"},
                },
            },
            "Hablar con alguien",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": {
                        "id": "friday",
                        "title": "El viernes",
                        "description": "Pago completo",
                    },
                },
            },
            "El viernes",
        ),
        (
            {
                "type": "image",
                "image": {
                    "caption": "Mi comprobante",
                    "mime_type": "image/jpeg",
                    "sha256": "abc",
                    "id": "1234567890",
                },
            },
            "Mi comprobante",
        ),
        ({"type": "sticker", "sticker": {"id": "987", "animated": False}}, ""),
        ({"type": "reaction", "reaction": {"message_id": WAMID, "emoji": "👍"}}, "👍"),
    ],
)
def test_parse_replies_of_every_kind(message, text):
    full = {"from": "5215512345678", "id": IN_WAMID, "timestamp": "1714564820"}
    full.update(message)
    (event,) = whatsapp.parse_webhook(notification({"messages": [full]}))
    assert event["text"] == text
    assert event["type"] == message["type"]
    attachment = message["type"] in ("image", "sticker")
    assert event["attachment"] == (message["type"] if attachment else None)
    assert event["reaction"] is (message["type"] == "reaction")
    assert event["name"] is None  # no contacts block in this notification
    expected_context = WAMID if "context" in message else None
    assert event["context_id"] == expected_context


def test_parse_ignores_other_fields_and_gathers_all_entries():
    template_update = notification(
        {"event": "APPROVED", "message_template_name": "payment_reminder"},
        field="message_template_status_update",
    )
    assert whatsapp.parse_webhook(template_update) == []
    both = copy.deepcopy(DELIVERED)
    both["entry"] += INBOUND_TEXT["entry"] + template_update["entry"]
    kinds = [event["kind"] for event in whatsapp.parse_webhook(both)]
    assert kinds == ["status", "message"]


def test_parse_a_signed_raw_notification():
    raw = json.dumps(DELIVERED).encode()
    assert whatsapp.verify_signature(APP_SECRET, raw, meta_signature(APP_SECRET, raw))
    assert whatsapp.parse_webhook(json.loads(raw))[0]["provider_id"] == WAMID


def malformed(path, value):
    """DELIVERED with one value replaced (``path`` of keys and indexes)."""
    payload = copy.deepcopy(DELIVERED)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


STATUS = ("entry", 0, "changes", 0, "value", "statuses", 0)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {},
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account"},
        malformed(("entry",), {}),
        malformed(("entry", 0), "x"),
        malformed(("entry", 0, "changes"), None),
        malformed(("entry", 0, "changes", 0), []),
        malformed(("entry", 0, "changes", 0, "value"), "x"),
        malformed(("entry", 0, "changes", 0, "value", "statuses"), {}),
        malformed(("entry", 0, "changes", 0, "value", "metadata"), []),
        malformed((*STATUS[:-1],), ["x"]),
        malformed((*STATUS, "id"), None),
        malformed((*STATUS, "status"), 3),
        malformed((*STATUS, "timestamp"), "yesterday"),
        malformed((*STATUS, "recipient_id"), "ana"),
        malformed((*STATUS, "errors"), "oops"),
        malformed(("entry", 0, "changes", 0, "value", "messages"), [{"id": "x"}]),
        malformed(("entry", 0, "changes", 0, "value", "contacts"), ["x"]),
        malformed(("entry", 0, "changes", 0, "value", "contacts"), "x"),
    ],
)
def test_parse_rejects_malformed_notifications(payload):
    with pytest.raises(ValueError):
        whatsapp.parse_webhook(payload)
