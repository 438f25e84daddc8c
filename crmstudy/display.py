"""Display tables of the chapters: labelled from the catalogue, numbers formatted.

章节展示用表格：标签取自双语目录，数字按期刊格式。

The chapter notebooks show tables through these functions (or a result's own ``table(lang)``),
so a notebook holds no translation branch and no hand-written table logic.  Every header and
cell word comes from :mod:`crmstudy.labels` (``crmstudy/systems/labels.yaml``), every number from
:mod:`crmstudy.formatting`; the returned frames hold strings, ready for ``display``.

This module sits with the core (labels, formatting, datasets, indicators); it imports no
analysis module.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .errors import ParameterError
from .formatting import format_int, format_number, format_percent, format_unit
from .labels import check_lang, label, variable_label

__all__ = ["describe_table", "facts_table", "framework_table", "datasets_table", "FACT_KINDS",
           "weighting_table", "skipped", "WEIGHTING_DECIMALS", "screening_text", "count_table",
           "labelled_table"]

# How each fact of the catalogue section ``facts`` is formatted (facts not listed: as text).
FACT_KINDS = {"transactions": "int", "customers": "int", "first_date": "date", "last_date": "date",
              "share_buying_once": "share", "revenue_usd": "usd", "firms": "int",
              "firm_years": "int", "items": "int"}

_DESCRIBE = ("n", "mean", "sd", "min", "median", "max")


def describe_table(data: pd.DataFrame, lang: str = "zh", *, columns: Sequence[str] | None = None,
                   labels: Mapping | None = None, quantity: str = "mean") -> pd.DataFrame:
    """Descriptive statistics of numeric columns, one row per variable (N, M, SD, min, median, max).

    The labelled counterpart of ``DataFrame.describe().T``: rows are variable names from
    ``labels`` or the catalogue (a name found nowhere is shown as it is), headers from the
    catalogue, N as an integer with thousands separators, the other statistics with the decimals
    of ``quantity`` (:data:`crmstudy.formatting.DECIMALS`, default ``"mean"``: 2), never in
    scientific notation.  N counts the non-missing values; SD is the sample SD (ddof = 1).

    Examples
    --------
    >>> import pandas as pd
    >>> table = describe_table(pd.DataFrame({"firm_age": [2, 4, 9]}), "zh")
    >>> table.index.tolist(), table.columns.tolist()
    (['企业年龄'], ['N', '均值', '标准差', '最小值', '中位数', '最大值'])
    >>> table.iloc[0].tolist()
    ['3', '5.00', '3.61', '2.00', '4.00', '9.00']
    """
    check_lang(lang)
    if columns is None:
        columns = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])
                   and not pd.api.types.is_bool_dtype(data[c])]
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ParameterError(f"describe_table: no column(s) {', '.join(map(str, missing))}",
                             hint=f"the data have: {', '.join(map(str, data.columns))}")
    if not columns:
        raise ParameterError("describe_table: no numeric column to describe",
                             hint="pass columns= naming numeric columns")
    values = data[list(columns)].apply(pd.to_numeric, errors="raise")
    stats = {"n": values.count(), "mean": values.mean(), "sd": values.std(ddof=1),
             "min": values.min(), "median": values.median(), "max": values.max()}
    rows = {}
    for column in columns:
        rows[variable_label(str(column), lang, labels)] = [
            format_int(stats["n"][column], lang=lang) if key == "n"
            else format_number(stats[key][column], quantity, lang=lang) for key in _DESCRIBE]
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=[label(k, lang, "statistics") for k in _DESCRIBE])


def facts_table(facts: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """A two-column table of named facts (项目 / 数值), the labelled form of a printed dict.

    ``facts`` maps a catalogue key (section ``facts``) to a value; the value is formatted by its
    kind in :data:`FACT_KINDS` (``int | share | usd | cny | date``; others as text): counts
    with thousands separators, shares as percentages, money with its unit, dates as ISO dates.
    """
    check_lang(lang)
    entries = _section("facts")
    rows = []
    for key, value in facts.items():
        if key not in entries:
            raise ParameterError(f"facts_table: no catalogue entry facts.{key}",
                                 hint="add it to crmstudy/systems/labels.yaml (section facts)")
        kind = FACT_KINDS.get(key, "text")
        rows.append((label(key, lang, "facts"), _fact(value, kind, lang)))
    return pd.DataFrame(rows, columns=[label("item_name", lang, "headers"),
                                       label("value", lang, "headers")]).set_index(
        label("item_name", lang, "headers"))


def _fact(value, kind: str, lang: str) -> str:
    if kind == "int":
        return format_int(value, lang=lang)
    if kind == "share":
        return format_percent(value, lang=lang)
    if kind in ("usd", "cny"):
        return format_unit(round(float(value)), kind, "n", lang=lang)
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def _section(name: str) -> dict:
    from .labels import catalogue

    return catalogue().get(name, {})


def framework_table(lang: str = "zh") -> pd.DataFrame:
    """The CRM capability analysis framework (:func:`crmstudy.indicators.capability_framework`)
    as a display table indexed by the kind of activity: activity, indicator code, description.

    Examples
    --------
    >>> framework_table("zh").iloc[0].tolist()
    ['客户洞察', 'A1', '收集和分析客户信息，识别最有价值的客户。']
    >>> framework_table("en").index[-1]
    'support activity'
    """
    from .indicators import capability_framework

    frame = capability_framework(lang)
    kind = frame["activity"].map(lambda k: label(f"{k}_activity", lang, "terms"))
    indicator = frame["indicator"].map(lambda c: "—" if pd.isna(c) else str(c))
    return pd.DataFrame({label("activity_kind", lang, "headers"): kind,
                         label("activity", lang, "headers"): frame["name"],
                         label("indicator", lang, "headers"): indicator,
                         label("description", lang, "headers"): frame["description"]}
                        ).set_index(label("activity_kind", lang, "headers"))


def datasets_table(lang: str = "zh") -> pd.DataFrame:
    """The shipped data sets (:func:`crmstudy.datasets.list_datasets`) as a display table:
    indexed by name (the identifier a chapter parameter takes): description, rows, kind
    (real/simulated).

    Examples
    --------
    >>> datasets_table("zh").loc["cdnow"].tolist()[1:]
    ['69,659', '真实']
    """
    from .datasets import list_datasets

    frame = list_datasets()
    description = frame["description_zh" if lang == "zh" else "description"]
    if lang == "zh":   # a data set without a Chinese description falls back to English
        description = description.where(description.astype(bool), frame["description"])
    return pd.DataFrame({
        label("dataset", lang, "headers"): frame["name"],
        label("description", lang, "headers"): description,
        label("rows", lang, "headers"): frame["rows"].map(lambda n: format_int(n, lang=lang)),
        label("data_kind", lang, "headers"): frame["kind"].map(lambda k: label(k, lang, "terms")),
    }).set_index(label("dataset", lang, "headers"))


# ----------------------------------------------------------------------------------------------
# Chapter 03: weighting, index, TOPSIS, fuzzy evaluation
# ----------------------------------------------------------------------------------------------
# Decimals of the chapter-03 quantities (weights 4: they sum to 1 over up to ~20 indicators).
WEIGHTING_DECIMALS = {
    "weight": 4, "local_weight": 4, "global_weight": 4, "subjective": 4, "objective": 4,
    "combined": 4, "critic": 4, "all_experts": 4, "without_inconsistent": 4, "change": 4,
    "base": 4, "mean": 4, "sd": 4, "q05": 4, "q95": 4, "expert_weight": 3, "entropy": 4,
    "divergence": 4, "lambda_max": 3, "ci": 3, "ri": 3, "cr": 3, "gci": 3, "judgment": 3,
    "implied": 3, "suggested": 3, "log_error": 3, "abs_log_error": 3, "share": 3,
    "index": 1, "score": 1, "closeness": 3, "d_plus": 4, "d_minus": 4, "spearman": 4,
    "p_same_rank": 3, "p_top": 3, "p_same": 3, "median": 1, "max_shift": 0, "rank_changes": 0,
    "linear": 4, "multiplicative": 4, "mdi": 4, "game_theory": 4, "weight_sd": 4,
}
_ID_COLUMNS = ("indicator", "code", "element", "firm")


def _weighting_word(key, lang: str, system=None) -> str:
    """A header or cell word: an indicator code of ``system``, a ``weighting`` catalogue key,
    or the user's own name unchanged (expert ids, firm ids)."""
    if system is not None and str(key) in set(system.codes):
        return system.label(str(key), lang, with_code=True)
    try:
        return label(str(key), lang, "weighting")
    except ParameterError:
        return str(key)


