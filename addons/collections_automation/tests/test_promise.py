from datetime import datetime, time, timedelta

from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPromise(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # promises made elsewhere (their terms are what is tested here, not
        # the negotiation policy): recorded as the system
        cls.Promise = cls.env["collection.promise"].sudo()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ana Souza",
                "email": "ana@example.com.br",
                "country_id": cls.env.ref("base.br").id,
                "tz": "America/Sao_Paulo",
            }
        )
        cls.invoice = cls.make_invoice(cls.customer, 1000, due_in=-20)

    def promise(self, amount, days):
        return self.Promise.create(
            {
                "partner_id": self.customer.id,
                "amount": amount,
                "promise_date": self.days(days),
                "invoice_ids": [(6, 0, self.invoice.ids)],
            }
        )

    def test_registered_payment_keeps_the_promise(self):
        promise = self.promise(600, 5)
        self.pay(self.invoice, 300)
        self.assertEqual(promise.state, "open")
        self.assertAlmostEqual(promise.amount_paid, 300)
        self.pay(self.invoice, 300)
        self.assertEqual(promise.state, "kept")
        self.assertIn("Kept", self.customer.message_ids[0].body)

    def test_unpaid_promise_breaks_and_reenters_the_journey(self):
        promise = self.promise(600, -2)
        promise._settle(self.today)
        self.assertEqual(promise.state, "broken")
        self.assertTrue(
            self.customer.activity_ids.filtered(lambda a: "Broken promise" in a.summary)
        )
        self.env["collection.debtor"]._refresh(
            self.today, company_ids=self.env.company.ids
        )
        self.assertEqual(
            self.customer.collection_debtor_id.broken_promise_date, self.days(-2)
        )
        # the broken-promise step of the journey comes next
        now = datetime.combine(self.today, time(15))
        self.env["collection.message"]._plan(now, company_ids=self.env.company.ids)
        planned = self.env["collection.message"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "planned")]
        )
        self.assertEqual(
            planned.step_id, self.env.ref("collections_automation.step_standard_broken")
        )

    def test_partly_paid_promise_is_partially_kept(self):
        promise = self.promise(600, -1)
        self.pay(self.invoice, 100)
        promise._settle(self.today)
        self.assertEqual(promise.state, "partially_kept")

    def test_open_promise_holds_reminders_and_gets_its_own(self):
        promise = self.promise(1000, 1)
        self.env["collection.debtor"]._refresh(
            self.today, company_ids=self.env.company.ids
        )
        now = datetime.combine(self.today, time(15))
        Message = self.env["collection.message"]
        Message._plan(now, company_ids=self.env.company.ids)
        journey = Message.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "journey")]
        )
        self.assertEqual(
            journey.filtered(lambda m: m.state != "cancelled").mapped("refusal_rule"),
            ["hold_promise"],
        )
        self.Promise._cron_remind(now)
        reminder = Message.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "promise_reminder")]
        )
        self.assertEqual(reminder.state, "planned")
        self.Promise._cron_remind(now)
        self.assertEqual(
            Message.search_count([("idempotency_key", "=", promise._reminder_key())]), 1
        )
        Message._dispatch(now=now + timedelta(minutes=1))
        self.assertEqual(reminder.state, "sent")
        self.assertIn("due tomorrow", reminder.subject)

    def test_each_promise_due_tomorrow_gets_its_own_reminder_in_one_run(self):
        Message = self.env["collection.message"]
        Partner = self.env["res.partner"]
        values = {"country_id": self.customer.country_id.id, "tz": self.customer.tz}
        other = Partner.create({"name": "Bia Lima", "email": "bia@example.com.br"})
        other.write(values)
        silent = Partner.create(
            {
                "name": "Caio Mudo",
                "email": "caio@example.com.br",
                "collection_do_not_contact": True,
                **values,
            }
        )
        # due the day after tomorrow: not yet (a customer has one open
        # promise; a new one replaces it)
        later = Partner.create({"name": "Duda Rocha", "email": "duda@example.com.br"})
        later.write(values)
        promises = {}
        for name, partner, amount, days in (
            ("mine", self.customer, 400, 1),
            ("theirs", other, 200, 1),
            ("refused", silent, 300, 1),
            ("later", later, 100, 2),
        ):
            invoice = (
                self.invoice
                if partner == self.customer
                else self.make_invoice(partner, 500, due_in=-10)
            )
            promises[name] = self.Promise.create(
                {
                    "partner_id": partner.id,
                    "amount": amount,
                    "promise_date": self.days(days),
                    "invoice_ids": [(6, 0, invoice.ids)],
                }
            )
        self.pay(self.invoice, 100)
        now = datetime.combine(self.today, time(15))
        self.Promise._cron_remind(now)
        rows = Message.search([("kind", "=", "promise_reminder")])
        self.assertEqual(
            {row.idempotency_key: (row.partner_id, row.amount_due) for row in rows},
            {
                promises["mine"]._reminder_key(): (self.customer, 300),
                promises["theirs"]._reminder_key(): (other, 200),
            },
        )
        for name, left in (("mine", 300), ("theirs", 200)):
            row = rows.filtered(
                lambda r, name=name: r.idempotency_key == promises[name]._reminder_key()
            )
            self.assertEqual(row.payment_url, promises[name]._payment_link(left))
            self.assertEqual(row.invoice_ids, promises[name].invoice_ids)
        self.Promise._cron_remind(now)
        self.assertEqual(Message.search_count([("kind", "=", "promise_reminder")]), 2)

    def test_payment_plan_pays_its_installments_in_order(self):
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "balance": 1000,
                "invoice_ids": [(6, 0, self.invoice.ids)],
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": self.customer.id,
                            "amount": amount,
                            "promise_date": self.days(days),
                            "invoice_ids": [(6, 0, self.invoice.ids)],
                        },
                    )
                    for amount, days in ((400, 5), (300, 35), (300, 65))
                ],
            }
        )
        first, second, third = plan.promise_ids.sorted("promise_date")
        self.assertEqual(
            (plan.state, plan.installment_count, plan.amount_total), ("open", 3, 1000)
        )
        self.assertIn("Payment plan recorded", self.customer.message_ids[0].body)
        # 550 pays the first installment and half the second, not all three
        self.pay(self.invoice, 550)
        self.assertEqual(
            (first.state, second.state, third.state), ("kept", "open", "open")
        )
        self.assertEqual((second.amount_paid, third.amount_paid), (150, 0))
        self.assertEqual(plan.amount_paid, 700 - 150)
        # the second falls due short: the plan is broken
        (second | third)._settle(self.days(36))
        self.assertEqual((second.state, third.state), ("partially_kept", "open"))
        self.assertEqual(plan.state, "broken")

    def test_payment_plan_completed(self):
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": self.customer.id,
                            "amount": 500,
                            "promise_date": self.days(days),
                            "invoice_ids": [(6, 0, self.invoice.ids)],
                        },
                    )
                    for days in (5, 35)
                ],
            }
        )
        self.pay(self.invoice, 1000)
        self.assertEqual(set(plan.promise_ids.mapped("state")), {"kept"})
        self.assertEqual(plan.state, "kept")
