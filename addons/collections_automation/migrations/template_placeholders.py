"""The shipped templates' old amount placeholders, rewritten in place.

Until 18.0.1.3.0 the shipped reminder templates stated the customer's debt
as one sum in the company currency
(``format_amount(object.debtor_id.stated_overdue, object.currency_id)``);
they now state it per currency (``object.debtor_id.overdue_by_currency``).
The templates are ``noupdate``: an upgraded database keeps its stored
bodies, so the migration of 18.0.1.3.0 rewrites the old placeholders in
them, in every language, and nothing else: a body someone edited keeps its
words, and one that no longer holds an old placeholder is left as it is.
"""

import json
import re

#: The old placeholder's expression -> the new one (inside ``{{ }}``).
PLACEHOLDERS = (
    (
        re.compile(
            r"format_amount\(\s*object\.debtor_id\.stated_overdue\s*,"
            r"\s*object\.currency_id\s*\)"
        ),
        "object.debtor_id.overdue_by_currency",
    ),
    (
        re.compile(
            r"format_amount\(\s*object\.debtor_id\.stated_due\s*,"
            r"\s*object\.currency_id\s*\)"
        ),
        "object.debtor_id.due_by_currency",
    ),
)


def rewrite_text(text):
    """``text`` with the old amount placeholders replaced by the new ones.

    >>> rewrite_text("{{ format_amount(object.debtor_id.stated_overdue, "
    ...              "object.currency_id) }} is overdue")
    '{{ object.debtor_id.overdue_by_currency }} is overdue'
    >>> rewrite_text("Saldo: {{format_amount(object.debtor_id.stated_due,"
    ...              "object.currency_id)}}")
    'Saldo: {{object.debtor_id.due_by_currency}}'
    >>> rewrite_text("{{ object.debtor_id.due_by_currency }}")
    '{{ object.debtor_id.due_by_currency }}'
    """
    if not text:
        return text
    for pattern, new in PLACEHOLDERS:
        text = pattern.sub(new, text)
    return text


def shipped_template_ids(cr, module="collections_automation"):
    """The ids of the templates ``module`` ships (its XML ids)."""
    cr.execute(
        """
        SELECT res_id FROM ir_model_data
         WHERE module = %s AND model = 'collection.template'
        """,
        (module,),
    )
    return [row[0] for row in cr.fetchall()]


def rewrite_template_bodies(cr, template_ids):
    """Rewrite the old placeholders in the stored bodies of these templates,
    in every language of the translated body (a jsonb of language -> text),
    where a language's text still holds one. Returns the ids rewritten."""
    if not template_ids:
        return []
    cr.execute(
        """
        SELECT id, body FROM collection_template
         WHERE id = ANY(%s) AND body::text ~ 'stated_(overdue|due)'
        """,
        (list(template_ids),),
    )
    changed = []
    for template_id, body in cr.fetchall():
        if isinstance(body, str):
            body = json.loads(body)
        new_body = {lang: rewrite_text(text) for lang, text in body.items()}
        if new_body != body:
            cr.execute(
                "UPDATE collection_template SET body = %s::jsonb WHERE id = %s",
                (json.dumps(new_body), template_id),
            )
            changed.append(template_id)
    return changed
