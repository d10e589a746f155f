"""The intent classifier beside the rules: training, the shipped weights, and
when its opinion may replace the rules' intent."""

import datetime
import json
import sys
from pathlib import Path

import pytest
from collections_ai_agent_engine import intent_model, nlu

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import train_intent_model  # noqa: E402

DATA = train_intent_model.DATA
TODAY = datetime.date(2026, 3, 6)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def toy_model():
    """A model sure that "quiero pagar" is pay_now and "caballo" a dispute."""
    examples = [("quiero pagar ya", "pay_now"), ("el caballo azul", "dispute")]
    examples += [("hola", "unknown"), ("stop", "opt_out")]
    return intent_model.train(examples * 5, epochs=10)


def test_training_learns_and_the_json_round_trip_keeps_the_answers():
    model = toy_model()
    assert model.predict("quiero pagar")[0][0] == "pay_now"
    assert model.predict("caballo")[0][0] == "dispute"
    again = intent_model.NgramClassifier.from_json(model.to_json())
    for text in ("quiero pagar", "caballo", "hola", "stop ya"):
        before, after = dict(model.predict(text)), dict(again.predict(text))
        assert max(abs(before[key] - after[key]) for key in before) < 0.02
        assert model.predict(text)[0][0] == again.predict(text)[0][0]


def test_numbers_read_alike():
    assert intent_model.features("pago 500") == intent_model.features("pago 730")
    assert intent_model.features("pago 500") != intent_model.features("pago ya")


def test_the_model_fills_in_where_the_rules_find_nothing():
    model = toy_model()
    assert nlu.understand("el caballo", TODAY, "es", model=None).intent == "unknown"
    assert nlu.understand("el caballo", TODAY, "es", model=model).intent == "dispute"


def test_the_model_never_overrides_an_opt_out_and_must_be_far_likelier_elsewhere(
    monkeypatch,
):
    examples = [("el caballo azul", "dispute"), ("perro verde", "promise_to_pay")]
    model = intent_model.train(examples * 5 + [("stop", "opt_out")] * 5, epochs=10)
    opt_out = "no me escriban mas, caballo"
    assert model.predict(nlu.reading(opt_out)[0])[0][0] == "dispute"
    assert nlu.understand(opt_out, TODAY, "es", model=model).intent == "opt_out"
    promise = "te pago 500 el 15 caballo"
    assert nlu.understand(promise, TODAY, "es", model=None).intent == "promise_to_pay"
    odds = dict(model.predict(nlu.reading(promise)[0]))
    assert max(odds, key=odds.get) == "dispute"
    ratio = odds["dispute"] / odds["promise_to_pay"]
    monkeypatch.setattr(nlu, "MODEL_ODDS_OVER_RULES", ratio * 1.01)
    assert nlu.understand(promise, TODAY, "es", model=model).intent == "promise_to_pay"
    monkeypatch.setattr(nlu, "MODEL_ODDS_OVER_RULES", ratio * 0.99)
    assert nlu.understand(promise, TODAY, "es", model=model).intent == "dispute"
    monkeypatch.setattr(nlu, "MODEL_DECIDES_AT", 1.01)
    assert nlu.understand(promise, TODAY, "es", model=model).intent == "promise_to_pay"


def test_a_day_read_bounds_what_the_model_may_say():
    """A past day is no promise; "pagué el 3" may be this month's 3rd, gone by,
    but a day that can only lie ahead is no payment made."""
    examples = [("caballo azul", "promise_to_pay"), ("perro verde", "already_paid")]
    examples += [("hola", "unknown"), ("stop", "opt_out")]
    model = intent_model.train(examples * 5, epochs=10)
    assert nlu.understand("caballo azul ayer", TODAY, "es", model=model).intent != (
        "promise_to_pay"
    )
    assert nlu.understand("perro verde el 3", TODAY, "es", model=model).intent == (
        "already_paid"
    )
    assert nlu.understand("perro verde mañana", TODAY, "es", model=model).intent != (
        "already_paid"
    )


def test_the_shipped_model_knows_every_intent():
    model = intent_model.shipped_model()
    assert model is not None
    assert set(model.labels) == set(nlu.INTENTS)


def test_trained_on_the_rules_own_sets_it_adds_accuracy_on_messages_it_never_saw():
    """The point of the model: held-out messages the rules miss (holdout3 was
    never used to write the rules; the model here never sees it either)."""
    rows = [
        row
        for name in ("", "_holdout", "_holdout2")
        for row in load(DATA / f"agent_utterances{name}.jsonl")
    ]
    model = intent_model.train(train_intent_model.examples_of(rows))
    unseen = load(DATA / "agent_utterances_holdout3.jsonl")

    def correct(with_model):
        return sum(
            nlu.understand(
                row["text"],
                datetime.date.fromisoformat(row["today"]),
                row.get("hint"),
                model=with_model,
            ).intent
            == row["intent"]
            for row in unseen
        )

    assert correct(model) >= correct(None) + len(unseen) * 0.03


def test_the_manifest_names_every_set_once_and_no_blind_set_is_trained_on():
    sets = train_intent_model.manifest()
    named = {entry["file"] for entry in sets}
    assert named == {path.name for path in DATA.glob("*.jsonl")}
    blind = {path.name for path in train_intent_model.blind_files()}
    assert "agent_utterances_holdout8.jsonl" in blind
    trained = {path.name for path in train_intent_model.training_files()}
    assert trained and not trained & blind
    held = {path.name for path in train_intent_model.files(("held_out", "blind"))}
    assert not trained & held
    # the labelled sets follow LABELLING.md beside them
    assert (DATA / "LABELLING.md").exists()


def test_a_set_missing_from_the_manifest_is_refused(tmp_path, monkeypatch):
    (tmp_path / "manifest.json").write_text(
        json.dumps({"sets": [{"file": "a.jsonl", "kind": "labelled", "role": "x"}]})
    )
    (tmp_path / "a.jsonl").write_text("")
    monkeypatch.setattr(train_intent_model, "DATA", tmp_path)
    monkeypatch.setattr(train_intent_model, "MANIFEST", tmp_path / "manifest.json")
    with pytest.raises(ValueError, match="role"):
        train_intent_model.manifest()
    (tmp_path / "manifest.json").write_text(
        json.dumps({"sets": [{"file": "a.jsonl", "kind": "labelled", "role": "dev"}]})
    )
    (tmp_path / "b.jsonl").write_text("")
    with pytest.raises(ValueError, match="not in"):
        train_intent_model.manifest()


def test_the_shipped_weights_are_those_the_committed_data_give():
    """Retraining on the committed sets reproduces the shipped file exactly."""
    rows = [row for path in train_intent_model.training_files() for row in load(path)]
    model = intent_model.train(train_intent_model.examples_of(rows))
    assert model.to_json() == intent_model.MODEL_FILE.read_text(encoding="utf-8")
    languages = intent_model.train(
        train_intent_model.language_examples_of(rows),
        buckets=intent_model.LANG_BUCKETS,
    )
    shipped = intent_model.LANG_MODEL_FILE.read_text(encoding="utf-8")
    assert languages.to_json() == shipped


def test_the_language_model_settles_what_the_words_do_not():
    assert nlu.reading("Happy new year!")[1] == "en"
    assert nlu.reading("show, bora")[1] == "pt"
    assert nlu.reading("ok", "pt_BR")[1] == "pt"  # a hint still wins
