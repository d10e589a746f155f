#!/usr/bin/env python3
"""Time the suite's day against OCA account_credit_control's run, on one database.

    python3 scripts/versus_credit_control.py --oca-addons /tmp/oca \\
        --invoices 50000 --customers 12500

The community's dunning addon, OCA ``account_credit_control`` (18.0), is what a
company would install instead of this suite. This script measures both on the
same portfolio and prints one JSON line:

``oca_s``, ``credit_lines``
    a credit control run for today (``credit.control.run.generate_credit_lines``,
    what its "Compute credit lines" button does) under a policy of three email
    levels at 3, 10 and 30 days after the due date (``net_days``), the days of
    the reminders of the suite's standard journey, and the credit lines it
    created. Its first run gives every receivable line at least 3 days overdue
    the first level: a later level needs a line of the level before it;
``refresh_s``, ``plan_s``, ``planned``, ``escalate_s``, ``cases_opened``,
``cases_routed``
    the suite's full refresh of today (``collection.debtor._refresh(today,
    full=True)``), then its first planning of today at 04:00 UTC
    (``collection.message._plan``): the outbox rows it wrote (rendered, ready
    to send), the part of it spent opening and routing the escalations' cases
    (``collection.case._escalate_many``) and the cases opened and given a
    collector, as in ``scripts/benchmark.py``;
``ratio``
    ``oca_s / (refresh_s + plan_s)``: how many times faster the suite is;
``oca_rss_mb``, ``suite_rss_mb``, ``peak_rss_mb``
    peak resident memory of this process during each side, and overall
    (registry included; the portfolio is built in a child process).

The two do not do the same work: OCA's run writes draft credit lines and
nothing else (choosing, rendering and sending the emails are later manual
steps), while the suite's planning renders every email and text it plans,
applies the contact policy and opens the collectors' cases with their
activities. Each side runs in its own transaction, timed commit included, OCA
first; neither reads what the other writes.

The database (``--database``) is a clone of the cached base database of
``scripts/dev.py`` with the suite's three addons and ``account_credit_control``
installed without demo data; the portfolio is ``scripts/benchmark.py``'s (same
generator, customers, teams, invoices and payments), in a company whose credit
control policy is the one above. ``--oca-addons`` is the folder holding
``account_credit_control`` (e.g. unpacked from PyPI's
``odoo-addon-account-credit-control`` 18.0 wheel, ``odoo/addons``); without it
the script says so and exits without touching any database. Progress goes to
stderr, the JSON line alone to stdout.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmark  # noqa: E402 (the scripts folder is not a package)
import dev  # noqa: E402

DATABASE = "collections_versus"
OCA_MODULE = "account_credit_control"
POLICY_NAME = "Benchmark reminders"
#: the policy's levels: days after the due date, as the suite's standard
#: journey's reminders (first, second, final notice)
LEVELS = (3, 10, 30)
log = benchmark.log


def oca_missing(path):
    """Why ``path`` cannot be used as the folder holding OCA's addon, or None."""
    if not path:
        return (
            "--oca-addons is missing: give the folder holding OCA's "
            f"{OCA_MODULE} (18.0); nothing was measured."
        )
    manifest = Path(path) / OCA_MODULE / "__manifest__.py"
    if not manifest.is_file():
        return (
            f"{manifest} does not exist: --oca-addons must hold {OCA_MODULE}; "
            "nothing was measured."
        )
    text = manifest.read_text()
    if '"18.0.' not in text and "'18.0." not in text:
        return (
            f"{manifest} is not an 18.0 version of {OCA_MODULE}; "
            "nothing was measured."
        )
    return None


def prepare_database(addons_path, options):
    """Clone the cached base database and install the suite and OCA's addon."""
    benchmark.prepare_database(
        addons_path,
        options,
        modules=f"{benchmark.MODULES},{OCA_MODULE}",
        install_path=options.addons_path,
    )


