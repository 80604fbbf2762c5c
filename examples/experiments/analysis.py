"""Fitting and statistics shared by synaptic_weights.py and avalanches.py,
in NumPy only (no SciPy): the normal distribution, a small Nelder-Mead
minimizer, log binning, discrete power laws on a fixed range (maximum
likelihood, standard error, KS distance, sampling, likelihood-ratio tests),
a truncated lognormal (maximum likelihood, KS, parametric bootstrap), the
lab's least-squares curve fits of log-binned histograms, avalanches of an
activity trace, the crackling-noise exponent, and synapse lifetimes from
snapshots of which synapses exist. Each function is tested on synthetic data
with a known answer in test_analysis.py."""

import math

import numpy as np

SQRT2 = math.sqrt(2.0)


# ----------------------------------------------------------------- normal

def erfc(x):
    """Complementary error function, elementwise (Numerical Recipes' Chebyshev
    fit: relative error below 1.2e-7 everywhere)."""
    x = np.asarray(x, dtype=np.float64)
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (
        0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (
            1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    ans = t * np.exp(poly)
    return np.where(x >= 0, ans, 2.0 - ans)


def normal_cdf(z):
    """Standard normal CDF, elementwise."""
    return 0.5 * erfc(-np.asarray(z, dtype=np.float64) / SQRT2)


def normal_sf(z):
    """Standard normal survival function 1 - CDF (accurate in the upper tail)."""
    return 0.5 * erfc(np.asarray(z, dtype=np.float64) / SQRT2)


# ----------------------------------------------------------- minimization

def nelder_mead(f, x0, step=0.1, tol=1e-12, xtol=1e-8, max_iter=2000):
    """Minimizes f over R^n from x0 (simplex of size `step`) until the values
    at the simplex agree to `tol` (relative) or its points to `xtol`; returns
    (x, f(x))."""
    x0 = np.asarray(x0, dtype=np.float64)
    n = len(x0)
    simplex = [x0] + [x0 + step * np.eye(n)[i] for i in range(n)]
    values = [f(p) for p in simplex]
    for _ in range(max_iter):
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if abs(values[-1] - values[0]) <= tol * (abs(values[0]) + 1e-300) or \
                max(np.max(np.abs(p - simplex[0])) for p in simplex[1:]) < xtol:
            break
        centroid = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        reflected = centroid + (centroid - worst)
        fr = f(reflected)
        if fr < values[0]:
            expanded = centroid + 2.0 * (centroid - worst)
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            outside = fr < values[-1]
            contracted = centroid + (0.5 if outside else -0.5) * (centroid - worst)
            fc = f(contracted)
            if fc < (fr if outside else values[-1]):
                simplex[-1], values[-1] = contracted, fc
            else:  # shrink towards the best point.
                simplex = [simplex[0]] + [simplex[0] + 0.5 * (p - simplex[0])
                                          for p in simplex[1:]]
                values = [values[0]] + [f(p) for p in simplex[1:]]
    best = int(np.argmin(values))
    return simplex[best], float(values[best])


def bisect(f, lo, hi, tol=1e-12, max_iter=200):
    """A root of the monotone function f on [lo, hi] (f(lo), f(hi) of opposite
    signs; otherwise the end where |f| is smaller)."""
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        return lo if abs(flo) < abs(fhi) else hi
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo < tol:
            break
    return 0.5 * (lo + hi)


# ------------------------------------------------------------- histograms

def log_binned_density(data, bins_per_decade=10, x_min=1):
    """Density of positive integer data in logarithmic bins: (centers, density),
    density = count / (integers in the bin) / len(data), so that it estimates
    P(x) of a discrete distribution; empty bins are dropped."""
    data = np.asarray(data)
    data = data[data >= x_min]
    if len(data) == 0:
        return np.zeros(0), np.zeros(0)
    decades = math.log10(data.max() + 1) - math.log10(x_min)
    edges = np.unique(np.floor(np.logspace(math.log10(x_min), math.log10(data.max() + 1),
                                           max(2, int(decades * bins_per_decade) + 1))))
    edges[-1] = data.max() + 1
    counts, _ = np.histogram(data, bins=edges)
    widths = np.diff(edges)  # integers per bin ([lo, hi) for integer edges).
    centers = np.sqrt(edges[:-1] * (edges[1:] - 1).clip(min=edges[:-1]))
    keep = counts > 0
    return centers[keep], (counts / widths / len(data))[keep]


def log_binned_density_continuous(data, lo, hi, bins):
    """Density (per unit x) of positive real data in `bins` logarithmic bins
    on [lo, hi]: (geometric centers, density, counts), normalized by all of data."""
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1)
    counts, _ = np.histogram(data, bins=edges)
    return np.sqrt(edges[:-1] * edges[1:]), counts / np.diff(edges) / max(len(data), 1), counts


# ---------------------------------------------- discrete power law on a range

def _support(x_min, x_max):
    return np.arange(int(x_min), int(x_max) + 1, dtype=np.float64)


def discrete_power_law_pmf(alpha, x_min, x_max):
    """P(k) = k^-alpha / Z on the integers x_min..x_max."""
    k = _support(x_min, x_max)
    logp = -alpha * np.log(k)
    p = np.exp(logp - logp.max())
    return p / p.sum()


def _log_moments(alpha, log_k):
    logp = -alpha * log_k
    p = np.exp(logp - logp.max())
    p /= p.sum()
    mean = float(np.dot(p, log_k))
    return mean, float(np.dot(p, (log_k - mean) ** 2))


def fit_discrete_power_law(data, x_min, x_max):
    """Maximum-likelihood exponent alpha of P(k) ~ k^-alpha on the integers
    [x_min, x_max] (the data outside that range are dropped), its standard
    error from the Fisher information, 1 / sqrt(n Var_alpha(ln k)), the
    powerlaw package's sigma (alpha - 1) / sqrt(n) (what the lab quoted), the
    KS distance between the data's and the model's CDF on the range, and n."""
    data = np.asarray(data)
    x = data[(data >= x_min) & (data <= x_max)].astype(np.float64)
    n = len(x)
    if n < 2:
        return {"alpha": float("nan"), "se": float("nan"), "sigma_powerlaw": float("nan"),
                "ks": float("nan"), "n": n, "x_min": int(x_min), "x_max": int(x_max)}
    log_k = np.log(_support(x_min, x_max))
    target = float(np.log(x).mean())
    # d logL / d alpha = n (E_alpha[ln k] - mean ln x), decreasing in alpha.
    alpha = bisect(lambda a: _log_moments(a, log_k)[0] - target, -10.0, 20.0)
    variance = _log_moments(alpha, log_k)[1]
    pmf = discrete_power_law_pmf(alpha, x_min, x_max)
    counts = np.bincount((x - x_min).astype(np.int64), minlength=len(pmf))
    ks = float(np.max(np.abs(np.cumsum(counts) / n - np.cumsum(pmf))))
    return {"alpha": float(alpha), "se": float(1.0 / math.sqrt(n * variance)),
            "sigma_powerlaw": float((alpha - 1) / math.sqrt(n)), "ks": ks, "n": int(n),
            "x_min": int(x_min), "x_max": int(x_max)}


def sample_discrete_power_law(alpha, x_min, x_max, n, rng):
    """n integers from P(k) ~ k^-alpha on [x_min, x_max]."""
    cdf = np.cumsum(discrete_power_law_pmf(alpha, x_min, x_max))
    return x_min + np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")


def fit_discrete_exponential(data, x_min, x_max):
    """MLE of P(k) ~ exp(-lam k) on [x_min, x_max]: (lam, log-likelihood per point
    as an array)."""
    data = np.asarray(data)
    x = data[(data >= x_min) & (data <= x_max)].astype(np.float64)
    k = _support(x_min, x_max)

    def mean_k(lam):
        logp = -lam * k
        p = np.exp(logp - logp.max())
        return float(np.dot(p, k) / p.sum())

    lam = bisect(lambda l: x.mean() - mean_k(l), -5.0, 5.0)
    logp = -lam * k
    log_z = logp.max() + math.log(np.exp(logp - logp.max()).sum())
    return float(lam), -lam * x - log_z


def vuong(loglik_a, loglik_b):
    """Vuong's test of two models fitted to the same points: (R, normalized
    R / (sqrt(n) sd), two-sided p); R > 0 favours model a."""
    d = np.asarray(loglik_a) - np.asarray(loglik_b)
    r = float(d.sum())
    sd = float(d.std())
    if sd == 0:
        return r, float("inf") if r > 0 else 0.0, 0.0
    z = r / (math.sqrt(len(d)) * sd)
    return r, z, float(2 * normal_sf(abs(z)))


def power_law_vs_exponential(data, x_min, x_max):
    """Log-likelihood ratio (power law vs exponential) on [x_min, x_max], as the
    lab's Table S1 (powerlaw.distribution_compare, normalized_ratio=True)."""
    data = np.asarray(data)
    x = data[(data >= x_min) & (data <= x_max)].astype(np.float64)
    fit = fit_discrete_power_law(data, x_min, x_max)
    pmf = discrete_power_law_pmf(fit["alpha"], x_min, x_max)
    ll_pl = np.log(pmf[(x - x_min).astype(np.int64)])
    lam, ll_exp = fit_discrete_exponential(data, x_min, x_max)
    r, z, p = vuong(ll_pl, ll_exp)
    return {"R": r, "normalized_R": z, "p": p, "exp_lambda": lam}


# -------------------------------------------------- truncated lognormal

def _trunc_norm_loglik(y, mu, sigma, lo, hi):
    """Log-likelihood per point of y under N(mu, sigma) truncated to [lo, hi]."""
    mass = normal_cdf((hi - mu) / sigma) - normal_cdf((lo - mu) / sigma)
    return (-0.5 * ((y - mu) / sigma) ** 2 - math.log(sigma * math.sqrt(2 * math.pi))
            - math.log(max(mass, 1e-300)))


def fit_truncated_lognormal(w, lo, hi):
    """Maximum-likelihood mu, sigma (of ln w) of a lognormal truncated to
    [lo, hi], fitted to the w in that range; with the KS distance between the
    data and the fitted (truncated) CDF, the log-likelihood and n."""
    w = np.asarray(w, dtype=np.float64)
    y = np.log(w[(w >= lo) & (w <= hi)])
    a, b = math.log(lo), math.log(hi)

    def nll(p):
        return -float(_trunc_norm_loglik(y, p[0], math.exp(p[1]), a, b).sum())

    start = [float(y.mean()), math.log(max(float(y.std()), 1e-3))]
    (mu, log_sigma), value = nelder_mead(nll, start, step=0.2)
    sigma = math.exp(log_sigma)
    return {"mu": float(mu), "sigma": float(sigma), "loglik": -value, "n": int(len(y)),
            "ks": ks_truncated_lognormal(w[(w >= lo) & (w <= hi)], mu, sigma, lo, hi),
            "lo": lo, "hi": hi}


def truncated_lognormal_cdf(w, mu, sigma, lo, hi):
    ca, cb = normal_cdf((math.log(lo) - mu) / sigma), normal_cdf((math.log(hi) - mu) / sigma)
    return (normal_cdf((np.log(w) - mu) / sigma) - ca) / (cb - ca)


def ks_distance(sorted_x, cdf_values):
    """KS distance of a sample (sorted) to a continuous CDF evaluated at it."""
    n = len(sorted_x)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf_values), np.max(cdf_values - (i - 1) / n)))


