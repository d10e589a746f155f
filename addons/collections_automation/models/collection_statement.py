import io
import logging

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date, split_every

from ..engine import statement as statement_engine

_logger = logging.getLogger(__name__)

#: Groups that may read and send a customer's statement (record rules then
#: say which customers: a collector's are those of their cases).
STATEMENT_GROUPS = (
    "collections_automation.group_collection_user",
    "account.group_account_invoice",
    "account.group_account_readonly",
)
#: Customers per job when statements are sent to a selection.
BULK_BATCH = 50
BULK_JOB_CHANNEL = "root.collections"
REPORT = "collections_automation.action_report_customer_statement"


class CollectionStatement(models.AbstractModel):
    """A customer's statement of account, in its own right: an accountant
    prints, downloads and sends it without the contact center.

    The lines are the customer's open items in the company: open invoices,
    credit notes and payments not yet applied (see ``engine/statement.py``),
    each in its own currency; a section per currency with a running balance,
    the aging in the suite's buckets and totals that the lines add up to.

    Reading: the lines are read with the user's rights, and a user who may
    not read every open item of the customer (a collector outside the
    customer's case) gets an access error, never a partial statement.

    Sending: by email through the contact gate, purpose ``by_hand`` when a
    person sends it, ``requested`` for the monthly statement the customer
    asked for. Each sending is a ``collection.statement.sending`` row whose
    unique key (customer, company and minute, or month) makes it idempotent.
    """

    _name = "collection.statement"
    _description = "Customer Statement"

    # === Reading === #
    @api.model
    def _check_rights(self):
        if self.env.su or any(self.env.user.has_group(g) for g in STATEMENT_GROUPS):
            return
        raise AccessError(
            self.env._("Only collectors and accountants may see customer statements.")
        )

    @api.model
    def _domain(self, partner, company):
        """Open receivable items of ``partner`` (a customer, or several)."""
        return [
            ("partner_id", "child_of", partner.commercial_partner_id.ids),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]

    @api.model
    def _open_lines(self, partner, company):
        """The customer's open receivable lines, read as the user; refused
        when the user may not read them all."""
        self._check_rights()
        partner.check_access("read")
        Line = self.env["account.move.line"]
        domain = self._domain(partner, company)
        lines = Line.search(domain)
        if len(lines) != Line.sudo().search_count(domain):
            raise AccessError(
                self.env._(
                    "You may not see every open item of %s: ask whoever works "
                    "this customer for its statement.",
                    partner.commercial_partner_id.display_name,
                )
            )
        return lines

    @api.model
    def _kind(self, move):
        if move.origin_payment_id or move.statement_line_id:
            return "payment"
        return {
            "out_invoice": "invoice",
            "out_receipt": "invoice",
            "out_refund": "credit_note",
        }.get(move.move_type, "other")

    @api.model
    def _items(self, lines):
        """Engine items, one per document and currency: what is left of it."""
        grouped = {}
        for line in lines:
            key = (line.move_id, line.currency_id)
            entry = grouped.setdefault(key, {"amount": 0.0, "due": None, "parts": []})
            entry["amount"] += line.amount_residual_currency
            if line.amount_residual_currency > 0 and line.date_maturity:
                due = entry["due"]
                entry["due"] = (
                    min(due, line.date_maturity) if due else line.date_maturity
                )
                entry["parts"].append(
                    (
                        line.date_maturity,
                        line.currency_id.round(line.amount_residual_currency),
                    )
                )
        items = []
        for (move, currency), entry in grouped.items():
            if currency.is_zero(entry["amount"]):
                continue
            kind = self._kind(move)
            due = entry["due"] if entry["amount"] > 0 else None
            items.append(
                statement_engine.Item(
                    name=move.name,
                    kind=kind,
                    date=move.invoice_date or move.date,
                    due_date=due
                    or (move.invoice_date_due if entry["amount"] > 0 else None),
                    currency=currency.name,
                    amount=currency.round(entry["amount"]),
                    ref=move.ref or "",
                    key=move.id,
                    parts=tuple(sorted(entry["parts"]))
                    if len(entry["parts"]) > 1
                    and not currency.compare_amounts(
                        sum(amount for _due, amount in entry["parts"]), entry["amount"]
                    )
                    else (),
                )
            )
        return items

    @api.model
    def _kind_labels(self):
        return {
            "invoice": self.env._("Invoice"),
            "debit": self.env._("Debit note"),
            "credit_note": self.env._("Credit note"),
            "payment": self.env._("Payment"),
            "other": self.env._("Entry"),
        }

    @api.model
    def _data(self, partner, company=None, today=None):
        """Everything the statement states, in the customer's language.

        :return: dict ``partner, company, lang, date, date_text, sections``
            (each ``currency`` record, ``lines``, ``total``, ``overdue``,
            ``aging`` as ``[(label, amount)]``), ``link``
        """
        company = company or self.env.company
        partner = partner.commercial_partner_id
        lang = partner.lang or self.env.lang or "en_US"
        lines = self._open_lines(partner, company)
        env = self.with_context(lang=lang).env
        today = today or fields.Date.context_today(self.with_company(company))
        buckets = env["collection.bucket"].sudo()._for_company(company)
        engine_buckets = buckets._to_engine()
        currencies = {c.name: c for c in lines.currency_id}
        sections = statement_engine.build(
            self._items(lines),
            engine_buckets,
            today,
            {name: c.decimal_places for name, c in currencies.items()},
        )
        bucket_names = {b.code: b.with_env(env).name for b in buckets}
        links = self._payment_links(partner, company)
        labels = env["collection.statement"]._kind_labels()
        moves = {m.id: m for m in lines.move_id}
        result_sections = []
        for section in sections:
            currency = currencies[section.currency]
            aging = [(env._("Not yet due"), section.aging[statement_engine.NOT_DUE])]
            aging += [
                (bucket_names[b.code], section.aging[b.code])
                for b in sorted(engine_buckets, key=lambda b: b.min_days)
            ]
            if section.aging[statement_engine.UNAPPLIED]:
                aging.append(
                    (
                        env._("Unapplied credit"),
                        section.aging[statement_engine.UNAPPLIED],
                    )
                )
            result_sections.append(
                {
                    "currency": currency,
                    "link": links.get(currency.id),
                    "total": section.total,
                    "overdue": section.overdue,
                    "aging": aging,
                    "lines": [
                        {
                            "move": moves[line.item.key],
                            "name": line.item.name,
                            "ref": line.item.ref,
                            "kind": labels.get(line.item.kind, line.item.kind),
                            "date": line.item.date,
                            "date_text": format_date(env, line.item.date, lang),
                            "due_date": line.item.due_date,
                            "due_text": format_date(env, line.item.due_date, lang),
                            "days_overdue": line.days_overdue,
                            "bucket": bucket_names.get(line.bucket, ""),
                            "amount": line.item.amount,
                            "past_due": statement_engine.past_due(line.item, today),
                            "balance": line.balance,
                        }
                        for line in section.lines
                    ],
                }
            )
        return {
            "partner": partner,
            "company": company,
            "lang": lang,
            "date": today,
            "date_text": format_date(env, today, lang, date_format="long"),
            "sections": result_sections,
            "link": self._payment_link(partner, company),
        }

    @api.model
    def _debtor(self, partner, company):
        return (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                limit=1,
            )
        )

    @api.model
    def _payment_link(self, partner, company):
        """The "pay everything overdue" link of the customer's largest debt,
        once the statement's reader is known to see the customer."""
        debtor = self._debtor(partner, company)
        return debtor._payment_link() if debtor else None

    @api.model
    def _payment_links(self, partner, company):
        """Currency id -> the "pay everything overdue" link in that currency
        (``collection.debtor._payment_links_by_currency``)."""
        debtor = self._debtor(partner, company)
        if not debtor:
            return {}
        return {
            currency.id: url
            for currency, _amount, url in debtor._payment_links_by_currency()
        }

    # === Documents === #
    @api.model
    def _pdf(self, partners, company=None):
        company = company or self.env.company
        content, _type = (
            self.env["ir.actions.report"]
            .with_company(company)
            ._render_qweb_pdf(REPORT, partners.commercial_partner_id.ids)
        )
        return content

    @api.model
    def _filename(self, partner, extension):
        data_name = partner.commercial_partner_id.name or str(partner.id)
        return f"{self.env._('Statement')} - {data_name}.{extension}"

    @api.model
    def _xlsx(self, partner, company=None):
        """The statement as a workbook: one sheet, a section per currency
        (document, kind, dates, days overdue, amount, balance, total), the
        aging under it; amounts are numbers in the currency's format."""
        data = self._data(partner, company)
        env = self.with_context(lang=data["lang"]).env
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet(env._("Statement")[:31])
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 3, 12)
        sheet.set_column(4, 4, 12)
        sheet.set_column(5, 6, 16)
        sheet.write(0, 0, env._("Statement of account"), title)
        sheet.write(1, 0, data["partner"].display_name, bold)
        sheet.write(2, 0, env._("As of %s", data["date_text"]))
        sheet.write(3, 0, data["company"].name)
        row = 5
        headers = [
            env._("Document"),
            env._("Type"),
            env._("Date"),
            env._("Due date"),
            env._("Days overdue"),
            env._("Open amount"),
            env._("Balance"),
        ]
        for section in data["sections"]:
            currency = section["currency"]
            pattern = "#,##0" + (
                "." + "0" * currency.decimal_places if currency.decimal_places else ""
            )
            money = book.add_format({"num_format": f'{pattern} "{currency.name}"'})
            money_bold = book.add_format(
                {"num_format": f'{pattern} "{currency.name}"', "bold": True}
            )
            sheet.write(row, 0, env._("Amounts in %s", currency.name), bold)
            row += 1
            for column, header in enumerate(headers):
                sheet.write(row, column, header, bold)
            row += 1
            for line in section["lines"]:
                sheet.write(row, 0, line["name"])
                sheet.write(row, 1, line["kind"])
                sheet.write_datetime(
                    row, 2, fields.Datetime.to_datetime(line["date"]), date_format
                )
                if line["due_date"]:
                    sheet.write_datetime(
                        row,
                        3,
                        fields.Datetime.to_datetime(line["due_date"]),
                        date_format,
                    )
                if line["days_overdue"]:
                    sheet.write_number(row, 4, line["days_overdue"])
                sheet.write_number(row, 5, line["amount"], money)
                sheet.write_number(row, 6, line["balance"], money)
                row += 1
            sheet.write(row, 4, env._("Total due"), bold)
            sheet.write_number(row, 5, section["total"], money_bold)
            row += 1
            sheet.write(row, 4, env._("Overdue"), bold)
            sheet.write_number(row, 5, section["overdue"], money_bold)
            row += 2
            for label, amount in section["aging"]:
                sheet.write(row, 4, label)
                sheet.write_number(row, 5, amount, money)
                row += 1
            row += 1
        for section in data["sections"]:
            if section["link"]:
                sheet.write(
                    row, 0, env._("Pay online (%s)", section["currency"].name), bold
                )
                sheet.write_url(row, 1, section["link"], string=env._("Pay now"))
                row += 1
        book.close()
        return output.getvalue()

    @api.model
    def _amount_text(self, section, amount):
        return format_amount(self.env, amount, section["currency"])

    # === Sending === #
    @api.model
    def _review(self, partners, company, purpose="by_hand", now=None):
        """``[(partner, verdict)]``: what the contact gate says now about
        emailing each customer its statement."""
        now = now or fields.Datetime.now()
        gate = self.env["collection.contact.gate"].sudo()
        partners = partners.commercial_partner_id.sudo()
        facts = gate._facts(partners, now)
        result = []
        for partner in partners:
            verdict = gate._decide(partner, "email", purpose, now, company, facts)
            if verdict.allowed:
                gate._remember(facts, partner, "email", now)
            result.append((partner.with_env(self.env), verdict))
        return result

    @api.model
    def _send(self, partner, company, purpose="by_hand", key=None, now=None):
        """Email the statement PDF to the customer's collections contact or
        invoicing contacts (else the customer), if the gate allows it now.

        :param key: the sending's idempotency key; a second sending with the
            same key does nothing
        :return: the ``collection.statement.sending`` row, or a falsy
            recordset when the key was used already
        :raise UserError: the gate refuses or defers it, or nothing is open
        """
        now = now or fields.Datetime.now()
        partner = partner.commercial_partner_id
        Sending = self.env["collection.statement.sending"].sudo()
        key = key or (
            f"statement-{company.id}-{partner.id}-{now.strftime('%Y%m%d%H%M')}"
        )
        data = self._data(partner, company)
        if not data["sections"]:
            raise UserError(
                self.env._("%s has nothing open: no statement to send.", partner.name)
            )
        # as the dispatcher does before sending: no other job decides for
        # this customer meanwhile (collection.contact.lock)
        self.env["collection.contact.lock"]._take(partner.ids, now)
        [(_partner, verdict)] = self._review(partner, company, purpose, now)
        if not verdict.allowed:
            raise UserError(
                self.env._(
                    "The contact policy does not allow it now: %s", verdict.reason
                )
            )
        if Sending.search_count([("key", "=", key)]):
            return Sending
        pdf = self._pdf(partner, company)
        customer = self.with_context(lang=data["lang"]).env
        recipients = (
            partner.sudo()
            ._collection_email_candidates()
            .filtered(lambda r: not r.is_blacklisted)
        )
        author = company.partner_id
        email_from = (
            self.env["collection.message"]
            .new({"company_id": company.id})
            ._collection_email_from(author)
        )
        totals = ", ".join(
            format_amount(customer, s["total"], s["currency"]) for s in data["sections"]
        )
        body = customer._(
            "Please find attached your statement of account as of %(date)s. "
            "Balance: %(totals)s.",
            date=data["date_text"],
            totals=totals,
        )
        links = [
            (section["currency"].name, section["link"])
            for section in data["sections"]
            if section["link"]
        ]
        for currency_name, link in links:
            body += " " + customer._(
                "You can pay what is overdue in %(currency)s online here: %(link)s",
                currency=currency_name,
                link=link,
            )
        # to the recipients named, not to the customer's followers too
        message = (
            partner.sudo()
            .with_context(collection_named_recipients_only=True)
            .message_post(
                author_id=author.id,
                email_from=email_from,
                reply_to=partner.sudo()._notify_get_reply_to(default=email_from)[
                    partner.id
                ],
                subject=customer._("Your statement of account (%s)", company.name),
                body=body,
                partner_ids=recipients.ids,
                attachments=[(self._filename(partner, "pdf"), pdf)],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        )
        return Sending.create(
            {
                "key": key,
                "partner_id": partner.id,
                "company_id": company.id,
                "purpose": purpose,
                "user_id": self.env.user.id,
                "message_id": message.id,
                "recipient": ", ".join(recipients.mapped("email")),
                "sent_at": now,
            }
        )

    @api.model
    def _send_by_hand(self, partner, company=None):
        """A person sends one customer its statement now (``by_hand``)."""
        company = company or self.env.company
        self._data(partner, company)  # the user may read it all
        return self._send(partner, company, "by_hand")

    @api.model
    def _check_selection(self, partners, company):
        """What ``_open_lines`` refuses, for a whole selection of commercial
        partners at once: a customer the user may not read, or one with an
        open item the user may not read. The first such customer of the
        selection is named, as calling ``_open_lines`` on each in turn would;
        the items are counted in one query as the user and one as superuser,
        by partner, instead of two per customer."""
        if not partners:
            return
        readable = partners._filtered_access("read")
        Line = self.env["account.move.line"]
        lines_readable = Line.browse().has_access("read")
        hidden = set()
        if lines_readable:
            domain = self._domain(partners, company)
            seen = {
                partner.id: count
                for partner, count in Line._read_group(
                    domain, ["partner_id"], ["__count"]
                )
            }
            short = [
                partner
                for partner, count in Line.sudo()._read_group(
                    domain, ["partner_id"], ["__count"]
                )
                if seen.get(partner.id, 0) != count
            ]
            # a customer whose statement holds these lines is the partner of
            # the lines or one of its parents (``child_of`` in ``_domain``)
            for partner in short:
                while partner:
                    hidden.add(partner.id)
                    partner = partner.parent_id
        for partner in partners:
            if partner not in readable or partner.id in hidden or not lines_readable:
                self._open_lines(partner, company)  # raises, as it would have

    @api.model
    def _enqueue_bulk(self, partners, company):
        """Statements to a selection: one queue_job job per batch of
        customers (the gate is asked again in each job); returns the count."""
        self._check_rights()
        partners = partners.commercial_partner_id
        self._check_selection(partners, company)  # refused now, not in a job
        now = fields.Datetime.now()
        count = 0
        for chunk in split_every(BULK_BATCH, partners.ids):
            self.with_delay(
                channel=BULK_JOB_CHANNEL,
                description=self.env._("Send %s statements", len(chunk)),
                max_retries=3,
            )._job_send_statements(
                list(chunk), company.id, fields.Datetime.to_string(now)
            )
            count += 1
        return count

    @api.model
    def _job_send_statements(self, partner_ids, company_id, at, purpose="by_hand"):
        """queue_job: send each customer of the batch its statement; the key
        is the minute the person pressed the button in (or the month), so a
        retried job sends nothing twice."""
        company = self.env["res.company"].browse(company_id)
        pressed = fields.Datetime.to_datetime(at)
        sent, skipped = 0, []
        for partner in self.env["res.partner"].browse(partner_ids).exists():
            key = (
                f"statement-{company.id}-{partner.id}-{pressed.strftime('%Y%m%d%H%M')}"
                if purpose == "by_hand"
                else self._monthly_key(partner, company, pressed)
            )
            try:
                with self.env.cr.savepoint():
                    if self._send(partner, company, purpose, key):
                        sent += 1
            except UserError as error:
                skipped.append(f"{partner.display_name}: {error.args[0]}")
        return f"{sent} statement(s) sent; {len(skipped)} not sent. " + "; ".join(
            skipped
        )

    # === Monthly === #
    @api.model
    def _monthly_key(self, partner, company, now):
        return f"statement-monthly-{company.id}-{partner.id}-{now.strftime('%Y-%m')}"

    @api.model
    def _monthly_partners(self, company):
        """Customers of ``company`` set to receive the statement every month
        (themselves, or through their segment) with something open."""
        debtors = (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    "|",
                    ("partner_id.collection_statement_monthly", "=", True),
                    ("segment_id.statement_monthly", "=", True),
                ]
            )
        )
        return debtors.filtered(lambda d: d.total_due).partner_id

    @api.model
    def _cron_send_monthly(self, now=None, company_ids=None):
        """Each month, once: the statement to the customers set to receive it,
        through the contact gate (purpose ``requested``: they asked for it).
        Run daily, it sends what the gate deferred on an earlier day; a
        customer is sent one statement a month whatever the runs.

        :return: dict ``sent``, ``not_sent`` (customer -> reason)
        """
        now = now or fields.Datetime.now()
        Sending = self.env["collection.statement.sending"].sudo()
        companies = (
            self.env["res.company"].browse(company_ids)
            if company_ids
            else self.env["res.company"].sudo().search([])
        )
        sent, not_sent = 0, {}
        for company in companies:
            self_company = self.sudo().with_company(company)
            partners = self_company._monthly_partners(company)
            keys = {p.id: self._monthly_key(p, company, now) for p in partners}
            done = set(
                Sending.search([("key", "in", list(keys.values()))]).mapped("key")
            )
            for partner in partners:
                if keys[partner.id] in done:
                    continue
                try:
                    with self.env.cr.savepoint():
                        if self_company._send(
                            partner, company, "requested", keys[partner.id], now
                        ):
                            sent += 1
                except UserError as error:
                    not_sent[partner.display_name] = error.args[0]
        if not_sent:
            _logger.info("Monthly statements not sent now: %s", not_sent)
        return {"sent": sent, "not_sent": not_sent}

    # === Actions (from buttons and lists) === #
    @api.model
    def _action_xlsx(self, partners):
        partner = partners.commercial_partner_id[:1]
        if not partner:
            raise UserError(self.env._("Select a customer."))
        self._open_lines(partner, self.env.company)
        return {
            "type": "ir.actions.act_url",
            "url": f"/collections/statement/{partner.id}/xlsx",
            "target": "download",
        }

    @api.model
    def _action_pdf(self, partners):
        partners = partners.commercial_partner_id
        for partner in partners:
            self._open_lines(partner, self.env.company)
        return (
            self.env.ref(REPORT)
            .with_context(discard_logo_check=True)
            .report_action(partners)
        )