def configure_policy(env, company_id):
    """The portfolio company's credit control policy: three email levels."""
    company = env["res.company"].browse(company_id)
    receivable = company.partner_id.with_company(company).property_account_receivable_id
    template = env.ref(f"{OCA_MODULE}.email_template_credit_control_base")
    policy = env["credit.control.policy"].create(
        {
            "name": POLICY_NAME,
            "company_id": company.id,
            "account_ids": [(6, 0, receivable.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"{days} days net",
                        "level": level,
                        "computation_mode": "net_days",
                        "delay_days": days,
                        "channel": "email",
                        "email_template_id": template.id,
                        "custom_text": "Our records show an invoice unpaid.",
                        "custom_mail_text": "<p>Our records show an invoice "
                        "unpaid.</p>",
                        "mail_show_invoice_detail": True,
                    },
                )
                for level, days in enumerate(LEVELS, start=1)
            ],
        }
    )
    company.credit_policy_id = policy
    env.cr.commit()
    return policy


def time_oca(env, company_id, policy, today):
    """OCA's run for ``today``: seconds (commit included) and lines created."""
    company = env["res.company"].browse(company_id)
    runs = env["credit.control.run"].with_company(company)
    env.invalidate_all()
    seconds, _done = benchmark.timed(
        env.cr,
        lambda: runs.create(
            {
                "date": today,
                "policy_ids": [(6, 0, policy.ids)],
                "company_id": company.id,
            }
        ).generate_credit_lines(),
    )
    env.cr.execute(
        "SELECT COUNT(*) FROM credit_control_line WHERE company_id = %s", [company_id]
    )
    lines = env.cr.fetchone()[0]
    log(f"OCA run ({today}): {lines} credit lines in {seconds:.2f} s")
    return seconds, lines


def time_suite(env, company_id, today):
    """The suite's full refresh of ``today`` then its first planning."""
    env.invalidate_all()
    debtors = env["collection.debtor"]
    refresh_s, written = benchmark.timed(
        env.cr, lambda: debtors._refresh(today, full=True)
    )
    log(f"Refresh ({today}, full): wrote {written} in {refresh_s:.2f} s")
    plan_s, planning = benchmark.time_day_planning(env, company_id, today)
    return refresh_s, plan_s, planning


def run(options, today):
    """Configure OCA's policy, then time OCA's run and the suite's day."""
    registry = benchmark.open_registry(options.database)
    with registry.cursor() as cr:
        env = benchmark.environment(cr)
        company_id = (
            env["res.company"].search([("name", "=", benchmark.COMPANY_NAME)]).id
        )
        policy = configure_policy(env, company_id)
        reset = benchmark.reset_peak_memory()
        oca_s, credit_lines = time_oca(env, company_id, policy, today)
        oca_rss = benchmark.peak_memory_mb() if reset else None
        reset = benchmark.reset_peak_memory()
        refresh_s, plan_s, planning = time_suite(env, company_id, today)
        suite_rss = benchmark.peak_memory_mb() if reset else None
        peak = max(filter(None, (oca_rss, suite_rss)), default=None)
        if peak is None:
            peak = benchmark.peak_memory_mb()
    suite_s = refresh_s + (plan_s or 0)
    return {
        "oca_s": round(oca_s, 3),
        "credit_lines": credit_lines,
        "refresh_s": round(refresh_s, 3),
        **planning,
        "ratio": round(oca_s / suite_s, 2) if suite_s else None,
        "oca_rss_mb": None if oca_rss is None else round(oca_rss, 1),
        "suite_rss_mb": None if suite_rss is None else round(suite_rss, 1),
        "peak_rss_mb": round(peak, 1),
    }


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--oca-addons",
        help=f"folder holding OCA's {OCA_MODULE} 18.0 (required to measure)",
    )
    benchmark.add_portfolio_arguments(
        parser,
        invoices=50000,
        customers=12500,
        database=DATABASE,
        today_help="day of OCA's run and of the suite's refresh and planning "
        "(default: today)",
    )
    return benchmark.parse_portfolio_arguments(parser, argv)


def main(argv=None):
    options = parse(argv)
    reason = oca_missing(options.oca_addons)
    if reason:
        log(reason)
        print(json.dumps({"skipped": reason}))
        return 0
    try:
        addons_path = dev.find_odoo()
    except dev.OdooMissing as error:
        raise SystemExit(str(error)) from error
    options.addons_path = f"{addons_path},{Path(options.oca_addons).resolve()}"
    prepare_database(addons_path, options)
    benchmark.measure(options, options.addons_path, run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
