# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The figures of ``btyd`` as PostgreSQL expressions, for searches, sorts,
group-bys and the engine's statements over every customer."""

from odoo.tools import SQL


def predictive_sql(history, params, today, curve=None, p_alive=None):
    """SQL expressions of the predictive figures of a customer, the same
    formulas as ``tools.btyd`` (a test compares them).

    ``history``: SQL of the profile's ``x``, ``first_day``, ``last_day``,
    ``value`` (mean repeat transaction value); ``params``: SQL of the model's
    ``id`` (NULL: no model), ``r``, ``alpha``, ``a``, ``b``, ``p``, ``q``,
    ``gamma`` and ``horizon`` (prediction horizon, days); ``curve``: the alias
    of the ``ecrm_clv_curve`` row of the customer's (x, age), or SQL of its
    ``orders`` and ``clv_orders``, for the expected orders. Returns
    {"p_alive", "no_order", "next_days", "order_value", and with a curve
    "orders", "clv"}; NULL without a model or history. ``p_alive``: SQL of
    P(alive) computed once elsewhere (a lateral join), which every other
    figure then reads instead of computing it again."""
    x = history["x"]
    T = SQL("(%s - %s)::float8", today, history["first_day"])
    t_x = SQL("(%s - %s)::float8", history["last_day"], history["first_day"])
    # exp() of PostgreSQL raises on overflow and underflow: clamped
    log_ratio = SQL(
        "GREATEST(LEAST(ln(%(a)s) - ln(%(b)s + %(x)s - 1)"
        " + (%(r)s + %(x)s) * (ln(%(alpha)s + %(T)s) - ln(%(alpha)s + %(t_x)s)),"
        " 700), -700)",
        x=x,
        T=T,
        t_x=t_x,
        **params,
    )
    p_alive = p_alive or SQL(
        "(CASE WHEN %(model)s IS NULL OR %(first)s IS NULL THEN NULL"
        " WHEN %(x)s = 0 THEN 1.0 ELSE 1.0 / (1.0 + exp(%(ratio)s)) END)",
        model=params["id"],
        first=history["first_day"],
        x=x,
        ratio=log_ratio,
    )
    figures = {
        "p_alive": p_alive,
        "no_order": SQL(
            "(1 - %(p_alive)s * (1 - exp(GREATEST((%(r)s + %(x)s)"
            " * ln((%(alpha)s + %(T)s) / (%(alpha)s + %(T)s + %(horizon)s)), -700))))",
            p_alive=p_alive,
            x=x,
            T=T,
            **params,
        ),
        "next_days": SQL(
            "(CASE WHEN %(p_alive)s > 0.5 THEN (%(alpha)s + %(T)s) * (exp(LEAST("
            "-ln(1 - 0.5 / %(p_alive)s) / (%(r)s + %(x)s), 700)) - 1) END)",
            p_alive=p_alive,
            x=x,
            T=T,
            **params,
        ),
        "order_value": SQL(
            "((%(gamma)s + %(x)s * COALESCE(%(value)s, 0)) * %(p)s"
            " / (%(p)s * %(x)s + %(q)s - 1))",
            x=x,
            value=history["value"],
            **params,
        ),
    }
    if curve:
        if isinstance(curve, str):
            curve = {
                name: SQL.identifier(curve, name) for name in ("orders", "clv_orders")
            }
        figures["orders"] = SQL("(%s * %s)", p_alive, curve["orders"])
        figures["clv"] = SQL(
            "(%s * %s * %s)", p_alive, curve["clv_orders"], figures["order_value"]
        )
    return figures
