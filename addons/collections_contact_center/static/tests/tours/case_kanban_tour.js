/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collector's round: the case kanban, a case dragged from New to In
 * Progress, then a call outcome logged from the case in two clicks.
 */
registry.category("web_tour.tours").add("collections_case_kanban", {
    url: "/odoo/action-collections_contact_center.collection_case_action",
    steps: () => [
        {
            content: "The kanban shows the case in New",
            trigger: ".o_kanban_group:eq(0) .o_kanban_record:contains('Tour Customer')",
        },
        {
            content: "Drag it to In Progress",
            trigger: ".o_kanban_record:contains('Tour Customer')",
            run: "drag_and_drop(.o_kanban_group:eq(1))",
        },
        {
            content: "It is in In Progress now",
            trigger: ".o_kanban_group:eq(1) .o_kanban_record:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "Open the call log",
            trigger: ".o_form_view button:contains('Log a Call')",
            run: "click",
        },
        {
            content: "Pick the outcome",
            trigger: ".modal .o_field_widget[name=disposition_id] label:contains('Voicemail')",
            run: "click",
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The call is on the case's chatter",
            trigger: ".o-mail-Message:contains('Call: Voicemail')",
        },
    ],
});
