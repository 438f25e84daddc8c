"""A measurement paragraph a student can paste into a thesis (zh or en), built from results."""
from __future__ import annotations

from ..errors import ParameterError
from ..formatting import p_text

__all__ = ["write_up"]


def _f(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def write_up(reliability, kmo=None, bartlett=None, cfa=None, harman=None, lang: str = "zh") -> str:
    """Summarise reliability and validity in a few sentences with the conventional cut-offs.

    Parameters
    ----------
    reliability : ReliabilityResult
    kmo : KMOResult, optional
    bartlett : BartlettResult, optional
    cfa : CFAResult, optional
    harman : HarmanResult, optional
    lang : {"zh", "en"}

    Returns
    -------
    str
        Markdown text; every number comes from the results passed in.
    """
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    t = reliability.table
    lim = reliability.thresholds
    a_lo, a_hi = t["alpha"].min(), t["alpha"].max()
    o_lo, o_hi = t["omega_total"].min(), t["omega_total"].max()
    failing = t.loc[~t["passes"], "construct"].tolist()
    zh = lang == "zh"
    parts = []
    if zh:
        parts.append(f"各构念的 Cronbach's α 系数介于 {_f(a_lo)} 与 {_f(a_hi)} 之间，McDonald's ω 介于 "
                     f"{_f(o_lo)} 与 {_f(o_hi)} 之间，校正题总相关（CITC）最小为 {_f(t['min_r_drop'].min())}。")
        rule = f"α ≥ {lim['alpha']:.2f}、ω ≥ {lim['omega']:.2f}、CITC ≥ {lim['r_drop']:.2f}"
        parts.append(f"所有构念均达到 {rule} 的标准，量表信度良好。" if not failing
                     else f"构念 {'、'.join(failing)} 未全部达到 {rule} 的标准，需要检查其题项。")
    else:
        parts.append(f"Cronbach's α ranged from {_f(a_lo)} to {_f(a_hi)} and McDonald's ω from {_f(o_lo)} "
                     f"to {_f(o_hi)}; the smallest corrected item-total correlation was {_f(t['min_r_drop'].min())}.")
        parts.append(f"All constructs met α ≥ {lim['alpha']:.2f}, ω ≥ {lim['omega']:.2f} and CITC ≥ {lim['r_drop']:.2f}."
                     if not failing else f"Construct(s) {', '.join(failing)} did not meet α ≥ {lim['alpha']:.2f}, ω ≥ {lim['omega']:.2f} "
                     f"and CITC ≥ {lim['r_drop']:.2f}; their items need review.")
    if kmo is not None and bartlett is not None:
        if zh:
            parts.append(f"KMO 值为 {_f(kmo.overall)}（{kmo.label_in('zh')}），Bartlett 球形检验 χ² = {bartlett.chi2:.2f}，"
                         f"df = {bartlett.df}，{p_text(bartlett.p, lang='zh')}，"
                         f"数据{'适合' if kmo.passes and bartlett.passes else '不太适合'}做因子分析。")
        else:
            parts.append(f"The KMO measure was {_f(kmo.overall)} ({kmo.label}) and Bartlett's test of sphericity "
                         f"gave χ² = {bartlett.chi2:.2f}, df = {bartlett.df}, {p_text(bartlett.p, lang='en')}, "
                         f"so the data "
                         f"{'are' if kmo.passes and bartlett.passes else 'are hardly'} suitable for factor analysis.")
    if harman is not None:
        share = f"{100 * harman.share:.1f}%"
        if zh:
            parts.append(f"Harman 单因素检验中，未旋转的第一个因子解释了 {share} 的方差，"
                         f"{'低于' if harman.passes else '超过'} 50% 的临界值，"
                         f"{'共同方法偏差不严重' if harman.passes else '可能存在共同方法偏差'}。")
        else:
            parts.append(f"In Harman's single-factor test the first unrotated factor explained {share} of the "
                         f"variance, {'below' if harman.passes else 'above'} the 50% mark"
                         f"{', so common-method bias is unlikely to be serious' if harman.passes else ', a sign of common-method bias'}.")
    if cfa is not None:
        f = cfa.fit
        lam = cfa.loadings["std_all"]
        valid = cfa.validity_table("en")
        fl_ok = bool(valid["Fornell-Larcker met"].all())
        htmt_max = float(valid["Max. HTMT"].max()) if len(valid) > 1 else float("nan")
        if f["df"] > 0:
            chi_zh = chi_en = f"χ²/df = {f['chi2_df']:.2f}"
        else:       # saturated: χ²/df undefined, fit perfect by construction
            chi_zh, chi_en = "df = 0（饱和模型，拟合完美）", "df = 0 (saturated, perfect fit by construction)"
        if zh:
            parts.append(f"验证性因子分析的拟合指标为 {chi_zh}，CFI = {_f(f['cfi'])}，TLI = {_f(f['tli'])}，"
                         f"RMSEA = {_f(f['rmsea'])}（90% CI [{_f(f['rmsea_ci_low'])}, {_f(f['rmsea_ci_high'])}]），"
                         f"SRMR = {_f(f['srmr'])}。标准化载荷介于 {_f(lam.min())} 与 {_f(lam.max())} 之间；"
                         f"组合信度 CR 介于 {_f(cfa.composite_reliability.min())} 与 {_f(cfa.composite_reliability.max())} 之间，"
                         f"AVE 介于 {_f(cfa.ave.min())} 与 {_f(cfa.ave.max())} 之间。" + (
                         f"{'各构念 AVE 的平方根均大于其与其他构念的相关系数（Fornell-Larcker 准则）' if fl_ok else '部分构念 AVE 的平方根未超过其与其他构念的相关系数'}，"
                         f"HTMT 最大为 {_f(htmt_max)}，{'低于' if htmt_max < 0.85 else '高于'} 0.85，"
                         f"{'区分效度良好' if fl_ok and htmt_max < 0.85 else '区分效度需要进一步检验'}。"
                         if len(valid) > 1 else "只有一个构念，不涉及区分效度。"))
        else:
            parts.append(f"The confirmatory factor model fitted with {chi_en}, CFI = {_f(f['cfi'])}, "
                         f"TLI = {_f(f['tli'])}, RMSEA = {_f(f['rmsea'])} (90% CI [{_f(f['rmsea_ci_low'])}, "
                         f"{_f(f['rmsea_ci_high'])}]) and SRMR = {_f(f['srmr'])}. Standardised loadings ranged from "
                         f"{_f(lam.min())} to {_f(lam.max())}; composite reliability from "
                         f"{_f(cfa.composite_reliability.min())} to {_f(cfa.composite_reliability.max())} and AVE from "
                         f"{_f(cfa.ave.min())} to {_f(cfa.ave.max())}. " + (
                         f"{'The square root of every AVE exceeded the construct correlations (Fornell-Larcker criterion)' if fl_ok else 'Some square roots of AVE did not exceed the construct correlations'}"
                         f" and the largest HTMT was {_f(htmt_max)} ({'below' if htmt_max < 0.85 else 'above'} 0.85), "
                         f"{'supporting discriminant validity' if fl_ok and htmt_max < 0.85 else 'so discriminant validity needs further checks'}."
                         if len(valid) > 1 else "With a single construct, discriminant validity does not arise."))
    return ("" if zh else " ").join(parts)