def weighting_table(frame: pd.DataFrame | pd.Series, lang: str = "zh", *, system=None,
                    decimals: Mapping[str, int] | int | None = None,
                    index: str | None = None) -> pd.DataFrame:
    """Display form of a chapter-03 table (weights, consistency, index, TOPSIS, stability ...).

    Headers and words come from the catalogue section ``weighting`` (``local_weight`` ->
    局部权重, ``benefit`` -> 效益型, ``rank_topsis`` -> TOPSIS 排名), indicator codes of
    ``system`` become "code name", other names (expert or firm ids) stay as they are.  Numbers
    use fixed decimals by column (:data:`WEIGHTING_DECIMALS`; ``decimals`` overrides them: an
    int for every column or a mapping by column), integers with thousands separators, booleans
    是/否 (yes/no); never scientific notation.

    Parameters
    ----------
    frame : DataFrame or Series
        A column named ``indicator``, ``code``, ``element`` or ``firm`` (if the index is a
        plain range) becomes the index.
    index : str, optional
        Catalogue key of the index name (default: the frame's index name).

    Examples
    --------
    >>> import pandas as pd
    >>> t = weighting_table(pd.DataFrame({"indicator": ["X1"], "direction": ["benefit"],
    ...                                   "weight": [0.015771]}), "zh")
    >>> t.index.name, t.columns.tolist(), t.iloc[0].tolist()
    ('指标', ['方向', '权重'], ['效益型', '0.0158'])
    """
    check_lang(lang)
    out = frame.to_frame() if isinstance(frame, pd.Series) else frame.copy()
    if isinstance(out.index, pd.RangeIndex):
        for column in _ID_COLUMNS:
            if column in out.columns:
                out = out.set_index(column)
                break
    per_column = decimals if isinstance(decimals, Mapping) else {}
    cells = {}
    for column in out.columns:
        values = out[column]
        if isinstance(decimals, int):
            places = decimals
        else:
            places = per_column.get(column, WEIGHTING_DECIMALS.get(str(column), 3))
        if pd.api.types.is_bool_dtype(values):
            text = values.map(lambda v: label("yes" if v else "no", lang, "terms"))
        elif pd.api.types.is_integer_dtype(values):
            text = values.map(lambda v: format_int(v, lang=lang))
        elif pd.api.types.is_numeric_dtype(values):
            text = values.map(lambda v: format_number(v, decimals=places, lang=lang))
        else:
            text = values.map(lambda v: _weighting_word(v, lang, system) if isinstance(v, str) else v)
        cells[_weighting_word(column, lang, system)] = text.to_numpy()
    rows = [_weighting_word(i, lang, system) for i in out.index]
    name = index or out.index.name
    result = pd.DataFrame(cells, index=pd.Index(rows, name=_weighting_word(name, lang)
                                                 if name is not None else None))
    if isinstance(out.columns, pd.Index) and out.columns.name is not None:
        result.columns.name = _weighting_word(out.columns.name, lang)
    return result


