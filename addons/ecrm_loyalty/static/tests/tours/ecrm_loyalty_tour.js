/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import * as tourUtils from "@website_sale/js/tours/tour_utils";

registry.category("web_tour.tours").add("ecrm_loyalty_personal_coupon", {
    url: "/shop?search=eCRM%20Tour%20Lamp",
    steps: () => [
        {
            content: "open the product",
            trigger: '.oe_product_cart a:contains("eCRM Tour Lamp")',
            run: "click",
        },
        {
            content: "add it to the cart",
            trigger: "#add_to_cart",
            run: "click",
        },
        tourUtils.goToCart(),
        {
            content: "type the personal code",
            trigger: 'form[name="coupon_code"] input[name="promo"]',
            run: "edit ECRMTOURCODE234567",
        },
        {
            content: "apply it",
            trigger: 'form[name="coupon_code"] .a-submit',
            run: "click",
        },
        {
            content: "the discount is in the cart",
            trigger: "#cart_products .o_cart_product:contains(20% on your order)",
        },
        {
            content: "go to My account",
            trigger: "body",
            run: () => {
                window.location.href = "/my";
            },
        },
        {
            content: "the coupon is in My rewards",
            trigger: ".o_ecrm_my_rewards .o_ecrm_coupon_code:contains(ECRMTOURCODE234567)",
        },
    ],
});
