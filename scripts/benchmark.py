#!/usr/bin/env python3
"""Time the collections refresh and planning on a generated portfolio.

    python3 scripts/benchmark.py --invoices 200000 --customers 50000

The daily refresh must stay close to what PostgreSQL can do at best, whatever
the size of the ledger. This script builds a portfolio in a scratch database,
times the refresh against a hand-written floor, and prints one JSON line:

``rebuild_s``
    the first full refresh (``collection.debtor._refresh(full=True)``) of the
    portfolio: no invoice nor customer has figures yet (the bulk SQL that
    built it bypassed the hooks that refresh a customer at each posting and
    payment), so every one of them is written;
``refresh_s``
    the refresh of the next day, the clock moved one day on: the daily case,
    which visits only the customers with an open line falling due or crossing
    a bucket boundary that day;
``plan_s``, ``planned``, ``escalate_s``, ``cases_opened``, ``cases_routed``
    the planning of that day's messages (``collection.message._plan``, at
    04:00 UTC like its scheduled action) and the count it returns, ``null``
    while that method does not exist. Customers follow the journeys the
    addon's default segments give them, and none has been contacted yet: each
    gets the step its oldest debt has reached. The steps that escalate to a
    collector open the customer's case, routed to the teams (Spanish,
    Portuguese, English; 18 collectors): ``plan_s`` includes them, and
    ``cases_opened`` and ``cases_routed`` (those given a collector) count them,
    ``escalate_s`` is the part of ``plan_s`` spent opening and routing them
    (``collection.case._escalate_many``);
``sql_floor_s``
    one hand-written query computing, per customer, the overdue total, the
    worst bucket and the oldest due date over every open receivable line,
    fetched in full; warm (the second of two runs);
``kpi_s``, ``kpi_rss_mb``
    one month of KPIs (``collection.kpi.line._compute_period``, the last full
    month) for the portfolio's company, as the nightly job computes it, and
    this process's peak resident memory meanwhile (registry included);
``rebuild_rss_mb``, ``plan_rss_mb``, ``peak_rss_mb``
    peak resident memory of this process during the rebuild, during the
    planning, and the highest of the suite's calls timed here (registry
    included: rebuild, refresh, reminders by hand, planning, KPIs). The
    benchmark's own checks (the sample read through the ORM, the floor fetched
    in full) do not count; nor does the portfolio, built in a child process,
    nor the memory of the PostgreSQL server;
``memory_limit_mb``
    the limit the suite's calls ran under: Odoo's default hard memory limit
    of a worker (``limit_memory_hard``, 2,560 MB of address space), applied
    to this process as Odoo applies it; a call needing more would have
    failed with MemoryError, as in production;
``dispatch_msg_s``, ``dispatch_messages``, ``dispatch_lost``, ``dispatch_sent_twice``
    last, ``--dispatch`` customers (10,000; 0 skips it) each due an SMS now,
    sent as ``scripts/loadtest.py`` sends them: an Odoo server with 2 workers
    and queue_job's job runner on this database, a generic provider pointing
    at the loopback gateway; messages per second, and the rows lost or sent
    twice (both must be 0).

Targets at 200,000 open invoices over 50,000 customers: ``refresh_s`` at most
3 times ``sql_floor_s``, ``rebuild_s`` under 10 s, ``plan_s`` (cases
included) under 20 s, ``kpi_s`` under 20 s, ``peak_rss_mb`` under 1 GB.

The scratch database (``--database``, ``collections_bench`` by default) is a
clone of the cached base database of ``scripts/dev.py`` with the three addons
installed, as users run the suite. The
portfolio lives in a company of its own; the few demo invoices of the base
database are refreshed too (as the scheduled action would) but take no part in
the checks. Customers are created through the ORM, so that the addons' defaults
and stored computed fields (consents, E.164 phones) are Odoo's own; they are
spread over Spain, Mexico, Colombia, Brazil and the United States with their
language and time zone. Invoices, payments and reconciliations are written in
bulk SQL, with the rows Odoo itself holds for posted invoices: each invoice has
an income line and one receivable installment (15 in 100 have two, 30 days
apart), due from 200 days ago to 30 days ahead so that every bucket is
populated; 10 in 100 are partly paid by a bank entry matched through a real
partial reconcile; ``--paid`` more invoices are fully paid and reconciled, the
history every real ledger drags along. Odoo then recomputes the residuals,
totals and payment states of a sample and must agree with what was written.
After the refresh, the floor's figures must agree with those the refresh wrote.

Every timing includes the commit. Tables are vacuumed and analysed after the
build and after the first refresh, as autovacuum would have done by the next
day. Progress goes to stderr, the JSON line alone to stdout.
"""

import argparse
import datetime
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev  # noqa: E402 (the scripts folder is not a package)