def skipped(key: str, lang: str = "zh", **fields: Any) -> str:
    """The sentence a chapter prints where it skips a section whose input the study lacks
    (catalogue section ``skipped``), e.g. ``skipped("no_judgments", "en")``."""
    return label(key, lang, "skipped", **fields)


def screening_text(attention_item: str, attention_answer: Any, drop_careless: bool, n: int,
                   lang: str = "zh") -> str:
    """The study's screening rule and the analysis sample size, in one sentence.

    Chapters 02-04 select respondents with the same rule (attention-check item and answer,
    whether careless respondents are dropped), so they report the same N.

    Examples
    --------
    >>> screening_text("attention_check", 2, True, 283, "en")
    'Screening rule: attention check = 2, careless respondents dropped; analysis sample N = 283'
    """
    check_lang(lang)
    parts = []
    if attention_item:
        parts.append(label("screening_check", lang, "notes",
                           item=variable_label(attention_item, lang), answer=attention_answer))
    if drop_careless:
        parts.append(label("screening_careless", lang, "notes"))
    rule = label("list_separator", lang, "formats").join(parts) if parts else \
        label("screening_none", lang, "notes")
    return label("screening", lang, "notes", rule=rule, n=format_int(n, lang=lang))


def count_table(frame: pd.DataFrame, by: Sequence[str], lang: str = "zh", *,
                count: str = "firm_years") -> pd.DataFrame:
    """Number of rows of ``frame`` for each combination of the ``by`` columns, labelled.

    The labelled form of ``frame.groupby(by).size()``: each ``by`` column is renamed by its
    catalogue header (``headers.<column>_name``, else ``headers.<column>``), the count column by
    ``headers.<count>``; the counts are formatted integers.
    """
    check_lang(lang)
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise ParameterError(f"count_table: no column(s) {', '.join(missing)}",
                             hint=f"the frame has: {', '.join(map(str, frame.columns))}")
    from .labels import catalogue
    heads = catalogue()["headers"]

    def head(name):
        for key in (f"{name}_name", name):
            if key in heads:
                return heads[key][lang]
        return name

    counts = frame.groupby(list(by)).size()
    out = counts.map(lambda n: format_int(n, lang=lang)).rename(head(count)).to_frame()
    out.index = out.index.set_names([head(c) for c in by])
    return out


