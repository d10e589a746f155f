import ast
import difflib

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import _SAFE_OPCODES, test_expr

from ..engine import sms as sms_engine
from .collection_message_render import (
    OTHER_PLACEHOLDER_LENGTH,
    RENDER_MODEL,
    TEMPLATE_PLACEHOLDERS,
    placeholder_names,
    template_instructions,
)
from .res_partner import CHANNEL_SELECTION

#: The fields rendered as inline templates: their placeholders are checked
#: when saved.
TEMPLATE_FIELDS = ("subject", "body", "whatsapp_params")

#: The placeholders' typical lengths, by expression written without spaces.
_TYPICAL_LENGTHS = {
    "".join(expression.split()): length
    for expression, length in TEMPLATE_PLACEHOLDERS.items()
}


def _excerpt(text, size=40):
    """The first line of ``text``, cut to ``size`` characters."""
    line = text.splitlines()[0] if text.strip() else text
    return line if len(line) <= size else line[: size - 1] + "…"


def _attribute_path(node):
    """``object.partner_id.name`` -> ``["object", "partner_id", "name"]``;
    None when the chain does not start from a plain name."""
    path = []
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    path.append(node.id)
    return path[::-1]


class CollectionTemplate(models.Model):
    """The words of a reminder, per channel, in the customer's language.

    Rendered on the outbox row (``collection.message``) with Odoo's inline
    templates, so ``{{ object.partner_id.name }}``,
    ``{{ format_amount(object.debtor_id.stated_overdue, object.currency_id) }}``
    and ``{{ object.payment_url }}`` work; subject and body are translatable
    and rendered in the customer's language.

    Amounts: what a reminder calls overdue is the customer's overdue amount
    (``debtor_id.stated_overdue``: past-due items less unapplied credits,
    oldest first, invoices on hold left out) and the whole balance is
    ``debtor_id.stated_due``, the figures the payment page and the AI agent
    state too (see ``collection.refresh``). ``amount_due`` is the amount of a
    promise on a promise reminder.

    Placeholders are checked when saved, with the parser the rendering uses
    (``template_instructions``): a ``{{`` never closed, a ``}}`` closing
    nothing, a name or a field that does not exist is refused in words,
    naming the placeholders that work (``TEMPLATE_PLACEHOLDERS``). An SMS
    template says how many SMS its body takes (``engine/sms.py``), and
    warns beyond ``MAX_SEGMENTS``.
    """

    _name = "collection.template"
    _inherit = ["mail.render.mixin"]
    _description = "Collection Message Template"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    company_id = fields.Many2one("res.company", index=True)
    subject = fields.Char(translate=True, help="Email subject.")
    body = fields.Text(
        translate=True,
        required=True,
        help="Inline template: {{ object.partner_id.name }}, the overdue amount "
        "{{ format_amount(object.debtor_id.stated_overdue, object.currency_id) }}, "
        "the whole balance "
        "{{ format_amount(object.debtor_id.stated_due, object.currency_id) }}, "
        "{{ object.payment_url }}.",
    )
    lang = fields.Char(default="{{ object.partner_id.lang }}")
    is_promise_reminder = fields.Boolean(
        "Promise Reminder", help="Used the day before a promise to pay falls due."
    )
    whatsapp_template_ids = fields.One2many(
        "collection.template.whatsapp",
        "template_id",
        "Approved WhatsApp Templates",
        help="Sent outside the 24-hour window, where free text is not allowed.",
    )
    whatsapp_params = fields.Text(
        "WhatsApp Parameters",
        default="{{ object.partner_id.name }}\n"
        "{{ format_amount(object.amount_due, object.currency_id) }}\n"
        "{{ object.payment_url or '' }}",
        help="One inline template per line: the approved template's body "
        "parameters {{1}}, {{2}}... in order.",
    )
    sms_segments = fields.Integer(
        "SMS per Reminder",
        compute="_compute_sms_size",
        help="How many SMS the text takes: 160 characters in one SMS, 153 per "
        "SMS once split (70 and 67 when a character outside the GSM alphabet "
        "is present). Approximate when the text holds placeholders.",
    )
    sms_size = fields.Char("SMS Length", compute="_compute_sms_size")
    sms_warning = fields.Char("SMS Warning", compute="_compute_sms_size")

    @api.model_create_multi
    def create(self, vals_list):
        self._check_storable(vals_list)
        self._check_placeholders(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_storable([vals])
        self._check_placeholders([vals])
        return super().write(vals)

    def _update_field_translations(
        self, fname, translations, digest=None, source_lang=None
    ):
        """A translation typed in the translation dialog is checked as the
        text is."""
        if fname in TEMPLATE_FIELDS or fname == "name":
            texts = [
                text
                for value in translations.values()
                for text in (value.values() if isinstance(value, dict) else [value])
            ]
            self._check_storable([{fname: text} for text in texts])
            if fname in TEMPLATE_FIELDS:
                self._check_placeholders([{fname: text} for text in texts])
        return super()._update_field_translations(
            fname, translations, digest=digest, source_lang=source_lang
        )

    @api.model
    def _check_storable(self, vals_list):
        """A NUL character (pasted from another program) cannot be stored:
        said in words, before PostgreSQL refuses it."""
        for vals in vals_list:
            for name in ("name", "subject", "body"):
                if "\x00" in str(vals.get(name) or ""):
                    raise UserError(
                        self.env._(
                            "The %(field)s holds a NUL character, which cannot "
                            "be stored: remove it.",
                            field=self._fields[name]._description_string(self.env),
                        )
                    )

    # === Placeholders === #
    @api.model
    def _check_placeholders(self, vals_list):
        """Refuse, in words, a text whose placeholders the rendering could
        not fill: found with the rendering's own parser, so that what is
        saved is what is rendered."""
        for vals in vals_list:
            for fname in TEMPLATE_FIELDS:
                text = vals.get(fname)
                if not text:
                    continue
                problem = self._placeholder_problem(str(text))
                if problem:
                    raise ValidationError(
                        self.env._(
                            "The %(field)s cannot be saved. %(problem)s\n\n"
                            "The placeholders you can use: %(placeholders)s; "
                            "or another field of the reminder, written "
                            "{{ object.field_name }}.",
                            field=self._fields[fname]._description_string(self.env),
                            problem=problem,
                            placeholders=", ".join(
                                f"{{{{ {expression} }}}}"
                                for expression in TEMPLATE_PLACEHOLDERS
                            ),
                        )
                    )

    @api.model
    def _placeholder_problem(self, text):
        """What is wrong with ``text``'s placeholders, in a sentence, or
        None: read with :func:`template_instructions`, the parser the
        rendering uses, a ``{{`` it leaves in the text was never closed (or
        closed on another line), a ``}}`` it leaves closes nothing."""
        instructions = template_instructions(text)
        last = len(instructions) - 1
        for index, (literal, expression, _default) in enumerate(instructions):
            opening, closing = literal.find("{{"), literal.find("}}")
            if "{{" in expression:
                # "{{ a {{ b }}": the first one is never closed
                opening, closing = 0, -1
                literal = "{{ " + expression[: expression.find("{{")].strip()
            if opening != -1 and (closing == -1 or opening < closing):
                return self.env._(
                    "A {{ is never closed, in \u201c%(text)s\u201d: a placeholder "
                    "opens with {{ and closes with }} on the same line.",
                    text=_excerpt(literal[opening:]),
                )
            if closing != -1:
                return self.env._(
                    "A }} closes no placeholder, in \u201c%(text)s\u201d: a "
                    "placeholder opens with {{ and closes with }} on the same line.",
                    text=_excerpt(
                        literal[: closing + 2].splitlines()[-1][-39:].lstrip()
                    ),
                )
            if not expression:
                # the parser's last triple may be the text after the last
                # placeholder; any other one is a "{{ }}"
                if index < last or text.endswith("}}"):
                    return self.env._("A placeholder {{ }} is empty.")
                continue
            problem = self._expression_problem(expression)
            if problem:
                return problem
        return None

    @api.model
    def _expression_problem(self, expression):
        """Why the rendering cannot fill ``{{ expression }}``, in a
        sentence, or None: it must compile as the rendering compiles it
        (``test_expr``), use only the names the rendering gives it
        (:func:`placeholder_names`), and the fields it reads from ``object``
        must exist."""
        try:
            test_expr(expression, _SAFE_OPCODES)
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError:
            return self.env._(
                "The placeholder {{ %(expression)s }} cannot be read: it is not "
                "written correctly.",
                expression=expression,
            )
        except (NameError, TypeError, ValueError):
            # a forbidden name (__class__) or operation
            return self.env._(
                "The placeholder {{ %(expression)s }} cannot be read: it uses "
                "what a template may not use.",
                expression=expression,
            )
        bound = {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
        bound |= {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
        }
        known = placeholder_names(self) | bound
        roots = {"object": RENDER_MODEL, "user": "res.users"}
        for node in ast.walk(tree):
            reason = None
            if isinstance(node, ast.Name) and node.id not in known:
                reason = self.env._("nothing is called %(name)s", name=node.id)
            elif isinstance(node, ast.Attribute):
                path = _attribute_path(node)
                if path and path[0] in roots and path[0] not in bound:
                    reason = self._field_path_problem(roots[path[0]], path[1:])
            if reason:
                return self.env._(
                    "The placeholder {{ %(expression)s }} is unknown: %(reason)s.",
                    expression=expression,
                    reason=reason,
                )
        return None

    @api.model
    def _field_path_problem(self, model_name, path):
        """Why ``path`` (field names) cannot be read from a record of
        ``model_name``, or None. A path reaching a value that is not a
        record (a text, an amount), or a method, is not followed further."""
        model = self.env[model_name]
        for name in path:
            field = model._fields.get(name)
            if field is None:
                if hasattr(type(model), name):
                    return None
                if model._name == RENDER_MODEL:
                    what = self.env._("the reminder")
                else:
                    what = self.env["ir.model"]._get(model._name).name
                guess = difflib.get_close_matches(name, list(model._fields), n=1)
                if guess:
                    return self.env._(
                        "%(model)s has no field %(name)s (did you mean %(guess)s?)",
                        model=what,
                        name=name,
                        guess=guess[0],
                    )
                return self.env._(
                    "%(model)s has no field %(name)s", model=what, name=name
                )
            if not field.relational:
                return None
            model = self.env[field.comodel_name]
        return None

    # === SMS length === #
    @api.depends("body", "channel")
    @api.depends_context("lang")
    def _compute_sms_size(self):
        for template in self:
            template.sms_segments = 0
            template.sms_size = template.sms_warning = False
            if template.channel != "sms" or not template.body:
                continue
            text, placeholders = self._sms_sample(template.body)
            size = sms_engine.measure(text)
            template.sms_segments = size.segments
            template.sms_size = self._sms_size_sentence(size, placeholders)
            template.sms_warning = self._sms_warning_sentence(size, text, placeholders)

    @api.model
    def _sms_sample(self, text):
        """``text`` as the SMS is counted: each placeholder replaced by a
        stand-in of its typical length (``TEMPLATE_PLACEHOLDERS``), the
        look-alike characters by the GSM twins the rendering puts in
        (``replace_lookalikes``); and how many placeholders it holds."""
        parts, placeholders = [], 0
        for literal, expression, _default in template_instructions(text):
            parts.append(literal)
            if expression:
                placeholders += 1
                length = _TYPICAL_LENGTHS.get(
                    "".join(expression.split()), OTHER_PLACEHOLDER_LENGTH
                )
                parts.append("x" * length)
        return sms_engine.replace_lookalikes("".join(parts)), placeholders

    @api.model
    def _sms_size_sentence(self, size, placeholders):
        values = {
            "count": size.segments,
            "length": size.units,
            "per": size.per_segment,
            "encoding": self.env._("GSM-7")
            if size.encoding == sms_engine.GSM7
            else self.env._("Unicode (UCS-2)"),
        }
        if placeholders and size.segments > 1:
            sentence = self.env._(
                "About %(count)s SMS: about %(length)s characters in "
                "%(encoding)s, %(per)s per SMS once split.",
                **values,
            )
        elif placeholders:
            sentence = self.env._(
                "About %(count)s SMS: about %(length)s of the %(per)s "
                "characters in %(encoding)s one SMS holds.",
                **values,
            )
        elif size.segments > 1:
            sentence = self.env._(
                "%(count)s SMS: %(length)s characters in %(encoding)s, %(per)s "
                "per SMS once split.",
                **values,
            )
        else:
            sentence = self.env._(
                "%(count)s SMS: %(length)s of the %(per)s characters in "
                "%(encoding)s one SMS holds.",
                **values,
            )
        if size.non_gsm:
            single, multi = sms_engine.PER_SEGMENT[sms_engine.UCS2]
            sentence += " " + self.env._(
                "Sent as Unicode, %(single)s characters per SMS (%(multi)s once "
                "split), because of %(characters)s, outside the GSM alphabet.",
                single=single,
                multi=multi,
                characters=", ".join(
                    f"\u201c{char}\u201d" for char in size.non_gsm[:5]
                ),
            )
        if placeholders:
            sentence += " " + self.env._(
                "Approximate: each placeholder is counted at a typical length "
                "(a name, an amount, a payment link), and a value with a "
                "character outside the GSM alphabet (an \u201c\u00f3\u201d in a "
                "name) sends the whole text as Unicode."
            )
        return sentence

    @api.model
    def _sms_warning_sentence(self, size, text, placeholders):
        if not size.too_long():
            return False
        values = {"count": size.segments, "limit": sms_engine.MAX_SEGMENTS}
        if placeholders:
            sentence = self.env._(
                "This text takes about %(count)s SMS, more than %(limit)s: "
                "each SMS is billed, and a long text reaches some phones in "
                "pieces. Shorten it, or leave the details to the payment page.",
                **values,
            )
        else:
            sentence = self.env._(
                "This text takes %(count)s SMS, more than %(limit)s: each SMS "
                "is billed, and a long text reaches some phones in pieces. "
                "Shorten it, or leave the details to the payment page.",
                **values,
            )
        if len(text) > sms_engine.MAX_CHARACTERS:
            sentence += " " + self.env._(
                "Beyond %(max)s characters Twilio refuses an SMS: the reminder "
                "would fail.",
                max=sms_engine.MAX_CHARACTERS,
            )
        return sentence

    def action_preview(self):
        """The template as a chosen customer would read it (see
        ``collection.template.preview``)."""
        self.ensure_one()
        preview = (
            self.env["collection.template.preview"]
            .with_context(default_template_id=self.id)
            .create({"template_id": self.id})
        )
        return preview._action_open()

    def _whatsapp_template_for(self, lang):
        """The approved template mapped for ``lang``, else the catch-all one."""
        self.ensure_one()
        lines = self.whatsapp_template_ids
        return (
            lines.filtered(lambda line: line.lang == lang)[:1]
            or lines.filtered(lambda line: line.lang and line.lang[:2] == lang[:2])[:1]
            or lines.filtered(lambda line: not line.lang)[:1]
        )

    @api.depends()
    def _compute_render_model(self):
        self.render_model = RENDER_MODEL
