from collections import defaultdict

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date, plaintext2html
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import (
    _BUILTINS,
    _SAFE_OPCODES,
    check_values,
    test_expr,
    unsafe_eval,
)

from ..engine import sms as sms_engine
from ..tools import pg_array

#: Rows whose ``amount_due`` is the customer's figure of the day (a promise
#: reminder's is the promise's own amount, which does not move with it).
FIGURE_KINDS = ("journey", "manual_reminder")

#: The model a template's ``object`` is: the outbox row being rendered.
RENDER_MODEL = "collection.message"

#: The placeholders templates are written with, named to a manager whose
#: placeholder is refused (any other field of the row, ``{{ object.x }}``,
#: and Odoo's formatting functions work too: see :func:`placeholder_names`),
#: each with the length an SMS is estimated with: a typical customer name,
#: amount, payment link.
TEMPLATE_PLACEHOLDERS = {
    "object.partner_id.name": 25,
    "object.company_id.name": 20,
    "object.debtor_id.overdue_by_currency": 15,
    "object.debtor_id.due_by_currency": 15,
    "format_amount(object.debtor_id.stated_overdue, object.currency_id)": 12,
    "format_amount(object.debtor_id.stated_due, object.currency_id)": 12,
    "format_amount(object.amount_due, object.currency_id)": 12,
    "object.payment_url": 90,
}

#: The length an SMS is estimated with for any other placeholder.
OTHER_PLACEHOLDER_LENGTH = 20


def template_instructions(text):
    """A template's text as the rendering reads it, with Odoo's own parser
    (the one ``mail.render.mixin`` renders with): ``(literal, expression,
    default)`` triples; a ``{{`` left open, or opened and closed on two
    lines, stays in a literal, as the customer would read it."""
    return parse_inline_template(str(text))


def placeholder_names(template):
    """The names a placeholder's expression can use: what
    :meth:`CollectionMessageRender._render_inline` evaluates it with."""
    return {"object", *template._render_eval_context(), *_BUILTINS}