def _cv_label(key, lang: str, section: str) -> str:
    """A name from ``section`` of the catalogue, else :func:`variable_label` (else the name)."""
    entry = _section(section).get(str(key))
    if isinstance(entry, Mapping) and lang in entry:
        return str(entry[lang])
    return variable_label(str(key), lang)


def labelled_table(frame: pd.DataFrame, lang: str = "zh", *, section: str = "customer_value",
                   decimals: Mapping[str, int] | None = None, default_decimals: int = 2,
                   percent: Sequence[str] = (), units: Mapping[str, str] | None = None,
                   label_values: bool = True) -> pd.DataFrame:
    """A result frame made ready for display: headers, index and words from the catalogue,
    numbers in fixed-point notation.

    Column names, index names, index values and (``label_values``) string cells that are keys
    of catalogue ``section`` (default ``customer_value``) are replaced by their ``lang`` label;
    other names go through :func:`crmstudy.labels.variable_label` (unknown ones are shown as
    they are, so a customer id or ``BG/NBD`` stays).  Floats get ``decimals[column]`` (default
    ``default_decimals``, never scientific notation: 5.8e-17 prints as 0.00), integers
    thousands separators, columns in ``percent`` are shares printed as percentages, booleans
    yes/no, dates ISO.  ``units`` maps a column to a unit of ``unit_headers`` (``usd``,
    ``days``, ``weeks`` ...) stated in its header: "CLV（美元）".

    Examples
    --------
    >>> t = pd.DataFrame({"clv": [1234.5, 5.8e-17], "p_alive": [0.5, 1.0]}, index=["a", "b"])
    >>> labelled_table(t, "zh", units={"clv": "usd"}, percent=["p_alive"]).to_dict("list")
    {'客户终生价值 CLV（美元）': ['1234.50', '0.00'], '存活概率': ['50.0%', '100.0%']}
    """
    check_lang(lang)
    decimals = dict(decimals or {})
    units = dict(units or {})
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column in percent:
            cells = values.map(lambda x: format_percent(x, lang=lang))
        elif pd.api.types.is_bool_dtype(values):
            cells = values.map(lambda x: _cv_label("yes" if x else "no", lang, section))
        elif pd.api.types.is_integer_dtype(values):
            cells = values.map(lambda x: format_int(x, lang=lang))
        elif pd.api.types.is_float_dtype(values):
            places = decimals.get(column, default_decimals)
            cells = values.map(lambda x: format_number(x, decimals=places, lang=lang))
        elif pd.api.types.is_datetime64_any_dtype(values):
            cells = values.map(lambda x: "—" if pd.isna(x) else pd.Timestamp(x).date().isoformat())
        elif label_values:
            cells = values.map(lambda x: _cv_label(x, lang, section)
                               if isinstance(x, str) and x in _section(section) else x)
        else:
            cells = values
        header = _cv_label(column, lang, section)
        if column in units:
            header = label(units[column], lang, "unit_headers", label=header)
        out[header] = cells.to_numpy()
    index = frame.index
    if isinstance(index, pd.MultiIndex):
        out.index = pd.MultiIndex.from_tuples(
            [tuple(_cv_label(v, lang, section) if isinstance(v, str) else v for v in t) for t in index],
            names=[None if n is None else _cv_label(n, lang, section) for n in index.names])
    else:
        out.index = pd.Index([_cv_label(v, lang, section) if isinstance(v, str) else v for v in index],
                             name=None if index.name is None else _cv_label(index.name, lang, section))
    if frame.columns.name is not None:
        out.columns.name = _cv_label(frame.columns.name, lang, section)
    return out


