#!/usr/bin/env python3
"""Export the collection cases of a running Odoo to CSV.

    python3 scripts/export_cases.py > cases.csv          # open cases
    python3 scripts/export_cases.py --all --output cases.csv
    python3 scripts/export_cases.py --team "Disputes" --stage dispute

One row per case, read in pages of ``--page`` records so a large portfolio
does not need one huge answer: customer, stage, collector, team, priority,
amounts, worst bucket, escalation and dispute reasons, next action, SLA and
dates. Record rules apply: a collector exports their teams' cases, a manager
their companies'. Connection options: see ``scripts/odoo_rpc.py``
(``ODOO_PASSWORD``).
"""

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_rpc  # noqa: E402

#: CSV column -> field of ``collection.case``.
COLUMNS = {
    "case_id": "id",
    "case": "name",
    "customer": "partner_id",
    "stage": "stage_id",
    "stage_code": "stage_code",
    "collector": "user_id",
    "team": "team_id",
    "priority": "priority",
    "amount_overdue": "amount_overdue",
    "amount_due": "amount_due",
    "currency": "currency_id",
    "worst_bucket": "worst_bucket_id",
    "score": "score",
    "segment": "segment_id",
    "escalation_reason": "escalation_reason",
    "dispute_reason": "dispute_reason",
    "promise_due": "promise_due",
    "next_action_date": "next_action_date",
    "sla_deadline": "sla_deadline",
    "sla_overdue": "sla_overdue",
    "opened": "create_date",
    "closed": "closed_date",
    "close_reason": "close_reason",
    "company": "company_id",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--all", action="store_true", help="closed cases too (default: open ones)"
    )
    parser.add_argument("--stage", help="only this stage code (e.g. dispute)")
    parser.add_argument("--team", help="only this team (name)")
    parser.add_argument("--collector", help="only this collector (login)")
    parser.add_argument(
        "--output", type=Path, help="write to this file (default: standard output)"
    )
    parser.add_argument(
        "--page", type=int, default=500, help="records per request (default: 500)"
    )
    odoo_rpc.add_connection_arguments(parser)
    args = parser.parse_args(argv)
    if args.page < 1:
        parser.error("--page must be 1 or more")
    return args


def domain_of(args):
    domain = [] if args.all else [("is_closed", "=", False)]
    if args.stage:
        domain.append(("stage_code", "=", args.stage))
    if args.team:
        domain.append(("team_id.name", "=", args.team))
    if args.collector:
        domain.append(("user_id.login", "=", args.collector))
    return domain


def cell(value):
    """A value as read over RPC, as CSV text: many2one names, no ``False``."""
    if isinstance(value, list):
        return value[1] if len(value) > 1 else value[0]
    if value is False or value is None:
        return ""
    return value


def case_rows(odoo, domain, page):
    """Yield the cases as ``{column: text}``, a page at a time, by id."""
    Case = odoo.env["collection.case"]
    last_id = 0
    while True:
        records = Case.search_read(
            [*domain, ("id", ">", last_id)],
            list(COLUMNS.values()),
            order="id",
            limit=page,
        )
        for record in records:
            yield {column: cell(record[field]) for column, field in COLUMNS.items()}
        if len(records) < page:
            return
        last_id = records[-1]["id"]


def write_csv(rows, out):
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def main(argv=None):
    args = parse_args(argv)
    odoo = odoo_rpc.connect(args)
    rows = case_rows(odoo, domain_of(args), args.page)
    if args.output:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = write_csv(rows, out)
        sys.stderr.write(f"{count} cases written to {args.output}\n")
    else:
        write_csv(rows, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_rpc.run(main))
