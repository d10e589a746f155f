/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { rpc } from "@web/core/network/rpc";
import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * The collections agent's chat box on the invoice's portal page: each message
 * goes to /collections/agent/chat/<invoice>, the reply (and a payment link,
 * when the agent sends one) is appended below. The earlier exchanges come
 * with the page, and the words this script writes ("Pay now", the error) are
 * read from the box, which the server renders in the customer's language.
 */
publicWidget.registry.CollectionsAgentChat = publicWidget.Widget.extend({
    selector: ".o_collections_agent_chat",
    events: {
        "submit .o_collections_agent_form": "_onSubmit",
    },

    start() {
        const log = this.el.querySelector(".o_collections_agent_log");
        log.scrollTop = log.scrollHeight;
        return this._super(...arguments);
    },

    _label(name, fallback) {
        const label = this.el.querySelector(`.o_collections_agent_label_${name}`);
        return (label && label.textContent.trim()) || fallback;
    },

    _append(text, who, link) {
        const log = this.el.querySelector(".o_collections_agent_log");
        const line = document.createElement("div");
        line.className =
            (who === "customer" ? "text-end mb-2" : "text-start mb-2") +
            " o_collections_agent_turn";
        const bubble = document.createElement("span");
        bubble.className =
            "d-inline-block px-3 py-2 rounded " +
            (who === "customer" ? "bg-primary text-white" : "bg-light border");
        bubble.textContent = text;
        line.appendChild(bubble);
        if (link) {
            const anchor = document.createElement("a");
            anchor.href = link;
            anchor.className = "btn btn-success btn-sm ms-2 o_collections_agent_link";
            anchor.textContent = this._label("pay", _t("Pay now"));
            line.appendChild(anchor);
        }
        log.appendChild(line);
        log.scrollTop = log.scrollHeight;
    },

    async _onSubmit(ev) {
        ev.preventDefault();
        const input = this.el.querySelector("input[name='message']");
        const message = input.value.trim();
        if (!message) {
            return;
        }
        input.value = "";
        this._append(message, "customer");
        const button = this.el.querySelector("button[type='submit']");
        button.disabled = true;
        try {
            const result = await rpc(`/collections/agent/chat/${this.el.dataset.invoiceId}`, {
                message,
                access_token: this.el.dataset.accessToken,
            });
            if (result.error) {
                this._append(result.error, "agent");
            } else if (result.reply) {
                this._append(result.reply, "agent", result.link);
            }
        } catch {
            this._append(
                this._label(
                    "error",
                    _t("The chat is not available right now. Please try again later.")
                ),
                "agent"
            );
        } finally {
            button.disabled = false;
        }
    },
});
