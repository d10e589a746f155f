"""The agent's language understanding, without Odoo: accuracy on the labelled set,
each amount/date/installment form, language detection and the stdin script."""

import datetime
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from collections_ai_agent_engine import nlu

ROOT = Path(__file__).resolve().parent.parent
MAIN_SET = ROOT / "tests" / "data" / "agent_utterances.jsonl"
HOLDOUT_SET = ROOT / "tests" / "data" / "agent_utterances_holdout.jsonl"
MIN_ACCURACY = 0.97

FRIDAY = datetime.date(2026, 3, 6)
MONDAY = datetime.date(2026, 1, 12)
LATE_MONTH = datetime.date(2026, 4, 29)
LEAP = datetime.date(2028, 2, 28)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def understand(row):
    today = datetime.date.fromisoformat(row["today"])
    return nlu.understand(row["text"], today, row.get("hint")).as_dict()


@pytest.fixture(scope="module")
def main_results():
    rows = load(MAIN_SET)
    return rows, [understand(row) for row in rows]


def test_labelled_sets_are_big_and_cover_every_intent_in_every_language():
    rows, holdout = load(MAIN_SET), load(HOLDOUT_SET)
    assert len(rows) >= 450 and len(holdout) >= 120
    per_intent = Counter(row["intent"] for row in rows)
    assert set(per_intent) == set(nlu.INTENTS)
    assert min(per_intent.values()) >= 25
    pairs = {(row["intent"], row["lang"]) for row in rows}
    assert {(i, lang) for i in nlu.INTENTS for lang in ("es", "en", "pt")} <= pairs
    texts = [row["text"] for row in rows]
    assert not set(texts) & {row["text"] for row in holdout}


@pytest.mark.parametrize("intent", nlu.INTENTS)
def test_intent_recall_and_precision_on_the_labelled_set(main_results, intent):
    rows, predictions = main_results
    expected = [row["intent"] == intent for row in rows]
    got = [pred["intent"] == intent for pred in predictions]
    hits = sum(e and g for e, g in zip(expected, got, strict=True))
    assert hits / sum(expected) >= MIN_ACCURACY, f"recall of {intent}"
    assert hits / max(1, sum(got)) >= MIN_ACCURACY, f"precision of {intent}"


@pytest.mark.parametrize("field", ["amount", "date", "installments", "lang"])
def test_entity_accuracy_on_the_labelled_set(main_results, field):
    rows, predictions = main_results
    right = sum(
        row[field] == pred[field] for row, pred in zip(rows, predictions, strict=True)
    )
    assert right / len(rows) >= MIN_ACCURACY


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("te pago $3.250 el viernes", Decimal("3250")),
        ("deposito 2.850,50 mañana", Decimal("2850.50")),
        ("faço o pix de R$ 1.200,00 amanhã", Decimal("1200")),
        ("I'll pay $1,500 tomorrow", Decimal("1500")),
        ("te pago dos mil el viernes", Decimal("2000")),
        ("mañana te doy quinientos", Decimal("500")),
        ("pago mil quinientos a fin de mes", Decimal("1500")),
        ("el viernes le pago 20 lucas", Decimal("20000")),
        ("en una semana deposito 10 mil", Decimal("10000")),
        ("pago 500 el 15", Decimal("500")),
    ],
)
def test_amount_forms(text, amount):
    assert nlu.understand(text, FRIDAY).amount == amount


@pytest.mark.parametrize(
    "text",
    ["te pago el 15", "quiero pagar en 3 cuotas", "en 2 semanas pago", "tengo 2 hijos"],
)
def test_days_counts_and_durations_are_not_money(text):
    assert nlu.understand(text, FRIDAY).amount is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("te pago el viernes", FRIDAY, datetime.date(2026, 3, 13)),
        ("te pago el viernes", MONDAY, datetime.date(2026, 1, 16)),
        ("mañana te pago", FRIDAY, datetime.date(2026, 3, 7)),
        ("I'll pay tomorrow", LEAP, datetime.date(2028, 2, 29)),
        ("amanhã eu pago", FRIDAY, datetime.date(2026, 3, 7)),
        ("pasado mañana pago", FRIDAY, datetime.date(2026, 3, 8)),
        ("a fin de mes", FRIDAY, datetime.date(2026, 3, 31)),
        ("at the end of the month", LEAP, datetime.date(2028, 2, 29)),
        ("pago no fim do mês", LATE_MONTH, datetime.date(2026, 4, 30)),
        ("el 5 de abril", FRIDAY, datetime.date(2026, 4, 5)),
        ("el 5 de abril", LATE_MONTH, datetime.date(2027, 4, 5)),
        ("pago el 15", FRIDAY, datetime.date(2026, 3, 15)),
        ("pago el 15", LATE_MONTH, datetime.date(2026, 5, 15)),
        ("I'll pay next Monday", MONDAY, datetime.date(2026, 1, 19)),
        ("vou pagar no dia 20", FRIDAY, datetime.date(2026, 3, 20)),
        ("em duas semanas", FRIDAY, datetime.date(2026, 3, 20)),
        ("in two weeks", FRIDAY, datetime.date(2026, 3, 20)),
        ("en 2 semanas", FRIDAY, datetime.date(2026, 3, 20)),
        ("dentro de 10 días", FRIDAY, datetime.date(2026, 3, 16)),
        ("la próxima semana", FRIDAY, datetime.date(2026, 3, 9)),
        ("el lunes que viene", FRIDAY, datetime.date(2026, 3, 9)),
        ("pago el 15/12", FRIDAY, datetime.date(2026, 12, 15)),
        ("pago el 15/12/2026", FRIDAY, datetime.date(2026, 12, 15)),
        ("I can pay 12/15", FRIDAY, datetime.date(2026, 12, 15)),
        ("hoy pago", FRIDAY, FRIDAY),
        ("paying today", FRIDAY, FRIDAY),
        ("hoje eu pago", FRIDAY, FRIDAY),
        ("en la quincena", FRIDAY, datetime.date(2026, 3, 15)),
        ("en la quincena", datetime.date(2026, 3, 20), datetime.date(2026, 3, 31)),
    ],
)
def test_date_forms(text, today, expected):
    assert nlu.understand(text, today).date == expected