class CollectionMessageRender(models.AbstractModel):
    """Rendering an outbox row: its template in the customer's language, the
    payment link, WhatsApp's approved template parameters, and for email the
    whole message (the template's text, the invoices, the totals, the link)
    through the QWeb template ``collections_automation.reminder_email``.

    Rows are rendered when planned, so that a person reviewing them reads
    what will be sent, and again at sending when the customer's figures
    moved meanwhile. A template error fails its row, never the batch, and
    says so on the customer's chatter."""

    _name = "collection.message.render"
    _description = "Outbox Row Rendering"

    email_html = fields.Html(
        "Email as Sent",
        readonly=True,
        sanitize=False,
        copy=False,
        help="The email exactly as it went out: the text, the invoices, the "
        "totals and the payment link.",
    )
    email_preview = fields.Html(
        "Email",
        compute="_compute_email_preview",
        sanitize=False,
        help="The email as it goes out (as it went out, once sent).",
    )

    @api.depends("kind", "company_id", "invoice_ids")
    def _compute_currency_id(self):
        """The currency of ``amount_due``: a promise reminder's is the
        promise's (its invoices' currency), any other row's the company's
        (the customer's figure of the day, which orders and caps)."""
        for message in self:
            # only a promise reminder reads its invoices: a planning's
            # thousands of rows would read every invoice linked to them
            currencies = (
                message.invoice_ids.currency_id
                if message.kind == "promise_reminder"
                else None
            )
            if currencies and len(currencies) == 1:
                message.currency_id = currencies
            else:
                message.currency_id = message.company_id.currency_id

    @api.depends("email_html", "body", "channel", "invoice_ids", "payment_url")
    def _compute_email_preview(self):
        for message in self:
            preview = message.email_html
            if not preview and message.channel == "email" and message.body:
                preview = message._email_html()
            message.email_preview = preview or False

    # === Rendering the template === #
    def _render_or_fail(self):
        """Render now; a template error marks this row failed, not the batch,
        and says so on the customer's chatter, whatever the channel's path."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._render()
        except UserError as error:
            if self._apply_event("fail", {"error": str(error)}):
                self._log_failed()

    def _render_all_or_fail(self, oldest=None):
        """Render these rows in batch: one ``_render_field`` call per
        template, language and field. A batch that fails is rendered row by
        row, so that only the rows whose template fails are failed. The
        invoices the links open are found for all the rows in one query,
        unless ``oldest`` gives them (:meth:`_oldest_invoices`: row id ->
        the oldest invoice linked to it)."""
        self._prefetch_for_render()
        if oldest is None:
            oldest = self._oldest_invoices()
        (self - self.filtered("payment_url"))._link_tokens(oldest)
        groups = self._by_template_and_lang()
        for message in self.filtered(lambda m: not m.template_id):
            message._render_or_fail()
        for (template, lang), ids in groups.items():
            messages = self.browse(ids)
            try:
                with self.env.cr.savepoint():
                    messages._render_batch(template, lang, oldest=oldest)
            except UserError:
                for message in messages:
                    message._render_or_fail()

    def _prefetch_for_render(self):
        """Read what rendering reads for all these rows at once (the
        customers' figures; the invoices linked to and their tokens come in
        one query with :meth:`_payment_urls`): row by row, 750 rows took
        8 s, mostly in single-row queries."""
        self.debtor_id.mapped("stated_overdue")

    def _ensure_access_tokens(self, moves):
        """The portal token of the invoices linked to, in one statement:
        through ``account.move.write`` (which resynchronises the invoice's
        lines), one token cost 45 ms, most of a first planning's time."""
        missing = moves.filtered(lambda m: not m.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move SET access_token = gen_random_uuid()::text
                 WHERE id = ANY(%s::int[]) AND access_token IS NULL
                """,
                pg_array(missing.ids),
            )
        )
        missing.invalidate_recordset(["access_token"])
        missing.fetch(["access_token"])

    def _render(self):
        """Render subject and body in the customer's language."""
        self.ensure_one()
        if not self.template_id:
            raise UserError(
                self.env._(
                    "No %(channel)s template on this step.", channel=self.channel
                )
            )
        self._render_batch(self.template_id, self._lang())

    def _render_batch(self, template, lang, oldest=None):
        """Render ``template`` in ``lang`` for these rows, which use it;
        ``oldest``: :meth:`_oldest_invoices` of these rows, when known."""
        # the templates read the link: it is on the row before they render,
        # in the cache, and written with the text in one statement
        urls = {
            message.id: url
            for message, url in self._payment_urls(oldest).items()
            if url != message.payment_url
        }
        if urls:
            self.env.cache.update(
                self.browse(urls), self._fields["payment_url"], list(urls.values())
            )
        try:
            rendered = self._render_texts(template, lang)
        except BaseException:
            self.browse(urls).invalidate_recordset(["payment_url"])
            raise
        self._write_columns({"payment_url": urls, **rendered})

    def _link_tokens(self, oldest):
        """Give the invoices the links of these rows open (``oldest``: row
        id -> invoice) their portal token, in one statement for all the rows
        rather than one per template and language."""
        moves = self.env["account.move"].browse(
            {
                oldest[message.id]
                for message in self
                if message.template_id and message.id in oldest
            }
        )
        # what the links read, no more: filtering on the token would read
        # every column of each invoice
        moves.fetch(["move_type", "access_token"])
        self._ensure_access_tokens(moves)

    def _by_template_and_lang(self):
        """The templated rows' ids by (template, language)."""
        groups = defaultdict(list)
        for message in self:
            if message.template_id:
                groups[(message.template_id, message._lang())].append(message.id)
        return groups

    def _render_texts(self, template, lang):
        """Subject and body of these rows rendered: ``{field: {id: text}}``."""
        rendered = {}
        for fname in ("subject", "body"):
            if template[fname]:
                try:
                    rendered[fname] = self._render_inline(template, fname, lang)
                except Exception as error:
                    raise UserError(
                        self.env._(
                            "Template %(template)s could not be rendered: %(error)s",
                            template=template.display_name,
                            error=error,
                        )
                    ) from error
        # late fees (models/collection_fee.py): the charge of the row's step
        fee_lines = self.env["collection.fee"]._reminder_lines(self, lang)
        bodies = rendered.get("body", {})
        for message_id, line in fee_lines.items():
            if line and bodies.get(message_id):
                bodies[message_id] = f"{bodies[message_id]}\n\n{line}"
        # by SMS, the amounts' no-break spaces (and a pasted curly quote)
        # would send every text as Unicode: 70 characters per SMS, not 160
        for message in self.filtered(lambda m: m.channel == "sms"):
            if bodies.get(message.id):
                bodies[message.id] = sms_engine.replace_lookalikes(bodies[message.id])
        return rendered

    def _write_columns(self, columns):
        """Write ``{field: {row id: text}}`` in one statement per batch: the
        subject, body and link of a planning's rows, written one row at a
        time through the ORM, cost a query each."""
        columns = {fname: values for fname, values in columns.items() if values}
        if not columns:
            return
        ids = sorted({row_id for values in columns.values() for row_id in values})
        rows = self.browse(ids)
        rows.flush_recordset(list(columns))
        # a row missing from a column keeps its value
        assignments, arrays = [], [ids]
        for position, (fname, values) in enumerate(columns.items(), start=2):
            assignments.append(
                SQL(
                    "%s = CASE WHEN v.set%s THEN v.value%s ELSE m.%s END",
                    SQL.identifier(fname),
                    SQL(str(position)),
                    SQL(str(position)),
                    SQL.identifier(fname),
                )
            )
            arrays.append([row_id in values for row_id in ids])
            arrays.append(
                [
                    None if values.get(row_id) is False else values.get(row_id)
                    for row_id in ids
                ]
            )
        names = ", ".join(
            f"set{position}, value{position}" for position in range(2, len(columns) + 2)
        )
        casts = SQL(", ").join(
            [
                SQL("%s::int[]", pg_array(arrays[0])),
                *(
                    SQL(
                        "%s::bool[], %s::text[]",
                        pg_array(arrays[i]),
                        pg_array(arrays[i + 1]),
                    )
                    for i in range(1, len(arrays), 2)
                ),
            ]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message m
                   SET %s, write_uid = %s, write_date = %s
                  FROM UNNEST(%s) AS v(id, %s)
                 WHERE m.id = v.id
                """,
                SQL(", ").join(assignments),
                self.env.uid,
                fields.Datetime.now(),
                casts,
                SQL(names),
            )
        )
        rows.invalidate_recordset([*columns, "write_uid", "write_date"])

    def _render_inline(self, template, fname, lang):
        """``template._render_field(fname, self.ids, set_lang=lang)``, with
        each of the template's expressions checked and compiled once for the
        batch: Odoo's ``safe_eval`` compiles and checks every expression
        again for every row (half of a first planning's rendering). The same
        sandbox (Odoo's checked opcodes and builtins, a fresh copy of the
        evaluation context per expression), the same rights, the same text."""
        template = template.with_context(lang=lang)
        text = template[fname]
        model = template.render_model
        if (
            not text
            or not template._has_unsafe_expression_template_inline_template(
                str(text), model
            )
            or not (
                template._unrestricted_rendering
                or self.env.is_admin()
                or self.env.user.has_group("mail.group_mail_template_editor")
            )
        ):
            # plain field paths (no eval), or a refusal: Odoo's own path
            return template._render_field(fname, self.ids)
        instructions = [
            (
                string,
                expression,
                expression and test_expr(expression, _SAFE_OPCODES),
                default,
            )
            for string, expression, default in template_instructions(text)
        ]
        variables = template._render_eval_context()
        check_values(variables)
        variables["__builtins__"] = _BUILTINS
        results = {}
        for record in template.env[model].browse(self.ids):
            variables["object"] = record
            parts = []
            for string, expression, code, default in instructions:
                parts.append(string)
                if code:
                    value = (
                        self._eval_expression(expression, code, variables) or default
                    )
                    if value:
                        parts.append(str(value))
            results[record.id] = "".join(parts)
        return results

    @api.model
    def _eval_expression(self, expression, code, variables):
        """Evaluate a code object that ``test_expr`` checked, as ``safe_eval``
        does (on a copy of its globals)."""
        try:
            return unsafe_eval(code, dict(variables))
        except (UserError, OperationalError):
            raise
        except Exception as error:
            raise ValueError(
                self.env._(
                    "the placeholder {{ %(expression)s }} cannot be filled "
                    "(%(error)s)",
                    expression=expression.strip(),
                    error=error,
                )
            ) from error

    def _lang(self):
        return self.partner_id.lang or self.env.lang or "en_US"

    def _payment_url(self):
        """The link the row was planned with (a promise reminder carries the
        promise's, for its exact amount), else the portal page of the oldest
        invoice, which states the overdue amount with a link paying it."""
        self.ensure_one()
        return self._payment_urls()[self]

    def _payment_urls(self, oldest=None):
        """:meth:`_payment_url` of each row, the invoices linked to found in
        one query (``oldest``: :meth:`_oldest_invoices`, when known) and
        their portal tokens made in one statement."""
        urls = {message: message.payment_url for message in self}
        todo = self.filtered(lambda m: not m.payment_url)
        if not todo:
            return urls
        if oldest is None:
            oldest = todo._oldest_invoices()
        moves = self.env["account.move"].browse(
            {oldest[message.id] for message in todo if message.id in oldest}
        )
        moves.fetch(["move_type", "access_token"])
        self._ensure_access_tokens(moves)
        base = moves[:1].get_base_url()
        # each row's invoice is browsed alone: its portal path computed
        # for all of them at once, not one invoice at a time
        moves.mapped("access_url")
        for message in todo:
            move = moves.browse(oldest.get(message.id))
            urls[message] = base + move.get_portal_url() if move else False
        return urls

    def _oldest_invoices(self):
        """Row id -> the oldest invoice linked to it, for the rows without a
        link yet, in one query."""
        todo = self.filtered(lambda m: not m.payment_url)
        if not todo:
            return {}
        self.flush_recordset(["invoice_ids"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (r.message_id) r.message_id, r.move_id
                  FROM collection_message_invoice_rel r
                  JOIN account_move am ON am.id = r.move_id
             LEFT JOIN collection_invoice ci ON ci.move_id = r.move_id
                 WHERE r.message_id = ANY(%s::int[])
              ORDER BY r.message_id, COALESCE(ci.due_date, am.invoice_date_due),
                       r.move_id
                """,
                pg_array(todo.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _whatsapp_template(self):
        """(name, language, body parameters) of the approved template."""
        lang = self._lang()
        mapping = self.template_id._whatsapp_template_for(lang)
        if not mapping:
            raise UserError(
                self.env._(
                    "No approved WhatsApp template is mapped to %(template)s for "
                    "%(lang)s, and the customer has not written in the last 24 "
                    "hours: WhatsApp only carries approved templates then.",
                    template=self.template_id.display_name,
                    lang=lang,
                )
            )
        params = []
        if self.template_id.whatsapp_params:
            rendered = self.template_id._render_field(
                "whatsapp_params", self.ids, set_lang=lang
            )[self.id]
            params = [line.strip() for line in rendered.splitlines() if line.strip()]
        return mapping.whatsapp_name, mapping.whatsapp_lang, params

    # === Figures that moved === #
    def _figures_moved(self):
        """Whether the customer's figure differs from the one the row was
        rendered with (a payment, a new invoice, a hold since planning)."""
        self.ensure_one()
        debtor = self.debtor_id
        if self.kind not in FIGURE_KINDS or not debtor:
            return False
        return bool(
            debtor.currency_id.compare_amounts(self.amount_due, debtor._amount_to_pay())
        )

    def _rerender_if_moved(self):
        """At sending: render again, with the invoices open now and a new
        link, when the figures moved since the row was rendered."""
        self.ensure_one()
        if not self.body:
            self._render()
            return
        if not self._figures_moved():
            return
        debtor = self.debtor_id
        values = {"amount_due": debtor._amount_to_pay(), "payment_url": False}
        if self.kind == "journey":
            moves = self.env["collection.invoice"]._open_moves(
                self.partner_id, self.company_id
            )
            values["invoice_ids"] = [
                fields.Command.set(moves.filtered(lambda m: not m.collection_hold).ids)
            ]
        self.write(values)
        self._render()

    # === The email === #
    def _email_html(self, attached=False):
        """The whole email: the template's text, the open invoices of the
        row, the customer's totals and the payment link, in the customer's
        language (QWeb template ``collections_automation.reminder_email``)."""
        self.ensure_one()
        lang = self._lang()
        env = self.with_context(lang=lang).env
        invoices = self.invoice_ids.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        ).sorted(lambda m: (m.collection_due_date or m.invoice_date_due, m.id))
        # a symbol two currencies share ($ for USD and MXN) gets the code
        symbols = [currency.symbol for currency in invoices.currency_id]
        shared = {symbol for symbol in symbols if symbols.count(symbol) > 1}

        def money(amount, currency):
            text = format_amount(env, amount, currency, lang)
            return f"{text} {currency.name}" if currency.symbol in shared else text

        lines = []
        for move in invoices:
            days = move.collection_days_overdue
            lines.append(
                {
                    "number": move.name,
                    "invoice_date": format_date(env, move.invoice_date, lang),
                    "due_date": format_date(
                        env, move.collection_due_date or move.invoice_date_due, lang
                    ),
                    "days_overdue": days if days > 0 else 0,
                    "amount": money(move.amount_total, move.currency_id),
                    "amount_left": money(move.amount_residual, move.currency_id),
                }
            )
        totals = self._email_totals(env, lang)
        return env["ir.qweb"]._render(
            "collections_automation.reminder_email",
            {
                "body": plaintext2html(self.body or ""),
                "lines": lines,
                "totals": totals,
                "several_currencies": len(totals) > 1,
                # a promise reminder keeps its own link, for the promise
                "pay_per_currency": len(totals) > 1 and self.kind in FIGURE_KINDS,
                "payment_url": self.payment_url,
                "company": self.company_id,
                "attached": attached,
            },
        )

    def _email_totals(self, env, lang):
        """The customer's totals as told, one per currency owed (never a sum
        over currencies), the larger debt first: a list of dicts with
        ``currency`` (its name), ``overdue``, ``due`` (formatted) and, when
        the customer owes in several currencies, ``pay_url`` and ``pay``:
        the "pay everything overdue" link of that currency and its amount."""
        self.ensure_one()
        debtor = self.debtor_id
        if not debtor:
            return []
        figures = [
            line
            for line in debtor._open_amounts_by_currency()
            if line["currency"].compare_amounts(line["due"], 0) > 0
            or line["currency"].compare_amounts(line["overdue"], 0) > 0
        ]
        if not figures:
            figures = [debtor._figures_in(debtor.currency_id)]
        symbols = [line["currency"].symbol for line in figures]
        totals = []
        for line in figures:
            currency = line["currency"]
            total = {
                "currency": currency.name,
                "overdue": format_amount(env, line["overdue"], currency, lang),
                "due": format_amount(env, line["due"], currency, lang),
                "pay_url": False,
                "pay": False,
            }
            if (
                len(figures) > 1
                and self.kind in FIGURE_KINDS
                and currency.compare_amounts(line["to_pay"], 0) > 0
            ):
                total["pay_url"] = debtor._payment_link(currency=currency)
                pay = format_amount(env, line["to_pay"], currency, lang)
                if symbols.count(currency.symbol) > 1:
                    pay = f"{pay} {currency.name}"  # $ for USD and MXN alike
                total["pay"] = pay
            totals.append(total)
        return totals
