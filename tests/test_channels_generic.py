"""The generic signed-webhook adapter against its loopback gateway."""

import base64
import hashlib
import hmac
import json
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from collections_automation_channels import base, generic
from collections_automation_loopback.base import closed_url, everything_said_about
from collections_automation_loopback.generic import GenericServer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "gw-secret-0f9e8d7c"
NOW = 1_714_564_800  # 2024-05-01T12:00:00Z
REFERENCE = "6f1c2a9e-8d1b-4d8e-9a57-3b1f0c2d4e5f"


def fixed_clock():
    return NOW


@pytest.fixture
def server():
    # the server checks signatures against the real clock: the adapter's
    # fixed clock is only used where a test wants a known signature
    with GenericServer(SECRET, tolerance=10**10) as running:
        yield running


@pytest.fixture
def adapter(server):
    with generic.GenericWebhookAdapter(
        f"{server.url}/messages", SECRET, timeout=(1.0, 2.0), clock=fixed_clock
    ) as built:
        yield built


def send(adapter, reference=REFERENCE, **overrides):
    values = {
        "channel": "sms",
        "to": "+5215512345678",
        "body": "Hola Ana, tu saldo es $1,250.00",
        "reference": reference,
        "language": "es_MX",
    }
    values.update(overrides)
    return adapter.send(**values)


