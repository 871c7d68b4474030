/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { Component, onWillStart, onWillUnmount, useEffect, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { cookie } from "@web/core/browser/cookie";

/** A bar chart (Odoo's Chart.js) whose bars open the records they count. */
export class EcrmChart extends Component {
    static template = "ecrm_metrics.Chart";
    static props = {
        name: String,
        labels: Array,
        values: Array,
        horizontal: { type: Boolean, optional: true },
        onBarClick: Function,
    };

    setup() {
        this.canvasRef = useRef("canvas");
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => this.renderChart(),
            () => [this.props.labels, this.props.values]
        );
        onWillUnmount(() => this.chart?.destroy());
    }

    renderChart() {
        this.chart?.destroy();
        const scheme = cookie.get("color_scheme");
        this.chart = new Chart(this.canvasRef.el, {
            type: "bar",
            data: {
                labels: this.props.labels,
                datasets: [
                    {
                        data: this.props.values,
                        backgroundColor: this.props.values.map((_, i) =>
                            getColor(this.props.horizontal ? i : 0, scheme)
                        ),
                    },
                ],
            },
            options: {
                indexAxis: this.props.horizontal ? "y" : "x",
                maintainAspectRatio: false,
                animation: false,
                plugins: { legend: { display: false } },
                onClick: (ev, elements) => {
                    if (elements.length) {
                        this.props.onBarClick(elements[0].index);
                    }
                },
            },
        });
    }
}
