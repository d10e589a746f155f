import math
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 12:00:00")
class TestKpis(CollectionsCommon):
    """Each KPI of March 2026 against the figure worked out by hand below.

    Three customers. Invoices (amount, dated, due, paid in March):

    ====  ====  =====  ==========  ==========  ==============  =========
    inv   cust  amt    dated       due         paid            Mar 1 / Apr 1
    ====  ====  =====  ==========  ==========  ==============  =========
    A     P1    1000   2026-01-10  2026-02-09  400 on 03-15    mid / mid
    B     P2     500   2026-02-01  2026-02-25  -               early / mid
    C     P2     300   2026-02-10  2026-02-20  300 on 03-05    early / paid
    D     P3    2000   2026-03-05  2026-04-04  500 on 03-20    - (new)
    E     P3     800   2025-12-01  2025-12-31  -               mid / late
    F     P1     200   2026-03-01  2026-03-10  -               - (new)
    ====  ====  =====  ==========  ==========  ==============  =========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        collector = cls.env.ref("collections_automation.group_collection_user")
        cls.ana, cls.beto = (
            cls.env["res.users"].create(
                {
                    "name": login.title(),
                    "login": login,
                    "groups_id": [Command.set(collector.ids)],
                    "company_id": cls.env.company.id,
                    "company_ids": [Command.set(cls.env.company.ids)],
                }
            )
            for login in ("ana_kpi", "beto_kpi")
        )
        cls.north, cls.south = (
            cls.env["collection.team"].create(
                {
                    "name": name,
                    "member_ids": [Command.create({"user_id": user.id, "capacity": 9})],
                }
            )
            for name, user in (("North", cls.ana), ("South", cls.beto))
        )
        Partner = cls.env["res.partner"]
        cls.p1, cls.p2, cls.p3 = (
            Partner.create({"name": n}) for n in "P1 P2 P3".split()
        )

        def invoice(partner, amount, dated, due, move_type="out_invoice"):
            move = cls.env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": dated,
                    "date": dated,
                    "invoice_date_due": dated,
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

        cls.invoice = staticmethod(invoice)
        a = invoice(cls.p1, 1000, "2026-01-10", "2026-02-09")
        invoice(cls.p2, 500, "2026-02-01", "2026-02-25")
        c = invoice(cls.p2, 300, "2026-02-10", "2026-02-20")
        d = invoice(cls.p3, 2000, "2026-03-05", "2026-04-04")
        invoice(cls.p3, 800, "2025-12-01", "2025-12-31")
        invoice(cls.p1, 200, "2026-03-01", "2026-03-10")
        cls.pay(a, 400, date(2026, 3, 15))
        cls.pay(c, 300, date(2026, 3, 5))
        cls.pay(d, 500, date(2026, 3, 20))

        cls.case_of = {}
        for partner, team, user in (
            (cls.p1, cls.north, cls.ana),
            (cls.p2, cls.north, cls.ana),
            (cls.p3, cls.south, cls.beto),
        ):  # routing would spread them by workload: pin them
            case = cls.env["collection.case"].create({"partner_id": partner.id})
            case.write({"team_id": team.id, "user_id": user.id})
            cls.case_of[partner] = case

    def message(self, partner, channel, state, sent_at, **values):
        return self.env["collection.message"].create(
            {
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "channel": channel,
                "state": state,
                "sent_at": sent_at,
                "scheduled_at": sent_at,
                "idempotency_key": f"kpi-{partner.id}-{channel}-{sent_at}-{state}",
                **values,
            }
        )

    def call(self, partner, code, day):
        case = self.case_of[partner]
        return self.env["collection.case.call"].create(
            {
                "case_id": case.id,
                "team_id": case.team_id.id,
                "user_id": case.user_id.id,
                "call_date": datetime(2026, 3, day, 15),
                "disposition_id": self.env.ref(
                    f"collections_contact_center.disposition_{code}"
                ).id,
            }
        )

    def compute(self):
        Line = self.env["collection.kpi.line"]
        Line._compute_period(MARCH, self.env.company)
        return Line.search(
            [("company_id", "=", self.env.company.id), ("date_from", "=", MARCH)]
        )

    def value(self, lines, kpi, dimension="overall", **keys):
        found = lines.filtered(
            lambda line: line.kpi == kpi
            and line.dimension == dimension
            and all(line[field] == value for field, value in keys.items())
        )
        self.assertEqual(len(found), 1, f"one {kpi} line per {dimension} {keys}")
        return found.value

    def test_receivable_kpis(self):
        lines = self.compute()
        # opening (Feb 28): A+B+C+E = 2600; credit sales: D+F = 2200;
        # paid 1200, so closing 3600, of which current (due >= Mar 31): D's 1500
        self.assertAlmostEqual(self.value(lines, "dso"), 3600 * 31 / 2200, 2)
        self.assertAlmostEqual(self.value(lines, "best_dso"), 1500 * 31 / 2200, 2)
        self.assertAlmostEqual(
            self.value(lines, "average_days_delinquent"), 2100 * 31 / 2200, 2
        )
        self.assertAlmostEqual(
            self.value(lines, "cei"), 100 * (4800 - 3600) / (4800 - 1500), 2
        )
        self.assertAlmostEqual(self.value(lines, "amount_collected"), 1200, 2)
        # overdue on Mar 1: A, B, C, E = 2600; recovered of it: A 400 + C 300
        self.assertAlmostEqual(self.value(lines, "recovery_rate"), 100 * 700 / 2600, 2)
        self.assertAlmostEqual(
            self.value(lines, "recovery_rate", "team", team_id=self.south), 0, 2
        )
        self.assertAlmostEqual(
            self.value(lines, "recovery_rate", "collector", user_id=self.ana),
            100 * 700 / 1800,
            2,
        )
        # roll rates: early held B 500 + C 300, B rolled; mid held A 1000 +
        # E 800, E rolled to late; nothing started in preventive or late
        early, mid = self.buckets["early"], self.buckets["mid"]
        self.assertAlmostEqual(
            self.value(lines, "roll_rate", "bucket", bucket_id=early), 62.5, 2
        )
        self.assertAlmostEqual(
            self.value(lines, "roll_rate", "bucket", bucket_id=mid), 100 * 800 / 1800, 2
        )
        rolled_from = lines.filtered(lambda line: line.kpi == "roll_rate").bucket_id
        self.assertEqual(rolled_from, early | mid)

    def test_unapplied_credits_settle_the_oldest_items_first(self):
        # a credit note of 2000 to P3 on Mar 20, not reconciled: P3's balance
        # is 800 (E, overdue) + 1500 (D, current) - 2000 = 300, all of it
        # current once the credit has settled E; closing 3600 - 2000 = 1600,
        # credit sales 2200 - 2000 = 200
        self.invoice(self.p3, 2000, "2026-03-20", "2026-03-20", "out_refund")
        lines = self.compute()
        self.assertAlmostEqual(self.value(lines, "dso"), 1600 * 31 / 200, 2)
        self.assertAlmostEqual(self.value(lines, "best_dso"), 300 * 31 / 200, 2)
        self.assertAlmostEqual(
            self.value(lines, "cei"), 100 * (2800 - 1600) / (2800 - 300), 2
        )

    def test_contact_kpis(self):
        self.message(self.p1, "sms", "delivered", datetime(2026, 3, 3, 14))
        self.message(self.p2, "email", "failed", datetime(2026, 3, 4, 14))
        self.message(self.p2, "whatsapp", "sent", datetime(2026, 3, 5, 14))
        self.message(self.p3, "whatsapp", "sent", datetime(2026, 3, 6, 14))
        # February: does not count, or P3 would be reached
        self.message(self.p3, "sms", "delivered", datetime(2026, 2, 27, 14))
        self.call(self.p2, "no_answer", 9)
        self.call(self.p2, "right_party", 10)
        self.call(self.p1, "promise", 11)
        self.call(self.p3, "wrong_number", 12)
        lines = self.compute()
        # targeted P1, P2, P3; reached P1 (delivered SMS) and P2 (spoke)
        self.assertAlmostEqual(self.value(lines, "contact_rate"), 100 * 2 / 3, 2)
        for channel, expected in (
            ("sms", 100),
            ("email", 0),
            ("whatsapp", 0),
            ("collector", 100 * 2 / 3),
        ):
            self.assertAlmostEqual(
                self.value(lines, "contact_rate", "channel", channel=channel),
                expected,
                2,
            )
        self.assertAlmostEqual(
            self.value(lines, "contact_rate", "collector", user_id=self.ana), 100, 2
        )
        self.assertAlmostEqual(
            self.value(lines, "contact_rate", "team", team_id=self.south), 0, 2
        )
        # 4 calls, 2 with the debtor (right party, promise); 1 promise of 2
        self.assertAlmostEqual(self.value(lines, "right_party_rate"), 50, 2)
        self.assertAlmostEqual(self.value(lines, "promise_rate"), 50, 2)
        self.assertAlmostEqual(
            self.value(lines, "right_party_rate", "collector", user_id=self.beto), 0, 2
        )

    def test_promise_kept_rate(self):
        Promise = self.env["collection.promise"].sudo()  # past promises, as data
        for partner, amount, day, state, paid in (
            (self.p1, 400, "2026-03-15", "kept", 400),
            (self.p2, 500, "2026-03-20", "broken", 0),
            (self.p3, 1000, "2026-03-25", "partially_kept", 500),
            (self.p1, 100, "2026-04-20", "open", 0),  # falls due in April
            (self.p2, 700, "2026-03-10", "cancelled", 0),
        ):
            promise = Promise.create(
                {"partner_id": partner.id, "amount": amount, "promise_date": day}
            )
            promise.write({"state": state, "amount_paid": paid})
        lines = self.compute()
        self.assertAlmostEqual(self.value(lines, "promise_kept_rate"), 100 / 3, 2)
        self.assertAlmostEqual(
            self.value(lines, "promise_kept_rate", "collector", user_id=self.ana),
            50,
            2,
        )

    def test_ai_containment_and_escalations(self):
        Conversation = self.env["collection.conversation"]
        conversations = Conversation.create(
            [
                {
                    "partner_id": p.id,
                    "company_id": self.env.company.id,
                    "channel": channel,
                    "escalation_reason": reason,
                }
                for p, channel, reason in (
                    (self.p1, "whatsapp", False),
                    (self.p2, "sms", "dispute"),
                    (self.p3, "whatsapp", "hardship"),
                    (self.p1, "web", False),
                    (self.p2, "whatsapp", "dispute"),  # February
                )
            ]
        )
        started = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-02-20"]
        for conversation, day in zip(conversations, started, strict=True):
            self.env.cr.execute(
                "UPDATE collection_conversation SET create_date = %s WHERE id = %s",
                (day, conversation.id),
            )
        conversations.invalidate_recordset(["create_date"])
        lines = self.compute()
        self.assertAlmostEqual(self.value(lines, "containment_rate"), 50, 2)
        self.assertAlmostEqual(
            self.value(lines, "containment_rate", "channel", channel="whatsapp"), 50, 2
        )
        self.assertAlmostEqual(
            self.value(lines, "containment_rate", "channel", channel="web"), 100, 2
        )
        self.assertAlmostEqual(self.value(lines, "escalation_rate"), 50, 2)
        for reason in ("dispute", "hardship"):
            self.assertAlmostEqual(
                self.value(
                    lines, "escalation_rate", "reason", escalation_reason=reason
                ),
                25,
                2,
            )

    def test_recompute_replaces_the_month(self):
        first = self.compute()
        again = self.compute()
        self.assertFalse(first.exists())
        self.assertEqual(len(again), len(first))

    def test_ab_test_winner_sent_to_everyone(self):
        journey = self.env["collection.journey"].create(
            {
                "name": "A/B",
                "step_ids": [
                    Command.create(
                        {"name": "Day 3", "offset_days": 3, "channel": "sms"}
                    )
                ],
            }
        )
        step = journey.step_ids
        step.write({"ab_metric": "reply", "ab_min_samples": 20})
        variant_a, variant_b = self.env["collection.journey.variant"].create(
            [{"step_id": step.id, "code": code} for code in "AB"]
        )
        customers = self.env["res.partner"].create(
            [{"name": f"AB {n}"} for n in range(60)]
        )
        # A: 18 of 30 replied; B: 6 of 30
        for n, customer in enumerate(customers):
            variant, replied = (variant_a, n < 18) if n < 30 else (variant_b, n < 36)
            self.message(
                customer,
                "sms",
                "replied" if replied else "delivered",
                datetime(2026, 3, 2 + n % 20, 14),
                step_id=step.id,
                journey_id=journey.id,
                variant_id=variant.id,
            )
        self.assertEqual((variant_a.ab_sent, variant_b.ab_sent), (30, 30))
        self.assertAlmostEqual(variant_a.ab_reply_rate, 0.6)
        self.assertAlmostEqual(variant_b.ab_reply_rate, 0.2)
        # pooled z-test by hand: p = 0.4, se = sqrt(0.4 * 0.6 * 2 / 30)
        z = 0.4 / math.sqrt(0.4 * 0.6 * 2 / 30)
        p_value = math.erfc(z / math.sqrt(2))
        self.assertEqual(step.ab_winner_id, variant_a)
        self.assertAlmostEqual(step.ab_p_value, p_value, 4)

        lines = self.compute()
        reply_a = lines.filtered(
            lambda line: line.kpi == "reply_rate" and line.variant_id == variant_a
        )
        self.assertAlmostEqual(reply_a.value, 60, 2)
        self.assertTrue(reply_a.is_winner)
        self.assertAlmostEqual(reply_a.p_value, p_value, 4)

        with self.assertRaises(AccessError):
            step.with_user(self.ana).action_send_winner_to_everyone()
        step.action_send_winner_to_everyone()
        self.assertEqual((variant_a.weight, variant_b.weight), (100, 0))
        self.assertEqual(step.ab_decided_variant_id, variant_a)

        self.assertTrue(step.ab_tested)
        step.ab_min_samples = 31  # not enough customers yet: no winner
        step.invalidate_recordset(["ab_winner_id", "ab_verdict", "ab_tested"])
        self.assertFalse(step.ab_winner_id)
        self.assertEqual(
            step.ab_verdict, "Not enough customers yet: each variant needs 31."
        )
        self.assertFalse(step.ab_tested, "no p-value without enough data")
        with self.assertRaises(UserError):
            step.action_send_winner_to_everyone()