def ks_truncated_lognormal(w, mu, sigma, lo, hi):
    w = np.sort(np.asarray(w, dtype=np.float64))
    return ks_distance(w, truncated_lognormal_cdf(w, mu, sigma, lo, hi))


def sample_truncated_lognormal(mu, sigma, lo, hi, n, rng, grid=20001):
    """n draws of a lognormal truncated to [lo, hi], by inverting its CDF
    computed on a fine grid of ln w (robust also when the range holds little
    of the untruncated distribution's mass)."""
    y = np.linspace(math.log(lo), math.log(hi), grid)
    logd = -0.5 * ((y - mu) / sigma) ** 2
    d = np.exp(logd - logd.max())
    cdf = np.concatenate(([0.0], np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(y))))
    return np.exp(np.interp(rng.random(n) * cdf[-1], cdf, y))


def lognormal_bootstrap(w, lo, hi, samples, rng):
    """The fit of fit_truncated_lognormal and a parametric-bootstrap p-value
    of its KS distance: the share of `samples` synthetic data sets (drawn from
    the fit, as many points, each refitted) whose KS distance is >= the data's."""
    fit = fit_truncated_lognormal(w, lo, hi)
    ks = []
    for _ in range(samples):
        synthetic = sample_truncated_lognormal(fit["mu"], fit["sigma"], lo, hi, fit["n"], rng)
        ks.append(fit_truncated_lognormal(synthetic, lo, hi)["ks"])
    ks = np.asarray(ks)
    return {**fit, "bootstrap_samples": samples,
            "p_value": float((np.sum(ks >= fit["ks"]) + 1) / (samples + 1)),
            "bootstrap_ks_median": float(np.median(ks)) if samples else float("nan")}


