# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column, create_index

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ecrm_channel = fields.Selection(
        [
            ("website", "Website"),
            ("portal", "Portal"),
            ("backend", "Backend / phone"),
        ],
        string="eCRM channel",
        readonly=True,
        copy=False,
        help="Channel the order came through, recorded when it is created.",
    )
    # the customer's level: a customer's value, for eCRM users
    ecrm_level_id = fields.Many2one(
        "ecrm.level",
        string="eCRM level at confirmation",
        readonly=True,
        copy=False,
        check_company=True,
        groups="ecrm_core.group_ecrm_user",
    )

    # Stored like account.move's: the eCRM statistics of every customer are
    # then one index-only scan of the orders, without joining the contacts.
    ecrm_commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Commercial customer",
        related="partner_id.commercial_partner_id",
        store=True,
        index=False,
    )

    def _auto_init(self):
        # Filled in one statement: computing it order by order through the ORM
        # takes hours on a database with millions of orders.
        if not column_exists(self.env.cr, self._table, "ecrm_commercial_partner_id"):
            create_column(
                self.env.cr, self._table, "ecrm_commercial_partner_id", "int4"
            )
            self.env.cr.execute(
                """
                UPDATE sale_order so
                   SET ecrm_commercial_partner_id = p.commercial_partner_id
                  FROM res_partner p
                 WHERE p.id = so.partner_id
                """
            )
        return super()._auto_init()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("ecrm_channel", self._ecrm_channel_from_vals(vals))
        return super().create(vals_list)

    @api.model
    def _ecrm_channel_from_vals(self, vals):
        if vals.get("website_id"):
            return "website"
        if self.env.user.share:
            return "portal"
        return "backend"

    def action_confirm(self):
        for order in self.sudo():
            customer = order.partner_id.commercial_partner_id
            order.ecrm_level_id = customer.with_company(order.company_id).ecrm_level_id
        result = super().action_confirm()
        self._ecrm_recompute_customers()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._ecrm_recompute_customers()
        return result

    def _ecrm_recompute_customers(self):
        """Update the eCRM profiles of these orders' customers. Never makes
        the order's operation fail: an engine error is logged and the
        customers are left for the next run."""
        Profile = self.env["ecrm.profile"].sudo()
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id
            try:
                with self.env.cr.savepoint():
                    Profile.with_company(company)._ecrm_recompute(partners)
            except Exception:  # pylint: disable=broad-except
                _logger.exception(
                    "eCRM update of customers %s failed; left for the next run",
                    partners.ids,
                )
                self.env["ecrm.profile.engine"]._ecrm_mark_dirty(company, partners.ids)

    def init(self):
        res = super().init()
        # Covers everything the eCRM engine reads of an order: the statistics
        # of all customers are an index-only scan, not a read of the wide table.
        create_index(
            self.env.cr,
            "sale_order_ecrm_stats_index",
            self._table,
            [
                "company_id",
                "ecrm_commercial_partner_id",
                "date_order",
                "amount_untaxed",
                "currency_rate",
            ],
            where="state = 'sale'",
        )
        return res