DATABASE = "collections_bench"
#: the suite as users run it: the three addons
MODULES = "collections_automation,collections_ai_agent,collections_contact_center"
COMPANY_NAME = "Collections Benchmark"
SEED = 0.42
# when the scheduled action plans the day, an hour after the refresh (UTC)
PLAN_TIME = datetime.time(4)
#: When the accountant presses "Send Reminders" (UTC): working hours for every
#: customer of the portfolio, from Madrid to Mexico City.
BY_HAND_TIME = datetime.time(16)
BATCH = 2000
#: collection teams (name, languages, collectors) and each collector's capacity
TEAMS = (("Spanish", "es", 10), ("Portuguese", "pt", 4), ("English", False, 4))
CAPACITY = 2500
# country, language, time zone, mobile prefix and digits after it
COUNTRIES = (
    ("es", "es_ES", "Europe/Madrid", "+34 6", 8),
    ("mx", "es_MX", "America/Mexico_City", "+52 55", 8),
    ("co", "es_CO", "America/Bogota", "+57 300", 7),
    ("br", "pt_BR", "America/Sao_Paulo", "+55 11 9", 8),
    ("us", "en_US", "America/New_York", "+1 201", 7),
)

# One row per invoice (open ones first, then the fully paid history) with
# everything drawn at random and the ids of every row to insert.
SPEC_SQL = """
CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
WITH customer AS (
    SELECT partner_id, rank
      FROM unnest(%(customers)s::int[]) WITH ORDINALITY AS c(partner_id, rank)
),
drawn AS (
    SELECT g AS seq,
           g > %(open)s AS settled,
           random() AS r_customer, random() AS r_amount, random() AS r_terms,
           random() AS r_due, random() AS r_paid, random() AS r_share,
           random() AS r_pay_date
      FROM generate_series(1, %(open)s + %(paid)s) AS g
),
shaped AS (
    SELECT d.*, c.partner_id,
           round((50 + d.r_amount * 4950)::numeric, 2) AS amount,
           NOT d.settled AND d.r_terms < 0.15 AS two_terms,
           CASE WHEN d.settled
                THEN %(today)s::date - 31 - floor(d.r_due * 370)::int
                ELSE %(today)s::date + 30 - floor(d.r_due * 231)::int
           END AS due_last
      FROM drawn d
      -- open invoices go round the customers, the history falls anywhere
      JOIN customer c
        ON c.rank = CASE WHEN d.settled
                         THEN 1 + floor(d.r_customer * %(customer_count)s)::int
                         ELSE 1 + mod(d.seq - 1, %(customer_count)s)
                    END
),
dated AS (
    SELECT s.*,
           s.due_last - CASE WHEN s.two_terms THEN 60 ELSE 30 END AS invoice_date,
           CASE WHEN s.two_terms THEN round(s.amount / 2, 2) ELSE s.amount END
               AS amount1
      FROM shaped s
),
paid AS (
    SELECT t.*,
           CASE WHEN t.two_terms THEN t.invoice_date + 30 ELSE t.due_last END
               AS due1,
           -- a partial payment covers 20 to 80 in 100 of the first installment
           CASE WHEN t.settled THEN t.amount
                WHEN t.r_paid < 0.1
                THEN round(t.amount1 * (0.2 + 0.6 * t.r_share)::numeric, 2)
                ELSE 0
           END AS paid
      FROM dated t
),
scheduled AS (
    SELECT p.*,
           CASE WHEN p.settled
                THEN least(%(today)s::date,
                           p.due_last - 10 + floor(p.r_pay_date * 40)::int)
                WHEN p.paid > 0
                THEN least(%(today)s::date,
                           p.invoice_date + 5 + floor(p.r_pay_date * 20)::int)
           END AS pay_date
      FROM paid p
),
numbered AS (
    SELECT s.*,
           %(sale_code)s || to_char(s.invoice_date, '/YYYY/') AS inv_prefix,
           row_number() OVER (PARTITION BY date_part('year', s.invoice_date)
                              ORDER BY s.invoice_date, s.seq) AS inv_number,
           %(bank_code)s || to_char(s.pay_date, '/YYYY/') AS pay_prefix,
           row_number() OVER (PARTITION BY date_part('year', s.pay_date)
                              ORDER BY s.pay_date, s.seq) AS pay_number,
           nextval('account_move_id_seq') AS move_id,
           nextval('account_move_line_id_seq') AS product_line_id,
           nextval('account_move_line_id_seq') AS term1_line_id,
           CASE WHEN s.two_terms THEN nextval('account_move_line_id_seq') END
               AS term2_line_id,
           CASE WHEN s.paid > 0 THEN nextval('account_move_id_seq') END
               AS pay_move_id,
           CASE WHEN s.paid > 0 THEN nextval('account_move_line_id_seq') END
               AS cash_line_id,
           CASE WHEN s.paid > 0 THEN nextval('account_move_line_id_seq') END
               AS pay_line_id,
           CASE WHEN s.paid > 0
                THEN nextval('account_partial_reconcile_id_seq') END AS partial_id,
           CASE WHEN s.settled
                THEN nextval('account_full_reconcile_id_seq') END AS full_id
      FROM scheduled s
)
SELECT n.*,
       n.amount - n.amount1 AS amount2,
       n.inv_prefix
           || lpad(n.inv_number::text, greatest(5, length(n.inv_number::text)), '0')
           AS inv_name,
       CASE WHEN n.pay_move_id IS NOT NULL
            THEN n.pay_prefix
                 || lpad(n.pay_number::text,
                         greatest(5, length(n.pay_number::text)), '0')
       END AS pay_name,
       CASE WHEN n.full_id IS NOT NULL THEN n.full_id::text
            WHEN n.partial_id IS NOT NULL THEN 'P' || n.partial_id
       END AS matching
  FROM numbered n
"""

