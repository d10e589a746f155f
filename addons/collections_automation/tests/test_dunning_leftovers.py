"""Leftovers of the dunning features: a promise recorded by hand for one
currency's debt of a customer owing in several; a statement of account
counts in the contact policy's email caps; the migration rewriting the
shipped templates' old amount placeholders."""

import os
from datetime import datetime, time

from odoo.exceptions import UserError
from odoo.modules.module import get_manifest, get_module_path
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.collections_automation.migrations.template_placeholders import (
    rewrite_template_bodies,
    shipped_template_ids,
)

from .common_rpc import WebClientMixin
from .test_currencies import CurrencyPortfolio
from .test_statement import StatementPortfolio

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def one_email_a_day(env, country):
    """A contact policy for ``country``: one email a day, 08:00 to 20:00."""
    return env["collection.contact.policy"].create(
        {
            "name": "One email a day",
            "company_id": env.company.id,
            "country_id": country.id,
            "preset": "default",
            "daily_cap_email": 1,
            **{f"{day}_start": 8 for day in DAYS},
            **{f"{day}_end": 20 for day in DAYS},
        }
    )


SPEC = {
    "partner_id": {"fields": {"display_name": {}}},
    "company_id": {"fields": {}},
    "currency_id": {"fields": {"display_name": {}}},
    "debt_currency_ids": {"fields": {}},
    "invoice_ids": {"fields": {"display_name": {}}},
    "amount": {},
    "promise_date": {},
}


def command_ids(commands):
    """The record ids a many2many holds after the commands the server sent."""
    ids = []
    for command in commands:
        if isinstance(command, dict):  # a record read back
            ids.append(command["id"])
        elif command[0] == 6:
            ids = list(command[2])
        elif command[0] == 5:
            ids = []
        elif command[0] in (1, 4):
            ids.append(command[1])
        elif command[0] in (2, 3):
            ids = [i for i in ids if i != command[1]]
    return ids