def wait_for(condition, seconds=5.0):
    """Poll until ``condition()`` (a delayed request finishes server-side)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def independent_signature(secret, timestamp, raw):
    message = f"{timestamp}.".encode() + raw
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


# === Sending === #
def test_send_posts_signed_json_with_idempotency_key(server, adapter):
    result = send(
        adapter,
        template="reminder_early",
        params=["Ana", "$1,250.00"],
        metadata={"customer": "Ana <Pérez> & Co", "amount_due": 1250.0},
    )

    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.method == "POST"
    assert request.path == "/messages"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == REFERENCE
    assert "Authorization" not in request.headers
    assert request.body == {
        "id": REFERENCE,
        "channel": "sms",
        "to": "+5215512345678",
        "body": "Hola Ana, tu saldo es $1,250.00",
        "language": "es_MX",
        "template": "reminder_early",
        "params": ["Ana", "$1,250.00"],
        "metadata": {"customer": "Ana <Pérez> & Co", "amount_due": 1250.0},
        "created_at": "2024-05-01T12:00:00Z",
    }
    expected = independent_signature(SECRET, NOW, request.raw)
    assert request.headers["X-Collections-Signature"] == f"t={NOW},v1={expected}"
    assert SECRET not in request.raw.decode()

    assert isinstance(result, base.SendResult)
    assert result.provider_id == server.ids[REFERENCE]
    assert result.status == "accepted"


def test_optional_fields_are_sent_as_null(server, adapter):
    send(adapter, channel="whatsapp")
    body = server.requests[0].body
    assert (body["template"], body["params"], body["metadata"]) == (None, None, None)
    assert body["channel"] == "whatsapp"


def test_resend_of_a_reference_returns_the_same_id(server, adapter):
    first = send(adapter)
    second = send(adapter)
    other = send(adapter, reference="another-reference")

    assert second.provider_id == first.provider_id
    assert second.status == "duplicate"
    assert other.provider_id != first.provider_id
    stats = server.stats()
    assert (stats["received"], stats["unique"], stats["duplicates"]) == (3, 2, 1)


def test_409_duplicate_with_the_id_counts_as_sent():
    with GenericServer(SECRET, duplicate_status=409) as server:
        with generic.GenericWebhookAdapter(f"{server.url}/messages", SECRET) as gw:
            first = send(gw)
            again = send(gw)
    assert again.provider_id == first.provider_id
    assert again.status == "duplicate"
    assert again.raw == {"http_status": 409}


def test_409_without_an_id_is_fatal(server, adapter):
    server.fail_next(status=409, body={"error": "key reused with another body"})
    with pytest.raises(base.FatalProviderError, match="conflicting duplicate"):
        send(adapter)


def test_success_without_an_id_is_fatal(server, adapter):
    server.fail_next(status=200, body={"ok": True})
    with pytest.raises(base.FatalProviderError, match="without a message id"):
        send(adapter)


def test_missing_url_or_reference_is_fatal_before_any_request(server):
    with generic.GenericWebhookAdapter("", SECRET) as gw:
        with pytest.raises(base.FatalProviderError, match="no URL"):
            send(gw)
    with generic.GenericWebhookAdapter(f"{server.url}/messages", SECRET) as gw:
        with pytest.raises(base.FatalProviderError, match="reference"):
            send(gw, reference="")
    assert server.requests == []


def test_concurrent_sends_share_the_pool_and_get_distinct_ids(server):
    results = {}
    with generic.GenericWebhookAdapter(f"{server.url}/messages", SECRET) as gw:

        def worker(offset):
            for number in range(offset, 200, 8):
                results[number] = send(gw, reference=f"ref-{number}").provider_id

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 200
    assert len(set(results.values())) == 200
    assert server.stats()["unique"] == 200


# === Error mapping === #
def test_429_with_retry_after_is_retryable_with_its_seconds(server, adapter):
    server.fail_next(status=429, retry_after=7)
    with pytest.raises(base.RetryableProviderError) as caught:
        send(adapter)
    error = caught.value
    assert (error.seconds, error.status, error.ambiguous) == (7, 429, False)
    assert error.throttled is True
    assert "429" in str(error)
    assert len(server.requests) == 1  # no in-adapter retry on an answer


def test_500_is_retryable(server, adapter):
    server.fail_next(status=500)
    with pytest.raises(base.RetryableProviderError) as caught:
        send(adapter)
    assert caught.value.status == 500
    assert caught.value.seconds == base.RETRY_AFTER_SERVER_ERROR
    assert not caught.value.ambiguous
    assert "server error" in str(caught.value)


def test_wrong_secret_is_fatal_401(server):
    with generic.GenericWebhookAdapter(f"{server.url}/messages", "wrong-secret") as gw:
        with pytest.raises(base.FatalProviderError) as caught:
            send(gw)
    error = caught.value
    assert error.status == 401
    assert error.code == "invalid_signature"
    assert "rejected the credentials" in str(error)
    assert "wrong-secret" not in everything_said_about(error)
    assert server.stats()["rejected"] == 1


def test_stale_signature_is_refused_by_the_gateway():
    with GenericServer(SECRET, tolerance=300) as server:
        stale = generic.GenericWebhookAdapter(
            f"{server.url}/messages", SECRET, clock=lambda: time.time() - 3600
        )
        with stale, pytest.raises(base.FatalProviderError) as caught:
            send(stale)
    assert caught.value.status == 401


def test_4xx_is_fatal_with_the_gateways_message(server, adapter):
    with pytest.raises(base.FatalProviderError) as caught:
        send(adapter, to="")
    error = caught.value
    assert (error.status, error.code) == (422, "invalid_request")
    assert "missing field 'to'" in str(error)


def test_read_timeout_is_retried_with_the_same_key_then_deduplicated(server):
    server.fail_next(delay=1.0)  # the gateway processes it, but too late
    with generic.GenericWebhookAdapter(
        f"{server.url}/messages", SECRET, timeout=(1.0, 0.3)
    ) as gw:
        result = send(gw)
    assert len(server.requests) == 2
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert keys == {REFERENCE}
    assert wait_for(lambda: server.stats()["duplicates"] == 1)
    assert server.stats()["unique"] == 1
    assert result.provider_id == server.ids[REFERENCE]


def test_read_timeout_after_the_retries_is_retryable_and_ambiguous(server):
    server.fail_next(3, delay=1.0)
    with generic.GenericWebhookAdapter(
        f"{server.url}/messages", SECRET, timeout=(1.0, 0.3)
    ) as gw:
        with pytest.raises(base.RetryableProviderError) as caught:
            send(gw)
    error = caught.value
    assert error.ambiguous is True
    assert "may have accepted" in str(error)
    assert len(server.requests) == 3  # the first try and two quick retries


def test_dropped_connection_is_retried_then_succeeds(server, adapter):
    server.fail_next(drop=True)
    result = send(adapter)
    assert len(server.requests) == 2
    assert result.provider_id == server.ids[REFERENCE]
    assert server.stats()["unique"] == 1


def test_dropped_connections_end_ambiguous(server, adapter):
    server.fail_next(3, drop=True)
    with pytest.raises(base.RetryableProviderError) as caught:
        send(adapter)
    assert caught.value.ambiguous is True
    assert "broke before it answered" in str(caught.value)


def test_connection_refused_is_retryable_not_ambiguous():
    url = closed_url("/messages")
    with generic.GenericWebhookAdapter(url, SECRET, timeout=(0.5, 0.5)) as gw:
        with pytest.raises(base.RetryableProviderError) as caught:
            send(gw)
    error = caught.value
    assert error.ambiguous is False
    assert "Could not connect" in str(error)
    assert "refused" in str(error)
    assert error.__cause__ is None  # the requests exception is not chained


# === No secret in any error === #
def test_no_secret_in_errors_even_when_echoed_or_in_the_url(server):
    leaky = {"error": f"signature made with {SECRET} does not match", "code": "x"}
    server.fail_next(status=400, body=leaky)
    with generic.GenericWebhookAdapter(f"{server.url}/messages", SECRET) as gw:
        with pytest.raises(base.FatalProviderError) as caught:
            send(gw)
    said = everything_said_about(caught.value)
    assert SECRET not in said
    assert base.REDACTED in str(caught.value)

    # a URL carrying credentials: requests' own text would include it
    url = closed_url("/messages").replace("http://", "http://user:pa55word@")
    url = f"{url}?token={SECRET}"
    with generic.GenericWebhookAdapter(url, SECRET, timeout=(0.5, 0.5)) as gw:
        with pytest.raises(base.RetryableProviderError) as caught:
            send(gw)
    said = everything_said_about(caught.value)
    assert SECRET not in said
    assert "pa55word" not in said
    assert "token=" not in said


def test_requests_exception_text_is_not_reused():
    """requests' own message carries the URL: ours names only the host."""
    url = closed_url(f"/messages?key={SECRET}")
    with pytest.raises(requests.ConnectionError) as raw:
        requests.post(url, timeout=0.5)
    assert SECRET in str(raw.value)  # what we must not pass on
    with generic.GenericWebhookAdapter(url, SECRET, timeout=(0.5, 0.5)) as gw:
        with pytest.raises(base.RetryableProviderError) as caught:
            send(gw)
    assert SECRET not in everything_said_about(caught.value)
    assert "127.0.0.1" in str(caught.value)


