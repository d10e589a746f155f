#!/usr/bin/env python3
"""Create a demo collections portfolio of any size in an Odoo database, over RPC.

    python3 scripts/seed_demo.py --customers 1000 --seed 7
    python3 scripts/seed_demo.py --url http://odoo:8069 --db prod_copy --json

Customers in Mexico, Colombia, Brazil, the United States, Spain and Argentina,
in their language and time zone, with a valid mobile number of their country
(E.164), an email address and consents for email, SMS, WhatsApp and calls;
``--invoices-per-customer`` posted invoices each, due from 120 days ago to 30
days ahead, of amounts from 50 to 20,000. The same ``--seed`` gives the same
portfolio (dates relative to today). Then the collections refresh runs (its
scheduled action) and the summary shows the overdue amount per bucket.

Everything is created in batches (one call per few hundred records) and without
chatter messages: 1,000 customers take seconds. Invoices cost what Odoo's
accounting costs to create and post one, about 0.1 s each (2,000 took 3 minutes
on a 2-CPU machine); progress goes to stderr. Languages the customers need are
activated with their translations (``base.language.install``), unless
``--no-translations``.
Connection options: see ``scripts/odoo_rpc.py`` (``ODOO_PASSWORD``).
"""

import argparse
import datetime
import json
import math
import random
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_rpc  # noqa: E402

REFRESH_CRON = "collections_automation.ir_cron_collection_refresh"
PARTNER_BATCH = 500
INVOICE_BATCH = 250
OVERDUE_DAYS, AHEAD_DAYS = 120, 30
MIN_AMOUNT, MAX_AMOUNT = 50.0, 20000.0
#: Create without chatter messages nor followers: 1,000 customers, not 1,000 mails.
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def digits(rng, count):
    return "".join(rng.choice("0123456789") for _ in range(count))


def _mx(rng):
    return "+52" + rng.choice(["55", "33", "81", "22", "44"]) + digits(rng, 8)


def _co(rng):
    prefix = rng.choice(["300", "301", "304", "310", "311", "313", "315", "320"])
    return "+57" + prefix + str(rng.randint(2000000, 9999999))


def _br(rng):
    area = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81"])
    return "+55" + area + "9" + str(rng.randint(6, 9)) + digits(rng, 7)


def _us(rng):
    area = rng.choice(["212", "305", "312", "415", "512", "617", "713", "206"])
    exchange = str(rng.randint(201, 999))
    while exchange.endswith("11") or exchange == "555":
        exchange = str(rng.randint(201, 999))
    return "+1" + area + exchange + digits(rng, 4)


def _es(rng):
    return "+346" + digits(rng, 8)


def _ar(rng):
    return "+54911" + str(rng.randint(20000000, 69999999))


