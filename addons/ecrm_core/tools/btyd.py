# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
""" "Buy till you die" models, vectorised with numpy and scipy.

BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way:
an alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.
Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves
for customer base analysis", Journal of Marketing Research 42(4), 415-430, and
Fader & Hardie (2013), "The Gamma-Gamma model of monetary value".

A customer is summarised by ``x`` (repeat transactions), ``t_x`` (time of the
last one since the first) and ``T`` (time since the first); the unit of time is
the caller's (the suite uses days). Every function takes numpy arrays (or
scalars) and broadcasts. The equation numbers are those of the papers; the
addon's readme (DEVELOP) lists the formulas."""

import numpy as np
from scipy import optimize, special

BGNBD_PARAMS = ("r", "alpha", "a", "b")
GG_PARAMS = ("p", "q", "gamma")


def _ratio_log(params, x, t_x, T):
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x): the weight of "dropped
    out after the last purchase" against "still alive" (-inf for x = 0)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (
            np.log(a)
            - np.log(np.where(repeat, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
    return np.where(repeat, d, -np.inf)


def bgnbd_log_likelihood(params, x, t_x, T):
    """Log-likelihood of each customer (eq. 6, written with a/(b+x-1) =
    B(a+1, b+x-1)/B(a, b+x))."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    return (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        - (r + x) * np.log(alpha + T)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
        + np.logaddexp(0.0, _ratio_log(params, x, t_x, T))
    )


def _fit(negative_log_likelihood, start):
    """Maximum likelihood over log-parameters (so that they stay positive),
    from a fixed start: the same data always give the same fit."""
    result = optimize.minimize(
        negative_log_likelihood,
        np.log(start),
        method="L-BFGS-B",
        bounds=[(-15.0, 15.0)] * len(start),
        options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-8},
    )
    return np.exp(result.x), -result.fun, result


def bgnbd_fit(x, t_x, T, weights=None):
    """Fit BG/NBD to customers given as distinct (x, t_x, T) rows with their
    ``weights`` (the number of customers of each row). Returns
    ``((r, alpha, a, b), log_likelihood, scipy result)``."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    # start where the mean purchase rate matches the data's, p small
    rate = max((w * x).sum() / max((w * T).sum(), 1e-9), 1e-6)
    start = np.array([1.0, 1.0 / rate, 1.0, 1.0])

    def nll(log_params):
        return -(w * bgnbd_log_likelihood(np.exp(log_params), x, t_x, T)).sum() / len(x)

    params, ll, result = _fit(nll, start)
    return tuple(params), ll * len(x), result


def bgnbd_p_alive(params, x, t_x, T):
    """P(alive | x, t_x, T) (eq. 11 of the BG/NBD paper's technical note; 1
    for x = 0: a customer drops out only after a repeat purchase)."""
    return special.expit(-_ratio_log(params, x, t_x, T))


def bgnbd_alive_orders(params, x, T, horizon):
    """E[Y(horizon) | alive at T, x]: expected transactions in (T, T+horizon]
    of a customer still alive (eq. 10 divided by P(alive)). Written with
    Euler's transformation of 2F1(r+x, b+x; a+b+x-1; z), which leaves two
    small fixed parameters and a series that converges for every x."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    z = horizon / (alpha + T + horizon)
    c = a + b + x - 1
    hyp = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
    return c / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp)


def bgnbd_expected_orders(params, x, t_x, T, horizon):
    """E[Y(horizon) | x, t_x, T] (eq. 10)."""
    return bgnbd_p_alive(params, x, t_x, T) * bgnbd_alive_orders(params, x, T, horizon)


def bgnbd_no_order_probability(params, x, t_x, T, horizon):
    """P(no transaction in (T, T+horizon] | x, t_x, T): dropped out, or alive
    and no purchase (the Poisson rate's posterior is Gamma(r+x, alpha+T))."""
    r, alpha, _a, _b = params
    alive = bgnbd_p_alive(params, x, t_x, T)
    return 1 - alive * (1 - ((alpha + T) / (alpha + T + horizon)) ** (r + x))


def bgnbd_median_next(params, x, t_x, T):
    """Median time from T to the next transaction: the t with P(a transaction
    in (T, T+t]) = 1/2; NaN when P(alive) <= 1/2 (it never reaches 1/2)."""
    r, alpha, _a, _b = params
    alive = bgnbd_p_alive(params, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (alpha + T) * ((1 - 0.5 / alive) ** (-1 / (r + np.asarray(x))) - 1)
    return np.where(alive > 0.5, t, np.nan)


def gg_log_likelihood(params, x, m):
    """Gamma-Gamma log-likelihood of a customer with x repeat transactions of
    mean value m (Fader & Hardie 2013, eq. 3)."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + x * m)
    )


def gg_fit(x, m, weights=None):
    """Fit Gamma-Gamma to repeat customers (x >= 1, m > 0). Returns
    ``((p, q, gamma), log_likelihood, scipy result)``."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    start = np.array([1.0, 1.0, max(float(np.average(m, weights=w)), 1e-6)])

    def nll(log_params):
        return -(w * gg_log_likelihood(np.exp(log_params), x, m)).sum() / len(x)

    params, ll, result = _fit(nll, start)
    return tuple(params), ll * len(x), result


def gg_expected_value(params, x, m):
    """E[M | x, m] (Fader & Hardie 2013, eq. 5): a weighted mean of the
    population mean gamma*p/(q-1) and the customer's own mean; the population
    mean for x = 0."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.asarray(m, dtype=float), 0.0)
    return (gamma + x * m) * p / (p * x + q - 1)
