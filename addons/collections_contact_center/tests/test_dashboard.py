from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon
from odoo.addons.collections_automation.tests.common_rpc import WebClientMixin
from odoo.addons.collections_contact_center.models.collection_kpi_line import (
    ab_outcomes,
)

COLLECTOR = "collections_automation.group_collection_user"
MANAGER = "collections_automation.group_collection_manager"


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 12:00:00")
class TestDashboard(WebClientMixin, CollectionsCommon, HttpCase):
    """The manager's dashboard over JSON-RPC on a portfolio worked by hand.

    Today is 2026-04-10. Invoices (amount, customer, dated, due, paid):

    ====  ====  =====  ==========  ==========  ===========================
    inv   cust  amt    dated       due         paid
    ====  ====  =====  ==========  ==========  ===========================
    A     P1    1000   2026-02-01  2026-02-11  400 on 03-15, 300 on 04-05
    B     P2     500   2026-03-01  2026-03-31  -
    C     P3    2000   2026-04-02  2026-05-02  -
    D     P4     600   2025-08-01  2025-08-31  600 on 2025-09-10
    ====  ====  =====  ==========  ==========  ===========================

    P1 and P2 are North's (Ana's), P3 and P4 South's (Beto's).

    * amount collected: March 400, April 300 (down 100, -25 %: worse);
    * recovery rate: March 400 of 1000 overdue on the 1st = 40 %; April 300
      of 600 + 500 = 27.3 % (down 12.7 points: worse);
    * DSO: March (1000 + 500 - 400) x 31 / 500 = 68.2 days; April
      (1000 + 500 + 2000 - 700) x 10 / 2000 = 14.0 days (down: better);
    * aging today: A 300 is 58 days overdue (Mid), B 500 10 days (Early), C
      2000 not due yet; at the end of March: A 600 (Mid), B 500 (Early).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company

        def user(login, groups):
            return new_test_user(
                cls.env,
                login,
                groups,
                password=f"{login}-pass-1",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.ana = user("ana_dash", COLLECTOR)
        cls.beto = user("beto_dash", COLLECTOR)
        cls.mara = user("mara_dash", MANAGER)
        cls.north, cls.south = (
            cls.env["collection.team"].create(
                {
                    "name": name,
                    "member_ids": [Command.create({"user_id": member.id})],
                }
            )
            for name, member in (("North", cls.ana), ("South", cls.beto))
        )
        p1, p2, p3, p4 = (
            cls.env["res.partner"].create({"name": f"Dashboard P{n}"})
            for n in range(1, 5)
        )

        def invoice(partner, amount, dated, due):
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": dated,
                    "date": dated,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
            move.invoice_date_due = due
            move.action_post()
            return move

        a = invoice(p1, 1000, "2026-02-01", "2026-02-11")
        invoice(p2, 500, "2026-03-01", "2026-03-31")
        invoice(p3, 2000, "2026-04-02", "2026-05-02")
        d = invoice(p4, 600, "2025-08-01", "2025-08-31")
        cls.pay(a, 400, date(2026, 3, 15))
        cls.pay(a, 300, date(2026, 4, 5))
        cls.pay(d, 600, date(2025, 9, 10))
        for partner, team, collector in (
            (p1, cls.north, cls.ana),
            (p2, cls.north, cls.ana),
            (p3, cls.south, cls.beto),
            (p4, cls.south, cls.beto),
        ):
            case = cls.env["collection.case"].create({"partner_id": partner.id})
            case.write({"team_id": team.id, "user_id": collector.id})
        journey = cls.env["collection.journey"].create(
            {
                "name": "Dashboard A/B",
                "step_ids": [
                    Command.create(
                        {"name": "Day 3", "offset_days": 3, "channel": "sms"}
                    )
                ],
            }
        )
        cls.step = journey.step_ids
        cls.env["collection.journey.variant"].create(
            [{"step_id": cls.step.id, "code": code} for code in "AB"]
        )

    def dashboard(self, **scope):
        self.login(self.mara)
        self.rpc("collection.kpi.line", "action_recompute_history", [])
        return self.rpc("collection.kpi.line", "get_dashboard_data", **scope)

    @staticmethod
    def trend(data, kpi):
        return next(trend for trend in data["trends"] if trend["kpi"] == kpi)

    def test_twelve_months_as_months(self):
        data = self.dashboard()
        months = data["months"]
        self.assertEqual(len(months), 12)
        self.assertEqual(months[0]["label"], "May 2025")
        self.assertEqual(months[-1]["label"], "April 2026")
        self.assertEqual(months[-1]["date"], "2026-04-01")
        self.assertEqual(data["this_month"], "April 2026")
        self.assertEqual(data["last_month"], "March 2026")
        for trend in data["trends"]:
            self.assertEqual(len(trend["values"]), 12, trend["kpi"])
        collected = self.trend(data, "amount_collected")["values"]
        # September 2025: 600 on the August invoice; nothing between
        self.assertEqual(collected[4], 600)
        self.assertEqual(collected[5:10], [None] * 5)
        self.assertEqual(collected[10:], [400, 300])

    def test_this_month_against_the_last_in_words(self):
        data = self.dashboard()
        collected = self.trend(data, "amount_collected")
        self.assertEqual(collected["unit"], "amount")
        self.assertEqual(
            (collected["direction"], collected["judgement"]), ("down", "worse")
        )
        self.assertIn("300.00", collected["value_text"])
        self.assertIn("▼", collected["change_text"])
        self.assertIn("100.00", collected["change_text"])
        self.assertIn("-25 %", collected["change_text"])
        self.assertIn("against March 2026: worse", collected["change_text"])

        recovery = self.trend(data, "recovery_rate")
        self.assertEqual(recovery["unit"], "rate")
        self.assertAlmostEqual(recovery["values"][-2], 40.0, 2)
        self.assertAlmostEqual(recovery["values"][-1], 300 / 1100 * 100, 2)
        self.assertEqual(recovery["value_text"], "27.3 %")
        self.assertEqual(
            recovery["change_text"], "▼ -12.7 points against March 2026: worse"
        )

        dso = self.trend(data, "dso")
        self.assertEqual(dso["unit"], "days")
        self.assertAlmostEqual(dso["values"][-2], 1100 * 31 / 500, 2)
        self.assertAlmostEqual(dso["values"][-1], 2800 * 10 / 2000, 2)
        self.assertEqual(dso["value_text"], "14.0 days")
        self.assertEqual((dso["direction"], dso["judgement"]), ("down", "better"))
        self.assertEqual(dso["change_text"], "▼ -54.2 days against March 2026: better")
        self.assertEqual(dso["companion"]["name"], "Best possible DSO")

    def test_aging_today_and_at_the_end_of_last_month(self):
        aging = self.dashboard()["aging"]
        names = aging["buckets"]
        self.assertEqual(names[0], "Not due yet")

        def amounts(side):
            return {
                name: amount
                for name, amount in zip(names, aging[side]["amounts"], strict=True)
                if amount
            }

        self.assertEqual(
            amounts("today"),
            {"Not due yet": 2000, "Early (1-15)": 500, "Mid (16-60)": 300},
        )
        self.assertEqual(
            amounts("month_ago"), {"Early (1-15)": 500, "Mid (16-60)": 600}
        )
        self.assertEqual(aging["today"]["label"], "On April 10, 2026")
        self.assertEqual(aging["month_ago"]["label"], "On March 31, 2026")
        self.assertIn("2,800.00", aging["today"]["total_text"])

    def test_per_team_and_per_collector(self):
        data = self.dashboard()
        self.assertEqual([team["name"] for team in data["teams"]], ["North", "South"])
        self.assertIn({"id": self.beto.id, "name": self.beto.name}, data["collectors"])
        north = self.rpc(
            "collection.kpi.line", "get_dashboard_data", team_id=self.north.id
        )
        self.assertEqual(north["scope_name"], "North")
        self.assertEqual(
            self.trend(north, "amount_collected")["values"][-2:], [400, 300]
        )
        # the DSO is the company's: not shown as a team's
        self.assertFalse(self.trend(north, "dso")["available"])
        beto = self.rpc(
            "collection.kpi.line", "get_dashboard_data", user_id=self.beto.id
        )
        self.assertEqual(beto["scope_name"], self.beto.name)
        collected = self.trend(beto, "amount_collected")
        self.assertEqual(collected["values"][4], 600)
        self.assertEqual(collected["values"][-2:], [None, None])
        self.assertEqual(
            collected["change_text"], "Nothing to compare with in March 2026."
        )

    def test_pivot_totals_never_mix_units(self):
        """The pivot's grand total of each measure is over its unit's lines
        only: money summed, days and rates averaged, never added together."""
        self.dashboard()
        domain = [("dimension", "=", "overall"), ("date_from", "=", "2026-04-01")]
        lines = self.rpc(
            "collection.kpi.line", "search_read", domain, ["kpi", "unit", "value"]
        )
        by_unit = {}
        for line in lines:
            by_unit.setdefault(line["unit"], []).append(line["value"])
        self.assertEqual(set(by_unit), {"amount", "days", "rate"})
        [total] = self.rpc(
            "collection.kpi.line",
            "read_group",
            domain,
            ["value_amount:sum", "value_days:avg", "value_rate:avg"],
            [],
        )
        self.assertAlmostEqual(total["value_amount"], sum(by_unit["amount"]), 2)
        days, rates = by_unit["days"], by_unit["rate"]
        self.assertAlmostEqual(total["value_days"], sum(days) / len(days), 1)
        self.assertAlmostEqual(total["value_rate"], sum(rates) / len(rates), 1)
        # the raw value is no measure: nothing sums dollars, days and rates
        fields = self.rpc(
            "collection.kpi.line", "fields_get", ["value"], ["aggregator"]
        )
        self.assertFalse(fields["value"].get("aggregator"))

    def test_a_bad_team_is_a_clear_error(self):
        self.login(self.mara)
        self.refused(
            "collection.kpi.line",
            "get_dashboard_data",
            team_id="North",
            error="odoo.exceptions.UserError",
        )
        # another company's team or collector: the same sentence, no name
        other = self.setup_other_company()["company"]
        team_b = self.env["collection.team"].create(
            {"name": "Team of B", "company_id": other.id}
        )
        user_b = new_test_user(
            self.env,
            "bea_b",
            "collections_automation.group_collection_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        for scope in ({"team_id": team_b.id}, {"user_id": user_b.id}):
            self.refused(
                "collection.kpi.line",
                "get_dashboard_data",
                error="odoo.exceptions.UserError",
                **scope,
            )

    def test_ab_verdict_in_words(self):
        tests = self.dashboard()["ab_tests"]
        test = next(t for t in tests if t["id"] == self.step.id)
        self.assertEqual(test["verdict"], self.step.ab_verdict)
        # two variants, nothing sent yet: too early, not "only one variant"
        self.assertEqual(
            test["verdict"], "Not enough customers yet: each variant needs 100."
        )
        self.assertNotIn("0.0000", test["verdict"])
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.step.ab_min_samples = -5

    def test_a_manager_reads_the_verdict_of_variants_sent_and_paid(self):
        """Variants sent to P1 (who paid 300 since) and P2: the verdict reads
        payments, which a collections manager without accounting rights
        reads through it (it was an access error on reconciliations)."""
        variants = self.step.variant_ids.sorted("code")
        # read by its step wherever it shows (tags, outbox rows, the winner)
        self.assertEqual(
            variants.mapped("display_name"), ["Day 3, variant A", "Day 3, variant B"]
        )
        for name, variant in (
            ("Dashboard P1", variants[0]),
            ("Dashboard P2", variants[1]),
        ):
            partner = self.env["res.partner"].search([("name", "=", name)])
            self.env["collection.message"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "step_id": self.step.id,
                    "journey_id": self.step.journey_id.id,
                    "variant_id": variant.id,
                    "kind": "journey",
                    "channel": "sms",
                    "state": "sent",
                    "sent_at": "2026-04-01 10:00:00",
                    "idempotency_key": f"ab-{partner.id}",
                }
            )
        tests = self.dashboard()["ab_tests"]
        test = next(t for t in tests if t["id"] == self.step.id)
        self.assertTrue(test["verdict"])
        # each customer's outcome was read, payments included
        self.assertEqual(len(ab_outcomes(self.env, self.step)[self.step]), 2)

    def test_collectors_see_no_company_figures(self):
        """KPI lines are the managers' (security: managers only): a collector
        gets an access error, not the company's or another team's figures."""
        self.dashboard()
        self.login(self.ana)
        self.refused("collection.kpi.line", "get_dashboard_data")
        self.refused("collection.kpi.line", "get_dashboard_data", team_id=self.north.id)
        self.refused("collection.kpi.line", "action_recompute_history", [])


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 12:00:00")
class TestKpiHistoryCron(CollectionsCommon):
    """The nightly job fills the missing months of the last twelve."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls.env["res.partner"].create({"name": "History"})
        for dated, amount in (("2025-08-01", 600), ("2026-01-15", 300)):
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": dated,
                    "date": dated,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()

    def months_of(self, pairs):
        return [month for company, month in pairs if company == self.env.company]

    def test_missing_months_from_the_first_entry_newest_first(self):
        Line = self.env["collection.kpi.line"]
        self.assertEqual(
            self.months_of(Line._months_to_compute()),
            # this month and the two before, then the history back to August
            [date(2026, 4, 1), date(2026, 3, 1), date(2026, 2, 1)]
            + [date(2026, 1, 1), date(2025, 12, 1), date(2025, 11, 1)]
            + [date(2025, 10, 1), date(2025, 9, 1), date(2025, 8, 1)],
        )

    def test_the_cron_fills_them_in_batches(self):
        Line = self.env["collection.kpi.line"]
        cron = self.env.ref("collections_contact_center.ir_cron_compute_kpis")
        runs = 0
        while runs < 10:  # what ir.cron does: batches while some remain
            runs += 1
            cron, progress = cron._add_progress()
            Line.with_context(ir_cron_progress_id=progress.id)._cron_compute()
            if not progress.remaining:
                break
        self.assertLess(runs, 10)
        self.assertEqual(self.months_of(Line._months_to_compute()), [])
        months = Line.search(
            [("company_id", "=", self.env.company.id), ("kpi", "=", "aging_amount")]
        ).mapped("date_from")
        self.assertEqual(len(set(months)), 9, "August 2025 to April 2026")
        # the recent months are not computed again within the hour
        before = Line.search([("company_id", "=", self.env.company.id)])
        Line._cron_compute()
        self.assertEqual(
            Line.search([("company_id", "=", self.env.company.id)]), before
        )