@tagged("post_install", "-at_install")
class TestRecordPromiseInTheDebtCurrency(WebClientMixin, CurrencyPortfolio, HttpCase):
    """Mara owes USD 700, EUR 600 overdue (500 more not yet due) and MXN
    8,000. An accountant who collects records her promise by hand over
    JSON-RPC, as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            "lea_billing",
            "account.group_account_invoice,base.group_partner_manager,"
            "collections_automation.group_collection_user",
            password="lea_billing-pass-1",
            company_id=cls.company.id,
        )
        if "collection.case" in cls.env:
            # with the contact center, a collector works their cases' customers
            case = cls.env["collection.case"].create({"partner_id": cls.mara.id})
            case.user_id = cls.user

    def open_wizard(self, active_model, ids):
        context = {"active_model": active_model, "active_ids": ids}
        return self.rpc(
            "collection.record.promise", "onchange", [], {}, [], SPEC, context=context
        )["value"]

    def test_eur_promise_for_the_eur_debt(self):
        self.login(self.user)
        values = self.open_wizard("res.partner", self.mara.ids)
        # the largest debt by default (USD 700 > EUR 600 = USD 667), in its
        # currency and its invoices only: no sum over currencies
        self.assertEqual(values["currency_id"]["id"], self.usd.id)
        self.assertEqual(command_ids(values["invoice_ids"]), self.inv_usd.ids)
        self.assertEqual(values["amount"], 700)
        self.assertEqual(
            set(command_ids(values["debt_currency_ids"])),
            {self.usd.id, self.eur.id, self.mxn.id},
        )
        # the accountant picks the euro debt: its overdue invoice, EUR 600
        changed = self.rpc(
            "collection.record.promise",
            "onchange",
            [],
            {
                "partner_id": self.mara.id,
                "company_id": self.company.id,
                "currency_id": self.eur.id,
                "invoice_ids": [[6, 0, self.inv_usd.ids]],
                "amount": 700,
            },
            ["currency_id"],
            SPEC,
        )["value"]
        self.assertEqual(command_ids(changed["invoice_ids"]), self.inv_eur.ids)
        self.assertEqual(changed["amount"], 600)
        saved = self.rpc(
            "collection.record.promise",
            "web_save",
            [],
            {
                "partner_id": self.mara.id,
                "currency_id": self.eur.id,
                "invoice_ids": [[6, 0, self.inv_eur.ids]],
                "amount": changed["amount"],
                "promise_date": str(self.days(5)),
            },
            specification={"amount": {}},
        )
        result = self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "collection.record.promise",
                "method": "action_record",
                "args": [[saved[0]["id"]]],
                "kwargs": {},
            },
        )
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("600.00", result["params"]["message"])
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.mara.id)]
        )
        self.assertRecordValues(
            promise,
            [
                {
                    "currency_id": self.eur.id,
                    "amount": 600,
                    "state": "open",
                    "user_id": self.user.id,
                }
            ],
        )
        self.assertEqual(promise.invoice_ids, self.inv_eur)
        # the euro payment keeps it (the request's test cursor dates the
        # promise by the clock, after this transaction's payments: date it
        # back within the day, after the partial payments of yesterday)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE collection_promise SET create_date = create_date - interval"
            " '2 hours' WHERE id = %s",
            promise.ids,
        )
        promise.invalidate_recordset(["create_date"])
        self.pay(self.inv_eur, 600)
        promise._settle()
        self.assertEqual(promise.state, "kept")

    def test_invoices_picked_set_the_currency_and_the_told_amount(self):
        self.login(self.user)
        # both euro invoices (600 overdue, 500 not yet due): what is asked
        # now in euros, EUR 600, no more
        values = self.open_wizard(
            "account.move", (self.inv_eur | self.inv_eur_later).ids
        )
        self.assertEqual(values["currency_id"]["id"], self.eur.id)
        self.assertEqual(values["amount"], 600)
        # the MXN debt: the credit note counted, MXN 8,000 and not 10,000
        changed = self.rpc(
            "collection.record.promise",
            "onchange",
            [],
            {
                "partner_id": self.mara.id,
                "company_id": self.company.id,
                "currency_id": self.mxn.id,
                "invoice_ids": [[6, 0, self.inv_mxn.ids]],
            },
            ["invoice_ids"],
            SPEC,
        )["value"]
        self.assertEqual(changed["amount"], 8000)

    def test_invoices_of_two_currencies_are_refused_in_words(self):
        self.login(self.user)
        context = {
            "active_model": "account.move",
            "active_ids": (self.inv_eur | self.inv_usd).ids,
        }
        self.refused(
            "collection.record.promise",
            "onchange",
            [],
            {},
            [],
            SPEC,
            context=context,
            error="odoo.exceptions.UserError",
        )
        # and a wizard saved with invoices of another currency records nothing
        wizard = (
            self.env["collection.record.promise"]
            .with_user(self.user)
            .create(
                {
                    "partner_id": self.mara.id,
                    "currency_id": self.eur.id,
                    "invoice_ids": [(6, 0, self.inv_usd.ids)],
                    "amount": 100,
                }
            )
        )
        with self.assertRaisesRegex(Exception, "Record one promise per currency"):
            wizard.action_record()


@tagged("post_install", "-at_install")
class TestStatementCountsInTheEmailCaps(StatementPortfolio):
    """A contact policy allows one email a day: a statement of account
    emailed today is that email, and the other way round."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        one_email_a_day(cls.env, cls.env.ref("base.be"))
        cls.dora.country_id = cls.env.ref("base.be")
        cls.gate = cls.env["collection.contact.gate"]

    def now(self, minute=0, hour=12):
        return datetime.combine(self.today, time(hour, minute))

    def test_a_statement_today_defers_the_journey_email(self):
        self.assertTrue(
            self.gate._decide(self.dora, "email", "journey", self.now(1)).allowed
        )
        with self.noon():
            self.assertTrue(self.env["collection.statement"]._send_by_hand(self.dora))
        verdict = self.gate._decide(self.dora, "email", "journey", self.now(1))
        self.assertEqual(verdict.state, "deferred")
        self.assertGreater(verdict.until.date(), self.today, "tomorrow")

    def test_a_journey_email_today_holds_back_the_statement(self):
        self.env["collection.message"].create(
            {
                "partner_id": self.dora.id,
                "company_id": self.env.company.id,
                "channel": "email",
                "template_id": self.env.ref(
                    "collections_automation.template_overdue_email"
                ).id,
                "state": "sent",
                "scheduled_at": self.now(30, hour=11),
                "sent_at": self.now(30, hour=11),
                "idempotency_key": "leftovers-journey-email",
            }
        )
        with self.noon(), self.assertRaisesRegex(UserError, "does not allow"):
            self.env["collection.statement"]._send_by_hand(self.dora)
        self.assertFalse(
            self.env["collection.statement.sending"].search(
                [("partner_id", "=", self.dora.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestTemplatePlaceholdersMigration(TransactionCase):
    """Upgraded databases keep the shipped templates' bodies (noupdate): the
    migration to 18.0.1.3.0 rewrites their old amount placeholders, in every
    language, and nothing else."""

    OLD_EN = (
        "{{ object.company_id.name }}: {{ format_amount(object.debtor_id."
        "stated_overdue, object.currency_id) }} is overdue (balance "
        "{{ format_amount(object.debtor_id.stated_due, object.currency_id) }})."
    )
    OLD_ES = (
        "{{ object.company_id.name }}: debe {{format_amount(object.debtor_id."
        "stated_overdue,object.currency_id)}}, páguelo hoy."
    )

    def test_old_placeholders_rewritten_in_every_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        sms = self.env.ref("collections_automation.template_overdue_sms")
        email = self.env.ref("collections_automation.template_overdue_email")
        sms.with_context(lang="en_US").body = self.OLD_EN
        sms.with_context(lang="es_ES").body = self.OLD_ES
        edited = "Hello {{ object.partner_id.name }}, {{ object.payment_url }}"
        email.with_context(lang="en_US").body = edited
        self.env.flush_all()
        cr = self.env.cr
        ids = shipped_template_ids(cr)
        self.assertIn(sms.id, ids)
        changed = rewrite_template_bodies(cr, ids)
        self.assertIn(sms.id, changed)
        self.env.invalidate_all()
        self.assertEqual(
            sms.with_context(lang="en_US").body,
            "{{ object.company_id.name }}: {{ object.debtor_id.overdue_by_currency "
            "}} is overdue (balance {{ object.debtor_id.due_by_currency }}).",
        )
        self.assertEqual(
            sms.with_context(lang="es_ES").body,
            "{{ object.company_id.name }}: debe "
            "{{object.debtor_id.overdue_by_currency}}, páguelo hoy.",
            "the customer's words kept, the placeholder rewritten",
        )
        self.assertEqual(email.with_context(lang="en_US").body, edited)
        # every shipped body, in every language, states the debt per currency
        cr.execute(
            "SELECT t.id, k.key FROM collection_template t,"
            " jsonb_each_text(t.body) k"
            " WHERE t.id = ANY(%s) AND k.value ~ 'stated_(overdue|due)'",
            [ids],
        )
        self.assertEqual(cr.fetchall(), [])
        # a second run finds nothing left to rewrite
        self.assertEqual(rewrite_template_bodies(cr, ids), [])

    def test_manifest_version_has_the_migration(self):
        manifest = get_manifest("collections_automation")
        version = manifest["version"]
        path = get_module_path("collections_automation")
        self.assertTrue(
            os.path.isfile(os.path.join(path, "migrations", version, "post-migrate.py"))
        )