# === Signatures === #
BODY = b'{"events":[{"id":"ev_1","type":"status","reference":"r","status":"read"}]}'


def test_sign_matches_an_independent_computation():
    header = generic.sign(SECRET, BODY, NOW)
    assert header == f"t={NOW},v1={independent_signature(SECRET, NOW, BODY)}"


def test_sign_with_two_secrets_gives_two_v1():
    header = generic.sign(["old-secret", "new-secret"], BODY, NOW)
    stamp, old, new = header.split(",")
    assert stamp == f"t={NOW}"
    assert old == f"v1={independent_signature('old-secret', NOW, BODY)}"
    assert new == f"v1={independent_signature('new-secret', NOW, BODY)}"
    assert generic.verify("new-secret", BODY, header, NOW)
    assert generic.verify("old-secret", BODY, header, NOW)
    assert not generic.verify("third-secret", BODY, header, NOW)


def test_verify_accepts_a_good_signature_within_the_tolerance():
    header = f"t={NOW},v1={independent_signature(SECRET, NOW, BODY)}"
    assert generic.verify(SECRET, BODY, header, NOW)
    assert generic.verify(SECRET, BODY, header, NOW + 300)
    assert generic.verify(SECRET, BODY, header, NOW - 300)
    assert generic.verify(["rotated-out", SECRET], BODY, header, NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"t={NOW}",
        "v1=" + "0" * 64,
        f"t=soon,v1={'0' * 64}",
        f"t={NOW},v0=abc",
    ],
)
def test_verify_rejects_missing_or_malformed_headers(header):
    assert generic.verify(SECRET, BODY, header, NOW) is False


def test_verify_rejects_forged_stale_and_tampered():
    good = f"t={NOW},v1={independent_signature(SECRET, NOW, BODY)}"
    forged = f"t={NOW},v1={independent_signature('attacker', NOW, BODY)}"
    assert not generic.verify(SECRET, BODY, forged, NOW)
    assert not generic.verify(SECRET, BODY, good, NOW + 301)  # stale
    assert not generic.verify(SECRET, BODY, good, NOW - 301)  # from the future
    assert not generic.verify(SECRET, BODY + b" ", good, NOW)  # body tampered
    assert not generic.verify(SECRET, BODY, good.replace(str(NOW), str(NOW + 1)), NOW)
    assert not generic.verify("", BODY, good, NOW)  # no secret configured


