#!/usr/bin/env python3
"""Run scripted conversations through the offline collections agent (no Odoo).

Reads JSON lines on stdin, each a whole conversation::

    {"today": "2026-03-02", "channel": "whatsapp",
     "customer": {"name", "lang", "balance", "currency"},
     "policy": {"max_promise_days": 10, ...}, "turns": ["hola", "pago el viernes"]}

and writes one JSON line per conversation::

    {"replies": ["...", ...], "outcome": {"promise": {"date", "amount"} | null,
     "plan": [{"date", "amount"}, ...] | null, "discount_pct", "payment_link_sent",
     "escalated", "escalation_reason", "opted_out"}}

Amounts and the discount are JSON numbers; a malformed line gets ``{"error": ...}``
and the next line goes on. Example::

    echo '{"today": "2026-03-02", "customer": {"name": "Ana", "lang": "es",
      "balance": 1250.5, "currency": "MXN"}, "policy": {}, "turns": ["hola"]}' \\
      | python3 scripts/agent_dialogue.py

``--llm-url`` (an OpenAI-compatible API root) and ``--llm-model`` add the optional
LLM for understanding and wording (the replies are then the reworded ones); its
key is read from the environment variable named by ``--llm-key-env``
(``COLLECTIONS_LLM_API_KEY``). Without them, or whenever the endpoint fails, the
offline agent answers.
"""

import argparse
import datetime
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import dialogue, llm  # noqa: E402

OFFLINE = llm.build(None)


def number(value):
    """An exact decimal string as a JSON number (int when it has no fraction)."""
    amount = Decimal(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def run_conversation(spec, helpers=OFFLINE):
    """Replies and outcome of one conversation (``spec`` as in the module doc).

    ``helpers`` is ``(understand, rephrase)`` from ``llm.build``.
    """
    understand, rephrase = helpers
    if not isinstance(spec, dict):
        raise ValueError("each line must be a JSON object")
    missing = [k for k in ("today", "customer", "turns") if k not in spec]
    if missing:
        raise ValueError(f"missing key(s): {', '.join(missing)}")
    today = datetime.date.fromisoformat(str(spec["today"]))
    turns = spec["turns"]
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise ValueError("turns must be a list of strings")
    state = dialogue.start(
        spec["customer"],
        spec.get("policy") or {},
        today,
        channel=spec.get("channel", "whatsapp"),
    )
    replies = []
    for text in turns:
        turn = dialogue.respond(state, text, today, understand=understand)
        replies.append(rephrase(turn.reply, turn.state["lang"]))
        state = turn.state
    outcome = dialogue.summary(state)
    if outcome["promise"]:
        outcome["promise"]["amount"] = number(outcome["promise"]["amount"])
    for payment in outcome["plan"] or []:
        payment["amount"] = number(payment["amount"])
    outcome["discount_pct"] = number(outcome["discount_pct"])
    return {"replies": replies, "outcome": outcome}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--llm-url", help="API root, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--llm-model", help="model name (required with --llm-url)")
    parser.add_argument(
        "--llm-key-env",
        default="COLLECTIONS_LLM_API_KEY",
        help="environment variable holding the API key (default: %(default)s)",
    )
    parser.add_argument(
        "--llm-timeout", type=float, default=4.0, help="seconds (default: 4)"
    )
    args = parser.parse_args(argv)
    args.helpers = OFFLINE
    if args.llm_url:
        config = {
            "base_url": args.llm_url,
            "model": args.llm_model,
            "api_key": os.environ.get(args.llm_key_env, ""),
            "timeout": args.llm_timeout,
        }
        try:
            args.helpers = llm.build(config)
        except ValueError as error:
            parser.error(str(error))
    return args


def main(argv=None, stdin=sys.stdin, stdout=sys.stdout):
    helpers = parse_args(argv).helpers
    for line in stdin:
        if not line.strip():
            continue
        try:
            result = run_conversation(json.loads(line), helpers)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            result = {"error": f"{type(error).__name__}: {error}"}
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
