/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {debounce} from "@web/core/utils/timing";
import publicWidget from "@web/legacy/js/public/public_widget";
import {rpc} from "@web/core/network/rpc";

// Self-service first: while the customer types the subject of a ticket, the
// published FAQ articles that may answer it.
publicWidget.registry.EcrmTicketSuggestions = publicWidget.Widget.extend({
    selector: "form[action='/submitted/ticket']",
    events: {"input input[name='subject']": "_onSubjectInput"},

    init() {
        this._super(...arguments);
        this._suggest = debounce(this._suggest.bind(this), 300);
    },

    _onSubjectInput(ev) {
        this._suggest(ev.target.value);
    },

    async _suggest(subject) {
        const box = this.el.querySelector(".o_ecrm_ticket_suggestions");
        const order = this.el.querySelector("input[name='sale_order_id']");
        const articles =
            subject.trim().length < 3
                ? []
                : await rpc("/ecrm/ticket/suggestions", {
                      subject,
                      sale_order_id: order ? order.value : null,
                  });
        const items = articles.map(({name, url}) => {
            const item = document.createElement("li");
            const link = document.createElement("a");
            link.href = url;
            link.target = "_blank";
            link.className = "o_ecrm_ticket_suggestion";
            link.textContent = name;
            item.append(link);
            return item;
        });
        box.querySelector("ul").replaceChildren(...items);
        box.classList.toggle("d-none", !items.length);
    },
});
