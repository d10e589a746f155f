#!/usr/bin/env python3
"""Train the agent's intent classifier and write the weights the addon ships.

No Odoo, no download, no third-party library: the sets that
``training/agent_nlu/manifest.json`` names with the role ``trained`` or
``dev`` (labelled sets ``agent_utterances*.jsonl`` and training sets
``agent_training*.jsonl``, intent only), in the manifest's order, are read as
``nlu`` reads them and fed to ``intent_model.train``. The result goes to
``addons/collections_ai_agent/engine/intent_model.json`` (and the language
model beside it). Held-out and blind sets are never read here.

Train on the manifest's training sets and write the weights::

    python3 scripts/train_intent_model.py

Train without a set, print the model's and the agent's accuracy on it, write
nothing::

    python3 scripts/train_intent_model.py \
        --hold-out training/agent_nlu/agent_utterances_holdout3.jsonl
"""

import argparse
import datetime
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import intent_model, nlu  # noqa: E402

DATA = ROOT / "training" / "agent_nlu"
MANIFEST = DATA / "manifest.json"
ROLES = ("trained", "dev", "held_out", "blind")
TRAINED_ROLES = ("trained", "dev")


def manifest():
    """The sets the manifest names, in its order, each checked.

    [{"file", "kind", "role", "source", "note", "path"}]; a set missing, named
    twice or with an unknown role or kind is an error, as is a set of the
    folder the manifest does not name.
    """
    sets = json.loads(MANIFEST.read_text(encoding="utf-8"))["sets"]
    seen = set()
    for entry in sets:
        name = entry["file"]
        if name in seen:
            raise ValueError(f"{name} is named twice in {MANIFEST}")
        seen.add(name)
        if entry.get("role") not in ROLES:
            raise ValueError(f"{name}: role must be one of {ROLES}")
        if entry.get("kind") not in ("labelled", "training"):
            raise ValueError(f"{name}: kind must be labelled or training")
        entry["path"] = DATA / name
        if not entry["path"].exists():
            raise ValueError(f"{name} is in {MANIFEST} but not in {DATA}")
    unnamed = {path.name for path in DATA.glob("*.jsonl")} - seen
    if unnamed:
        raise ValueError(f"{sorted(unnamed)} in {DATA} are not in {MANIFEST}")
    return sets


def files(roles=ROLES, kind=None, source=None):
    """Paths of the manifest's sets with one of ``roles`` (and kind, source)."""
    return [
        entry["path"]
        for entry in manifest()
        if entry["role"] in roles
        and kind in (None, entry["kind"])
        and source in (None, entry.get("source", "chat"))
    ]


def training_files():
    """The sets the models are trained on, in the manifest's order."""
    return files(TRAINED_ROLES)


def blind_files():
    """The sets measured once and never trained on."""
    return files(("blind",))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def examples_of(rows):
    """(text as nlu reads it, intent) of each labelled row.

    Read in the row's own language, so that the intent model does not depend
    on the language model trained beside it.
    """
    return [(nlu.reading(row["text"], row["lang"])[0], row["intent"]) for row in rows]


def language_examples_of(rows):
    """(text normalised and spelled right, language) of each labelled row."""
    return [(nlu.spelled(row["text"]), row["lang"]) for row in rows]


def accuracy(rows, model):
    """Share of rows whose intent the model alone, and the agent, get right."""
    alone = agent = 0
    for row in rows:
        work = nlu.reading(row["text"], row.get("hint"))[0]
        alone += model.predict(work)[0][0] == row["intent"]
        today = datetime.date.fromisoformat(row["today"])
        agent += (
            nlu.understand(row["text"], today, row.get("hint"), model=model).intent
            == (row["intent"])
        )
    return alone / len(rows), agent / len(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--hold-out",
        type=Path,
        action="append",
        default=[],
        help="leave this set out and report accuracy on it",
    )
    args = parser.parse_args(argv)
    held = {path.resolve() for path in args.hold_out}
    rows = [
        row
        for path in training_files()
        if path.resolve() not in held
        for row in load(path)
    ]
    print(
        f"training on {len(rows)} messages: {dict(Counter(r['intent'] for r in rows))}"
    )
    model = intent_model.train(examples_of(rows))
    for path in args.hold_out:
        alone, agent = accuracy(load(path), model)
        print(
            f"{path.name}: model alone {alone:.1%}, agent (rules + model) {agent:.1%}"
        )
    if args.hold_out:
        return 0
    languages = intent_model.train(
        language_examples_of(rows), buckets=intent_model.LANG_BUCKETS
    )
    for path, trained in (
        (intent_model.MODEL_FILE, model),
        (intent_model.LANG_MODEL_FILE, languages),
    ):
        data = trained.to_json()
        path.write_text(data, encoding="utf-8")
        print(f"wrote {path} ({len(data) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
