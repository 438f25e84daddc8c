"""From raw questionnaire answers to clean item scores, with a report of every change.

:func:`prepare` applies a :class:`~crmstudy.measurement.codebook.Codebook` to a raw response
table, in this order (each step is counted in the report):

1. check the id column (missing ids are an error; duplicate ids raise or keep the first row);
2. check the items: every codebook item must be a column; a data column that looks like an
   item (same letter prefix as a codebook item, e.g. ``ED5``) but is not in the codebook gives
   a :class:`~crmstudy.errors.DataQualityWarning`;
3. missing-value codes (e.g. 99, -9) and blanks become NaN;
4. non-numeric and out-of-range answers raise :class:`~crmstudy.errors.InputDataError`
   naming the respondent and item (``invalid="raise"``) or become NaN and are listed
   (``invalid="missing"``);
5. careless responding is flagged on the raw answers in questionnaire order: the long-string
   index (longest run of identical consecutive answers, skipping missing answers; Johnson 2005),
   the intra-individual response variability (IRV, the SD of a respondent's answers; Dunn et
   al. 2018) and an optional instructed attention-check item; flagged respondents are kept
   unless ``drop_careless=True``;
6. reverse-keyed items are recoded ``min + max - x`` (so that 1..7 becomes 7..1);
7. the missing-data policy is applied (``"pairwise"``: leave NaN, statistics use all available
   pairs; ``"listwise"``: drop every respondent with a missing item; ``"person_mean"``: within
   each construct, fill a respondent's missing items with the mean of the items they answered,
   if they answered at least ``min_share`` of that construct's items (Schafer & Graham 2002;
   Downey & King 1998), otherwise leave them missing).

The caller's DataFrame is never modified.
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import CodebookError, DataQualityWarning, InputDataError, ParameterError
from .codebook import Codebook

__all__ = ["prepare", "PreparedSurvey", "PreparationReport", "MISSING_POLICIES",
           "longstring", "LABELS"]

MISSING_POLICIES = ("pairwise", "listwise", "person_mean")
INVALID_POLICIES = ("raise", "missing")

# Table headers of the report (zh/en), used by PreparationReport.summary(lang).
LABELS = {
    "en": {"n_raw": "Respondents (raw)", "n_duplicate_ids": "Duplicate ids",
           "n_careless": "Careless respondents flagged", "n_dropped": "Respondents dropped",
           "n_respondents": "Respondents analysed", "n_items": "Items",
           "n_missing_code": "Answers with a missing code", "n_blank": "Blank answers",
           "n_invalid": "Invalid answers (set missing)", "n_imputed": "Answers imputed",
           "n_missing_after": "Answers still missing", "count": "Count"},
    "zh": {"n_raw": "原始样本量", "n_duplicate_ids": "重复编号",
           "n_careless": "疑似不认真作答", "n_dropped": "剔除样本",
           "n_respondents": "有效样本量", "n_items": "题项数",
           "n_missing_code": "缺失代码答案数", "n_blank": "空白答案数",
           "n_invalid": "无效答案数（设为缺失）", "n_imputed": "插补答案数",
           "n_missing_after": "处理后仍缺失", "count": "数量"},
}


@dataclass(frozen=True)
class PreparationReport:
    """What :func:`prepare` found and changed.

    Attributes
    ----------
    counts : dict
        ``n_raw, n_duplicate_ids, n_careless, n_dropped, n_respondents, n_items,
        n_missing_code, n_blank, n_invalid, n_imputed, n_missing_after``.
    invalid : DataFrame
        One row per non-numeric or out-of-range answer: ``id, item, value, reason``.
    duplicates : DataFrame
        ``id, n_rows`` for every id that occurs more than once.
    careless : DataFrame
        Indexed by id: ``longstring``, ``irv``, ``straightlining`` (bool),
        ``attention_passed`` (bool, or NA without an attention check), ``flagged``.
    missing_by_item : DataFrame
        Indexed by item: ``construct, n_missing_code, n_blank, n_invalid, n_missing,
        share_missing, n_imputed, n_missing_after`` (after = after the missing-data policy,
        among the respondents kept).
    missing_by_respondent : DataFrame
        Indexed by id: ``n_missing, share_missing`` (before imputation) and, per construct,
        the share of its items answered (``answered_<construct>``).
    dropped : DataFrame
        ``id, reason`` (``duplicate``, ``careless``, ``listwise``).
    conventions : dict
        Every choice that was made (missing policy, minimum share, invalid policy, reverse
        formula, long-string rule, attention check).
    """

    counts: dict
    invalid: pd.DataFrame
    duplicates: pd.DataFrame
    careless: pd.DataFrame
    missing_by_item: pd.DataFrame
    missing_by_respondent: pd.DataFrame
    dropped: pd.DataFrame
    conventions: dict

    def summary(self, lang: str = "en") -> pd.DataFrame:
        """The counts as a two-column table with ``lang`` ("zh"/"en") labels."""
        labels = LABELS[_check_lang(lang)]
        return pd.DataFrame({labels["count"]: pd.Series(
            {labels[k]: int(v) for k, v in self.counts.items()})})


@dataclass(frozen=True)
class PreparedSurvey:
    """Clean item scores, the report of how they were made, and the codebook.

    Attributes
    ----------
    items : DataFrame
        Float item scores indexed by respondent id, columns = codebook items in codebook
        order; reverse-keyed items recoded, missing codes NaN, missing policy applied.
    report : PreparationReport
    codebook : Codebook
    extra : DataFrame
        The other columns of the response table (controls, attention check, ...), indexed
        by id, for the same respondents as ``items``.
    missing : str
        The missing-data policy used.
    min_share : float
        Share of a construct's items a respondent must have answered for imputation and
        for a scale score.
    """

    items: pd.DataFrame
    report: PreparationReport
    codebook: Codebook
    extra: pd.DataFrame = field(repr=False)
    missing: str = "pairwise"
    min_share: float = 0.5

    def construct_items(self, construct: str) -> pd.DataFrame:
        """The item columns of one construct."""
        return self.items[self.codebook.items_of(construct)]

    def summary(self, lang: str = "en") -> pd.DataFrame:
        return self.report.summary(lang)

    def __repr__(self) -> str:
        return (f"PreparedSurvey({self.items.shape[0]} respondents x {self.items.shape[1]} items, "
                f"missing={self.missing!r})")


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def longstring(answers: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Long-string index: the longest run of identical consecutive answers in each row.

    Missing answers (NaN) are skipped, i.e. ``5, NaN, 5`` is a run of 2 (a missing answer
    neither extends nor breaks a run).  Vectorised over rows.

    Examples
    --------
    >>> longstring(np.array([[1, 1, 2, 2, 2], [3, np.nan, 3, 3, 1]])).tolist()
    [3, 3]
    """
    a = np.asarray(answers, dtype=float)
    if a.ndim != 2 or a.shape[1] == 0:
        return np.zeros(a.shape[0] if a.ndim else 0, dtype=np.int64)
    answered = ~np.isnan(a)
    previous = pd.DataFrame(a).ffill(axis=1).to_numpy()   # last answered value so far
    same = np.zeros_like(answered)
    same[:, 1:] = answered[:, 1:] & (a[:, 1:] == previous[:, :-1])
    position = np.cumsum(answered, axis=1)                # counts answered cells only
    start = answered & ~same
    last_start = np.maximum.accumulate(np.where(start, position, 0), axis=1)
    runs = np.where(answered, position - last_start + 1, 0)
    return runs.max(axis=1).astype(np.int64)