# === Inbound events === #
def test_parse_webhook_status_and_message():
    payload = {
        "channel": "sms",
        "events": [
            {
                "id": "evt_01",
                "type": "status",
                "message_id": "gw-msg-1",
                "reference": REFERENCE,
                "status": "delivered",
                "to": "+5215512345678",
                "timestamp": "2024-05-01T12:00:05Z",
            },
            {
                "id": "evt_02",
                "type": "status",
                "reference": REFERENCE,
                "status": "failed",
                "error": "handset unreachable",
                "timestamp": 1714564810,
                "channel": "voice",
                "answered_by": "machine",
            },
            {
                "id": "evt_03",
                "type": "message",
                "message_id": "gw-in-7",
                "from": "+5215512345678",
                "to": "+5215598765432",
                "text": "Pago el viernes",
                "name": "Ana Pérez",
                "timestamp": "2024-05-01T07:00:20-05:00",
            },
        ],
    }
    delivered, failed, inbound = generic.parse_webhook(payload)
    assert delivered == {
        "kind": "status",
        "provider_id": "gw-msg-1",
        "reference": REFERENCE,
        "status": "delivered",
        "recipient": "+5215512345678",
        "error": None,
        "answered_by": None,
        "timestamp": datetime(2024, 5, 1, 12, 0, 5, tzinfo=timezone.utc),
        "channel": "sms",
        "event_key": "evt_01",
    }
    assert failed["provider_id"] is None
    assert failed["error"] == "handset unreachable"
    assert failed["channel"] == "voice"
    assert failed["answered_by"] == "machine"
    assert failed["timestamp"] == datetime(2024, 5, 1, 12, 0, 10, tzinfo=timezone.utc)
    assert inbound == {
        "kind": "message",
        "provider_id": "gw-in-7",
        "reference": None,
        "from": "+5215512345678",
        "to": "+5215598765432",
        "text": "Pago el viernes",
        "name": "Ana Pérez",
        "timestamp": datetime(2024, 5, 1, 12, 0, 20, tzinfo=timezone.utc),
        "channel": "sms",
        "event_key": "evt_03",
    }


def test_parse_webhook_empty_list_is_no_event():
    assert generic.parse_webhook({"events": []}) == []


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "events",
        {},
        {"events": None},
        {"events": {"id": "e"}},
        {"events": ["e1"]},
        {"events": [{"type": "status", "reference": "r", "status": "sent"}]},
        {"events": [{"id": "e", "type": "receipt", "reference": "r"}]},
        {"events": [{"id": "e", "type": "status", "reference": "r"}]},
        {"events": [{"id": "e", "type": "status", "status": "sent"}]},
        {"events": [{"id": "e", "type": "message", "text": "hi"}]},
        {"events": [{"id": "e", "type": "message", "from": ["+1"], "text": "x"}]},
        {"events": [{"id": "e", "type": "message", "from": "+1", "text": {"a": 1}}]},
        {
            "events": [
                {"id": "e", "type": "status", "reference": "r", "status": "sent"},
                {
                    "id": "e2",
                    "type": "status",
                    "reference": "r",
                    "status": "read",
                    "timestamp": "yesterday",
                },
            ]
        },
    ],
)
def test_parse_webhook_rejects_malformed_payloads(payload):
    with pytest.raises(ValueError):
        generic.parse_webhook(payload)


def test_a_signed_inbound_body_round_trips():
    payload = {
        "events": [{"id": "e1", "type": "status", "reference": "r", "status": "read"}]
    }
    raw = json.dumps(payload).encode()
    header = generic.sign(SECRET, raw, NOW)
    assert generic.verify(SECRET, raw, header, NOW + 5)
    assert generic.parse_webhook(json.loads(raw))[0]["event_key"] == "e1"


# === The standalone server (load-test end) === #
def test_server_script_serves_stats_and_prints_counters_on_sigterm():
    script = ROOT / "addons" / "collections_automation" / "loopback" / "generic.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--secret", SECRET],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stderr.readline().strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        with generic.GenericWebhookAdapter(f"{url}/messages", SECRET) as gw:
            first = send(gw)
            assert send(gw).provider_id == first.provider_id
        stats = requests.get(f"{url}/_stats", timeout=5).json()
        assert stats == {
            "received": 2,
            "unique": 1,
            "duplicates": 1,
            "rejected": 0,
            "failed": 0,
        }
    finally:
        process.send_signal(signal.SIGTERM)
        out, _err = process.communicate(timeout=10)
    assert json.loads(out.strip().splitlines()[-1])["unique"] == 1
    assert process.returncode == 0


def test_signature_is_hex_not_base64():
    """The protocol says hex; a base64 HMAC must not verify."""
    mac = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256)
    header = f"t={NOW},v1={base64.b64encode(mac.digest()).decode()}"
    assert not generic.verify(SECRET, BODY, header, NOW)