def _truncated_exponential_loglik(w, lam, lo, hi):
    # log pdf of lam e^{-lam w} / (e^{-lam lo} - e^{-lam hi}) on [lo, hi]; lam may be < 0.
    if abs(lam) < 1e-12:
        return np.full(len(w), -math.log(hi - lo))
    # log |e^{-lam lo} - e^{-lam hi}| = -lam lo + log|1 - e^{-lam (hi - lo)}|
    log_norm = -lam * lo + math.log(abs(-math.expm1(-lam * (hi - lo))))
    return math.log(abs(lam)) - lam * w - log_norm


def _truncated_power_law_loglik(w, alpha, lo, hi):
    # log pdf of w^-alpha / Z on [lo, hi].
    if abs(alpha - 1) < 1e-12:
        log_z = math.log(math.log(hi / lo))
    else:
        log_z = math.log(abs((hi ** (1 - alpha) - lo ** (1 - alpha)) / (1 - alpha)))
    return -alpha * np.log(w) - log_z


def lognormal_vs_alternatives(w, lo, hi):
    """Vuong log-likelihood ratios of the truncated lognormal against a
    truncated exponential and a truncated (continuous) power law on [lo, hi],
    each alternative fitted by maximum likelihood. R > 0 favours the lognormal."""
    w = np.asarray(w, dtype=np.float64)
    x = w[(w >= lo) & (w <= hi)]
    fit = fit_truncated_lognormal(w, lo, hi)
    ll_ln = _trunc_norm_loglik(np.log(x), fit["mu"], fit["sigma"], math.log(lo),
                               math.log(hi)) - np.log(x)
    results = {}
    for name, loglik, start in (("exponential", _truncated_exponential_loglik, 1.0 / x.mean()),
                                ("power_law", _truncated_power_law_loglik, 1.5)):
        (p,), _ = nelder_mead(lambda q: -float(loglik(x, q[0], lo, hi).sum()), [start],
                              step=0.5 * abs(start) + 0.1)
        r, z, pv = vuong(ll_ln, loglik(x, p, lo, hi))
        results[name] = {"parameter": float(p), "R": r, "normalized_R": z, "p": pv}
    return results