@tagged("post_install", "-at_install")
class TestDashboardTour(CollectionsCommon, HttpCase):
    """The dashboard in a real browser (headless Chromium), as a manager."""

    def test_a_manager_reads_the_dashboard(self):
        company = self.env.company
        manager = new_test_user(
            self.env,
            "mira_dash_tour",
            f"{MANAGER},account.group_account_invoice",
            password="mira_dash_tour",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        team = self.env["collection.team"].create(
            {
                "name": "Tour North",
                "member_ids": [Command.create({"user_id": manager.id})],
            }
        )
        partner = self.env["res.partner"].create({"name": "Tour Dashboard"})
        late = self.make_invoice(partner, 900, due_in=-40, invoice_in=-70)
        self.make_invoice(partner, 400, due_in=20, invoice_in=-2)
        self.pay(late, 200, self.today - relativedelta(months=1))
        self.pay(late, 300)
        case = self.env["collection.case"].create({"partner_id": partner.id})
        case.write({"team_id": team.id, "user_id": manager.id})
        journey = self.env["collection.journey"].create(
            {
                "name": "Tour A/B",
                "step_ids": [
                    Command.create(
                        {"name": "Day 3", "offset_days": 3, "channel": "sms"}
                    )
                ],
            }
        )
        self.env["collection.journey.variant"].create(
            [{"step_id": journey.step_ids.id, "code": code} for code in "AB"]
        )
        self.env["collection.kpi.line"].with_user(manager).action_recompute_history()
        # read the manifests here, not first in a server thread: Python
        # 3.11.7 can fail parsing there ("AST constructor recursion depth
        # mismatch", CPython gh-106905)
        self.assertTrue(http.root.statics)
        self.start_tour(
            "/odoo/action-collections_contact_center.collection_kpi_dashboard_client_action",
            "collections_dashboard",
            login="mira_dash_tour",
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 12:00:00")
class TestDashboardAgingWithCredits(WebClientMixin, CollectionsCommon, HttpCase):
    """The aging a manager reads after "Recompute KPIs" is the ledger's:
    each customer's unapplied credits (credit notes, payments) settle their
    oldest items first, as in an aging and in ``collection.debtor``.

    Today is 2026-04-10 (an item is aged at the end of the day). Items:

    ====  =====================  ==========  ==========  =================
    cust  item                   dated       due         aged today
    ====  =====================  ==========  ==========  =================
    P1    invoice 1000           2026-02-01  2026-02-11  59 days: Mid
    P1    invoice 500            2026-03-20  2026-04-01  10 days: Early
    P1    credit note 300        2026-04-05
    P2    invoice 800            2026-04-01  2026-05-20  not due yet
    P2    payment 800, unapplied 2026-04-09
    P3    credit note 600        2026-03-15
    P3    invoice 400            2026-03-01  2026-03-25  17 days: Mid
    P4    invoice 250            2026-01-01  2026-01-10  91 days: Late
    ====  =====================  ==========  ==========  =================

    * today: P1's credit settles 300 of its oldest invoice (Mid 700, Early
      500), P2's payment all of its invoice, P3's credit all of its invoice
      (its 200 left over is owed to P3, not aged); Late 250: 1,450 owed,
      the customers' total due (where they owe), not the 2,950 of open
      invoices;
    * at the end of March (the credit note of April not yet issued, P2's
      invoice not yet posted): P1 Mid 1000 and Preventive 500 (due the
      next day), P3 nothing (its credit covers it), Late 250: 1,750, not
      2,150.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.role_user(
            cls.env,
            "mona_aging",
            "collections_automation.group_collection_manager",
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.customers = p1, p2, p3, p4 = [
            cls.env["res.partner"].create({"name": f"Aging P{n}"}) for n in range(1, 5)
        ]

        def move(partner, amount, dated, due=None, move_type="out_invoice"):
            record = cls.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": dated,
                    "date": dated,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
            record.invoice_date_due = due or dated
            record.action_post()
            return record

        move(p1, 1000, "2026-02-01", "2026-02-11")
        move(p1, 500, "2026-03-20", "2026-04-01")
        move(p1, 300, "2026-04-05", move_type="out_refund")
        move(p2, 800, "2026-04-01", "2026-05-20")
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": p2.id,
                "amount": 800,
                "date": "2026-04-09",
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        move(p3, 600, "2026-03-15", move_type="out_refund")
        move(p3, 400, "2026-03-01", "2026-03-25")
        move(p4, 250, "2026-01-01", "2026-01-10")

    def ledger_aging(self):
        """The ledger today, by hand: the customers' open receivable items,
        their unapplied credits settling the oldest due first, per bucket of
        days overdue at the end of today ("Not due yet" before any)."""
        aging = {}
        buckets = self.env["collection.bucket"]._for_company(self.env.company)
        for partner in self.customers:
            items = self.env["account.move.line"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ]
            )
            credit = -sum(min(item.amount_residual, 0) for item in items)
            for item in items.filtered(lambda i: i.amount_residual > 0).sorted(
                lambda i: (i.date_maturity, i.id)
            ):
                settled = min(credit, item.amount_residual)
                credit -= settled
                owed = item.amount_residual - settled
                if not owed:
                    continue
                days = (self.today - item.date_maturity).days + 1
                bucket = buckets.filtered(
                    lambda b, days=days: b.min_days <= days
                    and (b.open_ended or days <= b.max_days)
                )
                name = bucket.name if bucket else "Not due yet"
                aging[name] = aging.get(name, 0) + owed
        return aging

    def test_the_aging_after_recompute_is_the_ledger(self):
        self.login(self.manager)
        # the "Recompute KPIs" button, then the dashboard as the web client reads it
        self.rpc("collection.kpi.line", "action_recompute", [])
        aging = self.rpc("collection.kpi.line", "get_dashboard_data")["aging"]

        def amounts(side):
            return {
                name: amount
                for name, amount in zip(
                    aging["buckets"], aging[side]["amounts"], strict=True
                )
                if amount
            }

        today = {"Early (1-15)": 500, "Mid (16-60)": 700, "Late (61-120)": 250}
        self.assertEqual(self.ledger_aging(), today)
        self.assertEqual(amounts("today"), today)
        self.assertIn("1,450.00", aging["today"]["total_text"])
        self.assertEqual(
            amounts("month_ago"),
            {"Preventive": 500, "Mid (16-60)": 1000, "Late (61-120)": 250},
        )
        self.assertIn("1,750.00", aging["month_ago"]["total_text"])
        # what collection.debtor holds: the customers' total due (where they
        # owe), all of it overdue
        self.env["collection.refresh"]._run(self.today)
        debtors = self.env["collection.debtor"].search(
            [("partner_id", "in", [p.id for p in self.customers])]
        )
        self.assertEqual(sorted(debtors.mapped("total_due")), [-200, 0, 250, 1200])
        self.assertEqual(sum(debtors.mapped("total_overdue")), 1450)
        self.assertEqual(sum(aging["today"]["amounts"]), 1450)
