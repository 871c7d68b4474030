# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import array_literal
from .ecrm_coupon_issue import DRAW_TABLE

_logger = logging.getLogger(__name__)

# No 0/O, 1/I: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# 32 symbols = 5 bits each: 18 symbols = 90 bits (Odoo's default: ~32 bits).
CODE_LENGTH = 18
BATCH_SIZE = 2000
# base32 maps 5 random bits to a symbol in C; translated to our alphabet
_BASE32_TO_CODE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CODE_ALPHABET.encode()
)


def generate_code():
    random = base64.b32encode(secrets.token_bytes(CODE_LENGTH * 5 // 8 + 1))
    return random.translate(_BASE32_TO_CODE)[:CODE_LENGTH].decode()


class EcrmCouponEngine(models.AbstractModel):
    """Issuance of the coupon rules, set-based: the audience of a rule is one
    SQL query, drawn whole (into the draw table, control rows into issues)
    with ON CONFLICT DO NOTHING (a second worker running the same rule skips
    the customers the first one drew); coupons, mails and their issues are
    then created in batches of the drawn customers."""

    _name = "ecrm.coupon.engine"
    _description = "eCRM Coupon Issuance Engine"

    # ------------------------------------------------------------------
    # Audience
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_candidates_sql(self, rule, today):
        """``SELECT partner_id, product_ids`` of the trigger (commercial
        partners of ``rule.company_id``; ``product_ids`` NULL when the coupon
        is not restricted to products)."""
        company = rule.company_id.id
        since = today - timedelta(days=rule.period_days)
        if rule.trigger == "win_back":
            return SQL(
                """
                SELECT DISTINCT h.partner_id, NULL::int[] AS product_ids
                  FROM ecrm_lifecycle_history h
                  JOIN ecrm_profile pr ON pr.partner_id = h.partner_id
                                      AND pr.company_id = h.company_id
                 WHERE h.company_id = %(company)s
                   AND h.to_stage IN ('at_risk', 'churned')
                   AND h.date > %(since)s
                   AND pr.lifecycle_stage IN ('at_risk', 'churned')
                """,
                company=company,
                since=since,
            )
        if rule.trigger == "level_upgrade":
            return SQL(
                """
                SELECT DISTINCT h.partner_id, NULL::int[] AS product_ids
                  FROM ecrm_level_history h
                  JOIN ecrm_level lf ON lf.id = h.from_level_id
                  JOIN ecrm_level lt ON lt.id = h.to_level_id
                  JOIN ecrm_profile pr ON pr.partner_id = h.partner_id
                                      AND pr.company_id = h.company_id
                                      AND pr.level_id = h.to_level_id
                 WHERE h.company_id = %(company)s
                   AND h.date > %(since)s
                   AND lt.sequence > lf.sequence
                """,
                company=company,
                since=since,
            )
        if rule.trigger == "purchase_history":
            bought = SQL(
                """
                SELECT so.ecrm_commercial_partner_id AS partner_id, sol.product_id
                  FROM sale_order so
                  JOIN sale_order_line sol ON sol.order_id = so.id
                 WHERE so.state = 'sale'
                   AND so.company_id = %(company)s
                   AND so.date_order >= %(start)s
                   AND sol.reward_id IS NULL
                   AND sol.display_type IS NULL
                   AND sol.product_id IS NOT NULL
                """,
                company=company,
                start=today - timedelta(days=rule.lookback_days),
            )
            if rule.count_viewed_products:
                bought = SQL(
                    "%s UNION ALL %s", bought, self._ecrm_viewed_sql(rule, today)
                )
            return SQL(
                """
                SELECT partner_id, array_agg(DISTINCT product_id) AS product_ids
                  FROM (%s) bought
                 GROUP BY partner_id
                """,
                bought,
            )
        if rule.trigger == "cross_sell":
            offered = SQL(
                """
                SELECT so.ecrm_commercial_partner_id AS partner_id,
                       acc.product_id, so.date_order
                  FROM sale_order so
                  JOIN sale_order_line sol ON sol.order_id = so.id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN LATERAL (
                        SELECT par.dest_id AS product_id
                          FROM product_accessory_rel par
                         WHERE par.src_id = pp.product_tmpl_id
                         UNION
                        SELECT opp.id
                          FROM product_optional_rel por
                          JOIN product_product opp ON opp.product_tmpl_id = por.dest_id
                                                  AND opp.active
                         WHERE por.src_id = pp.product_tmpl_id
                  ) acc ON TRUE
                 WHERE so.state = 'sale'
                   AND so.company_id = %(company)s
                   AND so.date_order >= %(start)s
                   AND so.date_order < %(end)s
                   AND sol.reward_id IS NULL
                """,
                company=company,
                start=today - timedelta(days=rule.lookback_days + rule.period_days),
                end=today - timedelta(days=rule.lookback_days - 1),
            )
            not_bought = SQL(
                """
                SELECT o.partner_id, o.product_id
                  FROM (%(offered)s) o
                 WHERE NOT EXISTS (
                        SELECT 1
                          FROM sale_order so2
                          JOIN sale_order_line sol2 ON sol2.order_id = so2.id
                         WHERE so2.ecrm_commercial_partner_id = o.partner_id
                           AND so2.company_id = %(company)s
                           AND so2.state = 'sale'
                           AND sol2.product_id = o.product_id
                           AND so2.date_order >= o.date_order
                       )
                """,
                offered=offered,
                company=company,
            )
            if rule.count_viewed_products:
                not_bought = SQL(
                    "%s UNION ALL %s", not_bought, self._ecrm_viewed_sql(rule, today)
                )
            return SQL(
                """
                SELECT partner_id, array_agg(DISTINCT product_id) AS product_ids
                  FROM (%s) offered
                 GROUP BY partner_id
                """,
                not_bought,
            )
        if rule.trigger == "abandoned_cart":
            return SQL(
                """
                SELECT cart.partner_id, NULL::int[] AS product_ids
                  FROM (%s) cart
                 GROUP BY cart.partner_id
                """,
                self._ecrm_carts_sql(rule, rule.coupon_hours, rule.period_days * 24),
            )
        if rule.trigger == "referral":
            # issued when a referee applies a code, not by the cron
            return SQL(
                "SELECT NULL::int AS partner_id, NULL::int[] AS product_ids LIMIT 0"
            )
        raise NotImplementedError(rule.trigger)

    @api.model
    def _ecrm_carts_sql(self, rule, idle_hours, until_hours):
        """``SELECT id, partner_id`` (commercial) of the website carts of the
        rule's company idle between ``idle_hours`` and ``until_hours``, whose
        customer has not ordered since."""
        now = fields.Datetime.now()
        return SQL(
            """
            SELECT so.id, p.commercial_partner_id AS partner_id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              JOIN website w ON w.id = so.website_id
              JOIN res_users wu ON wu.id = w.user_id
             WHERE so.state = 'draft'
               AND so.company_id = %(company)s
               AND so.partner_id != wu.partner_id
               AND so.date_order <= %(idle)s
               AND so.date_order > %(until)s
               AND EXISTS (SELECT 1 FROM sale_order_line sol WHERE sol.order_id = so.id)
               AND NOT EXISTS (
                    SELECT 1
                      FROM sale_order so2
                     WHERE so2.ecrm_commercial_partner_id = p.commercial_partner_id
                       AND so2.state = 'sale'
                       AND so2.date_order >= so.date_order
                   )
            """,
            company=rule.company_id.id,
            idle=now - timedelta(hours=idle_hours),
            until=now - timedelta(hours=until_hours),
        )

    @api.model
    def _ecrm_remind_carts(self, rule, batch_size):
        """First step of the abandoned cart sequence: the website's own cart
        recovery email, once per cart (website_sale's flag), to the customers
        who accept emails."""
        carts = self._ecrm_carts_sql(rule, rule.reminder_hours, rule.coupon_hours)
        self.env.cr.execute(
            SQL(
                """
                SELECT cart.id
                  FROM (%s) cart
                  JOIN sale_order so ON so.id = cart.id
                 WHERE so.cart_recovery_email_sent IS NOT TRUE
                 ORDER BY cart.id
                 LIMIT %s
                """,
                carts,
                batch_size,
            )
        )
        orders = self.env["sale.order"].browse(row[0] for row in self.env.cr.fetchall())
        reachable = orders.partner_id._ecrm_filter_consent("email")
        orders.filtered(lambda order: order.partner_id in reachable).with_context(
            ecrm_unsubscribe=True
        )._cart_recovery_email_send()
        # opted out: no reminder, but the cart is not asked about again
        orders.cart_recovery_email_sent = True
        return len(orders)

    @api.model
    def _ecrm_viewed_sql(self, rule, today):
        """Products a signed-in customer viewed ``min_views`` times or more
        over the look-back period without buying them."""
        return SQL(
            """
            SELECT p.commercial_partner_id, wt.product_id
              FROM website_track wt
              JOIN website_visitor wv ON wv.id = wt.visitor_id
              JOIN res_partner p ON p.id = wv.partner_id
             WHERE wt.product_id IS NOT NULL
               AND wt.visit_datetime >= %(start)s
               AND (p.company_id IS NULL OR p.company_id = %(company)s)
               AND NOT EXISTS (
                    SELECT 1
                      FROM sale_order so
                      JOIN sale_order_line sol ON sol.order_id = so.id
                     WHERE so.ecrm_commercial_partner_id = p.commercial_partner_id
                       AND so.state = 'sale'
                       AND sol.product_id = wt.product_id
                   )
             GROUP BY p.commercial_partner_id, wt.product_id
            HAVING count(*) >= %(min_views)s
            """,
            start=today - timedelta(days=rule.lookback_days),
            company=rule.company_id.id,
            min_views=max(rule.min_views, 1),
        )

    @api.model
    def _ecrm_audience_sql(self, rule, today, period_start):
        """The customers of the rule not yet drawn in the period (issued,
        control or waiting for their coupon)."""
        # EXCEPT, not NOT EXISTS: the issues drawn by the previous batches are
        # not in the table's statistics yet, and an anti-join planned for a
        # few issues is a nested loop (customers x issues: seconds per batch)
        return SQL(
            """
            WITH c AS (%(candidates)s)
            SELECT c.partner_id, c.product_ids
              FROM c
              JOIN (SELECT partner_id FROM c
                     EXCEPT
                    SELECT partner_id FROM ecrm_coupon_issue
                     WHERE rule_id = %(rule)s AND period_start = %(period)s
                     EXCEPT
                    SELECT partner_id FROM %(draw)s
                     WHERE rule_id = %(rule)s AND period_start = %(period)s
                   ) undrawn ON undrawn.partner_id = c.partner_id
              JOIN res_partner p ON p.id = c.partner_id AND p.active
              LEFT JOIN ecrm_profile pr ON pr.partner_id = c.partner_id
                                       AND pr.company_id = %(company)s
             WHERE %(filters)s
            """,
            candidates=self._ecrm_candidates_sql(rule, today),
            company=rule.company_id.id,
            filters=rule._ecrm_audience_filters("pr"),
            rule=rule.id,
            period=period_start,
            draw=SQL.identifier(DRAW_TABLE),
        )

    @api.model
    def _ecrm_left(self, rule, period_start):
        """How many more customers the rule may draw in the period."""
        if not rule.max_per_run:
            return None
        self.env["ecrm.coupon.issue"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM ecrm_coupon_issue
                         WHERE rule_id = %(rule)s AND period_start = %(period)s)
                     + (SELECT count(*) FROM %(draw)s
                         WHERE rule_id = %(rule)s AND period_start = %(period)s)
                """,
                rule=rule.id,
                period=period_start,
                draw=SQL.identifier(DRAW_TABLE),
            )
        )
        return max(rule.max_per_run - self.env.cr.fetchone()[0], 0)

    @api.model
    def _ecrm_preview(self, rule, sample_size=10):
        """(audience count, sample) of what a run would issue now."""
        rule = rule.sudo()
        self.env.flush_all()
        today = fields.Date.context_today(rule.with_company(rule.company_id))
        period_start = rule._ecrm_period_start(today)
        audience = self._ecrm_audience_sql(rule, today, period_start)
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) a", audience))
        count = self.env.cr.fetchone()[0]
        left = self._ecrm_left(rule, period_start)
        if left is not None:
            count = min(count, left)
        self.env.cr.execute(
            SQL("%s ORDER BY c.partner_id LIMIT %s", audience, sample_size)
        )
        rows = self.env.cr.fetchall()
        partners = self.env["res.partner"].browse(row[0] for row in rows)
        products = self.env["product.product"].browse(
            {pid for row in rows for pid in row[1] or ()}
        )
        sample = [
            (partner, products.browse(row[1] or ()).exists())
            for partner, row in zip(partners, rows, strict=True)
        ]
        return count, sample

    @api.model
    def _ecrm_preview_bands(self, rule):
        """How many customers of the rule's audience, its predictive filters
        left aside, each quarter of churn risk and of P(alive) holds: where to
        set those filters. None while the company has no predictive model."""
        rule = rule.sudo().with_context(ecrm_without_predictive=True)
        model = rule.company_id.ecrm_clv_model_id
        if not model:
            return None
        today = fields.Date.context_today(rule.with_company(rule.company_id))
        audience = self._ecrm_audience_sql(rule, today, rule._ecrm_period_start(today))
        figures = model._ecrm_profile_figures_sql(
            SQL.identifier("pr"),
            self.env["ecrm.profile.engine"]._ecrm_today(rule.company_id),
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT LEAST(floor(%(churn)s * 4), 3)::int,
                       LEAST(floor(%(alive)s * 4), 3)::int,
                       count(*)
                  FROM (%(audience)s) a
                  JOIN ecrm_profile pr ON pr.partner_id = a.partner_id
                                      AND pr.company_id = %(company)s
                 GROUP BY 1, 2
                """,
                churn=figures["no_order"],
                alive=figures["p_alive"],
                audience=audience,
                company=rule.company_id.id,
            )
        )
        bands = {"churn": [0] * 4, "p_alive": [0] * 4, "unknown": 0}
        for churn, alive, count in self.env.cr.fetchall():
            if churn is None:
                bands["unknown"] += count
                continue
            bands["churn"][churn] += count
            bands["p_alive"][alive] += count
        return bands

    # ------------------------------------------------------------------
    # Issuance
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_issue(self, rule, batch_size=BATCH_SIZE):
        """One batch of the rule for the current period: the whole audience
        drawn (and control rows issued) when no drawn customer waits for their
        coupon, then coupons, queued mails and issues for a batch of the drawn
        customers. Returns (customers handled in this call, customers still
        waiting)."""
        rule = rule.sudo().with_company(rule.company_id)
        # consent and mail rendering are per company: the rule's
        return self.with_env(rule.env)._ecrm_issue_batch(rule, batch_size)

    @api.model
    def _ecrm_issue_batch(self, rule, batch_size):
        self.env.flush_all()
        cr = self.env.cr
        # A second worker on the same rule leaves it to the first; the unique
        # (rule, partner, period) would make it skip the drawn customers anyway.
        cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(hashtext('ecrm_coupon_rule'), %s)",
                rule.id,
            )
        )
        if not cr.fetchone()[0]:
            return 0, 0
        today = fields.Date.context_today(rule)
        period_start = rule._ecrm_period_start(today)
        reminded = 0
        if rule.trigger == "abandoned_cart":
            reminded = self._ecrm_remind_carts(rule, batch_size)
            self.env.flush_all()
        more = int(reminded == batch_size)
        # the whole audience is drawn when no drawn customer waits for their
        # coupon: one audience query per run, not one per batch
        controls = 0
        if not self._ecrm_pending_count(rule):
            left = self._ecrm_left(rule, period_start)
            if left != 0:
                controls = self._ecrm_draw(
                    rule,
                    period_start,
                    self._ecrm_audience_sql(rule, today, period_start),
                    left,
                    rule.control_percent,
                )
        issued = self._ecrm_create_coupons(
            rule, self._ecrm_pending(rule, batch_size), today
        )
        # a batch's coupons, mails and customers are not needed by the next one
        self.env.invalidate_all()
        return (
            reminded + controls + issued,
            self._ecrm_pending_count(rule) + more,
        )

    @api.model
    def _ecrm_draw(self, rule, period_start, audience, limit=None, control_percent=0):
        """Draw the customers of ``audience`` (``SELECT partner_id,
        product_ids``) not yet drawn in the period, at most ``limit``:
        ``control_percent`` of them at random in the control group (their
        issue rows, without coupon), the others into the draw table (their
        coupon and issue are created by ``_ecrm_create_coupons``). Returns the
        number of control rows."""
        self.env.cr.execute(
            SQL(
                """
                WITH a AS (
                    SELECT a.partner_id, a.product_ids,
                           random() * 100 < %(control)s AS control
                      FROM (%(audience)s) a
                     ORDER BY a.partner_id
                     LIMIT %(limit)s
                ), drawn AS (
                    INSERT INTO %(draw)s (rule_id, partner_id, period_start, products)
                    SELECT %(rule)s, a.partner_id, %(period)s, to_jsonb(a.product_ids)
                      FROM a
                     WHERE NOT a.control
                        ON CONFLICT (rule_id, partner_id, period_start) DO NOTHING
                ), controls AS (
                    INSERT INTO ecrm_coupon_issue
                           (rule_id, partner_id, company_id, period_start, is_control,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(rule)s, a.partner_id, %(company)s, %(period)s, TRUE,
                           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                           now() AT TIME ZONE 'UTC'
                      FROM a
                     WHERE a.control
                        ON CONFLICT (rule_id, partner_id, period_start) DO NOTHING
                 RETURNING 1
                )
                SELECT count(*) FROM controls
                """,
                rule=rule.id,
                company=rule.company_id.id,
                period=period_start,
                control=control_percent,
                uid=self.env.uid,
                audience=audience,
                limit=limit,
                draw=SQL.identifier(DRAW_TABLE),
            )
        )
        controls = self.env.cr.fetchone()[0]
        # after the fetch: invalidating flushes pending ORM writes first
        self.env["ecrm.coupon.issue"].invalidate_model()
        return controls

    @api.model
    def _ecrm_pending_count(self, rule):
        """How many customers drawn by the rule wait for their coupon."""
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE rule_id = %s",
                SQL.identifier(DRAW_TABLE),
                rule.id,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_pending(self, rule, limit, partner=None):
        """[(partner_id, period_start, product_ids)] of the first ``limit``
        customers drawn by the rule waiting for their coupon."""
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, period_start, products
                  FROM %s
                 WHERE rule_id = %s %s
                 ORDER BY rule_id, partner_id, period_start
                 LIMIT %s
                """,
                SQL.identifier(DRAW_TABLE),
                rule.id,
                SQL("AND partner_id = %s", partner.id) if partner else SQL(),
                limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _ecrm_cards_values(self, rule, products, today):
        """The values of the coupons of ``products`` [(partner_id,
        product_ids)], for ``_ecrm_insert_cards``."""
        points = min(
            (reward.required_points for reward in rule.program_id.reward_ids),
            default=1,
        )
        expiration = (
            today + timedelta(days=rule.validity_days) if rule.validity_days else None
        )
        return [
            {
                "partner_id": partner_id,
                "code": generate_code(),
                "points": points,
                "expiration_date": expiration,
                "product_ids": product_ids or [],
            }
            for partner_id, product_ids in products
        ]

    @api.model
    def _ecrm_insert_cards(self, rule, values_list):
        """Insert the coupons of ``values_list`` (see ``_ecrm_cards_values``)
        and their history line in one statement; returns their ids in the
        same order. ``loyalty.card.create`` only adds the program's creation
        mail, which the rule's mail replaces."""
        cr = self.env.cr
        self.env["loyalty.card"].flush_model()
        codes = [values["code"] for values in values_list]
        cr.execute(
            SQL(
                """
                WITH cards AS (
                    INSERT INTO loyalty_card
                           (program_id, company_id, partner_id, code, points,
                            expiration_date, ecrm_products, active, ecrm_bound,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(program)s, %(company)s, v.partner_id, v.code, v.points,
                           v.expiration_date, v.products, TRUE, TRUE,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(partners)s::int[], %(codes)s::varchar[],
                                  %(points)s::float8[], %(dates)s::date[],
                                  %(products)s::jsonb[])
                           AS v(partner_id, code, points, expiration_date, products)
                 RETURNING id, code, points
                ), history AS (
                    INSERT INTO loyalty_history
                           (card_id, description, issued, used,
                            create_uid, create_date, write_uid, write_date)
                    SELECT id, %(description)s, points, 0,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM cards
                )
                SELECT code, id FROM cards
                """,
                program=rule.program_id.id,
                company=rule.program_id.company_id.id or None,
                partners=array_literal(values["partner_id"] for values in values_list),
                codes=array_literal(codes),
                points=array_literal(values["points"] for values in values_list),
                dates=array_literal(
                    values["expiration_date"] for values in values_list
                ),
                products=array_literal(
                    "[" + ",".join(map(str, values["product_ids"])) + "]"
                    if values["product_ids"]
                    else None
                    for values in values_list
                ),
                description=rule.name,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        ids_by_code = dict(cr.fetchall())
        self.env["loyalty.card"].invalidate_model()
        self.env["loyalty.history"].invalidate_model()
        return [ids_by_code[code] for code in codes]

    @api.model
    def _ecrm_create_coupons(self, rule, pending, today):
        """Coupons, mails and issues for ``pending`` [(partner_id,
        period_start, product_ids)] (drawn customers, see ``_ecrm_pending``)
        in one insert each; if the coupons' insert fails, one by one so that a
        bad customer is logged and skipped (no coupon, no longer drawn) and
        the others get their coupon. Returns the number of coupons."""
        if not pending:
            return 0
        values = self._ecrm_cards_values(
            rule, [(pid, products) for pid, _period, products in pending], today
        )
        try:
            with self.env.cr.savepoint():
                card_ids = self._ecrm_insert_cards(rule, values)
            issued = list(zip(pending, card_ids, strict=True))
        except Exception:  # noqa: BLE001 — retried one by one below
            issued = []
            for drawn, vals in zip(pending, values, strict=True):
                try:
                    with self.env.cr.savepoint():
                        issued.append((drawn, self._ecrm_insert_cards(rule, [vals])[0]))
                except Exception:
                    _logger.exception(
                        "Coupon rule %s: no coupon for customer %s",
                        rule.id,
                        vals["partner_id"],
                    )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM %s d
                 USING unnest(%s::int[], %s::date[]) AS v(partner_id, period_start)
                 WHERE d.rule_id = %s
                   AND d.partner_id = v.partner_id
                   AND d.period_start = v.period_start
                """,
                SQL.identifier(DRAW_TABLE),
                array_literal(pid for pid, _period, _products in pending),
                array_literal(period for _pid, period, _products in pending),
                rule.id,
            )
        )
        if not issued:
            return 0
        cards = self.env["loyalty.card"].browse(card_id for _drawn, card_id in issued)
        mails = self._ecrm_queue_mails(rule, cards)
        # the issue row inserted once, with its coupon and mail; the unique
        # (rule, customer, period) keeps out a customer another worker issued
        # without the rule's lock: their coupon and mail go
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ecrm_coupon_issue
                       (rule_id, partner_id, company_id, period_start, is_control,
                        card_id, mail_id, create_uid, create_date, write_uid,
                        write_date)
                SELECT %(rule)s, v.partner_id, %(company)s, v.period_start, FALSE,
                       v.card_id, v.mail_id, %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::int[], %(periods)s::date[],
                              %(cards)s::int[], %(mails)s::int[])
                       AS v(partner_id, period_start, card_id, mail_id)
                    ON CONFLICT (rule_id, partner_id, period_start) DO NOTHING
                """,
                rule=rule.id,
                company=rule.company_id.id,
                uid=self.env.uid,
                partners=array_literal(drawn[0] for drawn, _card_id in issued),
                periods=array_literal(drawn[1] for drawn, _card_id in issued),
                cards=array_literal(card_id for _drawn, card_id in issued),
                mails=array_literal(mails.get(card_id) for _drawn, card_id in issued),
            )
        )
        count = self.env.cr.rowcount
        if count < len(issued):
            self._ecrm_drop_unissued(rule, cards, mails)
        self.env["ecrm.coupon.issue"].invalidate_model()
        return count

    @api.model
    def _ecrm_drop_unissued(self, rule, cards, mails):
        """Remove the coupons of ``cards`` (and their mails, ``{card_id:
        mail_id}``) whose customer's issue another worker inserted."""
        self.env.cr.execute(
            SQL(
                "SELECT card_id FROM ecrm_coupon_issue WHERE card_id = ANY(%s)",
                cards.ids,
            )
        )
        kept = {row[0] for row in self.env.cr.fetchall()}
        lost = cards.filtered(lambda card: card.id not in kept)
        _logger.warning(
            "Coupon rule %s: customers %s already issued, their new coupons removed",
            rule.id,
            lost.partner_id.ids,
        )
        self.env["mail.mail"].browse(
            mails[card_id] for card_id in lost.ids if card_id in mails
        ).unlink()
        lost.unlink()

    @api.model
    def _ecrm_queue_mails(self, rule, cards):
        """Queue the rule's mail for the coupons of customers who accept
        emails; ``{card_id: mail_id}``."""
        template = rule.mail_template_id
        if not template:
            return {}
        reachable = set(cards.partner_id._ecrm_filter_consent("email").ids)
        mailed = cards.filtered(lambda card: card.partner_id.id in reachable)
        if not mailed:
            return {}
        # marketing mails: with their recipient's one-click unsubscribe
        return template.with_context(ecrm_unsubscribe=True)._ecrm_send_mail_bulk(
            mailed.ids
        )

    # ------------------------------------------------------------------
    # Referral
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_referee_coupon(self, rule, referee):
        """The referee's coupon of the referral rule (issued once)."""
        rule = rule.sudo().with_company(rule.company_id)
        self = self.with_env(rule.env)  # noqa: PLW0642
        today = fields.Date.context_today(rule)
        Issue = self.env["ecrm.coupon.issue"]
        domain = [("rule_id", "=", rule.id), ("partner_id", "=", referee.id)]
        if not Issue.search_count(domain):
            self._ecrm_draw(
                rule,
                rule._ecrm_period_start(today),
                SQL("SELECT %s AS partner_id, NULL::int[] AS product_ids", referee.id),
            )
            self._ecrm_create_coupons(
                rule, self._ecrm_pending(rule, 1, partner=referee), today
            )
        return Issue.search(domain, limit=1).card_id

    @api.model
    def _ecrm_reward_referrer(self, rule, referee):
        """The referrer's coupon for ``referee``'s first confirmed order,
        once per referee (the referee's row is locked while deciding)."""
        rule = rule.sudo().with_company(rule.company_id)
        self = self.with_env(rule.env)  # noqa: PLW0642
        self.env.cr.execute(
            SQL(
                "SELECT ecrm_referral_reward_id FROM res_partner"
                " WHERE id = %s FOR UPDATE",
                referee.id,
            )
        )
        if self.env.cr.fetchone()[0]:
            return self.env["loyalty.card"]
        referee = referee.sudo()
        referee.invalidate_recordset(["ecrm_referral_reward_id"])
        if self._ecrm_referrer_capped(rule, referee.ecrm_referrer_id):
            # a sign of farming worth a look
            _logger.warning(
                "Referral rule %s: referrer %s reached the cap of rewards of the "
                "period, none for referee %s",
                rule.id,
                referee.ecrm_referrer_id.id,
                referee.id,
            )
            return self.env["loyalty.card"]
        today = fields.Date.context_today(rule)
        values = self._ecrm_cards_values(
            rule, [(referee.ecrm_referrer_id.id, None)], today
        )
        card = self.env["loyalty.card"].browse(self._ecrm_insert_cards(rule, values))
        self._ecrm_queue_mails(rule, card)
        referee.ecrm_referral_reward_id = card
        return card

    @api.model
    def _ecrm_referrer_capped(self, rule, referrer):
        """Whether ``referrer`` got the company's maximum of referral rewards
        in the rule's current period. The referrer's row is updated (not only
        locked) first: under Odoo's REPEATABLE READ a second transaction
        deciding for the same referrer waits, then fails to serialize and is
        retried with a snapshot that counts the first one's reward."""
        cap = rule.company_id.ecrm_referral_max_rewards
        if not cap:
            return False
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                referrer.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*)
                  FROM res_partner referee
                  JOIN loyalty_card card ON card.id = referee.ecrm_referral_reward_id
                 WHERE referee.ecrm_referrer_id = %(referrer)s
                   AND card.create_date >= %(start)s
                """,
                referrer=referrer.id,
                start=rule._ecrm_period_start(fields.Date.context_today(rule)),
            )
        )
        return self.env.cr.fetchone()[0] >= cap

    # ------------------------------------------------------------------
    # Results
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_results(self, rules, date_from=None, date_to=None):
        result = {
            rule.id: {
                "audience": 0,
                "issued": 0,
                "mailed": 0,
                "redeemed": 0,
                "redemption_rate": 0.0,
                "revenue": 0.0,
                "treated": 0,
                "control": 0,
                "incremental_revenue": 0.0,
            }
            for rule in rules
        }
        if not rules:
            return result
        self.env.flush_all()
        start, end = rules._ecrm_date_bounds(date_from, date_to)
        # Order amounts in the company currency, as sale.report converts them.
        self.env.cr.execute(
            SQL(
                """
                WITH issues AS (
                    SELECT i.*, r.period_days
                      FROM ecrm_coupon_issue i
                      JOIN ecrm_coupon_rule r ON r.id = i.rule_id
                     WHERE i.rule_id = ANY(%(rules)s)
                       AND i.create_date >= %(start)s
                       AND i.create_date < %(end)s
                ), spend AS (
                    SELECT iss.id,
                           COALESCE(SUM(so.amount_untaxed
                                        / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                                    0) AS amount
                      FROM issues iss
                      LEFT JOIN sale_order so
                             ON so.ecrm_commercial_partner_id = iss.partner_id
                            AND so.company_id = iss.company_id
                            AND so.state = 'sale'
                            AND so.date_order >= iss.create_date
                            AND so.date_order < iss.create_date
                                                + make_interval(days => iss.period_days)
                     GROUP BY iss.id
                )
                SELECT iss.rule_id,
                       count(*),
                       count(iss.card_id),
                       count(iss.mail_id),
                       count(iss.order_id),
                       COALESCE(SUM(ro.amount_untaxed
                                    / COALESCE(NULLIF(ro.currency_rate, 0), 1)), 0),
                       count(*) FILTER (WHERE iss.is_control IS NOT TRUE),
                       count(*) FILTER (WHERE iss.is_control),
                       COALESCE(SUM(sp.amount)
                                FILTER (WHERE iss.is_control IS NOT TRUE), 0),
                       COALESCE(SUM(sp.amount) FILTER (WHERE iss.is_control), 0)
                  FROM issues iss
                  JOIN spend sp ON sp.id = iss.id
                  LEFT JOIN sale_order ro ON ro.id = iss.order_id AND ro.state = 'sale'
                 GROUP BY iss.rule_id
                """,
                rules=rules.ids,
                start=start,
                end=end,
            )
        )
        for row in self.env.cr.fetchall():
            (
                rule_id,
                audience,
                issued,
                mailed,
                redeemed,
                revenue,
                treated,
                control,
                treated_spend,
                control_spend,
            ) = row
            incremental = 0.0
            if treated and control:
                incremental = (
                    treated_spend / treated - control_spend / control
                ) * treated
            result[rule_id].update(
                audience=audience,
                issued=issued,
                mailed=mailed,
                redeemed=redeemed,
                redemption_rate=redeemed / issued if issued else 0.0,
                revenue=float(revenue),
                treated=treated,
                control=control,
                incremental_revenue=float(incremental),
            )
        return result
