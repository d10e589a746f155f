{
    "name": "Collections Contact Center",
    "summary": "Collection cases for collectors: kanban, routing, dispositions, KPIs",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Cobranzas Suite contributors",
    "website": "https://github.com/cobranzas-suite/cobranzas",
    "license": "LGPL-3",
    "depends": ["collections_ai_agent"],
    "data": [],
    "development_status": "Alpha",
    "installable": True,
}
