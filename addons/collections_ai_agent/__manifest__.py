{
    "name": "Collections AI Agent",
    "summary": "Conversational collections agent in Spanish, English and Portuguese",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_automation"],
    "external_dependencies": {"python": ["text2num", "requests"]},
    "data": [
        "security/collections_ai_agent_security.xml",
        "security/ir.model.access.csv",
        "data/collection_agent_policy_data.xml",
        "views/collection_conversation_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/portal_templates.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "collections_ai_agent/static/src/js/portal_agent_chat.js",
        ],
        "web.assets_tests": [
            "collections_ai_agent/static/tests/tours/*",
        ],
    },
    "development_status": "Alpha",
    "installable": True,
}
