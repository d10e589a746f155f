{
    "name": "Collections by Post (Snailmail)",
    "summary": "Send dunning letters by post through Odoo's Snailmail as a "
    "collection channel",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_automation", "snailmail"],
    "data": ["views/collection_print_letter_views.xml"],
    "development_status": "Alpha",
    "auto_install": True,
    "installable": True,
}
