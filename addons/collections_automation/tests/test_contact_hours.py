"""Nothing sent at the wrong hour, nothing sent too often: the production
cycle (refresh, plan at 04:00 UTC, dispatch minute by minute) with
customers in several time zones, moving ``now`` hour by hour and day by day.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo.tests import tagged

from .common import CollectionsCommon
from .test_contact_gate import utc

MADRID = pytz.timezone("Europe/Madrid")
MEXICO_CITY = pytz.timezone("America/Mexico_City")


@tagged("post_install", "-at_install")
class TestContactHours(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.Debtor = cls.env["collection.debtor"]
        cls.spain = cls.env.ref("base.es")
        # the coming Saturday (never today: the invoices are dated from it)
        cls.saturday = cls.today + timedelta(days=(5 - cls.today.weekday()) % 7 or 7)

    def customer(self, name, country="base.es", tz="Europe/Madrid", **values):
        return self.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "country_id": self.env.ref(country).id if country else False,
                "tz": tz,
                "lang": "en_US",
                **values,
            }
        )

    def weekdays_only_in_spain(self):
        """A company policy for Spain: 09:00-18:00, Monday to Friday."""
        values = {"name": "Spain, weekdays", "country_id": self.spain.id}
        for day in ("mon", "tue", "wed", "thu", "fri"):
            values.update({f"{day}_start": 9.0, f"{day}_end": 18.0})
        for day in ("sat", "sun"):
            values.update({f"{day}_start": 0.0, f"{day}_end": 0.0})
        values["company_id"] = self.env.company.id
        return self.env["collection.contact.policy"].create(values)

    def cycle(self, day, hour=4):
        """The nightly refresh and the 04:00 UTC planning of ``day``."""
        now = datetime.combine(day, time(hour))
        self.Debtor._refresh(day, company_ids=self.env.company.ids)
        self.Message._plan(now, company_ids=self.env.company.ids)
        return now

    def dispatch_every_hour(self, start, hours):
        """The dispatcher every hour (on the hour) from ``start``: the UTC
        instant at which each row went out."""
        sent_at = {}
        for step in range(hours + 1):
            now = start + timedelta(hours=step)
            self.Message._dispatch(now=now)
            for row in self.Message.search([("sent_at", "=", now)]):
                sent_at.setdefault(row.id, now)
        return sent_at

    def rows(self, partner, states=None):
        domain = [("partner_id", "=", partner.id), ("channel", "!=", "collector")]
        if states:
            domain.append(("state", "in", states))
        return self.Message.search(domain, order="id")

    # --- what held: quiet hours in the customer's own zone
    def test_rows_planned_at_night_go_out_at_the_local_morning(self):
        customers = {
            "Europe/Madrid": self.customer("Lucía Gómez", "base.es"),
            "America/Mexico_City": self.customer(
                "Jorge Ruiz", "base.mx", "America/Mexico_City"
            ),
            "America/Sao_Paulo": self.customer(
                "Ana Souza", "base.br", "America/Sao_Paulo"
            ),
        }
        monday = self.saturday + timedelta(days=2)
        for partner in customers.values():
            self.make_invoice(partner, 500, due_in=(monday - self.today).days - 3)
        planned_at = self.cycle(monday)
        sent = self.dispatch_every_hour(planned_at, 20)
        first_hour = {"Europe/Madrid": 8, "America/Mexico_City": 7}
        for tz, partner in customers.items():
            row = self.rows(partner)
            self.assertEqual(len(row), 1)
            self.assertEqual(row.state, "sent", row.refusal_reason or row.error)
            local = pytz.utc.localize(sent[row.id]).astimezone(pytz.timezone(tz))
            # sent at the first allowed hour of the customer's day, not before
            # and not hours late
            self.assertEqual(local.hour, first_hour.get(tz, 8), (tz, local))
            self.assertEqual(local.date(), monday)
            self.assertIn("Deferred until", row.deferral_reason)

    # --- a customer's zone that is not of its country is not trusted alone
    def test_a_zone_of_another_country_does_not_wake_the_customer(self):
        # Odoo gives a new contact the time zone of the user who creates it: a
        # Mexican customer created by someone in Madrid reads Europe/Madrid
        partner = self.customer("Jorge Ruiz", "base.mx", "Europe/Madrid")
        monday = self.saturday + timedelta(days=2)
        self.make_invoice(partner, 500, due_in=(monday - self.today).days - 3)
        planned_at = self.cycle(monday)
        sent = self.dispatch_every_hour(planned_at, 20)
        row = self.rows(partner)
        self.assertEqual(row.state, "sent", row.refusal_reason or row.error)
        for zone in ("America/Mexico_City", "America/Tijuana", "America/Cancun"):
            local = pytz.utc.localize(sent[row.id]).astimezone(pytz.timezone(zone))
            self.assertGreaterEqual(local.hour, 7, (zone, local))
        madrid = pytz.utc.localize(sent[row.id]).astimezone(MADRID)
        self.assertLess(madrid.hour, 22, madrid)
        self.assertIn("Mexico", row.deferral_reason)

    # --- no time zone: every zone of the country, said on the row
    def test_no_time_zone_is_every_zone_of_the_country_in_words(self):
        partner = self.customer("Jorge Ruiz", "base.mx", False)
        monday = self.saturday + timedelta(days=2)
        self.make_invoice(partner, 500, due_in=(monday - self.today).days - 3)
        planned_at = self.cycle(monday)
        row = self.rows(partner)
        self.assertEqual(row.state, "planned")
        self.assertIn("no time zone", row.deferral_reason)
        self.assertIn("every time zone of Mexico", row.deferral_reason)
        sent = self.dispatch_every_hour(planned_at, 20)
        for zone in pytz.country_timezones["MX"]:
            local = pytz.utc.localize(sent[row.id]).astimezone(pytz.timezone(zone))
            self.assertTrue(7 <= local.hour < 22, (zone, local))

    def test_no_time_zone_and_no_country_is_refused_in_words(self):
        partner = self.customer("Nobody Known", None, False)
        monday = self.saturday + timedelta(days=2)
        self.make_invoice(partner, 500, due_in=(monday - self.today).days - 3)
        self.cycle(monday)
        row = self.rows(partner)
        self.assertEqual(row.state, "refused")
        self.assertEqual(row.refusal_rule, "no_timezone")
        self.assertIn("local time is unknown", row.refusal_reason)

    # --- two steps waiting for the same morning: one goes out
    def test_two_steps_waiting_for_the_same_morning_are_not_both_sent(self):
        self.weekdays_only_in_spain()
        partner = self.customer("Lucía Gómez")
        # the first reminder (3 days after the due date) falls due on
        # Saturday, the second one (10 days after) on Sunday: neither may go
        # out before Monday 09:00
        self.make_invoice(partner, 500, due_in=(self.saturday - self.today).days - 9)
        self.cycle(self.saturday)
        sunday = self.saturday + timedelta(days=1)
        self.cycle(sunday)
        monday = sunday + timedelta(days=1)
        self.cycle(monday)
        waiting = self.rows(partner, ["planned"])
        self.assertTrue(waiting)
        self.assertTrue(all("Deferred until" in row.deferral_reason for row in waiting))
        start = datetime.combine(monday, time(4))
        self.dispatch_every_hour(start, 16)
        sent = self.rows(partner, ["sent"])
        self.assertEqual(len(sent), 1, sent.mapped("step_id.name"))
        local = pytz.utc.localize(sent.sent_at).astimezone(MADRID)
        self.assertEqual((local.date(), local.hour), (monday, 9))

    # --- what happens to a deferred row before its time comes
    def test_a_deferred_reminder_is_not_sent_once_the_customer_paid(self):
        self.weekdays_only_in_spain()
        partner = self.customer("Lucía Gómez")
        invoice = self.make_invoice(
            partner, 500, due_in=(self.saturday - self.today).days - 3
        )
        self.cycle(self.saturday)
        row = self.rows(partner, ["planned"])
        self.assertEqual(len(row), 1)
        monday = self.saturday + timedelta(days=2)
        self.assertEqual(row.scheduled_at, utc(MADRID, monday, 9))
        # the customer pays on Sunday
        self.pay(invoice, 500, date=self.saturday + timedelta(days=1))
        self.cycle(monday)
        self.dispatch_every_hour(datetime.combine(monday, time(4)), 10)
        self.assertNotEqual(row.state, "sent")
        self.assertFalse(self.rows(partner, ["sent", "queued"]))
        self.assertIn("nothing", (row.refusal_reason or "").lower())

    def test_a_deferred_reminder_is_not_sent_after_a_hold_or_an_opt_out(self):
        self.weekdays_only_in_spain()
        held = self.customer("Lucía Gómez")
        opted = self.customer("Marta Ruiz")
        for partner in (held, opted):
            self.make_invoice(
                partner, 500, due_in=(self.saturday - self.today).days - 3
            )
        self.cycle(self.saturday)
        held.collection_hold = "dispute"
        opted.collection_optout_email = True
        monday = self.saturday + timedelta(days=2)
        self.dispatch_every_hour(datetime.combine(monday, time(4)), 10)
        self.assertEqual(self.rows(held).refusal_rule, "hold_dispute")
        self.assertEqual(self.rows(held).refusal_reason, "The debt is disputed.")
        self.assertEqual(self.rows(opted).refusal_rule, "opt_out")
        self.assertIn("opted out", self.rows(opted).refusal_reason)
