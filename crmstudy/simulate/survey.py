"""The simulated CRM-capability study: a firm survey, its codebook and financial statements.

Generating model (every parameter is returned in :class:`SimulationTruth`)
------------------------------------------------------------------------
1. Latent factors ``F = (A1, A2, A3, ED)`` ~ N(0, Φ) with the correlations
   :data:`FACTOR_CORR`; overall capability ``capability = (A1 + A2 + A3) / sd`` (unit variance).
2. Controls: ``firm_size`` = round(exp(N(ln 300, 1))) employees (≥ 10), ``firm_age`` ~ U{2..40},
   ``ownership`` and ``industry`` categorical with the shares in :data:`OWNERSHIP` and
   :data:`INDUSTRY`.
3. Performance on the latent scale, for k in financial, customer, innovation::

       perf_k = b0 + b1 capability + b2 ED + b3 capability*ED + b4 ln(firm_size) + b5 firm_age
                + ownership and industry dummies (patsy coding, alphabetical reference) + e_k,
       e_k ~ N(0, sd_k)

   with the coefficients of :data:`COEFFICIENTS` (term names as patsy/statsmodels writes them,
   so ``smf.ols("perf_customer ~ capability*ED + np.log(firm_size) + firm_age + ownership +
   industry")`` estimates exactly these).  For ``financial`` these are the reduced form
   (total effects); see 3b.

   3b. Mediator: customer performance drives financial performance,

       perf_financial = s0 + s1 capability + s2 ED + s3 capability*ED + ... + 0.40 perf_customer
                        + e_f,   e_f ~ N(0, sqrt(0.80² − 0.40² · 0.70²) = 0.7494)

   with the structural coefficients ``s = COEFFICIENTS.financial − 0.40 ·
   COEFFICIENTS.customer`` (:data:`STRUCTURAL_COEFFICIENTS`), so the reduced form of
   ``financial`` is still :data:`COEFFICIENTS` with residual SD 0.80.  The indirect effect
   of capability on financial performance through customer performance (PROCESS model 8
   on the latent scale: ``a`` moderated by ED, direct effect moderated by ED) is

       indirect(ED) = (0.50 + 0.20 ED) · 0.40 = 0.20 + 0.08 ED,

   index of moderated mediation 0.08; the direct effect is 0.15 + 0.07 ED (structural
   ``capability`` and ``capability:ED``); all recorded in ``truth.mediation``.  The random
   draws are the same, in the same order, as before the mediator was added: only
   ``perf_financial`` and the statements built on it (step 6) changed.
4. Survey items: the continuous response ``y* = λ f + sqrt(1 − λ²) ε`` of each item on its own
   factor ``f`` (performance factors are standardised by their sample mean and SD, stored in
   ``truth.performance_scale``) with the loadings :data:`LOADINGS`, cut into the 7 Likert
   categories at :data:`THRESHOLDS`.  Reverse-keyed items (``ED3``) are recorded as 8 − x.
5. Imperfections: each answer is missing with probability ``missing_rate`` (coded 99 "no answer"
   with probability 0.75, −9 "refused" with 0.25); a share ``careless_rate`` of firms straight-line
   (one value for every item, ignoring the reverse key) and mostly fail the attention check
   ("please choose 2"), which attentive respondents pass with probability 0.98.
6. Financial statements 2020-2024: return on assets ``ROA_t = 0.05 + 0.03 z_fin + N(0, 0.01)``
   with ``z_fin`` the standardised financial-performance latent; assets grow with performance;
   net profit = ROA × average assets; total profit = net profit / (1 − 25 %); customer counts
   follow a retention probability logistic(1 + 0.4 z_cust) and an acquisition rate
   0.15 + 0.04 z_cust; the new-product revenue share is 0.15 + 0.05 z_innov.

The same seed gives identical data; the shipped instance is ``crm_survey(300, seed=20261123)``
(``data/crm_survey/make_data.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..indicators import capability_system

__all__ = ["crm_survey", "SimulatedStudy", "SimulationTruth", "SHIPPED_SEED", "MEDIATION",
           "mediation_truth"]

SHIPPED_SEED = 20261123
MISSING_CODES = (99, -9)
YEARS = (2020, 2021, 2022, 2023, 2024)
# Cut points of the continuous response into 1..7; slightly skewed towards agreement as in
# real self-reports (category 4 is the midpoint).
THRESHOLDS = (-1.9, -1.3, -0.7, -0.15, 0.5, 1.2)

FACTORS = ("A1", "A2", "A3", "ED")
FACTOR_CORR = pd.DataFrame(
    [[1.00, 0.55, 0.50, 0.15],
     [0.55, 1.00, 0.60, 0.15],
     [0.50, 0.60, 1.00, 0.15],
     [0.15, 0.15, 0.15, 1.00]], index=list(FACTORS), columns=list(FACTORS))

LOADINGS = {
    "A11": 0.75, "A12": 0.70, "A13": 0.80, "A14": 0.72,
    "A21": 0.70, "A22": 0.65, "A23": 0.78, "A24": 0.74, "A25": 0.62, "A26": 0.68, "A27": 0.76,
    "A31": 0.74, "A32": 0.79, "A33": 0.71, "A34": 0.66, "A35": 0.73, "A36": 0.77,
    "ED1": 0.78, "ED2": 0.72, "ED3": 0.70, "ED4": 0.75,
    "CP1": 0.80, "CP2": 0.76, "CP3": 0.72, "CP4": 0.78,
    "IP1": 0.79, "IP2": 0.74, "IP3": 0.77, "IP4": 0.70,
}
REVERSE_ITEMS = ("ED3",)

OWNERSHIP = {"foreign": 0.20, "private": 0.55, "state": 0.25}
INDUSTRY = {"it": 0.20, "manufacturing": 0.40, "retail": 0.15, "services": 0.25}

TERMS = ("Intercept", "capability", "ED", "capability:ED", "np.log(firm_size)", "firm_age",
         "ownership[T.private]", "ownership[T.state]", "industry[T.manufacturing]",
         "industry[T.retail]", "industry[T.services]")
COEFFICIENTS = pd.DataFrame({
    "financial": [-0.60, 0.35, 0.10, 0.15, 0.10, -0.005, 0.10, -0.10, -0.10, -0.20, -0.05],
    "customer": [-0.40, 0.50, -0.05, 0.20, 0.05, 0.004, 0.05, -0.10, 0.00, 0.05, 0.10],
    "innovation": [-0.50, 0.40, 0.20, 0.25, 0.08, -0.008, 0.00, -0.15, -0.20, -0.30, -0.15],
}, index=pd.Index(TERMS, name="term"))
RESIDUAL_SD = pd.Series({"financial": 0.80, "customer": 0.70, "innovation": 0.75},
                        name="residual_sd")
# Mediation (step 3b of the docstring): perf_financial = structural part + b * perf_customer.
# The structural coefficients and residual SD of financial are chosen so that its reduced form
# (regressed on capability*ED and controls, without customer) is exactly COEFFICIENTS and
# RESIDUAL_SD, as before the mediator was added.
MEDIATION = {"b": 0.40}
STRUCTURAL_COEFFICIENTS = COEFFICIENTS.copy()
STRUCTURAL_COEFFICIENTS["financial"] = (COEFFICIENTS["financial"]
                                        - MEDIATION["b"] * COEFFICIENTS["customer"])
STRUCTURAL_RESIDUAL_SD = RESIDUAL_SD.copy()
STRUCTURAL_RESIDUAL_SD["financial"] = float(np.sqrt(
    RESIDUAL_SD["financial"] ** 2 - MEDIATION["b"] ** 2 * RESIDUAL_SD["customer"] ** 2))
ROA = {"mean": 0.05, "scale": 0.03, "noise_sd": 0.01}
TAX_RATE = 0.25

# Item wording (zh, en) of the non-capability scales; capability items are worded from the
# indicator names of crmstudy.indicators.capability_system().
_SCALE_ITEMS = {
    "ED1": ("本行业客户的需求和偏好变化很快。", "Customer needs and preferences in our industry change quickly."),
    "ED2": ("本行业竞争对手的行动难以预测。", "Competitors' actions in our industry are hard to predict."),
    "ED3": ("本行业的技术和产品多年来基本保持稳定。", "Technology and products in our industry have stayed stable for years."),
    "ED4": ("本行业不断涌现新产品和新服务。", "New products and services keep appearing in our industry."),
    "CP1": ("近三年本公司的客户满意度明显提高。", "Our customer satisfaction has clearly risen over the last three years."),
    "CP2": ("近三年本公司的客户保持率高于竞争对手。", "Over the last three years we retained customers better than competitors."),
    "CP3": ("近三年本公司获得新客户的速度加快。", "Over the last three years we have won new customers faster."),
    "CP4": ("客户愿意向他人推荐本公司的产品和服务。", "Customers are willing to recommend our products and services."),
    "IP1": ("本公司新产品上市速度快于竞争对手。", "We bring new products to market faster than competitors."),
    "IP2": ("新产品销售额在本公司销售额中的比重不断提高。", "New products account for a growing share of our sales."),
    "IP3": ("本公司的新产品很受客户欢迎。", "Our new products are popular with customers."),
    "IP4": ("本公司在产品和服务创新方面领先于同行。", "We lead our industry in product and service innovation."),
}
_CONSTRUCTS = {
    "ED": ("环境动荡性", "Environmental dynamism"),
    "CP": ("客户绩效", "Customer performance"),
    "IP": ("创新绩效", "Innovation performance"),
}


def mediation_truth() -> dict:
    """The mediation capability -> customer -> financial on the latent scale (docstring 3b)."""
    a = float(COEFFICIENTS.loc["capability", "customer"])
    a_w = float(COEFFICIENTS.loc["capability:ED", "customer"])
    b = float(MEDIATION["b"])
    s = STRUCTURAL_COEFFICIENTS["financial"].round(10)
    return {"x": "capability", "m": "perf_customer", "y": "perf_financial", "w": "ED",
            "process_model": 8, "a": a, "a_moderation": a_w, "b": b,
            "direct": float(s["capability"]), "direct_moderation": float(s["capability:ED"]),
            "indirect_at_w0": round(a * b, 10), "index_of_moderated_mediation": round(a_w * b, 10),
            "total_at_w0": float(COEFFICIENTS.loc["capability", "financial"]),
            "structural_residual_sd": round(float(STRUCTURAL_RESIDUAL_SD["financial"]), 10),
            "structural_coefficients": {t: float(v) for t, v in s.items()}}


@dataclass(frozen=True)
class SimulationTruth:
    """Every parameter that generated a :class:`SimulatedStudy`."""

    seed: int
    n_firms: int
    loadings: pd.Series
    factor_corr: pd.DataFrame
    thresholds: tuple
    reverse_items: tuple
    missing_codes: tuple
    missing_rate: float
    careless_rate: float
    careless_ids: tuple
    coefficients: pd.DataFrame
    residual_sd: pd.Series
    performance_scale: pd.DataFrame
    roa: dict
    latent: pd.DataFrame = field(repr=False)
    mediation: dict = field(default_factory=lambda: mediation_truth())

    def to_dict(self) -> dict:
        """Plain-Python form (for YAML); the latent scores are left out (see ``latent``)."""
        return {
            "seed": self.seed, "n_firms": self.n_firms,
            "loadings": {k: float(v) for k, v in self.loadings.items()},
            "factor_corr": {r: {c: float(self.factor_corr.loc[r, c]) for c in self.factor_corr}
                            for r in self.factor_corr.index},
            "thresholds": list(self.thresholds), "reverse_items": list(self.reverse_items),
            "missing_codes": list(self.missing_codes), "missing_rate": self.missing_rate,
            "careless_rate": self.careless_rate, "careless_ids": list(self.careless_ids),
            "coefficients": {o: {t: float(v) for t, v in self.coefficients[o].items()}
                             for o in self.coefficients},
            "residual_sd": {k: float(v) for k, v in self.residual_sd.items()},
            "performance_scale": {o: {k: float(v) for k, v in self.performance_scale.loc[o].items()}
                                  for o in self.performance_scale.index},
            "roa": dict(self.roa),
            "mediation": dict(self.mediation),
        }


@dataclass(frozen=True)
class SimulatedStudy:
    """Raw survey answers, their codebook, financial statements and the generating truth."""

    responses: pd.DataFrame
    codebook: pd.DataFrame
    financials: pd.DataFrame
    truth: SimulationTruth

    def __repr__(self) -> str:
        return (f"SimulatedStudy(n_firms={self.truth.n_firms}, seed={self.truth.seed}, "
                f"items={len(self.codebook)}, firm-years={len(self.financials)})")


def _codebook() -> pd.DataFrame:
    system = capability_system()
    rows = []
    for code in system.leaves():
        dim = system.dimension_of(code)
        rows.append({
            "item": code, "construct": dim,
            "text_zh": f"与主要竞争对手相比，本公司的{system.label(code, 'zh')}很强。",
            "text_en": f"Compared with our main competitors, our {system.label(code, 'en').lower()} is strong.",
            "construct_zh": system.label(dim, "zh"), "construct_en": system.label(dim, "en")})
    for item, (zh, en) in _SCALE_ITEMS.items():
        construct = item[:2]
        rows.append({"item": item, "construct": construct, "text_zh": zh, "text_en": en,
                     "construct_zh": _CONSTRUCTS[construct][0],
                     "construct_en": _CONSTRUCTS[construct][1]})
    book = pd.DataFrame(rows)
    book["min"], book["max"] = 1, 7
    book["reverse"] = book["item"].isin(REVERSE_ITEMS)
    book["missing_codes"] = ";".join(str(c) for c in MISSING_CODES)
    return book[["item", "construct", "text_zh", "text_en", "min", "max", "reverse",
                 "missing_codes", "construct_zh", "construct_en"]]


def _likert(continuous: np.ndarray) -> np.ndarray:
    return (np.searchsorted(np.asarray(THRESHOLDS), continuous) + 1).astype(np.int64)


def _standardise(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    mean, sd = float(values.mean()), float(values.std(ddof=1))
    return (values - mean) / sd, mean, sd


def crm_survey(n_firms: int = 300, seed: int = SHIPPED_SEED, *, missing_rate: float = 0.02,
               careless_rate: float = 0.03) -> SimulatedStudy:
    """Simulate a firm survey of CRM capability with known truth.

    Parameters
    ----------
    n_firms : int
        Number of responding firms (≥ 20).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical data.
    missing_rate : float
        Probability that any single answer is missing (coded 99 or −9).
    careless_rate : float
        Share of straight-lining respondents.

    Returns
    -------
    SimulatedStudy
        ``responses`` (one row per firm), ``codebook``, ``financials`` (firm-years 2020-2024)
        and ``truth`` (:class:`SimulationTruth`).

    Examples
    --------
    >>> study = crm_survey(n_firms=500, seed=1)
    >>> study.responses.shape[0], study.truth.coefficients.loc["capability:ED", "customer"]
    (500, 0.2)
    """
    if int(n_firms) != n_firms or n_firms < 20:
        raise ParameterError(f"n_firms must be an integer of at least 20, got {n_firms!r}")
    for name, rate in (("missing_rate", missing_rate), ("careless_rate", careless_rate)):
        if not 0 <= rate < 0.5:
            raise ParameterError(f"{name} must be in [0, 0.5), got {rate!r}")
    n = int(n_firms)
    rng = np.random.default_rng(seed)
    firm_id = pd.Index([f"F{i:04d}" for i in range(1, n + 1)], name="firm_id")

    # 1. factors and capability
    phi = FACTOR_CORR.to_numpy()
    factors = rng.standard_normal((n, len(FACTORS))) @ np.linalg.cholesky(phi).T
    a_sum_sd = np.sqrt(phi[:3, :3].sum())
    capability = factors[:, :3].sum(axis=1) / a_sum_sd
    ed = factors[:, 3]

    # 2. controls
    firm_size = np.maximum(10, np.round(np.exp(rng.normal(np.log(300), 1.0, n)))).astype(np.int64)
    firm_age = rng.integers(2, 41, n)
    ownership = rng.choice(list(OWNERSHIP), size=n, p=list(OWNERSHIP.values()))
    industry = rng.choice(list(INDUSTRY), size=n, p=list(INDUSTRY.values()))

    # 3. performance on the latent scale; design columns in the order of TERMS
    design = np.column_stack([
        np.ones(n), capability, ed, capability * ed, np.log(firm_size), firm_age,
        ownership == "private", ownership == "state", industry == "manufacturing",
        industry == "retail", industry == "services"]).astype(float)
    noise = rng.standard_normal((n, 3)) * STRUCTURAL_RESIDUAL_SD.to_numpy()
    performance = design @ STRUCTURAL_COEFFICIENTS.to_numpy() + noise
    # the mediator: financial performance also depends on customer performance (same draws)
    performance[:, 0] += MEDIATION["b"] * performance[:, 1]
    z_perf, scale = {}, {}
    for j, outcome in enumerate(COEFFICIENTS.columns):
        z_perf[outcome], mean, sd = _standardise(performance[:, j])
        scale[outcome] = {"mean": mean, "sd": sd}

    # 4. items
    codebook = _codebook()
    factor_of = {"A1": factors[:, 0], "A2": factors[:, 1], "A3": factors[:, 2], "ED": ed,
                 "CP": z_perf["customer"], "IP": z_perf["innovation"]}
    items = codebook["item"].tolist()
    lam = np.array([LOADINGS[i] for i in items])
    common = np.column_stack([factor_of[c] for c in codebook["construct"]])
    continuous = common * lam + rng.standard_normal((n, len(items))) * np.sqrt(1 - lam ** 2)
    answers = _likert(continuous)
    reverse = codebook["reverse"].to_numpy()
    answers[:, reverse] = 8 - answers[:, reverse]

    # 5. careless responders and missing answers
    n_careless = int(round(careless_rate * n))
    careless = np.sort(rng.choice(n, size=n_careless, replace=False))
    answers[careless] = rng.choice([4, 4, 5, 7, 1], size=n_careless)[:, None]
    attention = np.where(rng.random(n) < 0.98, 2, rng.integers(1, 8, n))
    attention[careless] = rng.integers(1, 8, n_careless)
    is_missing = rng.random(answers.shape) < missing_rate
    code = np.where(rng.random(answers.shape) < 0.75, MISSING_CODES[0], MISSING_CODES[1])
    answers = np.where(is_missing, code, answers)

    responses = pd.DataFrame(answers, columns=items)
    responses.insert(0, "firm_id", pd.array(firm_id, dtype="string"))
    responses["attention_check"] = attention.astype(np.int64)
    responses["firm_size"] = firm_size
    responses["firm_age"] = firm_age.astype(np.int64)
    responses["ownership"] = pd.Categorical(ownership, categories=list(OWNERSHIP))
    responses["industry"] = pd.Categorical(industry, categories=list(INDUSTRY))

    # 6. statements
    financials = _statements(rng, firm_id, firm_size, z_perf)

    latent = pd.DataFrame({
        "A1": factors[:, 0], "A2": factors[:, 1], "A3": factors[:, 2],
        "capability": capability, "ED": ed,
        "perf_financial": performance[:, 0], "perf_customer": performance[:, 1],
        "perf_innovation": performance[:, 2]}, index=firm_id)
    truth = SimulationTruth(
        seed=int(seed), n_firms=n,
        loadings=pd.Series(LOADINGS, name="loading").rename_axis("item"),
        factor_corr=FACTOR_CORR.copy(), thresholds=THRESHOLDS, reverse_items=REVERSE_ITEMS,
        missing_codes=MISSING_CODES, missing_rate=float(missing_rate),
        careless_rate=float(careless_rate), careless_ids=tuple(firm_id[careless]),
        coefficients=COEFFICIENTS.copy(), residual_sd=RESIDUAL_SD.copy(),
        performance_scale=pd.DataFrame(scale).T.rename_axis("outcome"), roa=dict(ROA),
        latent=latent)
    return SimulatedStudy(responses=responses, codebook=codebook, financials=financials,
                          truth=truth)


def _statements(rng: np.random.Generator, firm_id: pd.Index, firm_size: np.ndarray,
                z_perf: dict) -> pd.DataFrame:
    """Five years of balance-sheet and income items per firm (10k CNY), vectorised over firms."""
    n, t = len(firm_id), len(YEARS)
    z_fin, z_cust, z_inn = (z_perf[k][:, None] for k in ("financial", "customer", "innovation"))
    assets0 = firm_size * 50.0 * np.exp(rng.normal(0, 0.3, n))
    growth = rng.normal(0.06, 0.05, (n, t)) + 0.02 * z_fin
    growth[:, 0] = 0.0
    total_assets = assets0[:, None] * np.cumprod(1 + growth, axis=1)
    current_share = np.clip(rng.uniform(0.35, 0.60, n)[:, None] + rng.normal(0, 0.02, (n, t)), 0.1, 0.9)
    leverage = np.clip(rng.beta(5, 5, n)[:, None] + rng.normal(0, 0.03, (n, t)), 0.05, 0.95)
    total_liabilities = total_assets * leverage
    equity = total_assets - total_liabilities
    previous = np.column_stack([total_assets[:, 0], total_assets[:, :-1]])
    average_assets = (total_assets + previous) / 2
    roa = ROA["mean"] + ROA["scale"] * z_fin + rng.normal(0, ROA["noise_sd"], (n, t))
    net_profit = roa * average_assets
    total_profit = net_profit / (1 - TAX_RATE)
    interest_expense = total_liabilities * 0.45 * 0.05
    turnover = np.clip(rng.normal(0.9, 0.2, n)[:, None] + 0.05 * z_fin + rng.normal(0, 0.05, (n, t)), 0.2, None)
    revenue = turnover * average_assets
    new_share = np.clip(0.15 + 0.05 * z_inn + rng.normal(0, 0.03, (n, t)), 0.0, 0.9)

    # customers: retention and acquisition driven by customer performance (recursive over years)
    retention = 1 / (1 + np.exp(-(1.0 + 0.4 * z_cust[:, 0])))
    acquisition = np.clip(0.15 + 0.04 * z_cust[:, 0], 0.01, None)
    start = np.empty((n, t), dtype=np.int64)
    retained = np.empty((n, t), dtype=np.int64)
    acquired = np.empty((n, t), dtype=np.int64)
    start[:, 0] = rng.poisson(firm_size * 2.0) + 1
    for j in range(t):  # loop over the 5 years only; firms are vectorised
        retained[:, j] = rng.binomial(start[:, j], retention)
        acquired[:, j] = rng.poisson(start[:, j] * acquisition)
        if j + 1 < t:
            start[:, j + 1] = retained[:, j] + acquired[:, j]

    frame = pd.DataFrame({
        "firm_id": pd.array(np.repeat(firm_id.to_numpy(), t), dtype="string"),
        "year": np.tile(np.array(YEARS, dtype=np.int64), n),
        "revenue": revenue.ravel(), "total_profit": total_profit.ravel(),
        "net_profit": net_profit.ravel(), "interest_expense": interest_expense.ravel(),
        "total_assets": total_assets.ravel(), "current_assets": (total_assets * current_share).ravel(),
        "total_liabilities": total_liabilities.ravel(), "equity": equity.ravel(),
        "customers_start": start.ravel(), "customers_acquired": acquired.ravel(),
        "customers_retained": retained.ravel(), "new_product_revenue": (revenue * new_share).ravel(),
    })
    money = ["revenue", "total_profit", "net_profit", "interest_expense", "total_assets",
             "current_assets", "total_liabilities", "equity", "new_product_revenue"]
    frame[money] = frame[money].round(2)  # statements are reported to the cent of 10k CNY
    # keep the balance sheet identity exact after rounding
    frame["equity"] = (frame["total_assets"] - frame["total_liabilities"]).round(2)
    return frame
