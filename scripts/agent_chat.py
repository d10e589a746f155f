#!/usr/bin/env python3
"""Chat with the collections agent in a terminal.

Online (the default): talk to the agent of an Odoo database as one of its
customers, over JSON-RPC. The agent reads the customer's invoices and the
negotiation policy there and records what is agreed (promises, plans, disputes,
opt-outs, escalations) as from any channel; nothing is sent to the customer.
Collection managers only. ``--customer`` is an id, or a name, an email or a
phone number to look up (when several customers match, they are listed)::

    python3 scripts/agent_chat.py --customer "Lucía Fernández Ortega"
    ODOO_PASSWORD=... python3 scripts/agent_chat.py --url https://odoo.example.com \
        --db prod --user manager@example.com --customer +34655123987

Connection options (``--url``, ``--db``, ``--user``, ``--password`` or
``ODOO_PASSWORD``): see ``scripts/odoo_rpc.py``. The LLM, if any, is the one
set in Odoo's Settings.

Offline (no Odoo): the dialogue engine with the offline NLU, one customer made up
from the options; type messages, read replies and the actions the agent took::

    python3 scripts/agent_chat.py --offline --balance 1250.50 --currency MXN --lang es
    python3 scripts/agent_chat.py --offline --policy policy.json --channel voice \\
        --verification 4321

``--llm-url`` (an OpenAI-compatible API root, e.g. ``http://127.0.0.1:8000/v1``)
and ``--llm-model`` add the optional LLM for understanding and wording offline;
its key is read from the environment variable named by ``--llm-key-env``
(``COLLECTIONS_LLM_API_KEY``), never from the command line. When it fails, the
offline reading answers and a ``[llm]`` note goes to stderr.

In both modes lines come from stdin, so a file replays a conversation
(``< conversation.txt``), and the last line printed is the outcome as JSON.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_rpc  # noqa: E402

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
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--customer",
        help="online: the customer's id, or a name, email or phone to look up",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="chat with the engine alone, without Odoo",
    )
    odoo_rpc.add_connection_arguments(parser)
    offline = parser.add_argument_group("offline mode (--offline)")
    offline.add_argument("--balance", default="1250.50", help="amount owed")
    offline.add_argument("--currency", default="MXN", help="ISO code, e.g. MXN, BRL")
    offline.add_argument("--lang", default="es", choices=["es", "en", "pt"])
    offline.add_argument("--name", default="Ana Pérez", help="customer's name")
    offline.add_argument("--policy", type=Path, help="JSON file with the policy keys")
    offline.add_argument(
        "--channel", default="whatsapp", choices=list(dialogue.CHANNELS)
    )
    offline.add_argument(
        "--verification",
        action="append",
        default=[],
        help="an accepted identity answer on web/voice (repeatable)",
    )
    offline.add_argument("--today", help="YYYY-MM-DD (default: today)")
    add_llm_options(parser)
    args = parser.parse_args(argv)
    if args.offline:
        args.understand, args.rephrase = llm_from_args(args, parser)
        return args
    if args.llm_url:
        parser.error(
            "--llm-url is for --offline: the online agent uses the LLM set in "
            "Odoo (Settings > Collections)"
        )
    if not (args.customer or "").strip():
        parser.error(
            "the online mode needs --customer (an id, a name, an email or a "
            "phone number); --offline chats without Odoo"
        )
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


def customer_messages(stdin, out):
    """Yield each non-blank line typed (after a ``you>`` prompt) or piped in
    (echoed after ``you>``, so a transcript reads the same)."""
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        line = stdin.readline()
        if not line:
            return
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            out.write(f"you> {text}\n")
        yield text


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
    if stdin.isatty():
        out.write("Type a message (Ctrl-D to quit).\n")
    for text in customer_messages(stdin, out):
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


#: Fields shown when several customers match ``--customer``.
CUSTOMER_FIELDS = ["name", "email", "mobile", "phone", "country_id"]
#: Most customers listed when the lookup is ambiguous.
MAX_LISTED = 20


class CustomerLookupError(Exception):
    """``--customer`` matches no customer, or several (listed in the message)."""


def looks_like_phone(text):
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 6 and all(ch.isdigit() or ch in "+-(). " for ch in text)


def customer_domains(text):
    """``(exact, loose)`` domains for an email, a phone number or a name."""
    if "@" in text:
        return [("email", "=ilike", text)], [("email", "ilike", text)]
    if looks_like_phone(text):
        number = "+" + "".join(ch for ch in text if ch.isdigit())
        exact = [("collection_phone_e164", "=", number)] if text.startswith("+") else []
        return exact, [("phone_mobile_search", "ilike", text)]
    return [("name", "=ilike", text)], [("name", "ilike", text)]


def find_customer(connection, query):
    """The one ``res.partner`` that ``query`` names, as a dict of
    :data:`CUSTOMER_FIELDS` and ``id``.

    Digits are an id first (then a phone number); otherwise exact matches
    (the whole name, email or E.164 number) win over partial ones.

    :raises CustomerLookupError: no match, or several (listed)
    """
    Partner = connection.env["res.partner"]
    text = query.strip()
    if text.isdigit():
        found = Partner.search_read([("id", "=", int(text))], CUSTOMER_FIELDS)
        if found:
            return found[0]
        if not looks_like_phone(text):
            raise CustomerLookupError(f"No customer has the id {text}.")
    matches = []
    for domain in customer_domains(text):
        if domain:
            matches = Partner.search_read(
                domain, CUSTOMER_FIELDS, limit=MAX_LISTED + 1, order="name, id"
            )
        if matches:
            break
    if not matches and text.isdigit():
        raise CustomerLookupError(f"No customer has the id or phone number {text}.")
    if not matches:
        raise CustomerLookupError(f"No customer matches {text!r}.")
    if len(matches) > 1:
        lines = [
            f"{'more than ' if len(matches) > MAX_LISTED else ''}"
            f"{min(len(matches), MAX_LISTED)} customers match {text!r}; "
            "choose one with --customer <id>:"
        ]
        for row in matches[:MAX_LISTED]:
            details = [
                row["email"],
                row["mobile"] or row["phone"],
                row["country_id"] and row["country_id"][1],
            ]
            lines.append(
                f"  {row['id']:>7}  {row['name']}"
                + "".join(f"  {detail}" for detail in details if detail)
            )
        raise CustomerLookupError("\n".join(lines))
    return matches[0]


def run_online(connection, args, stdin=None, out=None, err=None):
    """The chat loop against Odoo: each line is a turn of
    ``collection.conversation.chat_as_customer`` (a web-chat turn recorded in
    the database); returns the exit code.

    :param connection: an ``odoorpc.ODOO``, logged in as a collection manager
    """
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    try:
        customer = find_customer(connection, args.customer)
    except CustomerLookupError as error:
        err.write(f"error: {error}\n")
        return odoo_rpc.EXIT_PROBLEM
    Conversation = connection.env["collection.conversation"]
    if stdin.isatty():
        err.write(
            f"Chatting as {customer['name']} (id {customer['id']}) on "
            f"{connection.env.db}. Type a message (Ctrl-D to quit).\n"
        )
    answer = {}
    for text in customer_messages(stdin, out):
        answer = Conversation.chat_as_customer(customer["id"], text)
        if answer.get("error"):
            out.flush()
            err.write(f"error: {answer['error']}\n")
            return odoo_rpc.EXIT_PROBLEM
        reply = answer.get("reply") or "(no reply: the customer opted out)"
        out.write(f"agent> {reply}\n")
        if answer.get("link"):
            out.write(f"  [link] {answer['link']}\n")
        show_actions(answer.get("actions") or [], out)
        out.flush()
    outcome = {key: answer.get(key) for key in ("outcome", "state", "conversation_id")}
    out.write(
        json.dumps({"customer_id": customer["id"], **outcome}, ensure_ascii=False)
    )
    out.write("\n")
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.offline:
        run_offline(args)
        return 0
    return run_online(odoo_rpc.connect(args), args)


if __name__ == "__main__":
    sys.exit(odoo_rpc.run(main))
