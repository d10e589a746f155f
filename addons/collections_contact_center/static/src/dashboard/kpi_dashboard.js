/** @odoo-module **/
/**
 * The collections dashboard: a client action that reads
 * ``collection.kpi.line.get_dashboard_data`` (every figure and word is made
 * on the server) and draws each KPI's last 12 months in its own chart and
 * unit, this month against the last, and the aging per bucket, with
 * Chart.js as Odoo's graph view does.
 */
import {
    Component,
    onMounted,
    onPatched,
    onWillStart,
    onWillUnmount,
    useRef,
    useState,
} from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";

/** One Chart.js chart; drawn again whenever its configuration changes. */
export class CollectionChart extends Component {
    static template = "collections_contact_center.CollectionChart";
    static props = { config: Object, height: { type: Number, optional: true } };
    static defaultProps = { height: 140 };

    setup() {
        this.canvas = useRef("canvas");
        onMounted(() => this.draw());
        onPatched(() => this.draw());
        onWillUnmount(() => this.chart?.destroy());
    }

    draw() {
        this.chart?.destroy();
        this.chart = new window.Chart(this.canvas.el, this.props.config);
    }
}

export class CollectionKpiDashboard extends Component {
    static template = "collections_contact_center.KpiDashboard";
    static components = { CollectionChart };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null, teamId: false, userId: false, busy: false });
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
    }

    async load() {
        this.state.data = await this.orm.call("collection.kpi.line", "get_dashboard_data", [], {
            team_id: this.state.teamId,
            user_id: this.state.userId,
        });
    }

    async onTeamChange(ev) {
        this.state.teamId = parseInt(ev.target.value) || false;
        this.state.userId = false;
        await this.load();
    }

    async onCollectorChange(ev) {
        this.state.userId = parseInt(ev.target.value) || false;
        await this.load();
    }

    async recompute() {
        this.state.busy = true;
        try {
            await this.orm.call("collection.kpi.line", "action_recompute_history", [[]]);
            await this.load();
        } finally {
            this.state.busy = false;
        }
    }

    openAnalysis() {
        this.action.doAction("collections_contact_center.collection_kpi_analysis_action");
    }

    openAbTests() {
        this.action.doAction("collections_contact_center.collection_ab_test_action");
    }

    /** A figure of ``unit`` as the server words it, for axes and tooltips. */
    format(value, unit, { short = false } = {}) {
        if (value === null || value === undefined || value === false) {
            return _t("No data");
        }
        if (unit === "amount") {
            return formatMonetary(value, {
                currencyId: this.state.data.currency_id,
                humanReadable: short,
                digits: short ? [16, 0] : undefined,
            });
        }
        const number = formatFloat(value, { digits: [16, short ? 0 : 1] });
        return unit === "days" ? _t("%s days", number) : `${number} %`;
    }

    /** Whether the KPI has a figure in any of the months. */
    hasData(trend) {
        return trend.values.some((value) => value !== null && value !== false);
    }

    judgementClass(trend) {
        return (
            {
                better: "text-success",
                worse: "text-danger",
                same: "text-muted",
            }[trend.judgement] || "text-muted"
        );
    }

    trendConfig(trend) {
        const months = this.state.data.months;
        const datasets = [
            {
                label: trend.name,
                data: trend.values.map((v) => (v === false ? null : v)),
                borderColor: getColor(0),
                backgroundColor: getColor(0),
                spanGaps: true,
                tension: 0.25,
                pointRadius: 3,
            },
        ];
        if (trend.companion) {
            datasets.push({
                label: trend.companion.name,
                data: trend.companion.values.map((v) => (v === false ? null : v)),
                borderColor: getColor(2),
                backgroundColor: getColor(2),
                borderDash: [5, 4],
                spanGaps: true,
                tension: 0.25,
                pointRadius: 2,
            });
        }
        return {
            type: "line",
            data: { labels: months.map((m) => m.short), datasets },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                plugins: {
                    legend: { display: Boolean(trend.companion), position: "bottom" },
                    tooltip: {
                        callbacks: {
                            title: (items) => months[items[0].dataIndex].label,
                            label: (item) =>
                                `${item.dataset.label}: ${this.format(item.raw, trend.unit)}`,
                        },
                    },
                },
                scales: {
                    y: {
                        beginAtZero: trend.unit !== "days",
                        ticks: {
                            maxTicksLimit: 5,
                            // whole numbers only: the labels show none, so a
                            // 0-1 % scale would read "0 %, 1 %, 1 %"
                            precision: 0,
                            callback: (value) => this.format(value, trend.unit, { short: true }),
                        },
                    },
                    x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } },
                },
            },
        };
    }

    agingConfig() {
        const aging = this.state.data.aging;
        return {
            type: "bar",
            data: {
                labels: aging.buckets,
                datasets: [
                    {
                        label: aging.month_ago.label,
                        data: aging.month_ago.amounts,
                        backgroundColor: getColor(7),
                    },
                    {
                        label: aging.today.label,
                        data: aging.today.amounts,
                        backgroundColor: getColor(0),
                    },
                ],
            },
            options: {
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                plugins: {
                    legend: { position: "bottom" },
                    tooltip: {
                        callbacks: {
                            label: (item) =>
                                `${item.dataset.label}: ${this.format(item.raw, "amount")}`,
                        },
                    },
                },
                scales: {
                    y: {
                        beginAtZero: true,
                        ticks: {
                            maxTicksLimit: 6,
                            callback: (value) => this.format(value, "amount", { short: true }),
                        },
                    },
                },
            },
        };
    }
}

registry
    .category("actions")
    .add("collections_contact_center.kpi_dashboard", CollectionKpiDashboard);