# ----------------------------------------------------------------------------------------------
# Chapter 06: mediation, moderated mediation and SEM
# ----------------------------------------------------------------------------------------------
# ---------------------------------------------------------------- chapter 06 (the mechanism)
_NUMBER_QUANTITY = {"t": "t", "z": "z", "w": "moderator", "r2": "r2", "se": "se",
                    "boot_se": "se", "std_all": "beta", "b": "b", "est": "estimate"}
_NAME_COLUMNS = ("outcome", "term", "mediator", "path", "lhs", "rhs", "variable")


def _name(value: Any, lang: str, labels, references) -> str:
    from .labels import path_label, term_label

    text = str(value)
    if text in ("constant", "Intercept"):
        return label("intercept", lang, "terms")
    if "->" in text or "→" in text:
        return path_label(text, lang, labels)
    if text.startswith("log_") and len(text) > 4:       # build_frame's log(...) controls
        return label("log", lang, "formats", variable=variable_label(text[4:], lang, labels))
    return term_label(text, lang, labels, references)


def _header(column: str, lang: str) -> str:
    for section in ("mechanism", "statistics", "headers"):
        if column in _section(section):
            return label(column, lang, section)
    return column


def estimate_table(table: pd.DataFrame, lang: str = "zh", *, labels: Mapping | None = None,
                   references: Mapping | None = None, level: float = 95) -> pd.DataFrame:
    """A result's tidy table (PROCESS paths, effects, Sobel, SEM estimates, a truth comparison)
    labelled and formatted for display.

    Name columns (``outcome, term, mediator, path, lhs, rhs, variable``) get variable and term
    labels (``labels``: a dict or a Codebook; ``references``: reference level of each
    categorical control, for "所有制：民营（参照：国有）"); ``op`` and ``level`` get catalogue
    words; ``p`` is printed as journals do (p < .001); ``ci_low``/``ci_high`` become one
    interval column headed with ``level`` (%); other numbers get the decimals of their quantity; booleans 是/否.

    Examples
    --------
    >>> import pandas as pd
    >>> table = estimate_table(pd.DataFrame({"term": ["firm_age"], "b": [0.01234], "p": [0.0002]}))
    >>> table.iloc[0].tolist()
    ['企业年龄', '0.012', '< 0.001']
    """
    from .formatting import format_ci, format_p

    check_lang(lang)
    out = {}
    for col in table.columns:
        values = table[col]
        if col == "ci_high" or col.startswith("_"):
            continue
        if col == "ci_low" and "ci_high" in table:
            out[label("ci", lang, "headers", level=f"{level:g}")] = [
                format_ci(lo, hi, "effect", lang=lang)
                                        for lo, hi in zip(values, table["ci_high"])]
            continue
        if col in _NAME_COLUMNS:
            out[_header(col, lang)] = [_name(v, lang, labels, references) for v in values]
        elif col == "op":
            out[_header(col, lang)] = [label(f"op{v}", lang, "mechanism") for v in values]
        elif col in ("level", "quantity"):
            out[_header(col, lang)] = [label(str(v), lang, "terms") if col == "level" else
                                       label(f"truth_{v}", lang, "mechanism") for v in values]
        elif col == "p":
            out[_header(col, lang)] = [format_p(v, lang=lang) for v in values]
        elif pd.api.types.is_bool_dtype(values):
            out[_header(col, lang)] = [label("yes" if v else "no", lang, "terms") for v in values]
        elif pd.api.types.is_numeric_dtype(values):
            q = _NUMBER_QUANTITY.get(col, "effect")
            out[_header(col, lang)] = [format_number(v, q, lang=lang) for v in values]
        else:
            out[_header(col, lang)] = [str(v).replace("->", "→") for v in values]
    return pd.DataFrame(out)


