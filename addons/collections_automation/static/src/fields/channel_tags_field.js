/** @odoo-module **/

import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { TagsList } from "@web/core/tags_list/tags_list";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Channels picked from a list, shown as tags, for a Char field that keeps
 * them as comma-separated codes in the order they were picked
 * (``collection.journey.step.fallback_channels``: "sms,email"). The choices
 * and their labels are those of a selection field of the same record
 * (``choices_field`` option, ``channel`` by default), so they read in the
 * user's language; a code that is not one of them shows as it is.
 */
export class ChannelTagsField extends Component {
    static template = "collections_automation.ChannelTagsField";
    static components = { TagsList };
    static props = {
        ...standardFieldProps,
        choicesField: { type: String, optional: true },
    };
    static defaultProps = { choicesField: "channel" };

    get choices() {
        return this.props.record.fields[this.props.choicesField]?.selection || [];
    }

    get codes() {
        const value = this.props.record.data[this.props.name] || "";
        return value
            .split(",")
            .map((code) => code.trim())
            .filter((code, index, all) => code && all.indexOf(code) === index);
    }

    get tags() {
        const labels = Object.fromEntries(this.choices);
        return this.codes.map((code) => ({
            id: code,
            text: labels[code] || code,
            onDelete: this.props.readonly ? undefined : () => this.remove(code),
        }));
    }

    get available() {
        const codes = this.codes;
        return this.choices.filter(([code]) => !codes.includes(code));
    }

    write(codes) {
        return this.props.record.update({ [this.props.name]: codes.join(",") || false });
    }

    remove(code) {
        return this.write(this.codes.filter((other) => other !== code));
    }

    onAdd(ev) {
        const code = ev.target.value;
        ev.target.value = "";
        if (code) {
            return this.write([...this.codes, code]);
        }
    }
}

export const channelTagsField = {
    component: ChannelTagsField,
    displayName: "Channels",
    supportedTypes: ["char"],
    extractProps: ({ options }) => ({
        choicesField: options.choices_field || "channel",
    }),
};

registry.category("fields").add("collection_channel_tags", channelTagsField);
