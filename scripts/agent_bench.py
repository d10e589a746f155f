#!/usr/bin/env python3
"""Time one turn of the offline collections agent (understanding included).

Replays realistic conversations in Spanish, English and Portuguese, each turn
with the state going through JSON as the Odoo layer stores it, and prints the
p50/p95/max of one ``dialogue.respond`` call (target: p95 <= 10 ms)::

    python3 scripts/agent_bench.py [--turns 5000]
"""

import argparse
import datetime
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engines import load_engine  # noqa: E402

load_engine("collections_ai_agent")
from collections_ai_agent_engine import dialogue  # noqa: E402

TODAY = datetime.date(2026, 3, 2)
POLICY = {
    "max_promise_days": 10,
    "min_promise_pct": 100,
    "max_installments": 6,
    "max_plan_days": 180,
    "min_installment_amount": 100,
    "min_down_payment_pct": 10,
    "max_discount_pct": 10,
}
CONVERSATIONS = [
    ("es", ["Hola", "no puedo hoy", "le pago el 30 de marzo", "ok", "sí", "gracias"]),
    ("es", ["cuánto debo?", "quiero pagar en 12 cuotas", "sí", "no gracias"]),
    ("es", ["me pueden hacer un descuento?", "más", "dale", "sí"]),
    ("en", ["hi", "can I get a discount?", "no, more", "90% off or nothing", "yes"]),
    ("en", ["I'll pay 300 on friday", "ok", "yes please"]),
    ("en", ["I lost my job and can't pay right now"]),
    ("pt", ["oi", "posso pagar em 3 parcelas semanais?", "sim", "sim"]),
    ("pt", ["já paguei ontem", "segue o comprovante"]),
    ("pt", ["quero pagar agora", "obrigado"]),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=5000)
    args = parser.parse_args(argv)
    timings = []
    while len(timings) < args.turns:
        for lang, turns in CONVERSATIONS:
            customer = {
                "name": "Ana",
                "lang": lang,
                "balance": "1250.50",
                "currency": "BRL" if lang == "pt" else "MXN",
            }
            state = dialogue.start(customer, POLICY, TODAY)
            for text in turns:
                state = json.loads(json.dumps(state))
                started = time.perf_counter()
                state = dialogue.respond(state, text, TODAY).state
                timings.append((time.perf_counter() - started) * 1000)
    timings = timings[: args.turns]
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"{len(timings)} turns: p50 {cuts[49]:.3f} ms, p95 {cuts[94]:.3f} ms, "
        f"max {max(timings):.3f} ms (target p95 <= 10 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