FULL_RECONCILES_SQL = """
INSERT INTO account_full_reconcile (id, create_uid, create_date, write_uid, write_date)
SELECT full_id, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM bench_invoice
 WHERE full_id IS NOT NULL
"""

INVOICES_SQL = """
INSERT INTO account_move (
    id, name, sequence_prefix, sequence_number, payment_reference,
    journal_id, company_id, currency_id, partner_id, commercial_partner_id,
    partner_shipping_id, invoice_partner_display_name,
    state, move_type, auto_post, payment_state,
    date, invoice_date, invoice_date_due, invoice_currency_rate,
    amount_untaxed, amount_tax, amount_total, amount_residual,
    amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
    amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
    is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap,
    is_manually_modified, create_uid, create_date, write_uid, write_date
)
SELECT b.move_id, b.inv_name, b.inv_prefix, b.inv_number, b.inv_name,
       %(sale_journal)s, %(company)s, %(currency)s, b.partner_id, b.partner_id,
       b.partner_id, p.name,
       'posted', 'out_invoice', 'no',
       CASE WHEN b.settled THEN 'paid'
            WHEN b.paid > 0 THEN 'partial'
            ELSE 'not_paid'
       END,
       b.invoice_date, b.invoice_date, b.due_last, 1,
       b.amount, 0, b.amount, b.amount - b.paid,
       b.amount, b.amount, 0,
       b.amount, b.amount, b.amount - b.paid,
       false, false, true, true, false,
       false, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM bench_invoice b
  JOIN res_partner p ON p.id = b.partner_id
"""

PAYMENTS_SQL = """
INSERT INTO account_move (
    id, name, sequence_prefix, sequence_number, ref,
    journal_id, company_id, currency_id, partner_id, commercial_partner_id,
    state, move_type, auto_post, payment_state, date, invoice_date_due,
    amount_untaxed, amount_tax, amount_total, amount_residual,
    amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
    amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
    is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap,
    is_manually_modified, create_uid, create_date, write_uid, write_date
)
SELECT b.pay_move_id, b.pay_name, b.pay_prefix, b.pay_number, b.inv_name,
       %(bank_journal)s, %(company)s, %(currency)s, b.partner_id, b.partner_id,
       'posted', 'entry', 'no', 'not_paid', b.pay_date, b.pay_date,
       0, 0, b.paid, 0,
       0, 0, 0,
       b.paid, b.paid, 0,
       false, true, true, true, false,
       false, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM bench_invoice b
 WHERE b.pay_move_id IS NOT NULL
"""

LINES_SQL = """
INSERT INTO account_move_line (
    id, move_id, move_name, journal_id, company_id, company_currency_id,
    currency_id, partner_id, account_id, display_type, name, sequence,
    date, invoice_date, date_maturity, parent_state,
    quantity, price_unit, price_subtotal, price_total,
    discount, discount_balance, discount_amount_currency,
    balance, debit, credit, amount_currency,
    amount_residual, amount_residual_currency, reconciled,
    full_reconcile_id, matching_number, tax_tag_invert,
    create_uid, create_date, write_uid, write_date
)
SELECT l.id, l.move_id, l.move_name, l.journal_id, %(company)s, %(currency)s,
       %(currency)s, b.partner_id, l.account_id, l.display_type, l.label, l.sequence,
       l.date, l.invoice_date, l.date_maturity, 'posted',
       l.quantity, l.price_unit, l.price_subtotal, l.price_subtotal,
       0, 0, 0,
       l.balance, greatest(l.balance, 0), greatest(-l.balance, 0), l.balance,
       l.residual, l.residual, l.reconciled,
       l.full_reconcile_id, l.matching_number, false,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM bench_invoice b
 CROSS JOIN LATERAL (VALUES
       -- the invoice's income line
       (b.product_line_id, b.move_id, b.inv_name, %(sale_journal)s, %(income)s,
        'product', 'Collection benchmark services', 10,
        b.invoice_date, b.invoice_date, NULL::date,
        1.0, b.amount, b.amount, -b.amount, 0::numeric, false,
        NULL::int, NULL::varchar),
       -- its first installment, partly or fully paid by the payment
       (b.term1_line_id, b.move_id, b.inv_name, %(sale_journal)s, %(receivable)s,
        'payment_term', b.inv_name, 10000,
        b.invoice_date, b.invoice_date, b.due1,
        0, 0, 0, b.amount1, b.amount1 - b.paid, b.settled,
        b.full_id, b.matching),
       -- its second installment, if any
       (b.term2_line_id, b.move_id, b.inv_name, %(sale_journal)s, %(receivable)s,
        'payment_term', b.inv_name, 10001,
        b.invoice_date, b.invoice_date, b.due_last,
        0, 0, 0, b.amount2, b.amount2, false,
        NULL, NULL),
       -- the payment's bank line
       (b.cash_line_id, b.pay_move_id, b.pay_name, %(bank_journal)s, %(cash)s,
        'product', 'Payment of ' || b.inv_name, 10,
        b.pay_date, NULL, NULL,
        1, 0, b.paid, b.paid, b.paid, false,
        NULL, NULL),
       -- the payment's receivable line, matched with the first installment
       (b.pay_line_id, b.pay_move_id, b.pay_name, %(bank_journal)s, %(receivable)s,
        'product', 'Payment of ' || b.inv_name, 20,
        b.pay_date, NULL, NULL,
        1, 0, -b.paid, -b.paid, 0, true,
        b.full_id, b.matching)
       ) AS l(id, move_id, move_name, journal_id, account_id,
              display_type, label, sequence,
              date, invoice_date, date_maturity,
              quantity, price_unit, price_subtotal, balance, residual, reconciled,
              full_reconcile_id, matching_number)
 WHERE l.id IS NOT NULL
"""

