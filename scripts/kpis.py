#!/usr/bin/env python3
"""Print the collection KPIs of a running Odoo, as a table or JSON.

    python3 scripts/kpis.py                         # this month, overall
    python3 scripts/kpis.py --month 2026-03 --months 3 --by channel
    python3 scripts/kpis.py --compute --json        # recompute first

The figures are the contact center's KPI lines (``collection.kpi.line``), the
ones the dashboard shows: a scheduled action computes them every night and
``--compute`` does it now (collection managers only). Rates are in %, DSO
figures in days, amounts in the company currency; ``n`` is what a rate is
counted over. Connection options: see ``scripts/odoo_rpc.py``
(``ODOO_PASSWORD``).
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_rpc  # noqa: E402

#: --by -> the line's dimension and the field naming its group.
DIMENSIONS = {
    "overall": None,
    "channel": "channel",
    "journey": "journey_id",
    "variant": "variant_id",
    "segment": "segment_id",
    "team": "team_id",
    "collector": "user_id",
    "bucket": "bucket_id",
    "reason": "escalation_reason",
}
FIELDS = [
    "date_from",
    "kpi",
    "dimension",
    "value",
    "unit",
    "sample_size",
    "p_value",
    "is_winner",
    "company_id",
    "step_id",
    *(field for field in DIMENSIONS.values() if field),
]


def month_arg(text):
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a month (YYYY-MM)"
        ) from error


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--month",
        type=month_arg,
        default=datetime.date.today().replace(day=1),
        help="the last month shown, YYYY-MM (default: this month)",
    )
    parser.add_argument(
        "--months", type=int, default=1, help="how many months up to --month"
    )
    parser.add_argument(
        "--by",
        choices=list(DIMENSIONS),
        default="overall",
        help="one line per channel, journey... (default: %(default)s)",
    )
    parser.add_argument("--kpi", action="append", help="only this KPI (repeatable)")
    parser.add_argument(
        "--compute", action="store_true", help="recompute those months first"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    odoo_rpc.add_connection_arguments(parser)
    args = parser.parse_args(argv)
    if args.months < 1:
        parser.error("--months must be 1 or more")
    return args


def first_month(last, months):
    year, month = divmod(last.year * 12 + last.month - 1 - (months - 1), 12)
    return datetime.date(year, month + 1, 1)


def label(value):
    """A many2one ``[id, name]`` or a selection as read over RPC."""
    if isinstance(value, list):
        return value[1]
    return value or None


def read_kpis(odoo, args):
    Line = odoo.env["collection.kpi.line"]
    if args.compute:
        Line.compute_kpis(args.month.isoformat(), args.months)
    domain = [
        ("date_from", ">=", first_month(args.month, args.months).isoformat()),
        ("date_from", "<=", args.month.isoformat()),
        ("dimension", "=", args.by),
    ]
    if args.kpi:
        domain.append(("kpi", "in", args.kpi))
    names = dict(Line.fields_get(["kpi"], ["selection"])["kpi"]["selection"])
    group_field = DIMENSIONS[args.by]
    rows = []
    for line in Line.search_read(domain, FIELDS, order="date_from, kpi, id"):
        row = {
            "month": line["date_from"][:7],
            "kpi": line["kpi"],
            "name": names.get(line["kpi"], line["kpi"]),
            "group": label(line[group_field]) if group_field else None,
            "value": line["value"],
            "unit": line["unit"],
            "n": line["sample_size"],
            "company": label(line["company_id"]),
        }
        if line["kpi"] in ("reply_rate", "variant_promise_rate", "payment_rate"):
            row.update(
                step=label(line["step_id"]),
                p_value=line["p_value"],
                winner=line["is_winner"],
            )
        rows.append(row)
    return rows


def formatted(row):
    if row["unit"] == "rate":
        return f"{row['value']:.1f} %"
    if row["unit"] == "days":
        return f"{row['value']:.1f} days"
    return f"{row['value']:,.2f}"


def print_table(rows, args, out):
    if not rows:
        out.write(
            f"No KPIs for {args.by} up to {args.month:%Y-%m}: run with --compute, "
            "or wait for the nightly computation.\n"
        )
        return
    show_group = args.by != "overall"
    headers = ["Month", "KPI", *(["Group"] if show_group else []), "Value", "n"]
    table = [
        [
            row["month"],
            row["name"] + ("  (winner)" if row.get("winner") else ""),
            *([str(row["group"] or "(none)")] if show_group else []),
            formatted(row),
            str(row["n"] or ""),
        ]
        for row in rows
    ]
    widths = [
        max(len(str(c)) for c in column) for column in zip(headers, *table, strict=True)
    ]
    numeric = {len(headers) - 2, len(headers) - 1}
    for cells in [headers, *table]:
        out.write(
            "  ".join(
                cell.rjust(width) if index in numeric else cell.ljust(width)
                for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
            + "\n"
        )


def main(argv=None):
    args = parse_args(argv)
    odoo = odoo_rpc.connect(args)
    rows = read_kpis(odoo, args)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(rows, args, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_rpc.run(main))
