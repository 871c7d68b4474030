/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import publicWidget from "@web/legacy/js/public/public_widget";

// The customer's blocks of the portal home, loaded once the home is shown
// (as Odoo loads the home's counters).
publicWidget.registry.EcrmHomeBlocks = publicWidget.Widget.extend({
    selector: "#ecrm_home_blocks",

    async start() {
        await this._super(...arguments);
        const response = await fetch("/my/home/blocks", {credentials: "same-origin"});
        if (response.ok) {
            this.el.innerHTML = await response.text();
        }
    },
});
