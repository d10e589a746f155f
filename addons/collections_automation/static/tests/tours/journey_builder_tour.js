/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * An administrator builds a journey: a step whose fallbacks are picked from
 * the channels, the warnings it gets, the refusal to start it; then reads a
 * template as a chosen customer would get it, and simulates today for the
 * standard journey. Run by tests/test_tour_journey_builder.py.
 */
registry.category("web_tour.tours").add("collections_journey_builder", {
    url: "/odoo/action-collections_automation.collection_journey_action",
    steps: () => [
        // a new journey and its first step
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Tour journey" },
        {
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        { trigger: ".modal .o_field_widget[name=name] input", run: "edit Friendly reminder" },
        // fallbacks: tags picked from the channels, in the order picked
        {
            trigger: ".modal .o_field_widget[name=fallback_channels] .o_tag:contains(Email) .o_delete",
            run: "click",
        },
        { trigger: ".modal .o_collection_channel_add", run: "select whatsapp" },
        {
            trigger:
                ".modal .o_field_widget[name=fallback_channels] .o_tag:eq(1):contains(WhatsApp)",
        },
        {
            trigger: ".modal .o_field_widget[name=fallback_channels] .o_tag:eq(0):contains(SMS)",
        },
        { trigger: ".modal .o_field_widget[name=template_ids] input", run: "edit Payment reminder (email" },
        {
            trigger: ".modal .o-autocomplete--dropdown-item a:contains(Payment reminder)",
            run: "click",
        },
        { trigger: ".modal .o_field_widget[name=template_ids] .o_tag:contains(Payment reminder)" },
        // the step says what it will pass over, before it is saved
        { trigger: ".modal .o_field_widget[name=problems]:contains(no SMS template)" },
        { trigger: ".modal label:contains(Reply Window)" },
        { trigger: ".modal .o_field_widget[name=response_hours] input" },
        { trigger: ".modal .modal-footer .o_form_button_save", run: "click" },
        // the journey's warnings
        { trigger: ".o_form_view .alert-danger:contains(No segment follows this journey)" },
        { trigger: ".o_form_view .alert-warning:contains(no SMS template)" },
        { trigger: ".o_form_view .o_field_widget[name=step_ids] .o_data_row:contains(Friendly reminder)" },
        { trigger: ".o_form_button_save", run: "click" },
        { trigger: ".o_form_saved" },
        // it cannot start: it would never send anything
        { trigger: ".o_form_view button[name=action_start]", run: "click" },
        { trigger: ".modal:contains(cannot start):contains(No segment follows this journey)" },
        { trigger: ".modal .modal-footer .btn-primary", run: "click" },
        { trigger: "body:not(:has(.modal))" },
        // a template, as a chosen customer reads it
        { trigger: "body", run: "goToUrl /odoo/action-collections_automation.collection_template_action" },
        { trigger: ".o_breadcrumb:contains(Message Templates)" },
        {
            trigger: ".o_list_view .o_data_row:contains(Payment reminder):contains(SMS) td[name=name]",
            run: "click",
        },
        { trigger: ".o_breadcrumb:contains(Payment reminder (SMS))" },
        { trigger: ".o_form_view button.o_collection_template_preview", run: "click" },
        { trigger: ".modal .o_field_widget[name=partner_id] input", run: "edit Lucía Prieto" },
        { trigger: ".o-autocomplete--dropdown-item a:contains(Lucía Prieto)", run: "click" },
        { trigger: ".modal button.o_collection_template_preview_show", run: "click" },
        { trigger: ".modal .o_field_widget[name=lang_name]:contains(Español)" },
        { trigger: ".modal .o_field_widget[name=body]:contains(ha vencido):contains(1.180,00)" },
        { trigger: ".modal .modal-footer button:contains(Close)", run: "click" },
        { trigger: "body:not(:has(.modal))" },
        // what the standard journey would do today
        { trigger: "body", run: "goToUrl /odoo/action-collections_automation.collection_journey_action" },
        { trigger: ".o_breadcrumb:contains(Journeys)" },
        { trigger: ".o_list_view .o_data_row td[name=name]:contains(Standard)", run: "click" },
        { trigger: ".o_breadcrumb:contains(Standard)" },
        { trigger: ".o_form_view button[name=action_simulate]", run: "click" },
        { trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Lucía Prieto)" },
        {
            trigger:
                ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Ramiro Sinmail):contains(No email address)",
        },
    ],
});
