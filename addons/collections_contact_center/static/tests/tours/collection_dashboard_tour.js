/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A manager reads the dashboard: each KPI in its own chart and unit, this
 * month against the last in words, the aging chart, one team's figures.
 */
registry.category("web_tour.tours").add("collections_dashboard", {
    url: "/odoo/action-collections_contact_center.collection_kpi_dashboard_client_action",
    steps: () => [
        {
            content: "Amount collected, in money, against last month in words",
            trigger:
                ".o_collection_kpi_amount_collected .o_collection_kpi_change:contains('against')",
        },
        {
            content: "Its trend is a chart of its own",
            trigger: ".o_collection_kpi_amount_collected canvas",
        },
        {
            content: "The DSO is in days, drawn with the best possible DSO",
            trigger: ".o_collection_kpi_dso:contains('days'):contains('Best possible DSO') canvas",
        },
        {
            content: "The aging chart",
            trigger: ".o_collection_aging:contains('Receivables by age') canvas",
        },
        {
            content: "The A/B verdict in words",
            trigger: ".o_collection_ab_tests .o_collection_ab_verdict:not(:empty)",
        },
        {
            content: "One team",
            trigger: "select.o_collection_dashboard_team",
            run: "selectByLabel Tour North",
        },
        {
            content: "The team's figures; the DSO is the company's",
            trigger:
                ".o_collection_dashboard:contains('Tour North') .o_collection_kpi_dso:contains('Company-wide only')",
        },
    ],
});
