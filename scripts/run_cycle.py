#!/usr/bin/env python3
"""Run the collections cycle now, over RPC, and say what it did.

    python3 scripts/run_cycle.py                  # refresh, plan, dispatch, settle
    python3 scripts/run_cycle.py --steps plan --json
    python3 scripts/run_cycle.py --wait 60        # let the job runner send first

Each step is the module's scheduled action run at once (``ir.cron``
``method_direct_trigger``, what "Run Manually" does in Settings > Technical),
so it runs exactly the code and user the schedule runs. Dispatch only queues
due rows as queue_job jobs: the job runner sends them; ``--wait`` waits up to
that many seconds for the rows of this cycle to leave ``queued``/``sending``
before settling and counting. When rows are still in flight, the report says
how many of the cycle's send jobs are still pending: jobs that stay pending
mean that no job runner serves the database (Odoo started without
``--load=base,web,queue_job``; see "Production" in README.md).

Printed: the outbox (``collection.message``) by state and channel before and
after, the rows this cycle created or moved, the refusals with their five most
frequent reasons, the failures with their errors, and promises by state.
``--json`` prints the same as one JSON object. Connection options: see
``scripts/odoo_rpc.py`` (``ODOO_PASSWORD``).
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_rpc  # noqa: E402

#: The cycle's steps in the order they run, and their scheduled actions
#: (addons/collections_automation/data/ir_cron_data.xml).
STEPS = {
    "refresh": "collections_automation.ir_cron_collection_refresh",
    "plan": "collections_automation.ir_cron_collection_plan",
    "dispatch": "collections_automation.ir_cron_collection_dispatch",
    "settle": "collections_automation.ir_cron_collection_settle",
}
#: Outbox states a row can still leave (to sent, refused, failed...).
OPEN_STATES = ["review", "planned", "queued", "sending"]
IN_FLIGHT = ["queued", "sending"]
TOP = 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help="comma-separated, run in the cycle's order (default: %(default)s)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="after dispatch, wait up to this long for the job runner to send",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    odoo_rpc.add_connection_arguments(parser)
    args = parser.parse_args(argv)
    wanted = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = sorted(set(wanted) - set(STEPS))
    if unknown or not wanted:
        parser.error(
            f"unknown step(s) {', '.join(unknown) or '(none given)'}: "
            f"choose among {', '.join(STEPS)}"
        )
    args.steps = [step for step in STEPS if step in wanted]
    return args


# ------------------------------------------------------------------ counting


def outbox(odoo):
    """``{state: {channel: count}}`` of every outbox row."""
    counts = {}
    for group in odoo.env["collection.message"].read_group(
        [], ["state"], ["state", "channel"], lazy=False
    ):
        channel = group["channel"] or "none"
        counts.setdefault(group["state"], {})[channel] = group["__count"]
    return counts


def promises(odoo):
    return {
        group["state"]: group["__count"]
        for group in odoo.env["collection.promise"].read_group(
            [], ["state"], ["state"], lazy=False
        )
    }


def snapshot(odoo):
    Message = odoo.env["collection.message"]
    last = Message.search([], order="id desc", limit=1)
    return {
        "messages": outbox(odoo),
        "promises": promises(odoo),
        "max_id": last[0] if last else 0,
        "open_ids": Message.search([("state", "in", OPEN_STATES)]),
    }


def touched_domain(before):
    """Rows this cycle may have created or moved: new ones and the open ones."""
    return [
        "|",
        ("id", ">", before["max_id"]),
        ("id", "in", before["open_ids"]),
    ]


def top(rows, key):
    counted = Counter(key(row) for row in rows)
    return sorted(counted.items(), key=lambda item: (-item[1], str(item[0])))[:TOP]


def outcome(odoo, before):
    """What became of the rows this cycle created or could move."""
    Message = odoo.env["collection.message"]
    scope = touched_domain(before)
    new = Message.search_read(
        [("id", ">", before["max_id"])], ["state", "channel"], order="id"
    )
    refused = Message.search_read(
        [*scope, ("state", "=", "refused")], ["refusal_rule", "refusal_reason"]
    )
    failed = Message.search_read([*scope, ("state", "=", "failed")], ["error"])
    return {
        "new": {
            "total": len(new),
            "by_state": dict(Counter(row["state"] for row in new)),
            "by_channel": dict(Counter(row["channel"] or "none" for row in new)),
        },
        "refused": {
            "count": len(refused),
            "top_reasons": [
                {"rule": rule or None, "reason": reason or None, "count": count}
                for (rule, reason), count in top(
                    refused, lambda r: (r["refusal_rule"], r["refusal_reason"])
                )
            ],
        },
        "failed": {
            "count": len(failed),
            "top_errors": [
                {"error": error or None, "count": count}
                for error, count in top(
                    failed, lambda r: odoo_rpc.first_line(r["error"] or "")
                )
            ],
        },
    }


# ------------------------------------------------------------------- running


def wait_for_sending(odoo, before, seconds, clock=time.monotonic, sleep=time.sleep):
    """Poll until no row of this cycle is queued or sending; returns how many
    still are when the time is up."""
    Message = odoo.env["collection.message"]
    domain = [*touched_domain(before), ("state", "in", IN_FLIGHT)]
    deadline = clock() + seconds
    while True:
        left = Message.search_count(domain)
        if not left or clock() >= deadline:
            return left
        sleep(min(2.0, max(0.1, deadline - clock())))


def last_job_id(odoo):
    """The newest queue_job job, or None when the user cannot read jobs."""
    try:
        last = odoo.env["queue.job"].search([], order="id desc", limit=1)
    except Exception:  # noqa: BLE001 (no access: the report goes without it)
        return None
    return last[0] if last else 0


def waiting_jobs(odoo, since_id):
    """The cycle's send jobs no runner has taken yet (pending)."""
    return odoo.env["queue.job"].search_count(
        [
            ("id", ">", since_id),
            ("model_name", "=", "collection.message"),
            ("state", "=", "pending"),
        ]
    )