PARTIALS_SQL = """
INSERT INTO account_partial_reconcile (
    id, debit_move_id, credit_move_id, full_reconcile_id,
    debit_currency_id, credit_currency_id, company_id, max_date,
    amount, debit_amount_currency, credit_amount_currency,
    create_uid, create_date, write_uid, write_date
)
SELECT b.partial_id, b.term1_line_id, b.pay_line_id, b.full_id,
       %(currency)s, %(currency)s, %(company)s, greatest(b.invoice_date, b.pay_date),
       b.paid, b.paid, b.paid,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM bench_invoice b
 WHERE b.partial_id IS NOT NULL
"""

BULK_STEPS = (
    ("draw the invoices", SPEC_SQL),
    ("full reconciles", FULL_RECONCILES_SQL),
    ("invoices", INVOICES_SQL),
    ("payments", PAYMENTS_SQL),
    ("journal items", LINES_SQL),
    ("partial reconciles", PARTIALS_SQL),
)

BUILT_TABLES = (
    "res_partner",
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "account_full_reconcile",
)

# A few invoices of each kind: payment state, and one or two installments
# (due 30 or 60 days after the invoice date).
SAMPLE_SQL = """
SELECT id
  FROM (SELECT id,
               row_number() OVER (
                   PARTITION BY payment_state, invoice_date_due - invoice_date
                   ORDER BY md5(id::text)) AS rank
          FROM account_move
         WHERE company_id = %(company)s AND move_type = 'out_invoice') ranked
 WHERE rank <= %(per_kind)s
"""

# Stored fields Odoo computes, recomputed on the sample and compared.
CHECKED_FIELDS = {
    "account.move": (
        "sequence_prefix",
        "sequence_number",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "amount_residual",
        "amount_untaxed_signed",
        "amount_tax_signed",
        "amount_total_signed",
        "amount_total_in_currency_signed",
        "amount_residual_signed",
        "payment_state",
    ),
    "account.move.line": (
        "debit",
        "credit",
        "amount_residual",
        "amount_residual_currency",
        "reconciled",
    ),
    "account.partial.reconcile": (
        "company_id",
        "max_date",
        "debit_currency_id",
        "credit_currency_id",
    ),
}

# The floor: what the customers' figures cost PostgreSQL at best, with the
# default buckets (-7..0, 1-15, 16-60, 61-120, over 120 days) written out.
FLOOR_SQL = """
SELECT partner_id, company_id, total_overdue, oldest_due_date,
       CASE WHEN days > 120 THEN 'legal'
            WHEN days > 60 THEN 'late'
            WHEN days > 15 THEN 'mid'
            WHEN days > 0 THEN 'early'
            WHEN days >= -7 THEN 'preventive'
       END AS worst_bucket
  FROM (SELECT aml.partner_id,
               aml.company_id,
               COALESCE(SUM(aml.amount_residual)
                   FILTER (WHERE aml.date_maturity < %(today)s), 0) AS total_overdue,
               MIN(aml.date_maturity)
                   FILTER (WHERE aml.amount_residual > 0) AS oldest_due_date,
               %(today)s - MIN(aml.date_maturity)
                   FILTER (WHERE aml.amount_residual > 0) AS days
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE acc.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND aml.reconciled IS NOT TRUE
           AND aml.partner_id IS NOT NULL
      GROUP BY aml.partner_id, aml.company_id) AS totals
"""

