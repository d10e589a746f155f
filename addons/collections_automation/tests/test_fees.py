import json
from datetime import datetime, time, timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_amount, mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import CollectionsCommon
from .common_rpc import WebClientMixin

USER_ERROR = "odoo.exceptions.UserError"


class LateFeesCommon(CollectionsCommon):
    """A customer 31 days late, and the standard journey's final notice
    charging a late fee and interest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.Fee = cls.env["collection.fee"]
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Tomás Ibarra",
                "email": "tomas@example.com",
                "lang": "en_US",
                "tz": "Europe/Madrid",
                "country_id": cls.env.ref("base.es").id,
            }
        )
        # 31 days past due: the standard journey's final notice (day 30)
        cls.invoice = cls.make_invoice(cls.customer, 1000, due_in=-31)
        cls.step = cls.env.ref("collections_automation.step_standard_final")
        cls.step.write({"late_fee_fixed": 25, "late_fee_rate": 12})
        cls.fee_product = cls.env["product.product"].create(
            {
                "name": "Late payment fee",
                "type": "service",
                "taxes_id": [Command.clear()],
                "property_account_income_id": cls.company_data[
                    "default_account_revenue"
                ].id,
            }
        )
        cls.env.company.collection_fee_product_id = cls.fee_product
        cls.now = datetime.combine(cls.today, time(10, 0))

    def cycle(self, now=None):
        now = now or self.now
        self.env["collection.debtor"]._refresh(
            now.date(), company_ids=self.env.company.ids
        )
        return self.Message._plan(now, company_ids=self.env.company.ids)

    def fees(self, partner=None):
        return self.Fee.search([("partner_id", "=", (partner or self.customer).id)])

    # 1000 x 12% x 31 / 365 = 10.19, plus the fee of 25
    EXPECTED = 35.19


@tagged("post_install", "-at_install")
class TestLateFees(LateFeesCommon):
    """A journey step with a late fee and interest charges it once per
    customer and cycle, on an invoice in the company's currency, draft or
    posted as the company says, and the reminder states it."""

    def test_one_fee_per_customer_and_cycle_in_draft(self):
        self.assertEqual(self.cycle(), 1)
        fee = self.fees()
        self.assertEqual(len(fee), 1)
        self.assertEqual(fee.step_id, self.step)
        self.assertTrue(fee.display_name.startswith("Late fee: "), fee.display_name)
        self.assertEqual(fee.anchor_date, self.invoice.invoice_date_due)
        self.assertAlmostEqual(fee.fixed_amount, 25)
        self.assertAlmostEqual(fee.interest_amount, 10.19)
        self.assertAlmostEqual(fee.interest_base, 1000)
        move = fee.move_id
        self.assertEqual(move.state, "draft", "the company's default: draft")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(move.currency_id, self.env.company.currency_id)
        self.assertAlmostEqual(move.amount_total, self.EXPECTED)
        self.assertEqual(move.invoice_line_ids.product_id, self.fee_product)
        interest_line = move.invoice_line_ids.filtered(
            lambda line: "Interest" in line.name
        )
        self.assertIn(self.invoice.name, interest_line.name)
        self.assertIn("31 days", interest_line.name)
        # planning again, the same day and the days after: still one fee
        self.assertEqual(self.cycle(), 0)
        self.cycle(self.now + timedelta(days=1))
        self.cycle(self.now + timedelta(days=2))
        self.assertEqual(len(self.fees()), 1)
        self.assertEqual(
            self.env["account.move"].search_count(
                [("partner_id", "=", self.customer.id), ("ref", "like", "Late fee")]
            ),
            1,
        )
        notes = "".join(self.customer.message_ids.mapped("body"))
        self.assertIn("Late fee charged by the collection journey", notes)

    def test_the_reminder_states_the_fee(self):
        self.cycle()
        message = self.Message.search(
            [("partner_id", "=", self.customer.id), ("step_id", "=", self.step.id)]
        )
        self.assertEqual(message.channel, "email")
        amount = format_amount(
            self.env, self.EXPECTED, self.env.company.currency_id, "en_US"
        )
        self.assertIn(
            f"A late payment charge of {amount} has been added to your account",
            message.body,
        )
        self.assertIn("interest of", message.body)
        self.assertIn("12% a year", message.body)
        self.assertIn(amount, message.email_preview)
        # it goes out as it reads
        self.Message._dispatch(now=self.now)
        self.assertEqual(message.state, "sent", message.error)
        sent = self._mails[-1]["body"]
        self.assertIn("A late payment charge of $&nbsp;35.19", sent)

    def test_a_fee_waived_before_the_reminder_leaves_is_not_announced(self):
        self.cycle()
        message = self.Message.search(
            [("partner_id", "=", self.customer.id), ("step_id", "=", self.step.id)]
        )
        self.assertIn("A late payment charge", message.body)
        self.fees().action_waive()
        self.assertNotIn("A late payment charge", message.body)
        self.Message._dispatch(now=self.now)
        self.assertEqual(message.state, "sent", message.error)
        self.assertNotIn("late payment charge", self._mails[-1]["body"])

    def test_posted_when_the_company_says_so_and_numbered_in_the_reminder(self):
        self.env.company.collection_fee_state = "posted"
        self.cycle()
        fee = self.fees()
        self.assertEqual(fee.move_id.state, "posted")
        self.assertEqual(fee.move_id.payment_state, "not_paid")
        message = fee.message_id
        self.assertIn(f"({fee.move_id.name})", message.body)

    def test_sms_reminder_states_the_fee_briefly(self):
        self.customer.write(
            {"mobile": "+34 612 345 679", "collection_consent_sms": True}
        )
        self.customer.collection_preferred_channel = "sms"
        self.cycle()
        message = self.fees().message_id
        self.assertEqual(message.channel, "sms")
        amount = format_amount(
            self.env, self.EXPECTED, self.env.company.currency_id, "en_US"
        )
        # by SMS the amount's no-break space goes as a space (GSM-7, not UCS-2)
        amount = amount.replace("\xa0", " ")
        self.assertIn(f"Late fee added: {amount}.", message.body)

    def test_interest_in_company_currency_for_an_invoice_in_another(self):
        other = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        customer = self.customer.copy({"name": "Two-currency customer"})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "currency_id": other.id,
                "invoice_date": self.days(-31),
                "invoice_date_due": self.days(-31),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Service", "price_unit": 2000, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        self.cycle()
        fee = self.fees(customer)
        self.assertEqual(fee.move_id.currency_id, self.env.company.currency_id)
        # 2000 EUR at 2 per unit is 1000 in company currency
        self.assertAlmostEqual(fee.interest_base, 1000)
        self.assertAlmostEqual(fee.move_id.amount_total, self.EXPECTED)

    def test_next_fee_counts_interest_from_the_last_charge(self):
        self.cycle()
        first = self.fees()
        # a later step of the same cycle with interest only
        self.step.late_fee_fixed = 0
        escalate = self.env.ref("collections_automation.step_standard_escalate")
        escalate.write({"late_fee_rate": 12})
        # the first step goes out (a step still waiting holds the journey)
        self.Message._dispatch(now=self.now)
        self.cycle(self.now + timedelta(days=15))
        second = self.fees() - first
        self.assertEqual(second.step_id, escalate)
        self.assertAlmostEqual(second.interest_amount, 4.93, msg="15 days, not 46")
        self.assertEqual(second.interest_through, self.today + timedelta(days=15))

    def test_only_the_rows_of_a_charging_step_are_charged(self):
        """One planning, two customers: the one whose step charges gets its
        fee, the one at an earlier step of the same journey none, and its
        reminder says nothing of a charge."""
        early = self.env["res.partner"].create(
            {
                "name": "Lucía Prado",
                "email": "lucia@example.com",
                "lang": "en_US",
                "tz": "Europe/Madrid",
                "country_id": self.env.ref("base.es").id,
            }
        )
        self.make_invoice(early, 400, due_in=-5)
        self.assertEqual(self.cycle(), 2)
        self.assertEqual(len(self.fees()), 1)
        self.assertFalse(self.fees(early))
        reminder = self.Message.search([("partner_id", "=", early.id)])
        self.assertEqual(len(reminder), 1)
        self.assertNotEqual(reminder.step_id, self.step)
        self.assertTrue(reminder.body)
        self.assertNotIn("late payment charge", reminder.body)

    def test_no_step_charging_no_fee(self):
        self.step.write({"late_fee_fixed": 0, "late_fee_rate": 0})
        self.assertEqual(self.cycle(), 1)
        self.assertFalse(self.fees())
        reminder = self.Message.search([("partner_id", "=", self.customer.id)])
        self.assertTrue(reminder.body)
        self.assertNotIn("late payment charge", reminder.body)

    def test_refused_step_charges_nothing(self):
        self.customer.write({"email": False})
        self.cycle()
        self.assertFalse(self.fees())

    def test_waive_by_hand_is_for_managers(self):
        self.env.company.collection_fee_state = "posted"
        self.cycle()
        fee = self.fees()
        collector = self.env["res.users"].create(
            {
                "name": "Colin Collector",
                "login": "colin_fees",
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref(
                                "collections_automation.group_collection_user"
                            ).id
                        ]
                    )
                ],
            }
        )
        with self.assertRaises(UserError):
            fee.with_user(collector).action_waive()
        fee.action_waive()
        self.assertEqual(fee.state, "waived")
        self.assertEqual(fee.move_id.payment_state, "reversed")
        self.assertIn(
            "Late fee waived", "".join(fee.move_id.message_ids.mapped("body"))
        )

    def test_a_waived_fee_is_no_payment_on_a_promise(self):
        """The credit note reversing a waived fee settles the fee invoice but
        pays nothing towards a promise; a payment on the invoice does."""
        self.env.company.collection_fee_state = "posted"
        self.cycle()
        fee = self.fees()
        promise = self.env["collection.promise"].create(
            {
                "partner_id": self.customer.id,
                "amount": 1000,
                "promise_date": self.days(7),
            }
        )
        fee.action_waive()
        self.assertEqual(fee.move_id.payment_state, "reversed")
        self.assertEqual(promise._paid_since_promise().get(promise.id, 0.0), 0.0)
        self.pay(self.invoice, 200)
        self.assertAlmostEqual(promise._paid_since_promise()[promise.id], 200)
        promise._settle()
        self.assertAlmostEqual(promise.amount_paid, 200)
        self.assertEqual(promise.state, "open")

    def test_a_fee_that_cannot_be_invoiced_never_stops_the_planning(self):
        other_company = self.setup_other_company()["company"]
        self.fee_product.company_id = other_company
        self.assertEqual(self.cycle(), 1, "the reminder is planned all the same")
        self.assertFalse(self.fees())
        notes = "".join(self.customer.message_ids.mapped("body"))
        self.assertIn("not charged", notes)
        message = self.Message.search([("partner_id", "=", self.customer.id)])
        self.assertNotIn("late payment charge", message.body)

    def test_a_negative_fee_is_refused(self):
        with self.assertRaises(ValidationError):
            self.step.late_fee_rate = -1


@tagged("post_install", "-at_install")
class TestWaivingInTheWebClient(WebClientMixin, LateFeesCommon, HttpCase):
    """A collections manager presses Waive on a fee's form: a fee that
    cannot be waived has no button, and pressing it anyway says why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collection_fee_state = "posted"
        cls.manager = cls.role_user(
            cls.env,
            "wanda_waiver",
            "collections_automation.group_collection_manager",
            name="Wanda Waiver",
        )

    def press_waive(self, fee):
        """Press Waive as the web client does; the action it answers."""
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "collection.fee",
                "method": "action_waive",
                "args": [fee.ids],
                "kwargs": {"context": {}},
            },
        )

    def press_waive_refused(self, fee):
        """Press Waive, refused with an error for people: what they read."""
        payload = {
            "id": 0,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "collection.fee",
                "method": "action_waive",
                "args": [fee.ids],
                "kwargs": {"context": {}},
            },
        }
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/web/dataset/call_button",
                json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200, "an error for people, not a 500")
        answer = response.json()
        self.assertIn("error", answer, f"pressing Waive said nothing: {answer}")
        error = answer["error"]["data"]
        self.assertEqual(error["name"], USER_ERROR)
        return error["message"]

    def waive_button_shown(self, fee):
        """Whether the form shows Waive for ``fee``, as the web client
        decides it: the button's ``invisible`` on the record's values."""
        views = self.rpc("collection.fee", "get_views", [[False, "form"]])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        [button] = arch.xpath("//button[@name='action_waive']")
        names = ["state", "move_state", "move_payment_state"]
        [values] = self.rpc("collection.fee", "read", fee.ids, names)
        return not safe_eval(button.get("invisible") or "False", values)

    def test_waive_says_why_when_already_waived(self):
        self.cycle()
        fee = self.fees()
        self.login(self.manager)
        self.assertTrue(self.waive_button_shown(fee))
        self.press_waive(fee)
        self.assertEqual(fee.state, "waived")
        self.assertEqual(fee.move_id.payment_state, "reversed")
        self.assertFalse(self.waive_button_shown(fee))
        # pressed again (a second tab, a stale form)
        message = self.press_waive_refused(fee)
        self.assertEqual(
            message, "This late fee was waived already (waived by Wanda Waiver)."
        )

    def test_waive_says_why_when_the_fee_is_paid(self):
        self.cycle()
        fee = self.fees()
        self.pay(fee.move_id, 10)  # in part
        self.assertEqual(fee.move_id.payment_state, "partial")
        self.login(self.manager)
        message = self.press_waive_refused(fee)
        self.assertIn("This late fee is paid already, in full or in part", message)
        self.assertIn(fee.move_id.name, message)
        self.assertEqual(fee.state, "charged")
        self.assertEqual(fee.move_id.payment_state, "partial", "left as it is")
        self.assertFalse(self.waive_button_shown(fee), "no button: it cannot apply")

    def test_waive_among_others_says_which_were_not(self):
        self.cycle()
        fee = self.fees()
        other_customer = self.customer.copy({"name": "Olga Otero"})
        self.make_invoice(other_customer, 1000, due_in=-31)
        self.cycle()
        other = self.fees(other_customer)
        self.assertTrue(other)
        self.pay(fee.move_id, fee.move_id.amount_total)
        self.login(self.manager)
        action = self.press_waive(fee | other)
        self.assertEqual((fee.state, other.state), ("charged", "waived"))
        params = action["params"]
        self.assertEqual(params["type"], "warning")
        self.assertIn("1 late fee(s) waived.", params["message"])
        self.assertIn(
            f"{fee.display_name}: This late fee is paid already", params["message"]
        )
