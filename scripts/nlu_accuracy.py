#!/usr/bin/env python3
"""Accuracy and speed of the agent's language understanding on labelled messages.

No Odoo: the engine loads through ``engines.load_engine``. Each line of a
labelled file is ``{"text", "today", "lang", "intent", "amount", "date",
"installments"}`` (plus an optional ``"hint"``, the language the channel
would pass, and ``"source"``, chat or phone). Prints recall and precision per
intent, exact-match accuracy per entity (null included), overall accuracy and
latency per call, and the same figures per language and source (``--by``);
``--errors`` lists every mistake. Exits 1 when an intent's recall or
precision, or an entity's accuracy, on the first file falls below ``--min``.

    python3 scripts/nlu_accuracy.py            # the labelled sets of the manifest
    python3 scripts/nlu_accuracy.py --role dev --role trained
    python3 scripts/nlu_accuracy.py --errors training/agent_nlu/agent_utterances.jsonl

The sets and their roles are those of ``training/agent_nlu/manifest.json``;
a blind set is measured once, by name, when its writers are done.
"""

import argparse
import datetime
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import nlu  # noqa: E402
from train_intent_model import ROLES, files  # noqa: E402

ENTITIES = ("amount", "date", "installments", "lang")


def load_rows(path):
    """Labelled rows of a JSON-lines file (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def new_messages_right(path, rows, predictions):
    """Intents right among the messages found in no other labelled or training
    file (blind sets, measured once, are not read for this): everyday messages
    ("ok", "STOP") recur across sets, the rest were new."""
    elsewhere = {
        row["text"].lower().strip()
        for other in files(("trained", "dev", "held_out"))
        if other.resolve() != path.resolve()
        for row in load_rows(other)
    }
    return [
        row["intent"] == pred["intent"]
        for row, pred in zip(rows, predictions, strict=True)
        if row["text"].lower().strip() not in elsewhere
    ]


def evaluate(rows):
    """Run every row once; return the predictions and the latencies in ms."""
    predictions, latencies = [], []
    for row in rows:
        today = datetime.date.fromisoformat(row["today"])
        start = time.perf_counter()
        result = nlu.understand(row["text"], today, row.get("hint"))
        latencies.append((time.perf_counter() - start) * 1000)
        predictions.append(result.as_dict())
    return predictions, latencies


def same(field, expected, got):
    """Exact match, amounts compared as numbers."""
    if field == "amount" and expected is not None and got is not None:
        return abs(float(expected) - float(got)) < 0.005
    return expected == got


def report(path, rows, predictions, latencies, show_errors):
    """Print the figures of one file; return {metric name: value} to check."""
    print(f"\n== {path} ({len(rows)} messages)")
    expected = Counter(row["intent"] for row in rows)
    predicted = Counter(pred["intent"] for pred in predictions)
    correct = Counter(
        row["intent"]
        for row, pred in zip(rows, predictions, strict=True)
        if row["intent"] == pred["intent"]
    )
    metrics = {}
    print(f"{'intent':22} {'n':>4} {'recall':>7} {'precision':>9}")
    for intent in nlu.INTENTS:
        if not expected[intent] and not predicted[intent]:
            continue
        recall = correct[intent] / expected[intent] if expected[intent] else 0.0
        precision = correct[intent] / predicted[intent] if predicted[intent] else 0.0
        metrics[f"recall {intent}"] = recall
        metrics[f"precision {intent}"] = precision
        print(f"{intent:22} {expected[intent]:4} {recall:7.1%} {precision:9.1%}")
    print(f"{'entity':22} {'accuracy':>12}")
    for field in ENTITIES:
        hits = sum(
            same(field, row.get(field), pred[field])
            for row, pred in zip(rows, predictions, strict=True)
        )
        metrics[field] = hits / len(rows)
        print(f"{field:22} {metrics[field]:12.1%}")
    fields = ("intent", *ENTITIES)
    whole = sum(
        all(same(field, row.get(field), pred[field]) for field in fields)
        for row, pred in zip(rows, predictions, strict=True)
    )
    print(f"{'intent accuracy':22} {sum(correct.values()) / len(rows):12.1%}")
    print(f"{'all fields right':22} {whole / len(rows):12.1%}")
    new = new_messages_right(path, rows, predictions)
    if new:
        print(
            f"{'intents, new messages':22} {sum(new) / len(new):12.1%} "
            f"({len(new)} found in no other file)"
        )
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    print(
        f"latency per call: p50 {statistics.median(ordered):.2f} ms, "
        f"p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"
    )
    if show_errors:
        for row, pred in zip(rows, predictions, strict=True):
            wrong = [f for f in fields if not same(f, row.get(f), pred[f])]
            if wrong:
                detail = ", ".join(f"{f}: {row.get(f)!r} -> {pred[f]!r}" for f in wrong)
                print(f"  ERR [{row['today']}] {row['text']!r}: {detail}")
    return metrics


def by_group(rows, predictions, keys):
    """Intents and entities right per language and source, as one table."""
    groups = {}
    for row, pred in zip(rows, predictions, strict=True):
        key = tuple(
            row.get("source", "chat") if k == "source" else row.get(k) for k in keys
        )
        groups.setdefault(key, []).append((row, pred))
    print(
        f"{'/'.join(keys):14} {'n':>4} {'intents':>8} {'amount':>8} {'date':>8} "
        f"{'installm.':>9} {'all three':>9}"
    )
    for key in sorted(groups, key=str):
        pairs = groups[key]

        def share(test, pairs=pairs):
            return sum(test(row, pred) for row, pred in pairs) / len(pairs)

        figures = [
            share(lambda row, pred: row["intent"] == pred["intent"]),
            *(
                share(lambda row, pred, f=f: same(f, row.get(f), pred[f]))
                for f in ("amount", "date", "installments")
            ),
            share(
                lambda row, pred: all(
                    same(f, row.get(f), pred[f])
                    for f in ("amount", "date", "installments")
                )
            ),
        ]
        cells = " ".join(f"{value:8.1%}" for value in figures[:3])
        print(
            f"{'/'.join(map(str, key)):14} {len(pairs):4} {cells} "
            f"{figures[3]:9.1%} {figures[4]:9.1%}"
        )


def main(argv=None):
    """Evaluate the files; exit 1 if the first one misses ``--min``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="labelled JSONL files")
    parser.add_argument("--errors", action="store_true", help="list every mistake")
    parser.add_argument(
        "--role",
        action="append",
        choices=ROLES,
        help="without files: the manifest's labelled sets of this role "
        "(default: trained, dev and held_out; a blind set is named explicitly)",
    )
    parser.add_argument(
        "--by",
        action="append",
        choices=("lang", "source"),
        default=None,
        help="also the figures per language and/or source (chat, phone)",
    )
    parser.add_argument(
        "--min",
        type=float,
        default=0.97,
        help="lowest recall/precision/entity accuracy accepted on the first file",
    )
    args = parser.parse_args(argv)
    paths = args.files or files(
        args.role or ("trained", "dev", "held_out"), kind="labelled"
    )
    nlu.understand("warm up", datetime.date(2026, 1, 1))
    failing = []
    for index, path in enumerate(paths):
        rows = load_rows(path)
        predictions, latencies = evaluate(rows)
        metrics = report(path, rows, predictions, latencies, args.errors)
        if args.by:
            by_group(rows, predictions, args.by)
        if index == 0:
            failing = [name for name, value in metrics.items() if value < args.min]
    if failing:
        print(f"\nBelow {args.min:.0%} on {paths[0].name}: {', '.join(failing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
