#!/usr/bin/env python3
"""Chat with the collections agent in a terminal.

Offline (no Odoo): the dialogue engine with the offline NLU, one customer made up
from the options; type messages, read replies and the actions the agent took::

    python3 scripts/agent_chat.py --offline --balance 1250.50 --currency MXN --lang es
    python3 scripts/agent_chat.py --offline --policy policy.json --channel voice \\
        --verification 4321

Lines come from stdin, so it also replays a file (``< conversation.txt``).

``--llm-url`` (an OpenAI-compatible API root, e.g. ``http://127.0.0.1:8000/v1``)
and ``--llm-model`` add the optional LLM for understanding and wording; its key
is read from the environment variable named by ``--llm-key-env``
(``COLLECTIONS_LLM_API_KEY``), never from the command line. When it fails, the
offline reading answers and a ``[llm]`` note goes to stderr. Only
``--offline`` exists for now; the online mode (talking to an Odoo database through
odoorpc) will plug in at :func:`run_online`.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import dialogue, llm  # noqa: E402

DEFAULT_POLICY = {
    "max_promise_days": 15,
    "min_promise_pct": 100,
    "max_installments": 6,
    "max_plan_days": 180,
    "min_installment_amount": 100,
    "min_down_payment_pct": 10,
    "max_discount_pct": 10,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--offline",
        action="store_true",
        help="chat with the engine alone (the only mode available for now)",
    )
    parser.add_argument("--balance", default="1250.50", help="amount owed")
    parser.add_argument("--currency", default="MXN", help="ISO code, e.g. MXN, BRL")
    parser.add_argument("--lang", default="es", choices=["es", "en", "pt"])
    parser.add_argument("--name", default="Ana Pérez", help="customer's name")
    parser.add_argument("--policy", type=Path, help="JSON file with the policy keys")
    parser.add_argument(
        "--channel", default="whatsapp", choices=list(dialogue.CHANNELS)
    )
    parser.add_argument(
        "--verification",
        action="append",
        default=[],
        help="an accepted identity answer on web/voice (repeatable)",
    )
    parser.add_argument("--today", help="YYYY-MM-DD (default: today)")
    add_llm_options(parser)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(
            f"unknown option(s) {' '.join(unknown)}: only --offline is available "
            "(the online mode against Odoo is not implemented yet)"
        )
    if not args.offline:
        parser.error("choose a mode: only --offline is available for now")
    args.understand, args.rephrase = llm_from_args(args, parser)
    return args


def add_llm_options(parser):
    """The optional LLM's options (``agent_dialogue.py`` has the same)."""
    group = parser.add_argument_group("optional LLM (OpenAI-compatible endpoint)")
    group.add_argument("--llm-url", help="API root, e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--llm-model", help="model name (required with --llm-url)")
    group.add_argument(
        "--llm-key-env",
        default="COLLECTIONS_LLM_API_KEY",
        help="environment variable holding the API key (default: %(default)s)",
    )
    group.add_argument(
        "--llm-timeout", type=float, default=4.0, help="seconds (default: 4)"
    )


def llm_from_args(args, parser=None):
    """``(understand, rephrase)``: the LLM's when ``--llm-url`` is given."""
    if not args.llm_url:
        return llm.build(None)
    config = {
        "base_url": args.llm_url,
        "model": args.llm_model,
        "api_key": os.environ.get(args.llm_key_env, ""),
        "timeout": args.llm_timeout,
    }
    try:
        return llm.build(config)
    except ValueError as error:
        if parser is None:
            raise SystemExit(str(error)) from None
        parser.error(str(error))


def note_fallbacks(understand, rephrase, err=None):
    """Say on stderr when the LLM was not used for this turn."""
    err = err or sys.stderr
    for what, helper in (("understanding", understand), ("wording", rephrase)):
        reason = getattr(helper, "last_fallback", None)
        if reason:
            err.write(f"[llm] {what}: offline ({reason})\n")


def load_policy(path):
    if path is None:
        return DEFAULT_POLICY
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"Cannot read the policy {path}: {error}") from None


def show_actions(actions, out):
    for action in actions:
        shown = {k: v for k, v in action.items() if k != "transcript"}
        if "transcript" in action:
            shown["transcript"] = f"<{len(action['transcript'])} messages>"
        out.write(f"  [action] {json.dumps(shown, ensure_ascii=False)}\n")


def run_offline(args, stdin=sys.stdin, out=sys.stdout):
    """The chat loop against the engine (and the LLM if set); returns the state."""
    understand = getattr(args, "understand", None)
    rephrase = getattr(args, "rephrase", None)
    if understand is None:
        understand, rephrase = llm_from_args(args)
    today = (
        datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
    )
    customer = {
        "name": args.name,
        "lang": args.lang,
        "balance": args.balance,
        "currency": args.currency,
        "verification": args.verification,
    }
    try:
        state = dialogue.start(customer, load_policy(args.policy), today, args.channel)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    interactive = stdin.isatty()
    if interactive:
        out.write("Type a message (Ctrl-D to quit).\n")
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            out.write(f"you> {text}\n")
        turn = dialogue.respond(state, text, today, understand=understand)
        state = turn.state
        reply = rephrase(turn.reply, state["lang"])
        note_fallbacks(understand, rephrase)
        out.write(f"agent> {reply or '(no reply: the customer opted out)'}\n")
        show_actions(turn.actions, out)
        out.flush()
    out.write(json.dumps({"outcome": dialogue.summary(state)}, ensure_ascii=False))
    out.write("\n")
    return state


def run_online(connection, args):  # pragma: no cover - placeholder
    """ONLINE MODE GOES HERE: ``connection`` is an ``odoorpc.ODOO`` logged in.

    Another engineer adds it (--url/--db/--user/--password): it will read the
    customer, balance and policy from Odoo and record the actions there.
    """
    raise NotImplementedError("online mode is not available yet")


def main(argv=None):
    args = parse_args(argv)
    if args.offline:
        run_offline(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