DEBTORS_SQL = """
SELECT d.partner_id, d.total_overdue, d.oldest_due_date, b.code
  FROM collection_debtor d
  LEFT JOIN collection_bucket b ON b.id = d.worst_bucket_id
 WHERE d.company_id = %(company)s
   AND (d.total_due <> 0 OR d.oldest_due_date IS NOT NULL)
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def prepare_database(addons_path, options, modules=MODULES, install_path=None):
    """Clone the cached base database and install ``modules`` without demo,
    from ``install_path`` (default: ``addons_path``, the base's)."""
    base = dev.ensure_base_database(addons_path, options, log)
    log(f"Cloning {base} into {options.database} and installing {modules}...")
    dev.copy_database(options, base, options.database)
    result = subprocess.run(
        dev.odoo_command(
            install_path or addons_path,
            options,
            "-d",
            options.database,
            "-i",
            modules,
            "--stop-after-init",
            "--without-demo=all",
            "--log-level=warn",
        ),
        stdout=sys.stderr,
        check=False,
    )
    if result.returncode:
        dev.drop_database(options, options.database)
        raise SystemExit(f"Installing {modules} into {options.database} failed.")


def open_registry(database):
    from odoo.modules.registry import Registry

    return Registry(database)


def environment(cr):
    import odoo

    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def vacuum(options, tables):
    """VACUUM ANALYZE, which cannot run inside Odoo's transaction."""
    from psycopg2 import sql

    connection = dev.pg_connect(options, options.database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("VACUUM ANALYZE {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, tables))
                )
            )
    finally:
        connection.close()


# ------------------------------------------------------------------- building


def build_portfolio(options, today):
    """Company, customers, invoices, payments (in a child process)."""
    started = time.perf_counter()
    with open_registry(options.database).cursor() as cr:
        env = environment(cr)
        company = create_company(env)
        customers = create_customers(env, options.customers)
        log(
            f"{len(customers)} customers created through the ORM in "
            f"{time.perf_counter() - started:.1f} s"
        )
        create_teams(env, company)
        write_invoices(env, company, customers, options, today)
        cr.commit()
    log(f"Portfolio built in {time.perf_counter() - started:.1f} s")


def create_company(env):
    company = env["res.company"].create(
        {
            "name": COMPANY_NAME,
            "currency_id": env.ref("base.USD").id,
            "country_id": env.ref("base.us").id,
        }
    )
    env["account.chart.template"].try_loading("generic_coa", company)
    return company


def create_customers(env, count):
    for _code, lang, _tz, _prefix, _digits in COUNTRIES:
        env["res.lang"]._activate_lang(lang)
    countries = {code: env.ref(f"base.{code}").id for code, *_rest in COUNTRIES}
    partners = env["res.partner"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
    )
    ids = []
    for start in range(0, count, BATCH):
        stop = min(count, start + BATCH)
        vals = [customer_values(i, countries) for i in range(start, stop)]
        ids += partners.create(vals).ids
        env.invalidate_all()
    return ids


def create_teams(env, company):
    """Collection teams by language, whose collectors the cases are routed to."""
    from odoo import Command

    group = env.ref("collections_automation.group_collection_user")
    users = env["res.users"].with_context(no_reset_password=True)
    for name, languages, size in TEAMS:
        collectors = users.create(
            [
                {
                    "name": f"{name} collector {n + 1}",
                    "login": f"bench-{name.lower()}-{n + 1}",
                    "groups_id": [Command.set(group.ids)],
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                }
                for n in range(size)
            ]
        )
        env["collection.team"].create(
            {
                "name": name,
                "company_id": company.id,
                "lang_codes": languages,
                "member_ids": [
                    Command.create({"user_id": user.id, "capacity": CAPACITY})
                    for user in collectors
                ],
            }
        )


def customer_values(index, countries):
    code, lang, tz, prefix, digits = COUNTRIES[index % len(COUNTRIES)]
    # a valid subscriber number: its first digit is 2 to 9
    subscriber = 2 * 10 ** (digits - 1) + index % (8 * 10 ** (digits - 1))
    return {
        "name": f"Benchmark Customer {index + 1:06d}",
        "is_company": index % 3 == 0,
        "country_id": countries[code],
        "lang": lang,
        "tz": tz,
        "email": f"customer{index + 1}@example.com",
        "mobile": f"{prefix}{subscriber}",
        "customer_rank": 1,
    }


def write_invoices(env, company, customers, options, today):
    journals = env["account.journal"].search([("company_id", "=", company.id)])
    sale = journals.filtered(lambda j: j.type == "sale")[:1]
    bank = journals.filtered(lambda j: j.type == "bank")[:1]
    receivable = company.partner_id.with_company(company).property_account_receivable_id
    if not (sale and bank and receivable.account_type == "asset_receivable"):
        raise SystemExit(f"{COMPANY_NAME}: no sale or bank journal or receivable.")
    params = {
        "company": company.id,
        "currency": company.currency_id.id,
        "uid": env.uid,
        "sale_journal": sale.id,
        "sale_code": sale.code,
        "income": sale.default_account_id.id,
        "bank_journal": bank.id,
        "bank_code": bank.code,
        "cash": bank.default_account_id.id,
        "receivable": receivable.id,
        "today": today,
        "open": options.invoices,
        "paid": options.paid,
        "customers": customers,
        "customer_count": len(customers),
    }
    env.cr.execute("SELECT setseed(%s)", [SEED])
    for label, query in BULK_STEPS:
        started = time.perf_counter()
        env.cr.execute(query, params)
        log(f"  {label}: {env.cr.rowcount} rows, {time.perf_counter() - started:.1f} s")


# ------------------------------------------------------------------- checking


def check_sample(env, company_id):
    """Odoo's own computations must give back what was written in bulk.

    Residuals, totals, payment states and sequence numbers of a sample of
    invoices, of their payments and of the reconciles between them are
    recomputed by the ORM in memory, compared, then rolled back.
    """
    env.cr.execute(SAMPLE_SQL, {"company": company_id, "per_kind": 5})
    invoices = env["account.move"].browse(row[0] for row in env.cr.fetchall())
    partials = invoices.line_ids.matched_credit_ids
    moves = invoices | partials.credit_move_id.move_id
    samples = {
        "account.move": moves,
        "account.move.line": moves.line_ids,
        "account.partial.reconcile": partials,
    }
    stored = {model: field_values(records) for model, records in samples.items()}
    env.invalidate_all()
    for model, records in samples.items():
        for name in CHECKED_FIELDS[model]:
            env.add_to_compute(records._fields[name], records)
    wrong = [
        f"{key[0]}({key[1]}).{key[2]}: stored {value!r}, Odoo computes {computed!r}"
        for model, records in samples.items()
        for key, computed in field_values(records).items()
        if (value := stored[model][key]) != computed
    ]
    env.cr.rollback()
    if wrong:
        raise SystemExit(
            "The generated portfolio is not what Odoo computes:\n" + "\n".join(wrong)
        )
    log(
        f"Sample checked through the ORM: {len(invoices)} invoices, "
        f"{len(moves) - len(invoices)} payments, {len(samples['account.move.line'])}"
        f" journal items and {len(partials)} partial reconciles agree"
    )


def field_values(records):
    """The checked fields of ``records``: ids for relations, cents for amounts."""
    from odoo.models import BaseModel

    values = {}
    for record in records:
        for name in CHECKED_FIELDS[record._name]:
            value = record[name]
            if isinstance(value, BaseModel):
                value = value.ids
            elif isinstance(value, float):
                value = round(value, 2)
            values[record._name, record.id, name] = value
    return values


def check_floor(cr, company_id, rows):
    """The refresh must have written the figures the floor computes."""
    expected = {
        partner: (overdue, oldest, bucket)
        for partner, company, overdue, oldest, bucket in rows
        if company == company_id
    }
    cr.execute(DEBTORS_SQL, {"company": company_id})
    written = {partner: tuple(figures) for partner, *figures in cr.fetchall()}
    wrong = sorted(
        p for p in expected.keys() | written.keys() if expected.get(p) != written.get(p)
    )
    if wrong:
        partner = wrong[0]
        raise SystemExit(
            f"The refresh and the floor disagree on {len(wrong)} customers, e.g. "
            f"partner {partner}: floor {expected.get(partner)}, "
            f"refresh {written.get(partner)} (overdue, oldest due date, bucket)."
        )
    log(f"The refresh wrote the floor's figures for all {len(expected)} customers")


# -------------------------------------------------------------------- timing


def timed(cr, call):
    """Seconds ``call`` takes, commit included, and what it returns."""
    started = time.perf_counter()
    result = call()
    cr.commit()
    return time.perf_counter() - started, result


#: The peak resident memory (MB) of each of the suite's calls timed, by name.
PEAKS = {}


def timed_peak(cr, name, call):
    """``timed``, with this process's peak memory during ``call`` kept in
    ``PEAKS[name]`` (where Linux lets us reset the peak)."""
    reset = reset_peak_memory()
    result = timed(cr, call)
    if reset:
        PEAKS[name] = peak_memory_mb()
    return result


def time_planning(env, now):
    """The planning's time, messages planned, and the part of that time
    spent opening and routing the escalations' cases."""
    if "collection.message" not in env or not hasattr(
        env["collection.message"], "_plan"
    ):
        log("plan_s and planned are null: collection.message._plan does not exist")
        return None, None, None
    spent = watch_escalations(env)
    seconds, planned = timed_peak(
        env.cr, "plan", lambda: env["collection.message"]._plan(now)
    )
    log(
        f"Planning: {planned} messages in {seconds:.2f} s, of which opening "
        f"cases {sum(spent):.2f} s"
    )
    return seconds, planned, sum(spent)


def time_day_planning(env, company_id, day):
    """The first planning of ``day`` (at ``PLAN_TIME``) and the cases open
    after it: its seconds, and the figures ``plan_s``, ``planned``,
    ``escalate_s``, ``cases_opened`` and ``cases_routed``."""
    plan_s, planned, escalate_s = time_planning(
        env, datetime.datetime.combine(day, PLAN_TIME)
    )
    cases, routed = count_cases(env.cr, company_id)
    return plan_s, {
        "plan_s": None if plan_s is None else round(plan_s, 3),
        "planned": planned,
        "escalate_s": None if escalate_s is None else round(escalate_s, 3),
        "cases_opened": cases,
        "cases_routed": routed,
    }


def watch_escalations(env):
    """Add up the time ``collection.case._escalate_many`` takes, in a list."""
    spent = []
    model = type(env["collection.case"])
    escalate = model._escalate_many

    def timed_escalate(self, escalations):
        started = time.perf_counter()
        try:
            return escalate(self, escalations)
        finally:
            spent.append(time.perf_counter() - started)

    model._escalate_many = timed_escalate
    return spent


def count_cases(cr, company_id):
    """Cases opened by the planning's escalations, those with a collector, and
    their call activities."""
    cr.execute(
        """
        SELECT COUNT(*), COUNT(c.user_id),
               (SELECT COUNT(*) FROM mail_activity a
                 WHERE a.res_model = 'collection.case'
                   AND a.res_id IN (SELECT id FROM collection_case
                                     WHERE company_id = %(company)s))
          FROM collection_case c
         WHERE c.company_id = %(company)s
        """,
        {"company": company_id},
    )
    cases, routed, activities = cr.fetchone()
    log(f"Cases: {cases} opened, {routed} with a collector, {activities} activities")
    return cases, routed


def reset_peak_memory():
    """Forget this process's peak resident memory so far (Linux); False when
    it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_memory_mb():
    """Peak resident memory of this process (since the last reset), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_kpis(env, company_id, day):
    """One month of KPIs (the last full month before ``day``) for the
    portfolio's company, as the nightly job computes it, and the peak memory
    of this process meanwhile."""
    month = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    company = env["res.company"].browse(company_id)
    lines = env["collection.kpi.line"]
    env.invalidate_all()
    seconds, _result = timed_peak(
        env.cr, "kpi", lambda: lines._compute_period(month, company)
    )
    rss = PEAKS.get("kpi")
    count = lines.search_count([("company_id", "=", company_id)])
    log(f"KPIs of {month:%Y-%m}: {count} lines in {seconds:.2f} s, peak {rss} MB")
    return seconds, rss


def time_reminders_by_hand(env, company_id, day, count=10000):
    """Reminders sent by hand to ``count`` selected customers, as "Send
    Reminders" on a customer list runs them: the review the person reads
    (the contact gate's verdict for every customer), then the queue_job jobs
    of 50 customers run one after the other (gate again, rows, chatter),
    with the peak memory meanwhile. Rolled back afterwards, so the planning
    of the day is timed on the same portfolio."""
    from odoo.tools import split_every  # noqa: PLC0415

    Manual = env["collection.manual.reminder"]
    env.cr.execute(
        """
        SELECT partner_id FROM collection_debtor
         WHERE company_id = %s AND total_overdue > 0
      ORDER BY partner_id LIMIT %s
        """,
        (company_id, count),
    )
    partners = env["res.partner"].browse([row[0] for row in env.cr.fetchall()])
    company = env["res.company"].browse(company_id)
    now = datetime.datetime.combine(day, BY_HAND_TIME)
    env.invalidate_all()
    reset = reset_peak_memory()
    started = time.perf_counter()
    review = Manual._review(partners, "email", company, now=now)
    review_s = time.perf_counter() - started
    written = 0
    started = time.perf_counter()
    for chunk in split_every(50, partners.ids):
        rows = Manual._write_rows(
            Manual._review(env["res.partner"].browse(chunk), "email", company, now=now),
            "email",
            company,
            now,
        )
        written += len(rows)
        env.flush_all()
    jobs_s = time.perf_counter() - started
    rss = peak_memory_mb() if reset else None
    if reset:
        PEAKS["by_hand"] = rss
    env.cr.rollback()
    env.invalidate_all()
    counts, reasons = Manual._summary(review)
    log(
        f"By hand: {len(partners)} customers reviewed in {review_s:.2f} s "
        f"({counts['allowed']} allowed; {dict(reasons.most_common(3))}), "
        f"{written} reminders written by the jobs in {jobs_s:.2f} s, peak {rss} MB"
    )
    return {
        "by_hand_customers": len(partners),
        "by_hand_review_s": round(review_s, 3),
        "by_hand_jobs_s": round(jobs_s, 3),
        "by_hand_written": written,
        "by_hand_rss_mb": None if rss is None else round(rss, 1),
    }


def time_floor(cr, day):
    """The floor query, fetched in full; the second (warm) of two runs."""
    for _run in range(2):
        started = time.perf_counter()
        cr.execute(FLOOR_SQL, {"today": day})
        rows = cr.fetchall()
        seconds = time.perf_counter() - started
    log(f"SQL floor: {len(rows)} customers in {seconds:.2f} s")
    return seconds, rows


#: The tables the planning fills, analysed before the dispatch is timed.
PLANNED_TABLES = (
    "collection_message",
    "collection_message_invoice_rel",
    "collection_case",
    "mail_message",
    "mail_activity",
    "mail_followers",
)


def time_dispatch(options):
    """The outbox sent through queue_job's job runner to the loopback gateway,
    as ``scripts/loadtest.py`` sends it (an Odoo server with 2 workers and the
    runner, ``--dispatch`` customers each due an SMS), on this database
    after the rest was measured: ``dispatch_msg_s`` is messages per second,
    with what was lost or sent twice."""
    if not options.dispatch:
        return {}
    # the planning's rows are sent hours later, when autovacuum has analysed
    # the tables it filled (it may be off on a test server): without it, the
    # send jobs' reads of the invoice links walked the whole table
    vacuum(options, PLANNED_TABLES)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        result = subprocess.run(  # noqa: S603 (our own script)
            [
                sys.executable,
                str(Path(__file__).resolve().parent / "loadtest.py"),
                f"--database={options.database}",
                f"--messages={options.dispatch}",
                "--webhooks=0",
                f"--report={report.name}",
                *(
                    f"--{flag.replace('_', '-')}={getattr(options, flag)}"
                    for flag in ("db_host", "db_port", "db_user", "db_password")
                    if getattr(options, flag)
                ),
            ],
            stdout=sys.stderr,
            check=False,
            # the servers get Odoo's own limits, not this process's
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (hard, hard)),  # noqa: PLW1509
        )
        figures = json.loads(Path(report.name).read_text() or "{}")
    if result.returncode or not figures:
        log(f"Dispatch: the load test failed (exit {result.returncode})")
    return {
        "dispatch_messages": figures.get("messages"),
        "dispatch_msg_s": figures.get("messages_per_second"),
        "dispatch_lost": figures.get("lost"),
        "dispatch_sent_twice": figures.get("sent_twice"),
    }