def ci_methods_table(results: Mapping[str, Any], lang: str = "zh", *,
                     labels: Mapping | None = None) -> pd.DataFrame:
    """Indirect effects with the bootstrap CI of each method side by side.

    ``results`` maps a CI method (``"percentile"``, ``"bc"``) to a PROCESS result fitted with
    it and the same seed (so the resamples, the effect and its bootstrap SE are shared); one
    row per indirect path: effect, Boot SE and one CI column per method.
    """
    from .formatting import format_ci

    check_lang(lang)
    first = next(iter(results.values()))
    key = "path" if "path" in first.indirect else "mediator"
    out = pd.DataFrame({
        _header("path", lang): [_name(v, lang, labels, None) for v in first.indirect[key]],
        _header("effect", lang): [format_number(v, "effect", lang=lang)
                                  for v in first.indirect["effect"]],
        _header("boot_se", lang): [format_number(v, "se", lang=lang)
                                   for v in first.indirect["boot_se"]]})
    for method, res in results.items():
        out[label(f"ci_{method}", lang, "mechanism")] = [
            format_ci(lo, hi, "effect", lang=lang)
            for lo, hi in zip(res.indirect["ci_low"], res.indirect["ci_high"])]
    return out


def hypothesis_summary(tested: pd.DataFrame, model, lang: str = "zh", *,
                       labels: Mapping | None = None, ids: Sequence[str] | None = None,
                       level: float = 95) -> pd.DataFrame:
    """Hypothesis tests (:func:`crmstudy.study_model.test_hypotheses`) as a display table.

    One row per hypothesis (``ids``: only these): id, kind, the path drawn from the model's
    hypothesis (X → M → Y, moderator named), estimate, interval, expected sign and verdict
    (supported / not supported / not tested), every word from the catalogue.
    """
    from .formatting import format_ci

    check_lang(lang)
    spec = {h.id: h for h in model.hypotheses}
    rows = tested if ids is None else tested[tested["hypothesis"].isin(list(ids))]
    name = lambda v: variable_label(v, lang, labels)  # noqa: E731
    paths, verdicts = [], []
    for hid, supported in zip(rows["hypothesis"], rows["supported"]):
        h = spec[hid]
        chain = " → ".join(name(v) for v in (h.x, h.m, h.y) if v)
        paths.append(chain if not h.w else label("moderated_by", lang, "mechanism", path=chain,
                                                   w=name(h.w)))
        verdicts.append(label("not_tested", lang, "mechanism") if supported is pd.NA
                        or supported is None else
                        label("supported" if bool(supported) else "not_supported", lang, "terms"))
    return pd.DataFrame({
        label("hypothesis", lang, "headers"): list(rows["hypothesis"]),
        label("kind", lang, "mechanism"): [label(f"kind_{k.replace(' ', '_')}", lang, "mechanism")
                                           for k in rows["type"]],
        label("path", lang, "headers"): paths,
        label("estimate", lang, "statistics"): [format_number(v, "effect", lang=lang)
                                                for v in rows["estimate"]],
        label("ci", lang, "headers", level=f"{level:g}"): [
            format_ci(lo, hi, "effect", lang=lang) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        label("expected_sign", lang, "mechanism"): list(rows["expected_sign"]),
        label("result", lang, "headers"): verdicts})


def fit_indices_table(fit_table, lang: str = "zh") -> pd.DataFrame:
    """SEM fit indices with their thresholds for display.

    ``fit_table`` is the result of :func:`crmstudy.report.fit_table` (a ThesisTable, or its
    ``data``: index = fit index key, columns ``value, ci_low, ci_high, op, bound, met``).

    One row per index (χ², df, p, χ²/df, GFI … RMSEA with its 90 % interval, SRMR, AIC, BIC):
    value with the decimals of its quantity, threshold (``> 0.90``), met (是/否); the sources
    of the thresholds are left to the text (the table of :func:`crmstudy.report.fit_table`
    names them).
    """
    from .formatting import DECIMALS, format_ci, format_p

    check_lang(lang)
    table = getattr(fit_table, "data", fit_table)
    values, bounds, met = [], [], []
    for key, row in table.iterrows():
        if key == "rmsea_ci":
            values.append(format_ci(row["ci_low"], row["ci_high"], "rmsea", lang=lang))
        elif key == "pvalue":
            values.append(format_p(row["value"], lang=lang))
        else:
            values.append(format_number(row["value"], key if key in DECIMALS else "fit",
                                        lang=lang))
        has_bound = isinstance(row["op"], str) and row["op"].strip() != ""
        bounds.append(f"{row['op'].strip()} {float(row['bound']):g}" if has_bound else "")
        met.append(label("yes" if row["met"] is True or row["met"] == 1 else "no", lang, "terms")
                   if has_bound else "")
    return pd.DataFrame({label("value", lang, "headers"): values,
                         label("threshold", lang, "headers"): bounds,
                         label("met", lang, "headers"): met},
                        index=pd.Index([label(k, lang, "statistics") for k in table.index],
                                       name=label("index", lang, "headers")))


def effects_table(result, lang: str = "zh", *, labels: Mapping | None = None,
                  level: float = 95) -> pd.DataFrame:
    """Total, direct and indirect effects of a PROCESS model 4/6 result in one display table.

    Rows: total effect c, direct effect c', each indirect path; columns: effect, SE (OLS for c
    and c', bootstrap for the indirect effects), interval (t-based for c and c', bootstrap for
    the indirect effects) and the share of the total effect.
    """
    from .formatting import format_ci

    check_lang(lang)
    rows = []
    if result.total is not None:
        rows += [(label("total_effect", lang, "mechanism"), r) for _, r in result.total.iterrows()]
    rows += [(label("direct_effect", lang, "mechanism"), r) for _, r in result.direct.iterrows()]
    key = "path" if "path" in result.indirect else "mediator"
    rows += [(label("indirect_effect", lang, "mechanism", path=_name(r[key], lang, labels, None))
              if r[key] != "total" else label("total_indirect", lang, "mechanism"), r)
             for _, r in result.indirect.iterrows()]
    total = float(result.total["effect"].iloc[0]) if result.total is not None else float("nan")
    return pd.DataFrame({
        _header("path", lang): [name for name, _ in rows],
        _header("effect", lang): [format_number(r["effect"], "effect", lang=lang) for _, r in rows],
        _header("se", lang): [format_number(r["se"] if "se" in r else r["boot_se"], "se", lang=lang)
                              for _, r in rows],
        label("ci", lang, "headers", level=f"{level:g}"): [
            format_ci(r["ci_low"], r["ci_high"], "effect", lang=lang) for _, r in rows],
        label("share_of_total", lang, "mechanism"): [
            format_percent(r["effect"] / total, lang=lang) if total else "—" for _, r in rows]})
