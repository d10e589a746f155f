/** @odoo-module **/

import { registry } from "@web/core/registry";

const BOX = "#collections_agent_chat";

/**
 * A customer whose language is Spanish chats on their invoice's page: the
 * box speaks Spanish and is the page's only message box, the exchange is
 * still there after a reload, and the agent's link pays the invoice through
 * Odoo's Demo payment provider. Run by tests/test_tour_portal_chat.py.
 */
registry.category("web_tour.tours").add("collections_portal_chat", {
    steps: () => [
        { trigger: `${BOX} h5:contains(¿Preguntas sobre su pago?)` },
        { trigger: `${BOX} button[type=submit]:contains(Enviar)` },
        { trigger: `${BOX} input[name=message][placeholder='Escriba su mensaje...']` },
        // one message box: the chatter below has no composer of its own
        { trigger: "#discussion" },
        { trigger: "body:not(:has(.o_portal_chatter_composer)):not(:has(#discussion textarea))" },
        // a first message and the agent's answer
        { trigger: `${BOX} input[name=message]`, run: "edit hola cuánto debo" },
        { trigger: `${BOX} button[type=submit]`, run: "click" },
        { trigger: `${BOX} .o_collections_agent_turn:eq(1) .border` },
        {
            trigger: "body",
            run() {
                window.location.reload();
            },
        },
        // after the reload, the exchange is still there
        { trigger: `${BOX} .o_collections_agent_turn:eq(0):contains(hola cuánto debo)` },
        { trigger: `${BOX} .o_collections_agent_turn:eq(1) .border` },
        // the link to pay, asked for in so many words
        { trigger: `${BOX} input[name=message]`, run: "edit mándame el link para pagar" },
        { trigger: `${BOX} button[type=submit]`, run: "click" },
        { trigger: `${BOX} .o_collections_agent_turn:eq(3) .o_collections_agent_link` },
        {
            trigger: `${BOX} .o_collections_agent_link`,
            run() {
                document.body.classList.add("o_collections_tour_left");
                this.anchor.click();
            },
        },
        // the invoice's page, paid with the Demo provider
        {
            trigger: "body:not(.o_collections_tour_left) a[data-bs-target='#pay_with']:visible",
            run: "click",
        },
        { trigger: "#pay_with input[name=customer_input]", run: "edit 4242424242424242" },
        {
            trigger: "#pay_with button[name=o_payment_submit_button]:visible:not(:disabled)",
            run: "click",
        },
        // back on the invoice, paid: nothing left to chat about
        {
            trigger: "body:not(:has(#collections_agent_chat)) #invoice_content",
            timeout: 30000,
        },
    ],
});