def apply_odoo_memory_limit():
    """Hold this process to Odoo's default hard memory limit of a worker
    (``limit_memory_hard``, on the address space, as Odoo's workers apply
    it): a call needing more fails with MemoryError here as it would in
    production. Its size in MB."""
    import odoo.tools  # noqa: PLC0415

    limit = odoo.tools.config["limit_memory_hard"]
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit // (1024 * 1024)


def run(options, today):
    """Check the portfolio, then time the refreshes, the planning, the floor,
    the KPIs, under Odoo's default memory limit."""
    memory_limit_mb = apply_odoo_memory_limit()
    registry = open_registry(options.database)
    with registry.cursor() as cr:
        env = environment(cr)
        company_id = env["res.company"].search([("name", "=", COMPANY_NAME)]).id
        check_sample(env, company_id)
        debtors = env["collection.debtor"]
        rebuild_s, written = timed_peak(
            cr, "rebuild", lambda: debtors._refresh(today, full=True)
        )
        log(f"Rebuild ({today}): wrote {written} in {rebuild_s:.2f} s")
        vacuum(options, ("collection_invoice", "collection_debtor"))
        day = today + datetime.timedelta(days=1)
        refresh_s, written = timed_peak(cr, "refresh", lambda: debtors._refresh(day))
        log(f"Refresh ({day}): wrote {written} in {refresh_s:.2f} s")
        by_hand = time_reminders_by_hand(env, company_id, day)
        _plan_s, planning = time_day_planning(env, company_id, day)
        kpi_s, kpi_rss_mb = time_kpis(env, company_id, day)
        # last: the floor's rows, fetched in full, would stay in this
        # process's memory and count in the KPIs' peak
        floor_s, rows = time_floor(cr, day)
        check_floor(cr, company_id, rows)
    dispatch = time_dispatch(options)
    return {
        "rebuild_s": round(rebuild_s, 3),
        "refresh_s": round(refresh_s, 3),
        **planning,
        "sql_floor_s": round(floor_s, 3),
        "kpi_s": round(kpi_s, 3),
        "kpi_rss_mb": None if kpi_rss_mb is None else round(kpi_rss_mb, 1),
        **{
            f"{name}_rss_mb": round(PEAKS[name], 1)
            for name in ("rebuild", "plan")
            if name in PEAKS
        },
        "peak_rss_mb": round(max(PEAKS.values()), 1) if PEAKS else None,
        "memory_limit_mb": memory_limit_mb,
        **by_hand,
        **dispatch,
    }