HISPANIC_FIRST = [
    "María", "José", "Lucía", "Juan", "Camila", "Andrés", "Valentina", "Carlos",
    "Sofía", "Diego", "Isabel", "Javier", "Fernanda", "Miguel", "Paula", "Luis",
]  # fmt: skip
HISPANIC_LAST = [
    "García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez",
    "Sánchez", "Ramírez", "Torres", "Flores", "Gómez", "Díaz", "Restrepo",
    "Castillo", "Ortega", "Morales", "Vargas",
]  # fmt: skip
COUNTRIES = {
    "MX": {
        "lang": "es_MX",
        "tz": ["America/Mexico_City", "America/Monterrey", "America/Tijuana"],
        "mobile": _mx,
        "tld": "mx",
        "first": HISPANIC_FIRST,
        "last": HISPANIC_LAST,
        "company": ("{} {} S.A. de C.V.", ["Comercializadora", "Constructora"]),
    },
    "CO": {
        "lang": "es_CO",
        "tz": ["America/Bogota"],
        "mobile": _co,
        "tld": "co",
        "first": HISPANIC_FIRST,
        "last": HISPANIC_LAST,
        "company": ("{} {} S.A.S.", ["Café", "Distribuidora", "Inversiones"]),
    },
    "BR": {
        "lang": "pt_BR",
        "tz": ["America/Sao_Paulo", "America/Manaus", "America/Recife"],
        "mobile": _br,
        "tld": "br",
        "first": ["Ana", "João", "Beatriz", "Pedro", "Larissa", "Rafael", "Júlia"],
        "last": ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa"],
        "company": ("{} {} Ltda.", ["Comércio", "Transportes", "Indústria"]),
    },
    "US": {
        "lang": "en_US",
        "tz": ["America/New_York", "America/Chicago", "America/Los_Angeles"],
        "mobile": _us,
        "tld": "com",
        "first": ["Emily", "James", "Olivia", "Michael", "Ava", "David", "Grace"],
        "last": ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Moore"],
        "company": ("{} {} LLC", ["Lone Star", "Pacific", "Summit", "Harbor"]),
    },
    "ES": {
        "lang": "es_ES",
        "tz": ["Europe/Madrid", "Atlantic/Canary"],
        "mobile": _es,
        "tld": "es",
        "first": HISPANIC_FIRST,
        "last": HISPANIC_LAST,
        "company": ("{} {} S.L.", ["Distribuciones", "Talleres", "Construcciones"]),
    },
    "AR": {
        "lang": "es_AR",
        "tz": ["America/Argentina/Buenos_Aires", "America/Argentina/Cordoba"],
        "mobile": _ar,
        "tld": "ar",
        "first": HISPANIC_FIRST,
        "last": HISPANIC_LAST,
        "company": ("{} {} S.R.L.", ["Agropecuaria", "Logística", "Frigorífico"]),
    },
}
CHANNELS = ("email", "sms", "whatsapp", "voice")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--customers", type=positive, default=50, help="default: %(default)s"
    )
    parser.add_argument(
        "--invoices-per-customer",
        type=positive,
        default=2,
        help="posted invoices each (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, help="same seed, same portfolio (default: random)"
    )
    parser.add_argument(
        "--no-translations",
        action="store_true",
        help="activate missing languages without loading their translations "
        "(faster; reminders then fall back to English)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    odoo_rpc.add_connection_arguments(parser)
    return parser.parse_args(argv)


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


# ---------------------------------------------------------------- the portfolio


def ascii_slug(text):
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(part for part in plain.lower().replace("-", " ").split())


def make_customers(rng, count, tag):
    """``count`` customer dicts (``country_code`` and ``lang`` still codes)."""
    codes = sorted(COUNTRIES)
    customers = []
    for number in range(1, count + 1):
        code = codes[(number - 1) % len(codes)] if number <= len(codes) else None
        code = code or rng.choice(codes)
        country = COUNTRIES[code]
        first, last = rng.choice(country["first"]), rng.choice(country["last"])
        is_company = rng.random() < 0.3
        if is_company:
            pattern, words = country["company"]
            name = pattern.format(rng.choice(words), last)
            email = f"cobranza.{number}@{ascii_slug(last)}.example.{country['tld']}"
        else:
            second = rng.choice(country["last"])
            hispanic = country["last"] is HISPANIC_LAST
            name = f"{first} {last} {second}" if hispanic else f"{first} {last}"
            email = (
                f"{ascii_slug(first + ' ' + last)}.{number}@example.{country['tld']}"
            )
        consents = {
            "email": rng.random() < 0.9,
            "sms": rng.random() < 0.7,
            "whatsapp": rng.random() < (0.4 if code == "US" else 0.75),
            "voice": rng.random() < 0.3,
        }
        allowed = [channel for channel in CHANNELS if consents[channel]]
        preferred = rng.choice(allowed) if allowed and rng.random() < 0.6 else False
        customers.append(
            {
                "name": name,
                "ref": f"{tag}-{number:05d}",
                "is_company": is_company,
                "country_code": code,
                "lang": country["lang"],
                "tz": rng.choice(country["tz"]),
                "email": email,
                "mobile": country["mobile"](rng),
                "customer_rank": 1,
                "collection_consent_email": consents["email"],
                "collection_consent_sms": consents["sms"],
                "collection_consent_whatsapp": consents["whatsapp"],
                "collection_consent_voice": consents["voice"],
                "collection_preferred_channel": preferred,
            }
        )
    return customers


def make_invoices(rng, count, today):
    """``count`` ``(invoice_date, due_date, amount)``: due dates spread evenly
    from 120 days overdue to 30 days ahead, amounts log-uniform."""
    invoices = []
    for _ in range(count):
        due = today + datetime.timedelta(days=rng.randint(-OVERDUE_DAYS, AHEAD_DAYS))
        amount = math.exp(rng.uniform(math.log(MIN_AMOUNT), math.log(MAX_AMOUNT)))
        invoice_date = min(today, due - datetime.timedelta(days=30))
        invoices.append((invoice_date, due, round(amount, 2)))
    return invoices


# ------------------------------------------------------------------ over RPC


def ensure_languages(odoo, codes, translations=True, out=None):
    """Activate ``codes`` (with their translations unless told otherwise);
    returns the codes that exist, the others fall back to en_US."""
    Lang = odoo.env["res.lang"]
    rows = Lang.search_read(
        [("code", "in", sorted(codes)), ("active", "in", [True, False])],
        ["code", "active"],
    )
    inactive = [row["id"] for row in rows if not row["active"]]
    if inactive and out:
        names = ", ".join(sorted(row["code"] for row in rows if not row["active"]))
        how = "with their translations" if translations else "without translations"
        out.write(f"Activating {names} ({how})...\n")
        out.flush()
    if inactive and translations:
        Wizard = odoo.env["base.language.install"]
        wizard = Wizard.create({"lang_ids": [(6, 0, inactive)], "overwrite": False})
        Wizard.lang_install([wizard])
    elif inactive:
        Lang.write(inactive, {"active": True})
    return {row["code"] for row in rows}


def create_in_batches(model, values, size, context):
    ids = []
    for start in range(0, len(values), size):
        ids += model.create(values[start : start + size], context=context)
    return ids


def seed(odoo, args, out=None):
    """Create the portfolio; returns the summary (see :func:`summarize`)."""
    out = out or sys.stderr
    rng = random.Random(args.seed)
    today = datetime.date.today()
    tag = f"SEED{args.seed}-{int(time.time())}"
    started = time.time()
    context = dict(odoo.env.context, **QUIET)
    customers = make_customers(rng, args.customers, tag)
    countries = {
        row["code"]: row["id"]
        for row in odoo.env["res.country"].search_read(
            [("code", "in", sorted(COUNTRIES))], ["code"]
        )
    }
    languages = ensure_languages(
        odoo, {c["lang"] for c in customers}, not args.no_translations, out
    )
    for customer in customers:
        customer["country_id"] = countries.get(customer.pop("country_code"), False)
        if customer["lang"] not in languages:
            customer["lang"] = "en_US"
    partner_ids = create_in_batches(
        odoo.env["res.partner"], customers, PARTNER_BATCH, context
    )
    out.write(
        f"Customers: {len(partner_ids)} created ({time.time() - started:.0f} s)\n"
    )
    plan = make_invoices(rng, len(partner_ids) * args.invoices_per_customer, today)
    owners = [p for p in partner_ids for _ in range(args.invoices_per_customer)]
    # posted in date order, so that invoice numbers follow the calendar
    moves = [
        invoice_values(partner_id, *invoice)
        for partner_id, invoice in sorted(
            zip(owners, plan, strict=True), key=lambda item: item[1][0]
        )
    ]
    Move = odoo.env["account.move"]
    invoice_ids = []
    for start in range(0, len(moves), INVOICE_BATCH):
        batch = Move.create(moves[start : start + INVOICE_BATCH], context=context)
        # quiet too: tracking the state change doubles the cost of posting
        Move.action_post(batch, context=context)
        invoice_ids += batch
        out.write(
            f"Invoices: {len(invoice_ids)} of {len(moves)} posted "
            f"({time.time() - started:.0f} s)\n"
        )
        out.flush()
    out.write("Refreshing collections (scheduled action)...\n")
    odoo.env.ref(REFRESH_CRON).method_direct_trigger()
    summary = summarize(odoo, partner_ids, invoice_ids)
    summary.update(seed=args.seed, tag=tag, seconds=round(time.time() - started, 1))
    return summary


def invoice_values(partner_id, invoice_date, due, amount):
    return {
        "move_type": "out_invoice",
        "partner_id": partner_id,
        "invoice_date": invoice_date.isoformat(),
        "invoice_date_due": due.isoformat(),
        "invoice_payment_term_id": False,
        "invoice_line_ids": [
            (
                0,
                0,
                {
                    "name": "Services",
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [(6, 0, [])],
                },
            )
        ],
    }


def summarize(odoo, partner_ids, invoice_ids):
    """Counts and the overdue amount per worst bucket of the new customers."""
    Debtor = odoo.env["collection.debtor"]
    domain = [("partner_id", "in", partner_ids)]
    groups = Debtor.read_group(
        domain,
        ["total_overdue:sum", "total_due:sum"],
        ["worst_bucket_id"],
        lazy=False,
    )
    buckets = [
        {
            "bucket": group["worst_bucket_id"][1]
            if group["worst_bucket_id"]
            else "Not due",
            "customers": group["__count"],
            "overdue": round(group["total_overdue"] or 0.0, 2),
        }
        for group in groups
    ]
    posted = odoo.env["account.move"].search_count(
        [("id", "in", invoice_ids), ("state", "=", "posted")]
    )
    company = odoo.env["res.users"].read([odoo.env.uid], ["company_id"])[0]
    currency = odoo.env["res.company"].read(
        [company["company_id"][0]], ["currency_id"]
    )[0]["currency_id"][1]
    return {
        "customers": len(partner_ids),
        "invoices": len(invoice_ids),
        "posted": posted,
        "debtors": Debtor.search_count(domain),
        "currency": currency,
        "total_due": round(sum(g["total_due"] or 0.0 for g in groups), 2),
        "total_overdue": round(sum(b["overdue"] for b in buckets), 2),
        "buckets": buckets,
        "partner_ids": partner_ids,
    }


def print_summary(summary, out):
    out.write(
        f"Seed {summary['seed']}: {summary['customers']} customers "
        f"(ref {summary['tag']}-*), {summary['invoices']} invoices "
        f"({summary['posted']} posted), {summary['debtors']} in collection, "
        f"in {summary['seconds']} s.\n"
    )
    out.write(f"Overdue by worst bucket ({summary['currency']}):\n")
    for row in summary["buckets"]:
        out.write(
            f"  {row['bucket']:<24} {row['customers']:>6} customers "
            f"{row['overdue']:>16,.2f}\n"
        )
    out.write(
        f"  {'Total':<24} {summary['debtors']:>6} customers "
        f"{summary['total_overdue']:>16,.2f} (due in all: "
        f"{summary['total_due']:,.2f})\n"
    )


def main(argv=None):
    args = parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randint(1, 999999)
    odoo = odoo_rpc.connect(args)
    summary = seed(odoo, args, out=sys.stderr)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_summary(summary, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_rpc.run(main))
