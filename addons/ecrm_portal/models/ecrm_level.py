# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmLevel(models.Model):
    _inherit = "ecrm.level"

    def _ecrm_next_level(self, company):
        """The level right above ``self`` on ``company``'s ladder (the first
        level when ``self`` is empty), or an empty recordset."""
        ladder = self.sudo().search(self._ladder_domain(company), order="sequence, id")
        if not self:
            return ladder[:1]
        above = ladder.filtered(lambda level: level.sequence > self.sequence)
        return above[:1]

    def _ecrm_progress(self, profile):
        """What the customer of ``profile`` still lacks to meet this level's
        thresholds (the engine's rule: every threshold must be met), and the
        share of the way done (the least advanced threshold)."""
        self.ensure_one()
        missing, shares = [], []
        tenure = (
            (fields.Date.context_today(self) - profile.first_order_date).days
            if profile.first_order_date
            else 0
        )
        score = profile.r_score + profile.f_score + profile.m_score
        current = {
            "min_orders": profile.frequency,
            "min_revenue": profile.monetary,
            "min_tenure_days": tenure,
            "min_rfm_score": score,
        }
        labels = {
            "min_orders": lambda n: self.env._("%(n)s more orders", n=n),
            "min_revenue": lambda n: self.env._("%(n)s more spent", n=n),
            "min_tenure_days": lambda n: self.env._(
                "%(n)s more days as a customer", n=n
            ),
            "min_rfm_score": lambda n: self.env._(
                "%(n)s more points of RFM score", n=n
            ),
        }
        for threshold, label in labels.items():
            required = self[threshold]
            if not required:
                continue
            have = current[threshold] or 0
            shares.append(min(1.0, have / required))
            if have < required:
                gap = required - have
                if threshold == "min_revenue":
                    currency = (
                        profile.company_id.currency_id or self.env.company.currency_id
                    )
                    gap = currency.format(gap)
                missing.append(label(gap))
        return {
            "missing": missing,
            "percent": round(100 * min(shares)) if shares else 100,
        }
