{
    "name": "Collections: Sales Hold",
    "summary": "Confirming a sale order for a customer deep in collection "
    "needs a manager, logged on the order",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_automation", "sale"],
    "data": [
        "views/res_config_settings_views.xml",
        "views/sale_order_views.xml",
    ],
    "development_status": "Alpha",
    "maintainers": [],
    "auto_install": True,
    "installable": True,
}