def prepare(responses: pd.DataFrame, codebook: Codebook, id_col: str = "firm_id", *,
            invalid: str = "raise", missing: str = "pairwise", min_share: float = 0.5,
            attention_check: tuple | Mapping | None = None, duplicates: str = "raise",
            longstring_limit: int | None = None, drop_careless: bool = False,
            file: Any = None) -> PreparedSurvey:
    """Clean raw survey answers with a codebook (see the module docstring for the steps).

    Parameters
    ----------
    responses : DataFrame
        Raw answers, one row per respondent, one column per item, plus an id column and any
        other columns (kept in ``PreparedSurvey.extra``).
    codebook : Codebook
    id_col : str
        Respondent id column.
    invalid : {"raise", "missing"}
        What to do with non-numeric or out-of-range answers.
    missing : {"pairwise", "listwise", "person_mean"}
        Missing-data policy (no default is neutral: pairwise keeps every answer).
    min_share : float in (0, 1]
        For ``person_mean``: impute only when at least this share of the construct's items
        was answered (default 0.5, the common "half the items" rule).  Also the rule of
        :func:`~crmstudy.measurement.scale_scores`.
    attention_check : (column, expected) or {column: expected}, optional
        An instructed-response item ("please choose 2"); any other answer fails it.
    duplicates : {"raise", "first"}
        Duplicate respondent ids raise, or the first row is kept (the others are dropped
        and listed in the report).
    longstring_limit : int, optional
        A respondent is straight-lining when the long-string index reaches this length;
        default 80 % of the number of items, rounded up (a conservative rule: honest
        respondents rarely give one answer to most of a questionnaire mixing constructs).
    drop_careless : bool
        Drop flagged respondents (straight-lining or failed attention check).
    file : optional
        Name of the file the responses came from, for error messages.

    Returns
    -------
    PreparedSurvey

    Raises
    ------
    InputDataError
        No id column, missing or duplicate ids, non-numeric or out-of-range answers (with
        ``invalid="raise"``), a construct without any answer after missing-data handling, no
        respondent left after listwise deletion.
    CodebookError
        A codebook item is not a column of ``responses``.

    Examples
    --------
    >>> from crmstudy import datasets
    >>> from crmstudy.measurement import Codebook, prepare
    >>> book = Codebook.from_source("crm_codebook")          # doctest: +SKIP
    >>> survey = prepare(datasets.load("crm_survey"), book, missing="person_mean",
    ...                  attention_check=("attention_check", 2))            # doctest: +SKIP
    """
    if not isinstance(responses, pd.DataFrame):
        raise InputDataError(f"responses must be a DataFrame, got {type(responses).__name__}",
                             file=file)
    if not isinstance(codebook, Codebook):
        raise ParameterError("codebook must be a Codebook",
                             hint="build it with Codebook.from_frame(df) or Codebook.from_file(path)")
    if invalid not in INVALID_POLICIES:
        raise ParameterError(f"invalid must be one of {INVALID_POLICIES}, got {invalid!r}")
    if missing not in MISSING_POLICIES:
        raise ParameterError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}")
    if duplicates not in ("raise", "first"):
        raise ParameterError(f"duplicates must be 'raise' or 'first', got {duplicates!r}")
    if not 0 < float(min_share) <= 1:
        raise ParameterError(f"min_share must be in (0, 1], got {min_share!r}")
    items = codebook.items
    table = codebook.table

    # 1. ids ----------------------------------------------------------------------------
    if id_col not in responses.columns:
        raise InputDataError(f"there is no id column {id_col!r}", file=file, column=id_col,
                             hint=f"pass id_col= one of {list(map(str, responses.columns[:8]))}...")
    ids = responses[id_col].astype("string").str.strip()
    blank_ids = ids.isna() | (ids == "")
    if blank_ids.any():
        first = int(np.flatnonzero(blank_ids.to_numpy())[0])
        raise InputDataError(f"{int(blank_ids.sum())} respondent(s) have no id", file=file,
                             row=_line(responses, first, file), column=id_col,
                             hint="give every respondent a unique id")
    dup_mask = ids.duplicated(keep=False).to_numpy()
    dup_table = (ids[dup_mask].value_counts(sort=False).rename("n_rows").rename_axis("id")
                 .reset_index())
    if len(dup_table) and duplicates == "raise":
        first = int(np.flatnonzero(dup_mask)[1 if dup_mask.sum() > 1 else 0])
        raise InputDataError(
            f"{len(dup_table)} respondent id(s) occur more than once "
            f"({', '.join(dup_table['id'].astype(str).head(5))})", file=file, column=id_col,
            row=_line(responses, int(np.flatnonzero(ids.duplicated().to_numpy())[0]), file),
            hint="correct the ids, or pass duplicates='first' to keep each id's first row")
    keep_rows = ~ids.duplicated(keep="first").to_numpy()

    # 2. item columns ---------------------------------------------------------------------
    absent = [i for i in items if i not in responses.columns]
    if absent:
        raise CodebookError(f"codebook item(s) {absent} are not columns of the responses",
                            file=codebook.source, column=absent[0],
                            hint="correct the item ids in the codebook or the response table")
    prefixes = {re.sub(r"\d+$", "", i) for i in items}
    others = [c for c in responses.columns if c != id_col and c not in items]
    lookalikes = [c for c in others if re.fullmatch(r"[A-Za-z_]+\d+", str(c))
                  and re.sub(r"\d+$", "", str(c)) in prefixes]
    if lookalikes:
        warnings.warn(f"column(s) {lookalikes} look like questionnaire items but the codebook "
                      "does not list them; they are not analysed (add them to the codebook "
                      "to include them)", DataQualityWarning, stacklevel=2)

    index = pd.Index(ids.to_numpy(), name=id_col)
    raw = responses[items].set_axis(index, axis=0)
    numeric = raw.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype(float)

    # 3.-4. codes, blanks, invalid answers --------------------------------------------------
    text = raw.astype("string").apply(lambda col: col.str.strip())
    blank = (raw.isna() | (text == "")).to_numpy()
    values = numeric.to_numpy()
    lo, hi = table["min"].to_numpy(float), table["max"].to_numpy(float)
    is_code = np.zeros(values.shape, dtype=bool)
    for j, codes in enumerate(table["missing_codes"]):   # loop over items, not rows
        if codes:
            is_code[:, j] = np.isin(values[:, j], codes)
    non_numeric = ~blank & np.isnan(values)
    out_of_range = ~np.isnan(values) & ~is_code & ((values < lo) | (values > hi))
    bad = non_numeric | out_of_range
    invalid_table = _invalid_table(raw, bad, non_numeric, lo, hi, items)
    if bad[keep_rows].any() and invalid == "raise":
        r, c = np.argwhere(bad & keep_rows[:, None])[0]
        reason = "non-numeric" if non_numeric[r, c] else f"outside the scale {lo[c]:g}-{hi[c]:g}"
        error = InputDataError(
            f"{int(bad[keep_rows].sum())} invalid answer(s); the first: value {raw.iat[r, c]!r} "
            f"({reason})", file=file, row=index[r], column=items[c],
            entry=(index[r], items[c]),
            hint="correct the answers, add the codes to missing_codes in the codebook, or pass "
                 "invalid='missing' to treat them as missing")
        error.invalid = invalid_table  # the full list, for the caller
        raise error
    values = np.where(is_code | bad, np.nan, values)

    # 5. careless responding (raw answers, questionnaire order) -----------------------------
    limit = int(math.ceil(0.8 * len(items))) if longstring_limit is None else int(longstring_limit)
    ls = longstring(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # rows with < 2 answers: IRV NaN
        irv = np.nanstd(values, axis=1, ddof=1) if values.shape[1] > 1 else np.full(len(values), np.nan)
    careless = pd.DataFrame({"longstring": ls, "irv": irv, "straightlining": ls >= limit},
                            index=index)
    attention_desc = None
    if attention_check is not None:
        column, expected = _attention(attention_check)
        if column not in responses.columns:
            raise InputDataError(f"there is no attention-check column {column!r}", file=file,
                                 column=column)
        answer = pd.to_numeric(responses[column], errors="coerce").to_numpy(float)
        careless["attention_passed"] = answer == float(expected)
        attention_desc = f"{column} == {expected}"
    else:
        careless["attention_passed"] = pd.array([pd.NA] * len(index), dtype="boolean")
    careless["flagged"] = careless["straightlining"] | ~careless["attention_passed"].fillna(True).astype(bool)
    careless["flagged"] = careless["flagged"].astype(bool)

    # 6. reverse keying ---------------------------------------------------------------------
    reverse = table["reverse"].to_numpy(bool)
    values[:, reverse] = (lo + hi)[reverse] - values[:, reverse]

    # rows kept so far: first of duplicates, and not careless if asked
    drop_reason = pd.Series(pd.NA, index=index, dtype="string")
    drop_reason[~keep_rows] = "duplicate"
    if drop_careless:
        drop_reason[keep_rows & careless["flagged"].to_numpy()] = "careless"
    kept = drop_reason.isna().to_numpy()

    answered = ~np.isnan(values)
    constructs = codebook.constructs
    member = {c: (table["construct"] == c).to_numpy() for c in constructs}
    share_answered = pd.DataFrame(
        {f"answered_{c}": answered[:, m].mean(axis=1) for c, m in member.items()}, index=index)
    by_respondent = pd.DataFrame({"n_missing": (~answered).sum(axis=1),
                                  "share_missing": (~answered).mean(axis=1)}, index=index)
    by_respondent = pd.concat([by_respondent, share_answered], axis=1)

    # 7. missing-data policy ----------------------------------------------------------------
    imputed = np.zeros(values.shape, dtype=bool)
    if missing == "person_mean":
        for c, m in member.items():   # loop over constructs; respondents are vectorised
            block = values[:, m]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                person_mean = np.nanmean(block, axis=1)
            eligible = answered[:, m].mean(axis=1) >= min_share - 1e-12
            fill = np.isnan(block) & eligible[:, None]
            block = np.where(fill, person_mean[:, None], block)
            values[:, m] = block
            imputed[:, m] = fill
    elif missing == "listwise":
        incomplete = kept & ~answered.all(axis=1)
        drop_reason[incomplete] = "listwise"
        kept = drop_reason.isna().to_numpy()

    if not kept.any():
        raise InputDataError(
            f"no respondent is left after the missing-data policy {missing!r}", file=file,
            hint="use missing='pairwise' or 'person_mean', or check the missing codes")
    clean = pd.DataFrame(values[kept], index=index[kept], columns=items)
    for c, m in member.items():
        if clean.loc[:, m].isna().all().all():
            raise InputDataError(f"construct {c!r} has no answers left after missing-data "
                                 "handling", file=file, column=codebook.items_of(c)[0],
                                 hint="check the item columns and missing codes of this construct")
    variance = clean.var(skipna=True)
    constant = variance.index[(variance.fillna(0) <= 0).to_numpy()].tolist()
    if constant:
        warnings.warn(f"item(s) {constant} have no variance (every respondent gave the same "
                      "answer); reliability and factor analysis cannot use them",
                      DataQualityWarning, stacklevel=2)

    by_item = pd.DataFrame({
        "construct": table["construct"].to_numpy(),
        "n_missing_code": is_code.sum(axis=0), "n_blank": blank.sum(axis=0),
        "n_invalid": bad.sum(axis=0), "n_missing": (~answered).sum(axis=0),
        "share_missing": (~answered).mean(axis=0),
        "n_imputed": imputed[kept].sum(axis=0),
        "n_missing_after": clean.isna().sum(axis=0).to_numpy()},
        index=pd.Index(items, name="item"))
    dropped = (drop_reason.dropna().rename("reason").rename_axis("id").reset_index())
    counts = {
        "n_raw": int(len(responses)), "n_duplicate_ids": int(len(dup_table)),
        "n_careless": int(careless["flagged"].sum()), "n_dropped": int(len(dropped)),
        "n_respondents": int(kept.sum()), "n_items": len(items),
        "n_missing_code": int(is_code.sum()), "n_blank": int(blank.sum()),
        "n_invalid": int(bad.sum()), "n_imputed": int(imputed[kept].sum()),
        "n_missing_after": int(clean.isna().sum().sum()),
    }
    conventions = {
        "missing": missing, "min_share": float(min_share), "invalid": invalid,
        "reverse": "min + max - x", "duplicates": duplicates,
        "longstring": f"longest run of identical consecutive answers (missing skipped) >= {limit}",
        "attention_check": attention_desc, "drop_careless": bool(drop_careless),
    }
    report = PreparationReport(
        counts=counts, invalid=invalid_table, duplicates=dup_table, careless=careless,
        missing_by_item=by_item, missing_by_respondent=by_respondent, dropped=dropped,
        conventions=conventions)
    extra = responses.drop(columns=items).set_axis(index, axis=0).drop(columns=[id_col])
    extra = extra.loc[kept].copy()
    return PreparedSurvey(items=clean, report=report, codebook=codebook, extra=extra,
                          missing=missing, min_share=float(min_share))


def _line(frame: pd.DataFrame, position: int, file) -> Any:
    """Line number in the file (header = line 1) when reading a file, else the row label."""
    return f"line {position + 2}" if file is not None else frame.index[position]


def _attention(spec) -> tuple[str, Any]:
    if isinstance(spec, Mapping) and len(spec) == 1:
        return next(iter(spec.items()))
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return spec[0], spec[1]
    raise ParameterError(f"attention_check must be (column, expected answer) or "
                         f"{{column: expected}}, got {spec!r}")


def _invalid_table(raw, bad, non_numeric, lo, hi, items) -> pd.DataFrame:
    r, c = np.nonzero(bad)
    values = raw.to_numpy(dtype=object)[r, c]
    reason = np.where(non_numeric[r, c], "non-numeric",
                      [f"outside the scale {lo[j]:g}-{hi[j]:g}" for j in c] if len(c) else [])
    return pd.DataFrame({"id": raw.index[r].astype(str), "item": np.asarray(items, dtype=object)[c],
                         "value": values, "reason": reason})
