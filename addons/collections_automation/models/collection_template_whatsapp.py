from odoo import fields, models


class CollectionTemplateWhatsapp(models.Model):
    """Which approved WhatsApp template stands for a reminder, per language.

    Outside the 24-hour customer-service window WhatsApp only carries
    templates Meta approved beforehand; this line maps a journey template
    to one of them for customers of a given language (empty: any other).
    The body parameters come from the template's ``whatsapp_params``.
    """

    _name = "collection.template.whatsapp"
    _description = "WhatsApp Template Mapping"
    _order = "template_id, lang desc, id"

    template_id = fields.Many2one(
        "collection.template", required=True, index=True, ondelete="cascade"
    )
    lang = fields.Char(
        "Customer Language",
        help="Language code of the customers it serves (es_MX, pt_BR...); "
        "empty for every other language.",
    )
    whatsapp_name = fields.Char("Approved Template Name", required=True)
    whatsapp_lang = fields.Char(
        "Template Language",
        required=True,
        help="The language code the template was approved in (es_MX, pt_BR, en_US).",
    )
