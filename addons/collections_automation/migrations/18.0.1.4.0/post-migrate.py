"""Once, on the update to 18.0.1.4.0: the printed letter greets the customer
by name itself (``report/dunning_letter.xml``), so the shipped letters (kept
as they were, being noupdate) lose their "Dear customer," opening, in every
language they hold."""

import logging

_logger = logging.getLogger(__name__)

#: The shipped opening, as written and as translated (i18n/es.po, pt_BR.po).
OPENING = r"<p>\s*(Dear customer,|Estimado cliente:|Prezado cliente,)\s*</p>\s*"


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE collection_letter letter
           SET body = (
                   SELECT jsonb_object_agg(lang, regexp_replace(text, %s, '', 'g'))
                     FROM jsonb_each_text(letter.body) AS t(lang, text)
               )
          FROM ir_model_data data
         WHERE data.module = 'collections_automation'
           AND data.model = 'collection.letter'
           AND data.res_id = letter.id
           AND letter.body IS NOT NULL
           AND letter.body::text ~ %s
        """,
        [OPENING, OPENING],
    )
    _logger.info("Shipped letters that greet by name now: %s", cr.rowcount)
