{
    "name": "Collections AI Agent",
    "summary": "Conversational collections agent in Spanish, English and Portuguese",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_automation"],
    "data": [],
    "development_status": "Alpha",
    "installable": True,
}
