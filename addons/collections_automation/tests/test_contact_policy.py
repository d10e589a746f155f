from datetime import datetime, time, timedelta

import holidays
import pytz

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon

BOGOTA = pytz.timezone("America/Bogota")


@tagged("post_install", "-at_install")
class TestContactPolicy(CollectionsCommon):
    """Colombian Sundays and holidays through planning and dispatch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Andrés Pérez",
                "email": "andres@example.co",
                "country_id": cls.env.ref("base.co").id,
                "tz": "America/Bogota",
            }
        )
        cls.make_invoice(cls.customer, 300000, due_in=-3)
        co_holidays = holidays.country_holidays(
            "CO", years=[cls.today.year, cls.today.year + 1]
        )
        cls.holidays = co_holidays
        cls.holiday = min(
            day for day in co_holidays if day > cls.today and day.weekday() < 5
        )
        cls.sunday = cls.today + timedelta(days=(6 - cls.today.weekday()) or 7)

    def plan_at(self, local_day, local_hour=10):
        now = BOGOTA.localize(datetime.combine(local_day, time(local_hour)))
        now = now.astimezone(pytz.utc).replace(tzinfo=None)
        self.env["collection.debtor"]._refresh(
            local_day, company_ids=self.env.company.ids
        )
        self.Message._plan(now, company_ids=self.env.company.ids)
        message = self.Message.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "planned")]
        )
        self.assertEqual(len(message), 1)
        return now, message

    def assert_lawful_colombian_slot(self, utc_naive):
        local = pytz.utc.localize(utc_naive).astimezone(BOGOTA)
        self.assertNotEqual(local.weekday(), 6, "never on Sunday")
        self.assertNotIn(local.date(), self.holidays, "never on a holiday")
        window = (time(8), time(15)) if local.weekday() == 5 else (time(7), time(19))
        self.assertTrue(window[0] <= local.time() < window[1], local)

    def test_sunday_is_moved_to_the_next_lawful_day(self):
        now, message = self.plan_at(self.sunday)
        self.assertGreater(message.scheduled_at, now)
        self.assert_lawful_colombian_slot(message.scheduled_at)
        self.assertEqual(self.Message._dispatch(now=now), 0)
        self.assertEqual(message.state, "planned")

    def test_holiday_is_refused_at_dispatch_and_rescheduled(self):
        now, message = self.plan_at(self.holiday)
        self.assert_lawful_colombian_slot(message.scheduled_at)
        # someone forces it to go now, on the holiday: dispatch says no
        message.scheduled_at = now
        self.assertEqual(self.Message._dispatch(now=now), 1)
        self.assertEqual(message.state, "planned")
        self.assertGreater(message.scheduled_at, now)
        self.assert_lawful_colombian_slot(message.scheduled_at)

    def test_after_a_contact_no_second_one_the_same_day(self):
        weekday = self.holiday - timedelta(days=1)
        while weekday.weekday() > 4 or weekday in self.holidays:
            weekday -= timedelta(days=1)
        now, message = self.plan_at(weekday)
        self.assertEqual(self.Message._dispatch(now=now), 1)
        self.assertEqual(message.state, "sent")
        second = self.Message.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "channel": "email",
                "template_id": message.template_id.id,
                "idempotency_key": "test-second-contact",
                "scheduled_at": now + timedelta(hours=1),
            }
        )
        self.Message._dispatch(now=now + timedelta(hours=1))
        self.assertEqual(second.state, "planned", "Ley 2300: one contact a day")
        self.assertGreater(second.scheduled_at.date(), now.date())

    def test_policy_presets_and_access(self):
        policy = self.env.ref("collections_automation.policy_co")
        self.assertEqual(policy.sun_end, 0)
        self.assertEqual((policy.sat_start, policy.sat_end), (8, 15))
        self.assertTrue(policy.skip_holidays)
        self.assertEqual(policy.after_contact_weekly, 2)
        rules = policy._to_rules()
        self.assertIsNone(rules.windows[6])
        collector = new_test_user(
            self.env, "collector2", "collections_automation.group_collection_user"
        )
        manager = new_test_user(
            self.env, "manager2", "collections_automation.group_collection_manager"
        )
        admin = new_test_user(self.env, "admin2", "base.group_system,base.group_user")
        for user in (collector, manager):
            with self.assertRaises(AccessError):
                policy.with_user(user).write({"mon_start": 9})
        policy.with_user(admin).write({"mon_start": 9})
        self.assertEqual(policy._to_rules().windows[0].start, time(9))

    def test_state_rules_on_top_of_the_country(self):
        resolve = self.env["collection.contact.policy"]._rules_resolver(
            self.env.company
        )
        self.assertEqual(resolve("US", "MA").attempts_7d, 2)
        self.assertEqual(resolve("US", "MA").call_attempts_7d, 7)
        self.assertEqual(resolve("US", "TX").code, "US")
        self.assertEqual(resolve("MX", None).windows[0].end, time(22))
        self.assertEqual(resolve("ES", None).code, "default")