def run_cycle(odoo, steps, wait=0.0, progress=None):
    before = snapshot(odoo)
    first_job = last_job_id(odoo) if "dispatch" in steps else None
    done = []
    in_flight = None
    for step in steps:
        if progress:
            progress(f"{step}...")
        started = time.monotonic()
        odoo.env.ref(STEPS[step]).method_direct_trigger()
        done.append(
            {
                "step": step,
                "cron": STEPS[step],
                "seconds": round(time.monotonic() - started, 2),
            }
        )
        if step == "dispatch" and wait > 0:
            in_flight = wait_for_sending(odoo, before, wait)
    after = snapshot(odoo)
    report = {
        "database": odoo.env.db,
        "steps": done,
        "messages": {"before": before["messages"], "after": after["messages"]},
        "promises": {"before": before["promises"], "after": after["promises"]},
    }
    report.update(outcome(odoo, before))
    if in_flight is not None:
        report["still_sending"] = in_flight
        if in_flight and first_job is not None:
            report["jobs_pending"] = waiting_jobs(odoo, first_job)
    return report


# ------------------------------------------------------------------ printing


def print_report(report, out):
    steps = ", ".join(f"{s['step']} {s['seconds']:.2f} s" for s in report["steps"])
    out.write(f"Cycle on {report['database']}: {steps}\n")
    out.write("\nOutbox by state and channel        before    after\n")
    before, after = report["messages"]["before"], report["messages"]["after"]
    keys = sorted(
        {(s, c) for side in (before, after) for s, chans in side.items() for c in chans}
    )
    for state, channel in keys:
        was = before.get(state, {}).get(channel, 0)
        now = after.get(state, {}).get(channel, 0)
        mark = "" if was == now else f"  ({now - was:+d})"
        out.write(f"  {state + ' / ' + channel:<32}{was:>7}{now:>9}{mark}\n")
    if not keys:
        out.write("  (empty)\n")
    new = report["new"]
    out.write(f"\nNew rows: {new['total']}")
    if new["total"]:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(new["by_state"].items()))
        chans = ", ".join(f"{k} {v}" for k, v in sorted(new["by_channel"].items()))
        out.write(f" ({parts}; by channel: {chans})")
    out.write("\n")
    refused = report["refused"]
    out.write(f"Refused this cycle: {refused['count']}\n")
    for row in refused["top_reasons"]:
        rule = f" [{row['rule']}]" if row["rule"] else ""
        reason = "; ".join((row["reason"] or "(no reason)").splitlines())
        out.write(f"  {row['count']:>6}  {reason}{rule}\n")
    failed = report["failed"]
    out.write(f"Failed this cycle: {failed['count']}\n")
    for row in failed["top_errors"]:
        out.write(f"  {row['count']:>6}  {row['error'] or '(no error)'}\n")
    if "still_sending" in report:
        out.write(f"Still queued or sending: {report['still_sending']}\n")
    if report.get("jobs_pending"):
        out.write(
            f"  {report['jobs_pending']} send job(s) still pending: is the job "
            "runner running? (Odoo started with --load=base,web,queue_job)\n"
        )
    out.write("\nPromises by state                  before    after\n")
    was_p, now_p = report["promises"]["before"], report["promises"]["after"]
    for state in sorted(set(was_p) | set(now_p)) or []:
        out.write(f"  {state:<32}{was_p.get(state, 0):>7}{now_p.get(state, 0):>9}\n")
    if not (was_p or now_p):
        out.write("  (none)\n")


def main(argv=None):
    args = parse_args(argv)
    odoo = odoo_rpc.connect(args)
    quiet = args.json or not sys.stderr.isatty()
    report = run_cycle(
        odoo,
        args.steps,
        wait=args.wait,
        progress=None if quiet else lambda text: sys.stderr.write(text + "\n"),
    )
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print_report(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_rpc.run(main))
