{
    "name": "Collections Contact Center",
    "summary": "Collection cases for collectors: kanban, routing, dispositions, KPIs",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_ai_agent"],
    "data": [
        "security/collections_contact_center_security.xml",
        "security/ir.model.access.csv",
        "data/collection_case_stage_data.xml",
        "data/collection_disposition_data.xml",
        "data/ir_cron_data.xml",
        "views/wizard_views.xml",
        "views/report_statement.xml",
        "views/collection_case_views.xml",
        "views/collection_kpi_views.xml",
        "views/res_partner_by_hand_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/collection_contact_center_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "collections_contact_center/static/src/dashboard/*",
        ],
        "web.assets_tests": [
            "collections_contact_center/static/tests/tours/*.js",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
