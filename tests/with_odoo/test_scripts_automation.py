"""The command-line tools of ``scripts/`` against a real Odoo: their ``main``
runs in this process and talks JSON-RPC (odoorpc) to the test server, whose
requests share the test's transaction, so what they create is seen here after
``invalidate_all`` and rolled back at the end."""

import json
from collections import Counter

from odoo import fields
from odoo.tests import tagged

from .common_scripts import ScriptsCase, run_script


@tagged("post_install", "-at_install")
class TestScriptsOverRpc(ScriptsCase):
    """seed_demo.py and run_cycle.py over JSON-RPC, as admin."""

    def seed(self, customers=6):
        code, out, err = run_script(
            "seed_demo",
            [
                *self.connection(),
                "--customers",
                str(customers),
                "--seed",
                "11",
                "--no-translations",
                "--json",
            ],
        )
        self.assertEqual(code, 0, err)
        self.env.invalidate_all()
        return json.loads(out)

    def test_seed_creates_customers_with_posted_invoices_in_collection(self):
        summary = self.seed()
        partners = self.env["res.partner"].browse(summary["partner_ids"])
        self.assertEqual(len(partners.exists()), 6)
        self.assertEqual(
            set(partners.mapped("ref")),
            {f"{summary['tag']}-{n:05d}" for n in range(1, 7)},
        )
        self.assertEqual(
            set(partners.mapped("country_id.code")),
            {"MX", "CO", "BR", "US", "ES", "AR"},
        )
        for partner in partners:
            self.assertEqual(partner.collection_phone_e164, partner.mobile)
            self.assertFalse(partner.collection_phone_error)
            self.assertTrue(partner.tz and partner.lang, partner.name)
        self.assertTrue(
            self.env["res.lang"]._lang_get("es_AR").active, "activated for them"
        )
        invoices = self.env["account.move"].search(
            [("partner_id", "in", partners.ids), ("move_type", "=", "out_invoice")]
        )
        self.assertEqual(len(invoices), 12)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        today = fields.Date.context_today(invoices)
        for invoice in invoices:
            self.assertLessEqual(abs((invoice.invoice_date_due - today).days), 121)
        debtors = self.env["collection.debtor"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertEqual(len(debtors), 6)
        self.assertEqual(
            (summary["customers"], summary["invoices"], summary["posted"]),
            (6, 12, 12),
        )
        self.assertEqual(summary["debtors"], 6)
        self.assertAlmostEqual(
            summary["total_overdue"], sum(debtors.mapped("total_overdue")), places=2
        )
        self.assertAlmostEqual(
            summary["total_due"], sum(debtors.mapped("total_due")), places=2
        )
        self.assertGreater(summary["total_overdue"], 0)
        by_bucket = {
            row["bucket"]: (row["customers"], row["overdue"])
            for row in summary["buckets"]
        }
        for bucket in debtors.worst_bucket_id:
            mine = debtors.filtered(lambda d, b=bucket: d.worst_bucket_id == b)
            count, overdue = by_bucket[bucket.name]
            self.assertEqual(count, len(mine))
            self.assertAlmostEqual(overdue, sum(mine.mapped("total_overdue")), places=2)

    def test_cycle_reports_what_the_database_shows(self):
        self.seed()
        Message = self.env["collection.message"]
        last_before = Message.search([], order="id desc", limit=1).id or 0
        open_before = Message.search(
            [("state", "in", ["review", "planned", "queued", "sending"])]
        )
        code, out, err = run_script("run_cycle", [*self.connection(), "--json"])
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.env.invalidate_all()
        self.assertEqual(
            [step["step"] for step in report["steps"]],
            ["refresh", "plan", "dispatch", "settle"],
        )
        shown = {}
        for group in Message.read_group(
            [], ["state"], ["state", "channel"], lazy=False
        ):
            shown.setdefault(group["state"], {})[group["channel"] or "none"] = group[
                "__count"
            ]
        self.assertEqual(report["messages"]["after"], shown)
        new = Message.search([("id", ">", last_before)])
        self.assertTrue(new, "the seeded customers are in a journey")
        self.assertEqual(report["new"]["total"], len(new))
        self.assertEqual(
            report["new"]["by_state"],
            {
                state: len(new.filtered(lambda m, s=state: m.state == s))
                for state in set(new.mapped("state"))
            },
        )
        refused = Message.search(
            [
                ("state", "=", "refused"),
                "|",
                ("id", ">", last_before),
                ("id", "in", open_before.ids),
            ]
        )
        reasons = Counter(
            zip(
                refused.mapped("refusal_rule"),
                refused.mapped("refusal_reason"),
                strict=True,
            )
        )
        self.assertEqual(report["refused"]["count"], len(refused))
        self.assertEqual(
            [
                (row["rule"], row["reason"], row["count"])
                for row in report["refused"]["top_reasons"]
            ],
            [
                (rule or None, reason or None, count)
                for (rule, reason), count in sorted(
                    reasons.items(), key=lambda item: (-item[1], str(item[0]))
                )[:5]
            ],
        )
        promises = {
            group["state"]: group["__count"]
            for group in self.env["collection.promise"].read_group(
                [], ["state"], ["state"], lazy=False
            )
        }
        self.assertEqual(report["promises"]["after"], promises)

    def test_wrong_password_is_one_clear_line(self):
        code, out, err = run_script(
            "seed_demo", self.connection(password="not-the-password")
        )
        self.assertEqual(code, 2)
        self.assertEqual(
            err,
            f"error: Wrong login or password for user 'admin' on database "
            f"'{self.env.cr.dbname}' at {self.base_url()}.\n",
        )
        self.assertNotIn("not-the-password", out + err)
        self.assertFalse(
            self.env["res.partner"].search_count([("ref", "=like", "SEED11-%")])
        )
