/** @odoo-module **/

import { registry } from "@web/core/registry";

const { DateTime } = luxon;

/**
 * A collector's first call of the day, as a collector (not an admin): My Work
 * Today, the case, a call logged with a promise of the whole balance in a
 * week, then the payment link sent by email.
 */
registry.category("web_tour.tours").add("collections_collector_round", {
    url: "/odoo/action-collections_contact_center.collection_case_action_my_work_server",
    steps: () => [
        {
            content: "My Work Today lists the collector's case",
            trigger: ".o_data_row .o_data_cell:contains('Round Customer')",
            run: "click",
        },
        {
            content: "The case opens with its overdue amount",
            trigger: ".o_form_view .o_field_widget[name=amount_overdue]:contains('700.00')",
        },
        {
            content: "Log a call",
            trigger: ".o_form_view button:contains('Log a Call')",
            run: "click",
        },
        {
            content: "The customer promises to pay",
            trigger: ".modal .o_field_widget[name=disposition_id] label:contains('Promise')",
            run: "click",
        },
        {
            content: "The whole balance",
            trigger: ".modal .o_field_widget[name=promise_amount] input",
            run: "edit 700",
        },
        {
            content: "In a week",
            trigger: ".modal .o_field_widget[name=promise_date] input",
            run: `edit ${DateTime.now().plus({ days: 7 }).toFormat("MM/dd/yyyy")}`,
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The promise is on the case's chatter",
            trigger: ".o-mail-Message:contains('Call: Promise')",
        },
        {
            content: "Send the payment link",
            trigger: ".o_form_view button:contains('Send Payment Link')",
            run: "click",
        },
        {
            content: "By email",
            trigger: ".modal .o_field_widget[name=channel] label:contains('Email')",
            run: "click",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "The link is on the case's chatter",
            trigger: ".o-mail-Message:contains('Payment link sent')",
        },
    ],
});