# ---------------------------------------------- the lab's curve fits

def _bin_points(edges, centers):
    if centers == "lab":  # the lab's: left edge + (edge0 + edge1) / 2.
        return edges[:-1] + (edges[0] + edges[1]) / 2.0
    return np.sqrt(edges[:-1] * edges[1:])  # geometric centers.


def lab_lognormal_curve_fit(w, centers="lab"):
    """The lab's fit (chrhartm/SORN, plot_single.py): counts of the weights in
    the 9 bins between logspace(-2, 0, 10), at x = left edge + (edge0 +
    edge1) / 2, fitted by least squares with scale * lognormal_pdf(x; mu,
    var). Returns mu, sigma, scale and the residual norm (the lab's
    'deviation from lognormal fit'). centers="geometric": the same fit at the
    bins' geometric centers instead."""
    w = np.asarray(w, dtype=np.float64)
    edges = np.logspace(-2, 0, 10)
    y, _ = np.histogram(w[w > 0], bins=edges)
    y = y.astype(np.float64)
    x = _bin_points(edges, centers)
    lx = np.log(x)

    def shape(mu, var):
        return np.exp(-(lx - mu) ** 2 / (2 * var)) / (x * np.sqrt(2 * np.pi * var))

    def sse(p):
        f = shape(p[0], math.exp(p[1]))
        scale = float(np.dot(f, y) / max(np.dot(f, f), 1e-300))
        return float(np.sum((scale * f - y) ** 2))

    logs = np.log(w[(w >= 0.01) & (w <= 1)]) if np.any((w >= 0.01) & (w <= 1)) else np.zeros(1)
    starts = [[float(logs.mean()), math.log(max(float(logs.var()), 1e-2))],
              [-3.0, 0.0], [-2.0, 1.0], [-4.0, 1.5]]
    best = min((nelder_mead(sse, s, step=0.3) for s in starts), key=lambda r: r[1])
    mu, log_var = best[0]
    f = shape(mu, math.exp(log_var))
    scale = float(np.dot(f, y) / max(np.dot(f, f), 1e-300))
    return {"mu": float(mu), "sigma": float(math.exp(0.5 * log_var)), "scale": scale,
            "residual_norm": float(math.sqrt(best[1])), "counts": y.tolist(),
            "x": x.tolist()}