def test_a_payment_already_made_is_dated_in_the_past():
    result = nlu.understand("ya pagué el lunes", FRIDAY)
    assert (result.intent, result.date) == ("already_paid", datetime.date(2026, 3, 2))


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("quiero pagar en 3 cuotas", 3),
        ("parcelar em 6x", 6),
        ("can I pay in four payments?", 4),
        ("em 6 parcelas", 6),
        ("tres pagos", 3),
        ("6 monthly installments", 6),
    ],
)
def test_installment_forms(text, count):
    result = nlu.understand(text, FRIDAY)
    assert (result.intent, result.installments) == ("request_installments", count)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("no puedo pagar hasta el viernes", "promise_to_pay"),
        ("no es mi deuda", "dispute"),
        ("no soy Juan", "wrong_person"),
        ("ya pagué", "already_paid"),
        ("me quedé sin trabajo", "hardship"),
        ("pásame con un asesor", "request_human"),
        ("BAJA", "opt_out"),
        ("cuánto debo", "balance_inquiry"),
        ("mándame el link", "pay_now"),
        ("¿me das hasta el 30?", "request_extension"),
        ("claro que no", "deny"),
        ("no sé", "unknown"),
    ],
)
def test_hard_cases(text, intent):
    assert nlu.understand(text, FRIDAY).intent == intent


@pytest.mark.parametrize(
    ("text", "frustrated"),
    [
        ("YA BASTA, DEJEN DE LLAMAR A CADA RATO", True),
        ("stop harassing me", True),
        ("que saco, de novo essa cobrança", True),
        ("son unos ladrones", True),
        ("STOP", False),
        ("mañana te pago, gracias", False),
    ],
)
def test_frustration(text, frustrated):
    assert nlu.understand(text, FRIDAY).frustrated is frustrated


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ya pagué", "es"),
        ("já paguei", "pt"),
        ("I already paid", "en"),
        ("cuánto debo", "es"),
        ("quanto devo?", "pt"),
        ("how much?", "en"),
        ("mñn te pago xq hoy no puedo", "es"),
        ("vc me manda o boleto?", "pt"),
        ("pls send link", "en"),
    ],
)
def test_language_of_short_messages_without_hint(text, lang):
    assert nlu.understand(text, FRIDAY).lang == lang


@pytest.mark.parametrize(
    ("text", "hint", "lang"),
    [
        ("ok", "pt_BR", "pt"),
        ("ok", "es_MX", "es"),
        ("ok", "en", "en"),
        ("3", "pt", "pt"),
        ("stop", "es", "es"),
        ("si", None, "es"),
        ("I already paid last week, check it", "es_CO", "en"),
        ("já paguei ontem, confere aí", "es", "pt"),
    ],
)
def test_language_hint_decides_only_ambiguous_messages(text, hint, lang):
    assert nlu.understand(text, FRIDAY, hint).lang == lang


def test_as_dict_is_json_ready():
    result = nlu.understand("pago 2.850,50 el 15", FRIDAY)
    assert json.loads(json.dumps(result.as_dict())) == {
        "intent": "promise_to_pay",
        "amount": 2850.5,
        "date": "2026-03-15",
        "installments": None,
        "lang": "es",
    }
    assert result.intent in nlu.INTENTS


def test_empty_and_odd_input_is_unknown():
    for text in ("", "   ", "🙂", "...", None):
        assert nlu.understand(text, FRIDAY).intent == "unknown"


def test_stdin_script_answers_each_line_and_survives_bad_ones():
    lines = [
        json.dumps({"text": "pago 500 el 15", "today": "2026-03-06"}),
        "this is not json",
        json.dumps({"text": "ok", "today": "2026-03-06", "lang": "pt_BR"}),
        json.dumps({"text": "hola", "today": "yesterday"}),
        json.dumps({"text": "quiero pagar en 3 cuotas", "today": "2026-03-06"}),
    ]
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "agent_nlu.py")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0] == {
        "intent": "promise_to_pay",
        "amount": 500.0,
        "date": "2026-03-15",
        "installments": None,
        "lang": "es",
    }
    assert "error" in answers[1] and "error" in answers[3]
    assert (answers[2]["intent"], answers[2]["lang"]) == ("affirm", "pt")
    assert answers[4]["installments"] == 3


def test_stdin_script_help():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "agent_nlu.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and '"today"' in done.stdout
