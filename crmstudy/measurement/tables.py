"""Display tables of the measurement chapter: labelled from the catalogue, numbers formatted.

测量章节的展示表：标签取自双语目录，数字按期刊格式。

Each function takes results of :mod:`crmstudy.measurement` and returns a frame of strings with
``lang`` headers (``crmstudy/systems/labels.yaml``) and numbers from
:mod:`crmstudy.formatting` (p as ``< .001``, fixed decimals, never scientific notation), so the
chapter notebook carries no hand-written table logic.  Computation that is not display (the
reverse-keying check, the bootstrap intervals, the comparison with a simulated truth) is done
by the functions here too, on the prepared survey, never by looping over respondents.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..formatting import format_ci, format_int, format_number, format_p, format_percent
from ..labels import check_lang, join, label, variable_label

__all__ = ["codebook_table", "missing_table", "careless_table", "reverse_key_table",
           "reliability_ci_table", "factorability_table", "efa_variance_table", "cfa_fit_table",
           "validity_table", "fornell_larcker_table", "htmt_table", "truth_tables", "truth_applies",
           "cfa_loading_table"]


def _h(key: str, lang: str) -> str:
    return label(key, lang, "headers")


def _yes_no(flag, lang: str) -> str:
    if flag is None or flag is pd.NA or (isinstance(flag, float) and np.isnan(flag)):
        return "—"
    return label("yes" if bool(flag) else "no", lang, "terms")


def _construct(name: str, book, lang: str) -> str:
    return variable_label(str(name), lang, book)


def codebook_table(book, lang: str = "zh") -> pd.DataFrame:
    """The codebook as a display table: construct code and name, wording (in ``lang``), range,
    reverse key, missing codes; indexed by item.

    Examples
    --------
    >>> from crmstudy.measurement import Codebook
    >>> codebook_table(Codebook.from_source("crm_codebook"), "zh").columns.tolist()
    ['构念', '构念名称', '题目', '最小值', '最大值', '反向计分', '缺失值代码']
    """
    check_lang(lang)
    frame = book.to_frame()
    text = f"text_{lang}" if f"text_{lang}" in frame else "item"
    codes = frame["missing_codes"].map(
        lambda c: join([f"{v:g}" for v in c] if isinstance(c, (tuple, list))
                       else [v.strip() for v in str(c).split(";") if v.strip()], lang))
    out = pd.DataFrame({
        _h("construct", lang): frame["construct"].astype(str),
        _h("m_construct_name", lang): frame["construct"].map(lambda c: _construct(c, book, lang)),
        _h("m_wording", lang): frame[text].fillna("").astype(str),
        label("min", lang, "statistics"): frame["min"].map(lambda v: f"{v:g}"),
        label("max", lang, "statistics"): frame["max"].map(lambda v: f"{v:g}"),
        _h("m_reverse", lang): frame["reverse"].map(lambda v: _yes_no(v, lang)),
        _h("m_missing_codes", lang): codes})
    out.index = pd.Index(frame["item"], name=_h("item", lang))
    return out


def missing_table(prepared, lang: str = "zh") -> pd.DataFrame:
    """Missing answers per item of a :class:`PreparedSurvey` (its report's ``missing_by_item``):
    missing codes, invalid answers, missing in total, share missing, imputed; one row per item."""
    check_lang(lang)
    m = prepared.report.missing_by_item
    out = pd.DataFrame({
        _h("construct", lang): m["construct"].map(lambda c: _construct(c, prepared.codebook, lang)),
        _h("m_n_missing_code", lang): m["n_missing_code"].map(lambda v: format_int(v, lang=lang)),
        _h("m_n_invalid", lang): m["n_invalid"].map(lambda v: format_int(v, lang=lang)),
        _h("m_n_missing", lang): m["n_missing"].map(lambda v: format_int(v, lang=lang)),
        _h("m_share_missing", lang): m["share_missing"].map(lambda v: format_percent(v, lang=lang)),
        _h("m_n_imputed", lang): m["n_imputed"].map(lambda v: format_int(v, lang=lang))})
    out.index = pd.Index(m.index, name=_h("item", lang))
    return out


def careless_table(report, lang: str = "zh", *, flagged_only: bool = True) -> pd.DataFrame:
    """Careless-responding indices (:attr:`PreparationReport.careless`) with ``lang`` headers:
    long-string index (longest run of identical answers), intra-individual response
    variability (SD of a respondent's answers, Dunn et al. 2018), straight-lining, attention
    check (— without one) and the flag; by default only the flagged respondents."""
    check_lang(lang)
    c = report.careless
    if flagged_only:
        c = c[c["flagged"].astype(bool)]
    out = pd.DataFrame({
        _h("m_longstring", lang): c["longstring"].map(lambda v: format_int(v, lang=lang)),
        _h("m_irv", lang): c["irv"].map(lambda v: format_number(v, "sd", lang=lang)),
        _h("m_straightlining", lang): c["straightlining"].map(lambda v: _yes_no(v, lang)),
        _h("m_attention", lang): c["attention_passed"].map(lambda v: _yes_no(v, lang)),
        _h("m_flagged", lang): c["flagged"].map(lambda v: _yes_no(v, lang))})
    out.index = pd.Index(c.index, name=_h("m_respondent", lang))
    return out


def reverse_key_table(raw: pd.DataFrame, prepared, id_col: str, lang: str = "zh") -> pd.DataFrame:
    """Reverse-keying check: for each reverse-keyed item, its correlation with the mean of the
    other items of its construct, on the raw answers (missing codes and out-of-range answers
    set missing) and after recoding.  A correctly declared reverse item correlates negatively
    before and positively after.  Empty (no rows) when the codebook has no reverse item."""
    check_lang(lang)
    book = prepared.codebook
    ranges = book.table.set_index("item")[["min", "max"]]
    raw = raw.set_index(id_col)
    rows = []
    for item in book.reverse_items:            # a handful of items, not respondents
        construct = book.construct_of(item)
        others = [i for i in book.items_of(construct) if i != item]
        rest = prepared.items[others].mean(axis=1)
        answers = pd.to_numeric(raw[item], errors="coerce")
        lo, hi = ranges.loc[item, ["min", "max"]]
        answers = answers.where(answers.between(lo, hi)).reindex(rest.index)
        rows.append((item, _construct(construct, book, lang),
                     format_number(answers.corr(rest), "r", lang=lang),
                     format_number(prepared.items[item].corr(rest), "r", lang=lang)))
    return pd.DataFrame(rows, columns=[_h("item", lang), _h("construct", lang), _h("m_r_raw", lang),
                                       _h("m_r_recoded", lang)]).set_index(_h("item", lang))


def reliability_ci_table(prepared, lang: str = "zh", *, n_boot: int = 2000, seed: int | None = 0,
                         level: float = 0.95) -> pd.DataFrame:
    """Alpha with Feldt's and the bootstrap interval, omega with its bootstrap interval, per
    construct (percentile intervals of ``n_boot`` resamples of respondents, computed at once by
    :func:`crmstudy.measurement.cronbach_alpha` / :func:`omega_total`)."""
    from .reliability import cronbach_alpha, omega_total

    check_lang(lang)
    book = prepared.codebook
    rows = {}
    for construct in book.constructs:
        block = prepared.construct_items(construct)
        a_boot = cronbach_alpha(block, ci=level, ci_method="bootstrap", n_boot=n_boot, seed=seed)
        feldt = cronbach_alpha(block, ci=level).ci
        o_boot = omega_total(block, ci=level, n_boot=n_boot, seed=seed)
        rows[_construct(construct, book, lang)] = [
            format_number(a_boot.alpha, "alpha", lang=lang), format_ci(*feldt, "alpha", lang=lang),
            format_ci(*a_boot.ci, "alpha", lang=lang), format_number(o_boot.omega, "alpha", lang=lang),
            format_ci(*o_boot.ci, "alpha", lang=lang)]
    pct = round(level * 100)
    columns = ["α", label("m_alpha_feldt_ci", lang, "headers", level=pct),
               label("m_alpha_boot_ci", lang, "headers", level=pct), "ω",
               label("m_omega_boot_ci", lang, "headers", level=pct)]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out.index.name = _h("construct", lang)
    return out


def factorability_table(kmo, bartlett, lang: str = "zh") -> pd.DataFrame:
    """KMO (with Kaiser's word) and Bartlett's test (χ², df, p as ``< .001``)."""
    check_lang(lang)
    rows = [("KMO", format_number(kmo.overall, "fit", lang=lang), kmo.label_in(lang)),
            ("Bartlett χ²", format_number(bartlett.chi2, "chisq", lang=lang), ""),
            ("df", format_int(bartlett.df, lang=lang), ""),
            ("p", format_p(bartlett.p, lang=lang),
             label("significant", lang, "terms") if bartlett.passes else "")]
    return pd.DataFrame(rows, columns=[_h("m_statistic", lang), _h("value", lang),
                                       _h("m_verdict", lang)]).set_index(_h("m_statistic", lang))


def efa_variance_table(result, lang: str = "zh") -> pd.DataFrame:
    """Variance explained by each EFA factor: sum of squared loadings, share, cumulative share."""
    check_lang(lang)
    v = result.variance
    out = pd.DataFrame({
        _h("m_ss_loadings", lang): v["ss_loadings"].map(lambda x: format_number(x, "chisq", lang=lang)),
        _h("m_proportion", lang): v["proportion"].map(lambda x: format_percent(x, lang=lang)),
        _h("m_cumulative", lang): v["cumulative"].map(lambda x: format_percent(x, lang=lang))})
    out.index = pd.Index(v.index, name=_h("m_factor", lang))
    return out.T


_FIT_ROWS = (("chi2", "chisq", "chisq"), ("df", "df", "df"), ("p", "pvalue", "p"),
             ("chi2_df", "chisq_df", "chisq_df"), ("cfi", "cfi", "cfi"), ("tli", "tli", "tli"),
             ("rmsea", "rmsea", "rmsea"), ("srmr", "srmr", "srmr"))


def cfa_fit_table(result, lang: str = "zh", thresholds: Mapping | None = None) -> pd.DataFrame:
    """Fit indices of a :class:`CFAResult` with thresholds and whether each is met: p as
    ``< .001``, RMSEA with its 90 % interval, df as an integer; no scientific notation."""
    check_lang(lang)
    raw = result.fit_table("en", thresholds)           # thresholds and verdicts, by position
    verdict = {"yes": label("yes", lang, "terms"), "no": label("no", lang, "terms")}
    by_name = {name: row for name, row in zip(raw.index, raw.itertuples(index=False))}
    names = {"chi2": "χ²", "df": "df", "p": "p", "chi2_df": "χ²/df", "cfi": "CFI", "tli": "TLI",
             "rmsea": "RMSEA", "srmr": "SRMR"}
    rows = []
    for key, stat, quantity in _FIT_ROWS:
        value = result.fit[key]
        text = (format_p(value, lang=lang) if key == "p" else format_int(value, lang=lang)
                if key == "df" else format_number(value, quantity, lang=lang))
        row = by_name[names[key]]
        rule = str(row[1]).replace("<=", "≤").replace(">=", "≥")
        rows.append((label(stat, lang, "statistics"), text, rule, verdict.get(row[2], row[2])))
        if key == "rmsea":
            rows.append((label("rmsea_ci", lang, "statistics"),
                         format_ci(result.fit["rmsea_ci_low"], result.fit["rmsea_ci_high"], "rmsea",
                                   lang=lang), "", ""))
    return pd.DataFrame(rows, columns=[_h("index", lang), _h("value", lang), _h("threshold", lang),
                                       _h("met", lang)]).set_index(_h("index", lang))


def validity_table(result, lang: str = "zh", codebook=None) -> pd.DataFrame:
    """Convergent and discriminant validity per construct (:meth:`CFAResult.validity_table`)
    with formatted numbers and yes/no in ``lang``."""
    check_lang(lang)
    raw = result.validity_table("en")
    out = pd.DataFrame(index=pd.Index([_construct(c, codebook, lang) for c in raw.index],
                                      name=_h("construct", lang)))
    spec = (("CR", "cr", "cr"), ("AVE", "ave", "ave"), ("√AVE", "sqrt_ave", "sqrt_ave"),
            (None, "m_max_corr", "r"), (None, "m_fl_ok", None), (None, "m_max_htmt", "r"),
            (None, "m_htmt_ok", None))
    for position, (stat, key, quantity) in enumerate(spec):
        column = raw.iloc[:, position].to_numpy()
        header = label(key, lang, "statistics") if stat else _h(key, lang)
        out[header] = ([_yes_no(v, lang) for v in column] if quantity is None
                       else [format_number(v, quantity, lang=lang) for v in column])
    return out


def _lower(frame: pd.DataFrame, diagonal: bool, codebook, lang: str) -> pd.DataFrame:
    names = [_construct(c, codebook, lang) for c in frame.index]
    values = frame.to_numpy()
    keep = np.tril(np.ones(values.shape, dtype=bool), 0 if diagonal else -1)
    text = [[format_number(values[i, j], "r", lang=lang) if keep[i, j] else ""
             for j in range(values.shape[1])] for i in range(values.shape[0])]
    return pd.DataFrame(text, index=pd.Index(names, name=_h("construct", lang)), columns=names)


def fornell_larcker_table(result, lang: str = "zh", codebook=None) -> pd.DataFrame:
    """Fornell-Larcker matrix, lower triangle: √AVE on the diagonal, factor correlations below."""
    check_lang(lang)
    return _lower(result.fornell_larcker, True, codebook, lang)


def htmt_table(result, lang: str = "zh", codebook=None) -> pd.DataFrame:
    """HTMT ratios, lower triangle without the diagonal."""
    check_lang(lang)
    return _lower(result.htmt, False, codebook, lang)


def truth_applies(result, truth) -> bool:
    """Whether ``truth`` is the simulated truth of the survey a CFA was fitted to: it holds
    ``loadings`` for every item of the CFA and ``factor_corr``.  A chapter run on a study's own
    survey with the sample truth left in place skips the comparison instead of comparing
    unrelated numbers."""
    if not isinstance(truth, Mapping) or not isinstance(truth.get("loadings"), Mapping) \
            or "factor_corr" not in truth:
        return False
    return set(result.loadings["item"]) <= set(map(str, truth["loadings"]))


def truth_tables(result, truth: Mapping, lang: str = "zh", codebook=None) -> dict:
    """Compare a CFA with the truth of a simulated survey.

    ``truth`` holds ``loadings`` (item -> true standardised loading) and ``factor_corr``
    (construct -> construct -> true correlation), as ``crmstudy.datasets.load("crm_truth")``.
    Returns ``{"loadings": item table (truth, estimate, difference),
    "factor_corr": estimated − true correlations (lower triangle)}``; only items and
    constructs present in both are compared.
    """
    check_lang(lang)
    if "loadings" not in truth or "factor_corr" not in truth:
        raise ParameterError("truth must hold 'loadings' and 'factor_corr'",
                             hint="pass crmstudy.datasets.load('crm_truth') or a dict like it")
    estimated = result.loadings.set_index("item")["std_all"]
    true = pd.Series(truth["loadings"], dtype=float)
    items = [i for i in estimated.index if i in true.index]
    if not items:
        raise ParameterError("the truth names none of the CFA's items",
                             hint="compare the CFA of the survey the truth was simulated for")
    loadings = pd.DataFrame({
        _h("m_truth", lang): [format_number(true[i], "loading", lang=lang) for i in items],
        label("estimate", lang, "statistics"): [format_number(estimated[i], "loading", lang=lang)
                                                for i in items],
        _h("m_difference", lang): [format_number(estimated[i] - true[i], "loading", lang=lang)
                                   for i in items]},
        index=pd.Index(items, name=_h("item", lang)))
    factors = [f for f in truth["factor_corr"] if f in result.factor_corr.index]
    true_corr = pd.DataFrame(truth["factor_corr"]).loc[factors, factors].astype(float)
    diff = result.factor_corr.loc[factors, factors] - true_corr
    return {"loadings": loadings, "factor_corr": _lower(diff, False, codebook, lang)}


def cfa_loading_table(result, lang: str = "zh", codebook=None, items=None) -> pd.DataFrame:
    """CFA loadings (:attr:`CFAResult.loadings`): construct, unstandardised loading ``est``
    with SE, z and p (— for the marker item fixed to 1), and the standardised ``std_all``;
    indexed by item (``items`` selects and orders them)."""
    check_lang(lang)
    table = result.loadings.set_index("item")
    if items is not None:
        unknown = [i for i in items if i not in table.index]
        if unknown:
            raise ParameterError(f"cfa_loading_table: no item(s) {', '.join(map(str, unknown))} "
                                 "in the CFA", hint=f"the CFA has: {', '.join(table.index)}")
        table = table.loc[list(items)]
    out = pd.DataFrame({
        _h("construct", lang): table["construct"].map(lambda c: _construct(c, codebook, lang)),
        _h("m_est", lang): table["est"].map(lambda v: format_number(v, "loading", lang=lang)),
        label("se", lang, "statistics"): table["se"].map(lambda v: format_number(v, "se", lang=lang)),
        "z": table["z"].map(lambda v: format_number(v, "z", lang=lang)),
        label("p", lang, "statistics"): table["p"].map(lambda v: format_p(v, lang=lang)),
        label("std_loading", lang, "statistics"): table["std_all"].map(
            lambda v: format_number(v, "loading", lang=lang))})
    out.index = pd.Index(table.index, name=_h("item", lang))
    return out