def lab_power_law_curve_fit(lifetimes, lo=100.0, hi=10000.0, bins=19, centers="lab"):
    """The lab's lifetime fit (plot_single.py, WeightLifetime): counts of the
    lifetimes in the bins between logspace(log10 lo, log10 hi, bins + 1), at x
    = left edge + (edge0 + edge1) / 2, fitted by least squares with a x^k.
    Returns k and a. Counts in log-spaced bins grow like L P(L), so the
    density P(L) ~ L^-beta has beta = 1 - k ('density_exponent'). The lab's
    bin points are shifted right by about the first bin's center, which
    flattens the low end: its k is biased (more negative than the truth for
    a pure power law); centers="geometric" removes that bias."""
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1)
    y, _ = np.histogram(np.asarray(lifetimes)[np.asarray(lifetimes) > 0], bins=edges)
    y = y.astype(np.float64)
    x = _bin_points(edges, centers)

    def sse(p):
        f = x ** p[0]
        a = float(np.dot(f, y) / np.dot(f, f))
        return float(np.sum((a * f - y) ** 2))

    if not np.any(y > 0):
        return {"k": float("nan"), "a": float("nan"), "density_exponent": float("nan"),
                "counts": y.tolist(), "x": x.tolist()}
    (k,), _ = nelder_mead(sse, [-1.0], step=0.5)
    f = x ** k
    return {"k": float(k), "a": float(np.dot(f, y) / np.dot(f, f)),
            "density_exponent": float(1 - k), "counts": y.tolist(), "x": x.tolist()}


# ------------------------------------------------------------ avalanches

def avalanches(activity, theta):
    """Avalanches of an activity trace: maximal runs of steps with a > theta.
    Returns (sizes, durations): size = sum of (a - theta) over the run,
    duration = its length. A run still going at the end of the trace is
    dropped (as in the lab's data_analysis.py); one at the start is kept."""
    a = np.asarray(activity, dtype=np.int64)
    above = a > theta
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(ends) and ends[-1] == len(a):  # not finished when the trace ends.
        starts, ends = starts[:-1], ends[:-1]
    excess = np.concatenate(([0], np.cumsum(np.where(above, a - theta, 0))))
    return excess[ends] - excess[starts], ends - starts


def mean_size_by_duration(sizes, durations):
    """(durations, mean size of the avalanches of each duration)."""
    t, inverse = np.unique(durations, return_inverse=True)
    return t, np.bincount(inverse, weights=sizes) / np.bincount(inverse)


def crackling_gamma(sizes, durations, t_min, t_max):
    """Exponent gamma of <S>(T) ~ T^gamma: least squares of log <S> on log T
    over the durations in [t_min, t_max] that occur."""
    t, s = mean_size_by_duration(np.asarray(sizes), np.asarray(durations))
    keep = (t >= t_min) & (t <= t_max)
    if keep.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(t[keep]), np.log(s[keep]), 1)[0])


# ------------------------------------------------------- synapse lifetimes

class LifetimeTracker:
    """Lifetimes of synapses from a sequence of snapshots of which synapses
    exist (boolean masks, or flat index arrays of the existing ones), taken
    every K steps. A synapse first seen at snapshot b and gone at snapshot d
    lived (d - b) snapshots: it was created in (b-1, b] and removed in
    (d-1, d], so the lifetime in steps is K (d - b) with an uncertainty of
    +-K. Synapses present at the first snapshot (left-censored) and at the
    last (right-censored) are not counted, as in the lab's WeightLifetimeStat.
    A synapse created and removed between two snapshots is missed."""

    def __init__(self, size):
        self.size = size
        self.birth = None  # snapshot index of each existing synapse's first sighting; -1 censored.
        self.alive = None
        self.count = 0
        self.lifetimes = []  # in snapshots.

    def add(self, existing):
        existing = np.asarray(existing)
        if existing.dtype != bool:
            mask = np.zeros(self.size, dtype=bool)
            mask[existing] = True
        else:
            mask = existing
        if self.alive is None:
            self.alive = mask.copy()
            self.birth = np.where(mask, -1, 0).astype(np.int64)
        else:
            died = self.alive & ~mask
            born = mask & ~self.alive
            b = self.birth[died]
            self.lifetimes.append(self.count - b[b >= 0])
            self.birth[born] = self.count
            self.alive = mask.copy()
        self.count += 1

    def result(self):
        return np.concatenate(self.lifetimes) if self.lifetimes else np.zeros(0, np.int64)
