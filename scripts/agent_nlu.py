#!/usr/bin/env python3
"""Understand customer messages from standard input, one JSON line each, offline.

Input lines:  {"text": "pago 500 el 15", "today": "2026-03-06", "lang": "es_MX"}
("lang" is optional: a hint for short, ambiguous replies such as "ok").
Output lines: {"intent", "amount", "date", "installments", "lang"}, in order.
A malformed line gets {"error": "..."} on its output line and the rest go on;
the exit code is 0 unless standard input itself fails. No Odoo is needed.

    echo '{"text": "mañana te pago", "today": "2026-03-06"}' | scripts/agent_nlu.py
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import nlu  # noqa: E402


def answer(line):
    """The output object for one input line (an error object if malformed)."""
    if not line.strip():
        return {"error": "empty line"}
    try:
        message = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"not JSON: {error}"}
    if not isinstance(message, dict):
        return {"error": "expected a JSON object"}
    text, today = message.get("text"), message.get("today")
    if not isinstance(text, str):
        return {"error": '"text" must be a string'}
    try:
        today = datetime.date.fromisoformat(today)
    except (TypeError, ValueError):
        return {"error": '"today" must be a date YYYY-MM-DD'}
    lang = message.get("lang")
    if lang is not None and not isinstance(lang, str):
        return {"error": '"lang" must be a string such as "es" or "pt_BR"'}
    return nlu.understand(text, today, lang).as_dict()


def main(argv=None):
    """Read standard input to the end, write one answer per line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    try:
        for line in sys.stdin:
            print(json.dumps(answer(line), ensure_ascii=False), flush=True)
    except (OSError, UnicodeDecodeError) as error:
        print(f"agent_nlu: cannot read standard input: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
