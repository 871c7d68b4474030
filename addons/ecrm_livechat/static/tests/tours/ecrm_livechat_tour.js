/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// Data: tests/test_livechat_tour.py: a signed-in Value-added customer on a
// website page offering the eCRM Support channel, its priority operator online.
// Selectors: website_livechat's own tours (the chat lives in a shadow root).
registry.category("web_tour.tours").add("ecrm_livechat_chat", {
    steps: () => [
        {
            content: "open the live chat",
            trigger: ".o-livechat-root:shadow .o-livechat-LivechatButton",
            run: "click",
        },
        {
            content: "type a question",
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "edit My zither kettle whistles off-key",
        },
        {
            content: "send it",
            trigger: ".o-livechat-root:shadow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "the message is posted (no longer pending)",
            trigger:
                ".o-livechat-root:shadow .o-mail-Message:contains(My zither kettle whistles off-key):not(:has(.o-mail-Message-pendingProgress))",
        },
    ],
});
