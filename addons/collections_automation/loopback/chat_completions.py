"""A loopback OpenAI-compatible endpoint: ``POST /v1/chat/completions``.

It checks the ``Bearer`` key when given one (401 with OpenAI's error JSON
otherwise; like a careless server, the message repeats the key it was sent,
so tests can check that the client never passes it on), the JSON shape
(``model``, ``messages`` with roles and string contents), and answers a
``chat.completion`` body. What the "model" says is scriptable:

* ``server.replies``: a queue of contents (a str, or a dict sent as JSON),
  used first;
* ``server.responder``: ``(request_json) -> content`` otherwise; the default,
  :func:`fake_model`, reads the customer's message with a tiny keyword table
  and answers the understanding JSON (or echoes a message to reword), so that a
  whole conversation can run through it.

``fail_next`` (from :class:`~.base.ProtocolServer`) gives HTTP errors, slow
answers and dropped connections; ``fail_next(status=200, body=...)`` answers a
body of one's choosing (not chat-completions JSON, say).
"""

import contextlib
import datetime
import json
import re
import time
import uuid
from collections import deque

from .base import ProtocolServer

PATH = "/v1/chat/completions"
ROLES = {"system", "user", "assistant", "tool", "developer"}


def openai_error(message, kind="invalid_request_error", code=None, param=None):
    """OpenAI's error JSON."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def customer_text(request_json):
    """The first JSON string in the last user message (the data we sent), or
    the message itself."""
    users = [m for m in request_json.get("messages", []) if m.get("role") == "user"]
    content = users[-1]["content"] if users else ""
    match = re.search(r'"(?:[^"\\]|\\.)*"', content)
    if match:
        with contextlib.suppress(ValueError):  # not JSON: the text itself
            return json.loads(match.group(0))
    return content


def system_text(request_json):
    return " ".join(
        m.get("content", "")
        for m in request_json.get("messages", [])
        if m.get("role") == "system"
    )


_WEEKDAYS = {
    "lunes": 0,
    "monday": 0,
    "segunda": 0,
    "martes": 1,
    "tuesday": 1,
    "terca": 1,
    "terça": 1,
    "miercoles": 2,
    "miércoles": 2,
    "wednesday": 2,
    "quarta": 2,
    "jueves": 3,
    "thursday": 3,
    "quinta": 3,
    "viernes": 4,
    "friday": 4,
    "sexta": 4,
}
# (intent, words): the first row with a word in the message wins.
KEYWORDS = (
    ("opt_out", ("stop", "no me escriban", "don't text", "não me mandem")),
    ("request_human", ("persona", "human", "person", "atendente")),
    ("request_installments", ("cuotas", "installments", "parcelas", "plazos")),
    ("balance_inquiry", ("cuánto", "cuanto", "how much", "quanto")),
    ("pay_now", ("link", "enlace", "ahora", "now", "agora")),
    ("promise_to_pay", tuple(_WEEKDAYS)),
    ("affirm", ("sí", "si", "yes", "sim", "ok", "vale", "claro")),
    ("deny", ("no", "não", "nao", "nope")),
)
LANG_WORDS = {
    "en": ("yes", "friday", "how much", "pay", "installments", "link", "now"),
    "pt": ("sim", "sexta", "quanto", "parcelas", "agora", "não", "pagar em"),
}


def _words(text):
    return set(re.findall(r"[\wáéíóúñãõç']+", text.lower()))


def _has(text, phrase):
    lowered = text.lower()
    if " " in phrase:
        return phrase in lowered
    return phrase in _words(text)


def fake_model(request_json):
    """A tiny keyword "model": understanding JSON, or a reworded message."""
    system = system_text(request_json)
    text = customer_text(request_json)
    if "<agent_message>" in json.dumps(request_json) or "reword" in system:
        lead = {"Spanish": "Claro.", "Portuguese": "Claro.", "English": "Sure."}
        word = next((v for k, v in lead.items() if k in system), "Sure.")
        return json.dumps({"text": f"{word} {text}"}, ensure_ascii=False)
    found = re.search(r"\d{4}-\d{2}-\d{2}", system)
    today = datetime.date.fromisoformat(found.group(0)) if found else None
    intent = next(
        (name for name, words in KEYWORDS if any(_has(text, w) for w in words)),
        "unknown",
    )
    answer = {
        "intent": intent,
        "amount": None,
        "date": None,
        "installments": None,
        "lang": next(
            (k for k, words in LANG_WORDS.items() if any(_has(text, w) for w in words)),
            "es",
        ),
        "frustrated": "!!!" in text,
    }
    money = re.search(r"\$\s?(\d+(?:\.\d+)?)", text)
    if money:
        answer["amount"] = float(money.group(1))
    if intent == "request_installments":
        count = re.search(r"\b(\d{1,3})\b", text)
        answer["installments"] = int(count.group(1)) if count else None
    if intent == "promise_to_pay" and today:
        day = next(v for k, v in _WEEKDAYS.items() if _has(text, k))
        ahead = (day - today.weekday() - 1) % 7 + 1
        answer["date"] = (today + datetime.timedelta(days=ahead)).isoformat()
    return json.dumps(answer, ensure_ascii=False)


class ChatCompletionsServer(ProtocolServer):
    """An OpenAI-compatible endpoint; ``api_key=None`` accepts any caller."""

    def __init__(self, api_key=None, responder=fake_model, **kwargs):
        super().__init__(**kwargs)
        self.api_key = api_key
        self.responder = responder
        self.replies = deque()

    def reply_with(self, *contents):
        """Queue contents for the next answers (dicts are sent as JSON)."""
        with self.lock:
            for content in contents:
                if not isinstance(content, str):
                    content = json.dumps(content, ensure_ascii=False)
                self.replies.append(content)

    @property
    def completions(self):
        """The recorded requests to the completions path."""
        return [r for r in self.requests if r.path == PATH]

    def error_body(self, status):
        if status == 429:
            return openai_error("Rate limit reached", "requests", "rate_limit_exceeded")
        if status >= 500:
            return openai_error("The server had an error", "server_error")
        return openai_error(f"HTTP {status}")

    def route(self, request):
        if request.path != PATH:
            return 404, openai_error(f"Unknown path {request.path}"), {}
        if request.method != "POST":
            return 405, openai_error("Use POST"), {}
        if self.api_key is not None:
            presented = request.headers.get("Authorization") or ""
            if presented != f"Bearer {self.api_key}":
                token = presented.removeprefix("Bearer ")
                message = f"Incorrect API key provided: {token}."
                return 401, openai_error(message, code="invalid_api_key"), {}
        body = request.body
        if request.malformed or not isinstance(body, dict):
            return 400, openai_error("We could not parse the JSON body"), {}
        wrong = self._check(body)
        if wrong:
            return 400, openai_error(wrong), {}
        with self.lock:
            content = self.replies.popleft() if self.replies else None
        if content is None:
            content = self.responder(body)
        prompt = sum(len(str(m["content"]).split()) for m in body["messages"])
        completion = len(content.split())
        answer = {
            "id": "chatcmpl-" + uuid.uuid4().hex[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }
        return 200, answer, {}

    @staticmethod
    def _check(body):
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "you must provide a model parameter"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "'messages' must be a non-empty array"
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                return "Invalid value for 'role'"
            if not isinstance(message.get("content"), str):
                return "Invalid type for 'content'"
        response_format = body.get("response_format")
        if response_format is not None and response_format not in (
            {"type": "json_object"},
            {"type": "text"},
        ):
            return "Invalid value for 'response_format'"
        return None