def add_portfolio_arguments(parser, invoices, customers, database, today_help):
    """The portfolio's and the scratch database's arguments, shared with
    ``versus_credit_control.py``."""
    parser.add_argument("--invoices", type=int, default=invoices, help="open invoices")
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument(
        "--paid",
        type=int,
        help="fully paid invoices in the history (default: half of --invoices)",
    )
    parser.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        default=datetime.date.today(),
        help=today_help,
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--database", default=database, help=f"scratch database (default {database})"
    )
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")


def parse_portfolio_arguments(parser, argv=None):
    """Parse, with ``--paid`` at half of ``--invoices`` unless given."""
    options = parser.parse_args(argv)
    if options.paid is None:
        options.paid = options.invoices // 2
    if options.invoices < 1 or options.customers < 1 or options.paid < 0:
        parser.error("--invoices and --customers must be positive, --paid not negative")
    return options


def measure(options, addons_path, run):
    """Build the portfolio in the prepared ``options.database``, call
    ``run(options, options.today)`` for the figures, drop the database
    (unless ``--keep``) and print the JSON line."""
    import odoo.sql_db
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        [
            f"--addons-path={addons_path}",
            f"--database={options.database}",
            "--log-level=warn",
            *dev.db_args(options),
        ]
    )
    log(
        f"Building {options.invoices} open invoices over {options.customers} "
        f"customers, with {options.paid} paid ones..."
    )
    # Forked before this process opens any connection; its memory is its own.
    builder = multiprocessing.get_context("fork").Process(
        target=build_portfolio, args=(options, options.today)
    )
    builder.start()
    builder.join()
    if builder.exitcode:
        raise SystemExit("Building the portfolio failed.")
    vacuum(options, BUILT_TABLES)
    try:
        figures = run(options, options.today)
    finally:
        Registry.delete(options.database)
        odoo.sql_db.close_db(options.database)
        if not options.keep:
            dev.drop_database(options, options.database)
    print(
        json.dumps(
            {
                "invoices": options.invoices,
                "customers": options.customers,
                **figures,
            }
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_portfolio_arguments(
        parser,
        invoices=200000,
        customers=50000,
        database=DATABASE,
        today_help="day of the first refresh, YYYY-MM-DD (default: today)",
    )
    parser.add_argument(
        "--dispatch",
        type=int,
        default=10000,
        help="customers due an SMS sent through the job runner at the end "
        "(dispatch_msg_s; 0: not measured)",
    )
    options = parse_portfolio_arguments(parser, argv)
    try:
        addons_path = dev.find_odoo()
    except dev.OdooMissing as error:
        raise SystemExit(str(error)) from error
    prepare_database(addons_path, options)
    measure(options, addons_path, run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
