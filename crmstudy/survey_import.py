"""Survey-platform exports in: 问卷星 (wjx), 腾讯问卷, SPSS ``.sav``, Stata ``.dta``, Excel and CSV.

:func:`read_survey` turns an export into a clean response table and a **codebook draft** in the
format of chapter 02 (:class:`crmstudy.measurement.Codebook`), and records every decision it
takes; :func:`write_import` (the ``crmstudy import`` command) writes them into a study folder.

What an import does, in order
-----------------------------
1. **Read** the file: ``.xlsx`` (openpyxl), ``.xls`` (xlrd), ``.csv`` (UTF-8 with or without BOM,
   else GBK/GB18030 as Excel on Chinese Windows saves it), ``.sav`` and ``.dta`` (pyreadstat;
   variable labels become the wording, value labels the answer words).  The file is only read.
2. **Platform columns** are recognised by name (问卷星: 序号, 提交答卷时间, 所用时间, 来源, 来源详情,
   来自IP, …; 腾讯问卷: 编号, 开始答题时间, 结束答题时间, 答题时长, 用户类型, 用户标识, 昵称, …) and
   dropped, except the submission number (the respondent ``id``; a repeated number is an
   error), the submission time (``submitted_at``) and the duration in seconds (``duration_s``).
3. **Questions** are read from the header: ``N、wording`` / ``N.wording`` / ``QN:wording`` is
   question ``QN``; ``第N题(row)`` / ``N.(row)`` / ``N、(row)`` is row *k* of matrix question
   ``N`` (item ``QN_k``) or option *k* of a multi-select question in a score export.  Other
   headers keep their name when it is a short identifier (SPSS/Stata variable names), else
   become ``V{position}``.  Ids depend only on the questionnaire, never on the answers.
4. **Missing answers**: ``(跳过)`` (skipped by logic), ``(空)``, blanks, and in 问卷星 score exports
   the platform codes ``-3`` (skipped) and ``-2`` (not shown) become missing; the codes are
   listed in the codebook's ``missing_codes``.
5. **Answer words to scores**: a question whose answers are the words of a known rating scale
   (``crmstudy/systems/likert_mappings.yaml``: 5- and 7-point Chinese and English agreement,
   fit, satisfaction and importance wordings) is scored 1…k.  When several known scales fit (a
   5-point wording is a subset of a 7-point one), a question using every word of one of them
   takes it; otherwise the answers of all questions sharing a candidate are pooled and the
   smallest scale holding them is taken (7-point when other questions use 比较同意); every such
   choice is reported.  A question where most answer words belong to a scale but one does not
   is an error naming the word, row and column.  The mapping used is written out and can be edited
   and given back (``mapping=``).
6. **Multi-select answers** joined with ``┋`` become one 0/1 column per option (``QN_k``);
   ``其他〖text〗`` counts as the option ``其他``.
7. **Scale range**: from the mapping (word scales), the SPSS value labels, or for plain numbers
   the smallest usual range holding the answers (1–5, 1–7, 1–10, 0–10), which the report asks
   the researcher to check.
8. **Speeding** (insufficient-effort screening, Huang et al. 2012): a respondent whose seconds
   per rating item (duration / number of scale items) is below ``min_seconds_per_item``
   (default 2 s) is flagged in the column ``speeding``, never dropped.

Given a 问卷星 *text* export and the matching *score* export together, their headers must match
question by question and their answers must agree (every scored word equals the score file's
number); otherwise a located :class:`~crmstudy.errors.InputDataError` is raised.

References
----------
Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P. (2012). Detecting and
deterring insufficient effort responding to surveys. *Journal of Business and Psychology*,
27(1), 99-114.

Examples
--------
>>> from crmstudy.survey_import import read_survey
>>> survey = read_survey("wjx_text.xlsx")                      # doctest: +SKIP
>>> survey.codebook[["item", "text_zh", "min", "max"]]         # doctest: +SKIP
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .errors import InputDataError, ParameterError

__all__ = ["read_survey", "ImportedSurvey", "write_import", "known_scales", "PLATFORMS",
           "KNOWN_FORMATS", "DEFAULT_MIN_SECONDS_PER_ITEM"]

PLATFORMS = ("auto", "wjx", "tencent", "spss", "stata", "table")
KNOWN_FORMATS = ("问卷星 (wjx) export by text or by score/sequence: .xlsx, .xls, .csv",
                 "腾讯问卷 (Tencent) export: .xlsx, .xls, .csv",
                 "SPSS .sav", "Stata .dta",
                 "a plain table with one column per question: .xlsx, .xls, .csv (UTF-8 or GBK)")
DEFAULT_MIN_SECONDS_PER_ITEM = 2.0
_MAPPINGS_FILE = Path(__file__).resolve().parent / "systems" / "likert_mappings.yaml"
_TABULAR = (".xlsx", ".xlsm", ".xls", ".csv")
_STAT = (".sav", ".zsav", ".dta")

# platform columns: name -> role ("id", "submitted", "started", "duration" are kept)
_WJX_META = {"序号": "id", "提交答卷时间": "submitted", "所用时间": "duration", "来源": "drop",
             "来源详情": "drop", "来自IP": "drop", "来自ip": "drop", "总分": "drop",
             "答卷编号": "id", "填写设备": "drop", "浏览器": "drop", "操作系统": "drop",
             "作答时长": "duration", "开始答题时间": "started"}
_TENCENT_META = {"编号": "id", "开始答题时间": "started", "结束答题时间": "submitted",
                 "答题时长": "duration", "用户类型": "drop", "用户标识": "drop", "昵称": "drop",
                 "性别": "drop", "国家": "drop", "省份": "drop", "城市": "drop",
                 "自定义字段": "drop", "地理位置国家和地区": "drop", "地理位置省": "drop",
                 "地理位置市": "drop", "来源": "drop", "IP": "drop", "ip": "drop",
                 "原始记录编号": "drop", "数据版本": "drop"}
_WJX_SIGNS = ("提交答卷时间", "所用时间", "来自IP", "来源详情")
_TENCENT_SIGNS = ("开始答题时间", "结束答题时间", "答题时长", "用户标识")
_SKIP_WORDS = ("(跳过)", "（跳过）", "(空)", "（空）", "跳过")
_WJX_CODES = (-3.0, -2.0)   # 问卷星 score exports: -3 skipped by logic, -2 not shown
_MULTI_SEP = "┋"

_RE_MATRIX = (re.compile(r"^第\s*(\d+)\s*题\s*[(（](.*)[)）]\s*$", re.S),
              re.compile(r"^(\d+)\s*[、.．:：]?\s*[(（](.*)[)）]\s*$", re.S))
_RE_SINGLE = re.compile(r"^[Qq]?(\d+)\s*[、.．:：]\s*(.+)$", re.S)
_RE_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# = crmstudy.measurement.codebook.CODEBOOK_COLUMNS (a test checks); not imported, because
# crmstudy.measurement loads scipy and statsmodels, seconds an import does not need
CODEBOOK_COLUMNS = ("item", "construct", "text_zh", "text_en", "min", "max", "reverse",
                    "missing_codes", "construct_zh", "construct_en")


# --------------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ImportedSurvey:
    """An imported survey export.

    Attributes
    ----------
    responses : DataFrame
        ``id`` (the platform's submission number, or 1…n), one column per variable in
        questionnaire order (rating items as numbers, multi-select options as 0/1, other
        answers as given), then the screening columns ``submitted_at``, ``duration_s``,
        ``seconds_per_item`` and ``speeding`` when the export has them.
    codebook : DataFrame
        Draft codebook of the rating items in the columns of
        :data:`crmstudy.measurement.codebook.CODEBOOK_COLUMNS`; ``construct`` and ``reverse``
        are left empty for the researcher.  :meth:`Codebook.from_frame` accepts it once every
        row has a construct (delete rows of items that belong to no scale).
    variables : DataFrame
        Every column of ``responses``: ``variable, question, kind, wording, source_column,
        scale, values`` (kind: scale, multi, choice, number, text, screening).
    mapping : dict
        The answer-word mapping used: ``{"scales": {name: {"words": [...], "scores":
        [...]}}, "columns": {item: scale name}}`` (written as ``likert_mapping.yaml``).
    decisions : list of (str, str)
        Every decision, in English and Chinese.
    platform : str
        ``wjx``, ``tencent``, ``spss``, ``stata`` or ``table``.
    sources : tuple of str
        The files read.
    conventions : dict
        Named conventions (speeding rule and threshold, missing codes, scale-range rule).
    """

    responses: pd.DataFrame
    codebook: pd.DataFrame
    variables: pd.DataFrame
    mapping: dict
    decisions: list
    platform: str
    sources: tuple
    conventions: dict = field(default_factory=dict)

    def report(self, lang: str = "both") -> str:
        """The import report as Markdown (``lang``: "zh", "en" or "both")."""
        if lang not in ("zh", "en", "both"):
            raise ParameterError(f"lang must be 'zh', 'en' or 'both', got {lang!r}")
        langs = ["en", "zh"] if lang == "both" else [lang]
        lines = []
        for lg in langs:
            zh = lg == "zh"
            lines.append("# 数据导入报告" if zh else "# Import report")
            lines.append("")
            lines.append(("来源文件：" if zh else "Source files: ") + ", ".join(
                f"`{s}`" for s in self.sources))
            lines.append(("平台：" if zh else "Platform: ") + self.platform)
            n_items = len(self.codebook)
            lines.append((f"受访者 {len(self.responses)} 人；变量 {len(self.variables)} 个，"
                          f"其中量表题项 {n_items} 个。") if zh else
                         (f"{len(self.responses)} respondents; {len(self.variables)} variables, "
                          f"{n_items} of them rating-scale items."))
            lines.append("")
            lines.append("## 决定" if zh else "## Decisions")
            for en, zh_text in self.decisions:
                lines.append(f"- {zh_text if zh else en}")
            lines.append("")
            lines.append("## 变量" if zh else "## Variables")
            lines.append("")
            table = self.variables[["variable", "kind", "scale", "source_column"]]
            lines.append("| " + " | ".join(table.columns) + " |")
            lines.append("|" + "---|" * table.shape[1])
            for row in table.itertuples(index=False):
                cells = [str(v).replace("|", "/").replace("\n", " ")[:80] for v in row]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
            if "speeding" in self.responses:
                flagged = self.responses.loc[self.responses["speeding"].fillna(False).astype(bool),
                                             self.responses.columns[0]]
                lines.append("## 作答过快" if zh else "## Speeding")
                lines.append(
                    (f"{len(flagged)} 位受访者作答过快（每个量表题项少于 "
                     f"{self.conventions['min_seconds_per_item']:g} 秒），已在 speeding 列标记，未删除："
                     if zh else
                     f"{len(flagged)} respondent(s) answered faster than "
                     f"{self.conventions['min_seconds_per_item']:g} s per rating item; flagged in "
                     "the column speeding, not dropped: ") + ", ".join(map(str, flagged.head(50)))
                    + (" …" if len(flagged) > 50 else ""))
                lines.append("")
            lines.append("## 下一步" if zh else "## Next steps")
            lines.append("1. 在 codebook.csv 的 construct 列填写每个题项所属的构念，反向题在 reverse 列写 true；"
                         "不属于任何量表的题项（如注意力检查题）请删除该行。" if zh else
                         "1. In codebook.csv write each item's construct in the column construct and "
                         "true in reverse for reverse-keyed items; delete the rows of items that belong "
                         "to no scale (e.g. an attention check).")
            lines.append("2. 核对 likert_mapping.yaml 中的答案分值；如有修改，用 --mapping 重新导入到新的文件夹。"
                         if zh else
                         "2. Check the answer scores in likert_mapping.yaml; if you change them, import "
                         "again into a new folder with --mapping.")
            lines.append("3. crmstudy check study.yaml，然后 crmstudy run --config study.yaml。" if zh else
                         "3. crmstudy check study.yaml, then crmstudy run --config study.yaml.")
            lines.append("")
        return "\n".join(lines)

    def summary(self) -> pd.DataFrame:
        """Counts of variables by kind."""
        return self.variables.groupby("kind", sort=False).size().rename("n").to_frame()


# --------------------------------------------------------------------------------- mappings
def known_scales(path: str | Path | None = None) -> dict[str, dict]:
    """Rating scales by name: ``{"words": [...], "scores": [...]}`` (scores default 1…k).

    ``path``: a mapping file of the same layout (``scales:``), e.g. an edited
    ``likert_mapping.yaml``; default the shipped ``systems/likert_mappings.yaml``.
    """
    file = Path(path) if path is not None else _MAPPINGS_FILE
    if not file.is_file():
        raise ParameterError("no such mapping file", file=file,
                             hint="give the likert_mapping.yaml written by crmstudy import")
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"invalid YAML ({exc})", file=file) from None
    scales = doc.get("scales") if isinstance(doc, dict) else None
    if not isinstance(scales, dict) or not scales:
        raise ParameterError("the mapping file needs a mapping 'scales' of name -> {words: [...]}",
                             file=file)
    out = {}
    for name, spec in scales.items():
        words = spec.get("words") if isinstance(spec, dict) else spec
        if not isinstance(words, list) or len(words) < 2:
            raise ParameterError(f"scale {name!r} needs a list of at least 2 words", file=file,
                                 entry=name)
        scores = spec.get("scores") if isinstance(spec, dict) else None
        scores = list(range(1, len(words) + 1)) if scores is None else scores
        if len(scores) != len(words):
            raise ParameterError(f"scale {name!r} has {len(words)} words but {len(scores)} scores",
                                 file=file, entry=name, hint="give one score per word")
        try:
            scores = [float(s) for s in scores]
        except (TypeError, ValueError):
            raise ParameterError(f"scale {name!r}: scores must be numbers", file=file,
                                 entry=name) from None
        normed = [_norm(w) for w in words]
        if len(set(normed)) != len(normed):
            raise ParameterError(f"scale {name!r} lists a word twice", file=file, entry=name)
        out[str(name)] = {"words": [str(w) for w in words], "scores": scores}
    forced = doc.get("columns") or {}
    if forced and not isinstance(forced, dict):
        raise ParameterError("'columns' must map item ids to scale names", file=file)
    for item, name in forced.items():
        if name not in out:
            raise ParameterError(f"item {item!r} is assigned the unknown scale {name!r}",
                                 file=file, entry=item, hint=f"use one of {list(out)}")
    out["__columns__"] = {str(k): str(v) for k, v in forced.items()}
    return out


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", str(text)).casefold()


# --------------------------------------------------------------------------------- reading
def _unknown_format(file: Path, detail: str = "") -> InputDataError:
    return InputDataError(
        f"not a survey export crmstudy can read{': ' + detail if detail else ''}", file=file,
        hint="export the data again in one of the known formats: " + "; ".join(KNOWN_FORMATS))


def _read_tabular(file: Path) -> pd.DataFrame:
    """All cells as stripped strings ('' for blanks); the header row as column names."""
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            raw = file.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise _unknown_format(file, "the text is neither UTF-8 nor GBK")
            import io

            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        else:
            import warnings

            engine = "xlrd" if suffix == ".xls" else "openpyxl"
            with warnings.catch_warnings():  # pandas 3 prefers calamine; xlrd still reads .xls
                warnings.filterwarnings("ignore", message=".*xlrd engine is deprecated")
                # as text, no NA guessing: an answer "NA" or "None" stays a word
                frame = pd.read_excel(file, dtype=str, na_filter=False, engine=engine)
    except InputDataError:
        raise
    except ImportError as exc:
        raise InputDataError(f"reading {suffix} files needs a package that is missing ({exc})",
                             file=file, hint="pip install xlrd openpyxl") from None
    except Exception as exc:  # corrupt workbook, not a table, ...
        raise _unknown_format(file, f"{type(exc).__name__}: {exc}") from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise InputDataError("the export has no answers (no data rows)", file=file,
                             hint="export the data again with all responses")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.apply(_cell_text)


def _cell_text(col: pd.Series) -> pd.Series:
    """Stripped text; Excel whole numbers arrive as '5' (pandas converts integral floats)."""
    text = col.astype(str).str.strip().astype(object)
    whole = text.str.fullmatch(r"-?\d+\.0")
    if whole.any():
        text[whole] = text[whole].str[:-2]
    return text


def _read_stat(file: Path):
    import pyreadstat

    dta = file.suffix.lower() == ".dta"
    try:  # SPSS: keep user-missing codes to record them, then set them missing ourselves
        frame, meta = (pyreadstat.read_dta(str(file)) if dta
                       else pyreadstat.read_sav(str(file), user_missing=True))
    except Exception as exc:  # pyreadstat.ReadstatError / PyreadstatError and OS errors
        kind = "Stata" if file.suffix.lower() == ".dta" else "SPSS"
        raise InputDataError(
            f"the {kind} file cannot be read ({type(exc).__name__}: {exc})", file=file,
            hint=f"the file may be truncated (copy it again) or encrypted with a password "
                 f"(in {kind} save it again without a password/encryption)") from None
    if frame.shape[0] == 0:
        raise InputDataError("the file has no cases", file=file)
    return frame, meta


def _detect(columns, suffix: str) -> str:
    if suffix == ".dta":
        return "stata"
    if suffix in (".sav", ".zsav"):
        return "spss"
    names = set(columns)
    if any(s in names for s in _WJX_SIGNS):
        return "wjx"
    if any(s in names for s in _TENCENT_SIGNS):
        return "tencent"
    return "table"


# --------------------------------------------------------------------------------- header
@dataclass
class _Column:
    header: str
    position: int
    role: str            # meta role or "question"
    qnum: int | None = None
    stem: str = ""
    sub: str | None = None


def _parse_header(headers: list[str], platform: str) -> list[_Column]:
    meta = _WJX_META if platform == "wjx" else _TENCENT_META if platform == "tencent" else {}
    out = []
    for pos, header in enumerate(headers):
        if header in meta:
            out.append(_Column(header, pos, meta[header]))
            continue
        for pattern in _RE_MATRIX:
            m = pattern.match(header)
            if m:
                out.append(_Column(header, pos, "question", int(m.group(1)), "", m.group(2).strip()))
                break
        else:
            m = _RE_SINGLE.match(header)
            if m:
                out.append(_Column(header, pos, "question", int(m.group(1)), m.group(2).strip()))
            else:
                out.append(_Column(header, pos, "plain"))
    return out


def _structure(columns: list[_Column]) -> list[tuple]:
    """(question number or header, stem, [sub labels]) in order, for header comparison."""
    groups: dict = {}
    for c in columns:
        if c.role == "question":
            g = groups.setdefault(("q", c.qnum), [c.stem, []])
            if c.sub is not None:
                g[1].append(c.sub)
            elif c.stem:
                g[0] = c.stem
        elif c.role == "plain":
            groups[("p", c.header)] = ["", []]
    return [(k, v[0], v[1]) for k, v in groups.items()]


# --------------------------------------------------------------------------------- main
def read_survey(path: str | Path, platform: str = "auto", *, score_file: str | Path | None = None,
                mapping: str | Path | None = None,
                min_seconds_per_item: float = DEFAULT_MIN_SECONDS_PER_ITEM,
                id_column: str | None = None, id_name: str = "id") -> ImportedSurvey:
    """Read a survey-platform export into responses, a codebook draft and a decision log.

    Parameters
    ----------
    path : str or Path
        The export: 问卷星 / 腾讯问卷 ``.xlsx``/``.xls``/``.csv`` (by text or by score), SPSS
        ``.sav``, Stata ``.dta``, or a plain table.
    platform : {"auto", "wjx", "tencent", "spss", "stata", "table"}
        ``auto`` recognises the platform from the file type and its platform columns.
    score_file : str or Path, optional
        The score ("按分数/按序号") export of the same 问卷星 answers when ``path`` is the text
        export: headers must match, answers must agree, multi-select options take the score
        file's order.
    mapping : str or Path, optional
        A mapping file (``likert_mapping.yaml`` layout) used instead of the shipped wordings;
        its optional ``columns`` assigns a scale to an item.
    min_seconds_per_item : float
        Speeding threshold in seconds per rating item (Huang et al. 2012 suggest 2).
    id_column : str, optional
        Header of the respondent-id column for exports without a platform id (SPSS, plain
        tables); default: the platform's submission number, else a column named id/ID/序号/编号,
        else 1…n.
    id_name : str
        Name of the respondent-id column written (first column of ``responses``), e.g.
        ``"firm_id"`` when a chapter expects that name.

    Returns
    -------
    ImportedSurvey

    Raises
    ------
    InputDataError
        Unknown format, unreadable/encrypted/truncated SPSS file, duplicate submission number,
        an answer word missing from the mapping (named with row and column), text and score
        exports whose headers or answers disagree.
    """
    if platform not in PLATFORMS:
        raise ParameterError(f"unknown platform {platform!r}", hint=f"use one of {list(PLATFORMS)}")
    if not min_seconds_per_item >= 0:
        raise ParameterError(f"min_seconds_per_item must be >= 0, got {min_seconds_per_item!r}")
    file = Path(path).expanduser()
    if not file.is_file():
        raise InputDataError("no such file", file=file, hint="check the path of the export")
    scales = known_scales(mapping)
    forced = scales.pop("__columns__", {})
    log: list[tuple[str, str]] = []
    suffix = file.suffix.lower()
    if mapping is not None:
        log.append((f"Answer words were scored with the mapping file {mapping}.",
                    f"答案措辞按映射文件 {mapping} 计分。"))

    if suffix in _STAT:
        if score_file is not None:
            raise ParameterError("a score file can only accompany a text export (.xlsx/.xls/.csv)",
                                 file=score_file)
        frame, meta = _read_stat(file)
        platform = _detect(frame.columns, suffix) if platform == "auto" else platform
        result = _from_stat(file, frame, meta, platform, scales, forced, log, id_column)
    elif suffix in _TABULAR:
        frame = _read_tabular(file)
        platform = _detect(frame.columns, suffix) if platform == "auto" else platform
        columns = _parse_header(list(frame.columns), platform)
        score = None
        if score_file is not None:
            sfile = Path(score_file).expanduser()
            if not sfile.is_file():
                raise InputDataError("no such file", file=sfile, hint="check the score export's path")
            if sfile.suffix.lower() not in _TABULAR:
                raise _unknown_format(sfile, f"file type {sfile.suffix!r}")
            sframe = _read_tabular(sfile)
            scolumns = _parse_header(list(sframe.columns), platform)
            _match_headers(file, columns, sfile, scolumns)
            score = (sfile, sframe, scolumns)
        result = _from_table(file, frame, columns, platform, scales, forced, log, id_column, score)
    else:
        raise _unknown_format(file, f"file type {suffix or '(none)'!r}")

    responses, variables, codebook, used = result
    if id_name != "id":
        if not isinstance(id_name, str) or not id_name.strip() or id_name in responses.columns:
            raise ParameterError(f"id_name {id_name!r} is empty or already a column name",
                                 hint="choose another name for the respondent-id column")
        responses = responses.rename(columns={"id": id_name})
    responses, conventions = _screen(responses, len(codebook), min_seconds_per_item, platform, log)
    mapping_doc = {"scales": {name: scales[name] for name in dict.fromkeys(used.values())},
                   "columns": dict(used)}
    sources = (str(file),) + ((str(score_file),) if score_file is not None else ())
    return ImportedSurvey(responses=responses, codebook=codebook, variables=variables,
                          mapping=mapping_doc, decisions=log, platform=platform,
                          sources=sources, conventions=conventions)


def _match_headers(tfile, tcols, sfile, scols) -> None:
    """The text and score exports must have the same questions (multi-select may be split)."""
    tstruct, sstruct = _structure(tcols), _structure(scols)
    hint = "export both files from the same questionnaire and the same download (按文本 and 按分数)"
    if [k for k, _, _ in tstruct] != [k for k, _, _ in sstruct]:
        tkeys, skeys = [k for k, _, _ in tstruct], [k for k, _, _ in sstruct]
        for i in range(max(len(tkeys), len(skeys))):
            a = tkeys[i] if i < len(tkeys) else None
            b = skeys[i] if i < len(skeys) else None
            if a != b:
                show = lambda k: "(none)" if k is None else (f"question {k[1]}" if k[0] == "q" else repr(k[1]))
                raise InputDataError(
                    f"the header does not match the text export: {show(b)} here where the text "
                    f"export {tfile.name} has {show(a)}", file=sfile, column=_first_header(scols, b),
                    hint=hint)
    for (key, tstem, tsubs), (_, sstem, ssubs) in zip(tstruct, sstruct):
        if tstem and sstem and _norm(tstem) != _norm(sstem):
            raise InputDataError(
                f"question {key[1]} reads {sstem!r} here but {tstem!r} in the text export {tfile.name}",
                file=sfile, column=_first_header(scols, key), hint=hint)
        if tsubs and [_norm(s) for s in tsubs] != [_norm(s) for s in ssubs]:
            raise InputDataError(
                f"the rows of question {key[1]} are {ssubs} here but {tsubs} in the text export "
                f"{tfile.name}", file=sfile, column=_first_header(scols, key), hint=hint)


def _first_header(columns, key):
    for c in columns:
        if key is not None and ((key[0] == "q" and c.qnum == key[1]) or c.header == key[1]):
            return c.header
    return None


# --------------------------------------------------------------------------------- tables
def _missing_mask(text: pd.DataFrame, platform: str) -> pd.DataFrame:
    mask = text.isin(("",) + _SKIP_WORDS)
    if platform == "wjx":
        mask |= text.isin(("-3", "-2"))
    return mask


def _from_table(file, frame, columns, platform, scales, forced, log, id_column, score):
    meta = {c.role: c.header for c in columns if c.role not in ("question", "plain", "drop")}
    dropped = [c.header for c in columns if c.role == "drop"]
    if dropped:
        log.append((f"Dropped the platform columns {', '.join(dropped)}.",
                    f"删除平台列 {', '.join(dropped)}。"))
    ids = _ids(file, frame, meta, id_column, columns, log)
    skip_meta = {ids.name} if ids.name else set()   # the id column is not a variable
    if id_column and "id" in meta and meta["id"] != id_column:
        log.append((f"The platform's submission number {meta['id']} is not used (id from {id_column}).",
                    f"未使用平台的提交序号 {meta['id']}（编号取自 {id_column}）。"))
    missing = _missing_mask(frame, platform)
    _log_missing(frame, platform, log)
    clean = frame.mask(missing, "")

    # the score export, aligned by question, for multi-select option order and agreement
    sframe = scols = None
    if score is not None:
        sfile, sframe, scols = score
        sids = _ids(sfile, sframe, {c.role: c.header for c in scols
                                    if c.role not in ("question", "plain", "drop")},
                    id_column, scols, [])
        if len(sids) != len(ids) or not (sids.to_numpy() == ids.to_numpy()).all():
            bad = next((i for i in range(min(len(ids), len(sids))) if sids.iloc[i] != ids.iloc[i]),
                       min(len(ids), len(sids)))
            raise InputDataError(
                f"the score export has {len(sids)} respondents and the text export {len(ids)}; "
                f"they differ first at data row {bad + 1}", file=sfile, line=bad + 2,
                hint="export both files from the same download, without filtering either")

    out: dict[str, pd.Series] = {}
    var_rows: list[dict] = []
    book_rows: list[dict] = []
    used: dict[str, str] = {}
    question_cols: dict[int, list[_Column]] = {}
    for c in columns:
        if c.role == "question":
            question_cols.setdefault(c.qnum, []).append(c)

    # candidate scales of every word column, to settle ties across the export
    candidates: dict[str, list[str]] = {}
    for c in columns:
        if c.role in ("question", "plain") and c.header not in skip_meta:
            words = _words(clean[c.header])
            if words and not _all_numeric(words) and not any(_MULTI_SEP in w for w in words):
                candidates[c.header] = _fitting(words, scales)
    group = {c.header: c.qnum if c.role == "question" else c.header for c in columns}
    choice = _choose_scales(candidates, clean, scales, group)

    done: set = set()
    taken: set = set()
    stems = {q: next((c.stem for c in cs if c.stem), "") for q, cs in question_cols.items()}
    for c in columns:
        if c.role not in ("question", "plain") or c.header in skip_meta or c.header in done:
            continue
        if c.role == "question":
            group = question_cols[c.qnum]
            done.update(g.header for g in group)
            subs = [g for g in group if g.sub is not None]
            stem = stems[c.qnum]
            if len(group) == 1 and c.sub is None:
                spec = [(f"Q{c.qnum}", c, stem)]
            else:
                singles = [g for g in group if g.sub is None]
                spec = [(f"Q{c.qnum}", g, stem) for g in singles[:1]] + \
                       [(f"Q{c.qnum}_{k}", g, f"{stem} — {g.sub}" if stem else g.sub)
                        for k, g in enumerate(subs, start=1)]
                if len(singles) > 1:
                    spec += [(f"Q{c.qnum}_{len(subs) + k}", g, g.stem)
                             for k, g in enumerate(singles[1:], start=1)]
        else:
            done.add(c.header)
            name = c.header if _RE_IDENT.match(c.header) else f"V{c.position + 1}"
            spec = [(name, c, c.header)]
        for item, col, wording in spec:
            if item in out or item in taken:   # e.g. a plain column "Q5" beside question 5
                base, n = item, 2
                while f"{base}_{n}" in out or f"{base}_{n}" in taken:
                    n += 1
                item = f"{base}_{n}"
                log.append((f"{col.header} is named {item}: {base} was taken.",
                            f"{col.header} 命名为 {item}：{base} 已被占用。"))
            taken.add(item)
            values = clean[col.header]
            words = _words(values)
            score_opts = None
            if scols is not None and col.role == "question":
                score_opts = [s.sub for s in scols if s.qnum == col.qnum and s.sub is not None]
            if any(_MULTI_SEP in w for w in words) or (score_opts and col.sub is None):
                _multi(item, col, wording, values, ids, file, out, var_rows, log, score_opts)
                continue
            kind, series, scale, lo, hi = _classify(item, col, values, words, scales, forced,
                                                    candidates, choice, file, ids, log)
            out[item] = series
            if kind == "scale":
                if scale:
                    used[item] = scale
                book_rows.append({"item": item, "construct": "",
                                  "text_zh": wording if _CJK.search(wording or "") else "",
                                  "text_en": "" if _CJK.search(wording or "") else wording,
                                  "min": lo, "max": hi, "reverse": "",
                                  "missing_codes": ";".join(f"{x:g}" for x in _WJX_CODES)
                                  if platform == "wjx" else "",
                                  "construct_zh": "", "construct_en": ""})
            var_rows.append({"variable": item, "question": col.qnum, "kind": kind,
                             "wording": wording, "source_column": col.header,
                             "scale": scale or (f"{lo:g}-{hi:g}" if kind == "scale" else
                                                "0/1" if kind == "multi" else ""),
                             "values": _value_summary(series, kind)})
    _unify_ranges(book_rows, var_rows, used, log)
    responses = pd.DataFrame({"id": ids.to_numpy(), **{k: v.to_numpy() for k, v in out.items()}})
    for role, name in (("submitted", "submitted_at"), ("started", "started_at")):
        if role in meta:
            responses[name] = _times(frame[meta[role]])
    if "duration" in meta:
        responses["duration_s"] = _seconds(frame[meta["duration"]], file, meta["duration"])
        log.append((f"Kept {meta['duration']} as duration_s (seconds) for speed screening.",
                    f"保留 {meta['duration']} 为 duration_s（秒），用于作答速度筛查。"))
    elif "started" in meta and "submitted" in meta:
        responses["duration_s"] = (pd.to_datetime(responses["submitted_at"]) -
                                   pd.to_datetime(responses["started_at"])).dt.total_seconds()
    if score is not None:
        _agree(file, score[0], responses, sframe, scols, columns, var_rows, platform)
        log.append(("The text and score exports have the same header and agree on every scored "
                    "answer.", "文本版与分数版导出文件表头一致，所有计分答案一致。"))
    return _finish(responses, var_rows, book_rows, used)


def _unify_ranges(book_rows, var_rows, used, log) -> None:
    """Rows of one matrix question share one range when it was inferred from plain numbers."""
    question = {v["variable"]: v["question"] for v in var_rows}
    groups: dict = {}
    for row in book_rows:
        if row["item"] not in used and question.get(row["item"]) is not None:
            groups.setdefault(question[row["item"]], []).append(row)
    for q, rows in groups.items():
        lo, hi = min(r["min"] for r in rows), max(r["max"] for r in rows)
        if len(rows) > 1 and any((r["min"], r["max"]) != (lo, hi) for r in rows):
            for r in rows:
                r["min"], r["max"] = lo, hi
            for v in var_rows:
                if v["variable"] in {r["item"] for r in rows}:
                    v["scale"] = f"{lo:g}-{hi:g}"
            log.append((f"Question {q}: its rows share the scale {lo:g}-{hi:g}.",
                        f"第 {q} 题：各行采用同一量表范围 {lo:g}-{hi:g}。"))


def _finish(responses, var_rows, book_rows, used):
    variables = pd.DataFrame(var_rows, columns=["variable", "question", "kind", "wording",
                                                "source_column", "scale", "values"])
    codebook = pd.DataFrame(book_rows, columns=list(CODEBOOK_COLUMNS))
    return responses, variables, codebook, used


def _ids(file, frame, meta, id_column, columns, log) -> pd.Series:
    if id_column:
        if id_column not in frame.columns:
            raise InputDataError(f"there is no column {id_column!r}", file=file, column=id_column,
                                 hint=f"use one of {list(frame.columns)[:8]} …")
        name = id_column
    elif "id" in meta:
        name = meta["id"]
    else:
        name = next((c for c in frame.columns if str(c).strip() in ("id", "ID", "序号", "编号",
                                                                   "respondent", "respondent_id")), None)
    if name is None:
        log.append(("The export has no submission number; respondents are numbered 1…n in file "
                    "order (column id).", "导出文件没有提交序号；受访者按文件顺序编号 1…n（id 列）。"))
        return pd.Series(np.arange(1, len(frame) + 1).astype(str), name=None)
    ids = _cell_text(frame[name])
    blank = np.flatnonzero(ids.isin(("", "nan")).to_numpy())
    if len(blank):
        raise InputDataError("the submission number is empty", file=file, line=int(blank[0]) + 2,
                             column=name, hint="every response needs its submission number")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        raise InputDataError(
            f"duplicate respondents: submission number {ids.iloc[rows[0]]} occurs "
            f"{int((ids == ids.iloc[rows[0]]).sum())} times (data rows "
            f"{', '.join(str(r + 1) for r in rows[:6])}); {int(ids.duplicated().sum())} "
            "repeated row(s) in all", file=file, line=int(rows[1]) + 2 if len(rows) > 1 else None,
            row=ids.iloc[rows[0]], column=name,
            hint="remove the repeated responses (or merged exports) before importing")
    if log is not None and name:
        log.append((f"Respondent id taken from {name}.", f"受访者编号取自 {name}。"))
    return ids.reset_index(drop=True).rename(name)


def _log_missing(frame, platform, log) -> None:
    counts = {tok: int((frame == tok).to_numpy().sum()) for tok in ("",) + _SKIP_WORDS + ("-3", "-2")}
    parts = [f"{'blank' if k == '' else k}: {v}" for k, v in counts.items()
             if v and (k not in ("-3", "-2") or platform == "wjx")]
    if parts:
        log.append((f"Set to missing: {', '.join(parts)} answers.",
                    f"设为缺失：{', '.join(parts.copy()).replace('blank', '空白')} 个答案。"))
    if platform == "wjx":
        log.append(("问卷星 score codes -3 (skipped by logic) and -2 (not shown) are missing values; "
                    "they are listed in the codebook's missing_codes.",
                    "问卷星分数版中的 -3（逻辑跳过）与 -2（未显示）视为缺失值，并写入编码手册的 missing_codes。"))


def _words(values: pd.Series) -> list[str]:
    return [w for w in pd.unique(values.astype(str)) if w != ""]


def _all_numeric(words) -> bool:
    return bool(words) and pd.to_numeric(pd.Series(words), errors="coerce").notna().all()


def _fitting(words, scales) -> list[str]:
    normed = {_norm(w) for w in words}
    return [name for name, spec in scales.items() if normed <= {_norm(w) for w in spec["words"]}]


def _classify(item, col, values, words, scales, forced, candidates, choice, file, ids, log):
    """-> kind, series, scale name, min, max."""
    if not words:
        log.append((f"{item} ({col.header}) has no answers; kept as an empty text column.",
                    f"{item}（{col.header}）没有任何答案，保留为空的文本列。"))
        return "text", values.replace("", np.nan), None, None, None
    if item in forced:
        name = forced[item]
        return _score_words(item, col, values, name, scales[name], file, ids)
    if _all_numeric(words):
        numbers = pd.to_numeric(values.replace("", np.nan), errors="coerce").astype(float)
        if col.sub is not None and set(numbers.dropna().unique()) <= {0.0, 1.0}:
            return "multi", numbers, None, None, None  # an option of a score export's multi-select
        lo, hi = _usual_range(numbers)
        if lo is not None:
            log.append((f"{item}: numeric answers {numbers.min():g}-{numbers.max():g}; scale "
                        f"{lo:g}-{hi:g} assumed (smallest usual range holding them) - check it.",
                        f"{item}：数值答案 {numbers.min():g}-{numbers.max():g}，假定量表范围为 "
                        f"{lo:g}-{hi:g}（能容纳这些答案的最小常用范围），请核对。"))
            return "scale", numbers, None, lo, hi
        return "number", numbers, None, None, None
    fits = candidates.get(col.header, [])
    if fits:
        best, reason = choice[col.header]
        if len(fits) > 1:
            log.append((f"{item}: the answers fit the scales {', '.join(fits)}; took {best} "
                        f"({reason[0]}).", f"{item}：答案符合多个量表 {', '.join(fits)}；选用 {best}"
                                           f"（{reason[1]}）。"))
        return _score_words(item, col, values, best, scales[best], file, ids)
    # mostly the words of one scale: an unknown word is an error, not a category
    normed = {_norm(w) for w in words}
    overlap = max(((len(normed & {_norm(w) for w in spec["words"]}), name)
                   for name, spec in scales.items()), default=(0, None))
    if overlap[1] is not None and overlap[0] >= 2 and overlap[0] * 2 >= len(normed):
        name = overlap[1]
        return _score_words(item, col, values, name, scales[name], file, ids)
    answered = int((values != "").sum())
    kind = "text" if len(words) > 5 and len(words) > 0.5 * answered else "choice"
    return kind, values.replace("", np.nan), None, None, None


def _choose_scales(candidates: dict, clean: pd.DataFrame, scales: dict, group: dict) -> dict:
    """Column -> (scale, (reason en, reason zh)) for every column that fits a known scale.

    A 5-point wording is often a subset of a 7-point one, and a question's answers may not
    show every point.  So: (1) a question (all rows of a matrix) whose answers use every word
    of a fitting scale takes it; (2) otherwise the words of every column sharing a candidate
    scale are pooled and the smallest candidate holding all of them is taken; (3) failing
    that, the candidate fitting most columns.
    """
    words = {h: {_norm(w) for w in _words(clean[h])} for h in candidates}
    sets = {n: {_norm(w) for w in spec["words"]} for n, spec in scales.items()}
    popularity: dict[str, int] = {}
    for names in candidates.values():
        for n in names:
            popularity[n] = popularity.get(n, 0) + 1
    out = {}
    for header, fits in candidates.items():
        if not fits:
            continue
        own = set().union(*(words[h] for h in candidates if group.get(h) == group.get(header)))
        complete = [n for n in fits if own == sets[n]]
        if complete:
            out[header] = (min(complete, key=lambda n: (len(sets[n]), fits.index(n))),
                           ("the question's answers use every word of this scale",
                            "该题答案用到了该量表的全部措辞"))
            continue
        related = [h for h, f in candidates.items() if set(f) & set(fits)]
        pooled = set().union(*(words[h] for h in related))
        holding = [n for n in fits if pooled <= sets[n]]
        if holding:
            best = min(holding, key=lambda n: (len(sets[n]), fits.index(n)))
            out[header] = (best, ("the smallest scale holding the answers of all related questions",
                                  "能容纳所有相关题目答案的最小量表"))
        else:
            best = max(fits, key=lambda n: (popularity[n], -fits.index(n)))
            out[header] = (best, ("the scale fitting most questions", "适合题目最多的量表"))
    return out


def _score_words(item, col, values, name, spec, file, ids):
    lookup = {_norm(w): s for w, s in zip(spec["words"], spec["scores"])}
    # normalise the few distinct answers, not every cell
    scores = values.map({v: lookup.get(_norm(v), np.nan) for v in pd.unique(values)})
    bad = np.flatnonzero((values != "").to_numpy() & scores.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputDataError(
            f"the answer {values.iloc[i]!r} is not a word of the scale {name} "
            f"({' / '.join(spec['words'])}); {len(bad)} answer(s) of {item} are affected",
            file=file, line=i + 2, row=ids.iloc[i], column=col.header,
            hint="correct the answer, or add the word to a scale in a mapping file "
                 "(likert_mapping.yaml) and import with --mapping")
    return "scale", scores.astype(float), name, float(min(spec["scores"])), float(max(spec["scores"]))


def _usual_range(numbers: pd.Series):
    x = numbers.dropna()
    if x.nunique() < 3 or not np.allclose(x, np.round(x)):  # 2 codes: a choice, not a rating
        return None, None
    lo, hi = x.min(), x.max()
    if set(np.unique(x)) <= {0.0, 1.0}:  # a 0/1 option column, not a rating
        return None, None
    for a, b in ((1, 5), (1, 7), (1, 10), (0, 10)):
        if lo >= a and hi <= b:
            return float(a), float(b)
    return None, None


def _multi(item, col, wording, values, ids, file, out, var_rows, log, score_opts) -> None:
    parts = values.str.split(_MULTI_SEP)
    exploded = parts.explode().str.replace(r"〖.*?〗", "", regex=True).str.strip()
    exploded = exploded[exploded != ""]
    options = list(dict.fromkeys(exploded)) if not score_opts else [
        re.sub(r"〖.*?〗", "", o).strip() for o in score_opts]
    unknown = [o for o in dict.fromkeys(exploded) if o not in options]
    if unknown:
        i = int(exploded.index[exploded == unknown[0]][0])
        raise InputDataError(f"the option {unknown[0]!r} is not a column of the score export "
                             f"(options: {options})", file=file, line=i + 2, row=ids.iloc[i],
                             column=col.header,
                             hint="export both files from the same questionnaire version")
    answered = (values != "").to_numpy()
    index = pd.MultiIndex.from_arrays([exploded.index, exploded.to_numpy()])
    chosen = pd.Series(1.0, index=index).groupby(level=[0, 1]).max().unstack(fill_value=0.0)
    chosen = chosen.reindex(index=values.index, columns=options, fill_value=0.0)
    chosen[~answered] = np.nan
    for k, option in enumerate(options, start=1):
        name = f"{item}_{k}"
        out[name] = chosen[option].astype(float)
        var_rows.append({"variable": name, "question": col.qnum, "kind": "multi",
                         "wording": f"{wording} — {option}" if wording else option,
                         "source_column": col.header, "scale": "0/1",
                         "values": f"chosen by {int(np.nansum(out[name]))}"})
    log.append((f"{item} is a multi-select question (answers joined with {_MULTI_SEP}): split into "
                f"{len(options)} 0/1 columns {item}_1…{item}_{len(options)} "
                f"({'options in the score export order' if score_opts else 'options in order of first appearance'}).",
                f"{item} 为多选题（答案以 {_MULTI_SEP} 连接）：拆分为 {len(options)} 个 0/1 列 "
                f"{item}_1…{item}_{len(options)}（{'选项顺序取自分数版' if score_opts else '选项按首次出现的顺序'}）。"))


def _value_summary(series: pd.Series, kind: str) -> str:
    if kind in ("choice", "text"):
        counts = series.dropna().astype(str).value_counts()
        return "; ".join(f"{k} ({v})" for k, v in counts.head(8).items()) + (" …" if len(counts) > 8 else "")
    x = pd.to_numeric(series, errors="coerce")
    if x.notna().any():
        return f"{x.min():g}-{x.max():g}, {int(x.isna().sum())} missing"
    return ""


def _times(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values.replace("", np.nan), errors="coerce", format="mixed")
    return parsed.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()


def _seconds(values: pd.Series, file, column) -> np.ndarray:
    """'125秒', '2分5秒', '1小时2分5秒', '00:02:05', '125' -> seconds."""
    text = values.astype(str).str.strip()
    plain = pd.to_numeric(text, errors="coerce")
    parts = text.str.extract(r"^(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*分钟?)?\s*(?:(\d+)\s*秒)?$")
    clock = text.str.extract(r"^(\d+):(\d{1,2}):(\d{1,2})$")
    secs = (parts.astype(float).fillna(0) * [3600, 60, 1]).sum(axis=1)
    has_parts = parts.notna().any(axis=1) & text.str.contains(r"[秒分时]")
    csecs = (clock.astype(float) * [3600, 60, 1]).sum(axis=1, min_count=3)
    result = plain.where(plain.notna(), np.where(has_parts, secs, csecs))
    bad = np.flatnonzero(result.isna().to_numpy() & (text != "").to_numpy())
    if len(bad):
        raise InputDataError(f"cannot read the duration {text.iloc[bad[0]]!r}", file=file,
                             line=int(bad[0]) + 2, column=column,
                             hint="durations are read as '125秒', '2分5秒', '00:02:05' or seconds")
    return result.astype(float).to_numpy()


def _agree(tfile, sfile, responses, sframe, scols, tcols, var_rows, platform) -> None:
    """Every scored answer of the text export must equal the score export's number."""
    by_header = {c.header: c for c in scols}
    tq = {c.header: c for c in tcols}
    smissing = _missing_mask(sframe, platform)
    for var in var_rows:
        if var["kind"] not in ("scale", "multi"):
            continue
        tcol = tq[var["source_column"]]
        if var["kind"] == "multi":
            k = int(var["variable"].rsplit("_", 1)[1])
            subs = [c for c in scols if c.qnum == tcol.qnum and c.sub is not None]
            scol = subs[k - 1] if k - 1 < len(subs) else None
        else:
            same = [c for c in scols if c.qnum == tcol.qnum and c.sub == tcol.sub] \
                if tcol.qnum is not None else [by_header.get(tcol.header)]
            scol = same[0] if same and same[0] is not None else None
        if scol is None:
            raise InputDataError(f"no score column for {var['variable']} ({tcol.header})", file=sfile,
                                 hint="export both files from the same download")
        raw = sframe[scol.header].mask(smissing[scol.header], "")
        numbers = pd.to_numeric(raw.replace("", np.nan), errors="coerce")
        nonnum = np.flatnonzero(numbers.isna().to_numpy() & (raw != "").to_numpy())
        if len(nonnum):
            i = int(nonnum[0])
            raise InputDataError(f"the score export has the non-numeric answer {raw.iloc[i]!r}",
                                 file=sfile, line=i + 2, row=responses["id"].iloc[i],
                                 column=scol.header,
                                 hint="give the 按分数/按序号 export as the second file")
        mine = responses[var["variable"]].to_numpy(dtype=float)
        theirs = numbers.to_numpy(dtype=float)
        differ = np.flatnonzero(~((mine == theirs) | (np.isnan(mine) & np.isnan(theirs))))
        if len(differ):
            i = int(differ[0])
            raise InputDataError(
                f"the text and score exports disagree: {var['variable']} is {mine[i]:g} by the "
                f"mapping of the text answer but {theirs[i]:g} in the score export "
                f"({len(differ)} answer(s) differ)", file=sfile, line=i + 2,
                row=responses["id"].iloc[i], column=scol.header,
                hint="if the questionnaire scores the options differently, give the scores in a "
                     "mapping file (likert_mapping.yaml, scores:) and import with --mapping")


# --------------------------------------------------------------------------------- SPSS/Stata
def _from_stat(file, frame, meta, platform, scales, forced, log, id_column):
    labels = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names)))
    value_labels = meta.variable_value_labels or {}
    missing_ranges = getattr(meta, "missing_ranges", None) or {}
    log.append((f"Read the {platform.upper()} file: {frame.shape[1]} variables, variable labels as "
                "wording, value labels as answer words.",
                f"读取 {platform.upper()} 文件：{frame.shape[1]} 个变量，变量标签作为题目措辞，值标签作为答案措辞。"))
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    ids = _ids(file, text, {}, id_column, [], log)
    id_name = id_column or next((c for c in frame.columns if c in ("id", "ID", "序号", "编号",
                                                                 "respondent", "respondent_id")), None)
    out, var_rows, book_rows, used = {}, [], [], {}
    for pos, name in enumerate(frame.columns):
        if name == id_name:
            continue
        item = name if _RE_IDENT.match(name) else f"V{pos + 1}"
        wording = labels.get(name) or name
        series = frame[name]
        codes = _range_codes(missing_ranges.get(name))
        vl = value_labels.get(name)
        if codes:
            series = series.mask(series.isin(codes))
            vl = {k: v for k, v in (vl or {}).items() if float(k) not in codes} or None
        kind, scale, lo, hi = "number", None, None, None
        if series.dtype == object:
            kind = "text"
            series = series.replace("", np.nan)
        elif vl:
            words = [vl[k] for k in sorted(vl)]
            fits = _fitting(words, scales)
            numeric_keys = sorted(float(k) for k in vl if float(k) not in codes)
            if fits:
                best = min(fits, key=lambda n: len(scales[n]["words"]))
                kind, scale = "scale", f"value labels ({best})"
                lo, hi = numeric_keys[0], numeric_keys[-1]
            else:
                kind, scale = "choice", "value labels: " + "; ".join(f"{k:g}={vl[k]}" for k in sorted(vl))
        else:
            lo, hi = _usual_range(series.astype(float))
            if lo is not None:
                kind = "scale"
                log.append((f"{item}: no value labels; scale {lo:g}-{hi:g} assumed from the answers - check it.",
                            f"{item}：没有值标签；根据答案假定量表范围为 {lo:g}-{hi:g}，请核对。"))
        out[item] = series.to_numpy()
        if kind == "scale":
            book_rows.append({"item": item, "construct": "",
                              "text_zh": wording if _CJK.search(wording) else "",
                              "text_en": "" if _CJK.search(wording) else wording,
                              "min": lo, "max": hi, "reverse": "",
                              "missing_codes": ";".join(f"{c:g}" for c in codes),
                              "construct_zh": "", "construct_en": ""})
            if codes:
                log.append((f"{item}: user-missing values {codes} of the file are missing.",
                            f"{item}：文件定义的用户缺失值 {codes} 视为缺失。"))
        var_rows.append({"variable": item, "question": None, "kind": kind, "wording": wording,
                         "source_column": name, "scale": scale or (f"{lo:g}-{hi:g}" if lo is not None else ""),
                         "values": _value_summary(pd.Series(out[item]), kind)})
    responses = pd.DataFrame({"id": ids.to_numpy(), **out})
    return _finish(responses, var_rows, book_rows, used)


def _range_codes(ranges) -> tuple:
    codes = []
    for r in ranges or []:
        lo, hi = (r.get("lo"), r.get("hi")) if isinstance(r, dict) else (r, r)
        if lo == hi and isinstance(lo, (int, float)):
            codes.append(float(lo))
    return tuple(codes)


# --------------------------------------------------------------------------------- screening
def _screen(responses, n_items, min_seconds_per_item, platform, log):
    conventions = {
        "speeding_rule": "seconds per rating item below a threshold (Huang et al. 2012); flagged, "
                         "not dropped",
        "min_seconds_per_item": float(min_seconds_per_item),
        "n_rating_items": int(n_items),
        "missing": "(跳过)/(空)/blank are missing" + ("; 问卷星 codes -3 and -2 too" if platform == "wjx" else ""),
        "scale_range": "from the answer-word mapping or value labels; plain numbers: smallest of "
                       "1-5, 1-7, 1-10, 0-10 holding the answers",
        "multi_select": "one 0/1 column per option; missing when the question was skipped",
    }
    if "duration_s" in responses and n_items:
        per_item = responses["duration_s"] / n_items
        responses = responses.assign(seconds_per_item=per_item,
                                     speeding=(per_item < min_seconds_per_item).where(per_item.notna()))
        n = int(responses["speeding"].fillna(False).astype(bool).sum())
        log.append((f"Speeding: {n} respondent(s) took less than {min_seconds_per_item:g} s per "
                    f"rating item ({n_items} items, i.e. under {min_seconds_per_item * n_items:g} s "
                    "in all; Huang et al. 2012); flagged in the column speeding, not dropped.",
                    f"作答过快：{n} 位受访者每个量表题项用时少于 {min_seconds_per_item:g} 秒（共 {n_items} "
                    f"个题项，即总用时少于 {min_seconds_per_item * n_items:g} 秒；Huang 等 2012），"
                    "已在 speeding 列标记，未删除。"))
    return responses, conventions


# --------------------------------------------------------------------------------- writing
_STUDY_LINES = {"survey": "inputs/survey.csv", "codebook": "inputs/codebook.csv", "id_col": "id",
                "attention_item": "''", "efa_constructs": "[]",
                # an export has no statements and no simulated truth
                "financials": "''", "latent": "''", "truth": "''"}


def _study_lines(survey: ImportedSurvey) -> dict[str, str]:
    return {**_STUDY_LINES, "id_col": survey.responses.columns[0]}


def write_import(survey: ImportedSurvey, study_dir: str | Path, *, chapters: str = "02",
                 lang: str = "both") -> list[Path]:
    """Write an import into a study folder, never overwriting anything.

    A new (or empty) folder becomes a study (:func:`crmstudy.study.init_study` with the chosen
    ``chapters``) whose ``survey``/``codebook``/``id_col`` point at the imported files.  In an
    existing study folder only new files are added to ``inputs/`` (``study.yaml`` is left alone;
    the report says which lines to change).  Files: ``inputs/survey.csv``,
    ``inputs/codebook.csv`` (draft), ``inputs/variables.csv``, ``inputs/likert_mapping.yaml``,
    ``inputs/import_report.md``.  Everything is written to temporary files first.
    """
    folder = Path(study_dir).expanduser()
    lines = _study_lines(survey)
    files = _rendered(survey, lang)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        settings = ", ".join(f"{k}: {lines[k]}" for k in ("survey", "codebook", "id_col"))
        note = (f"\n## study.yaml\n\nThis import was added to an existing study; its study.yaml was "
                f"not changed. To analyse the imported data set, under 02_measurement: {settings}.\n"
                f"\n本次导入加入已有的研究项目，未修改 study.yaml。如需分析导入的数据，请在 02_measurement 下设置：{settings}。\n")
        files["import_report.md"] += note
        if not (folder / "study.yaml").is_file():
            raise ParameterError("the folder exists and is not a crmstudy study (no study.yaml)",
                                 file=folder, hint="give a new folder or an existing study folder")
        inputs = folder / "inputs"
        clash = [inputs / n for n in files if (inputs / n).exists()]
        if clash:
            raise ParameterError(f"{clash[0].name} already exists in the study's inputs", file=clash[0],
                                 hint="crmstudy never overwrites: import into a new study folder, or "
                                      "move the earlier import away")
        inputs.mkdir(exist_ok=True)
        written = []
        tmpdir = Path(tempfile.mkdtemp(prefix=".import-", dir=inputs))
        try:
            for name, text in files.items():
                (tmpdir / name).write_text(text, encoding="utf-8")
            for name in files:
                _place(tmpdir / name, inputs / name)
                written.append(inputs / name)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        finally:
            import shutil

            shutil.rmtree(tmpdir, ignore_errors=True)
        return written
    from .chapters import chapters as find_chapters
    from .study import init_study

    selected = find_chapters(chapters)
    staging = folder.parent / f".{folder.name}.import-{os.getpid()}"
    if staging.exists():
        raise ParameterError("a temporary folder of an earlier import is in the way", file=staging,
                             hint="delete it")
    try:
        init_study(staging, chapters=selected)
        _point_study(staging / "study.yaml", lines)
        _model_skeleton(staging / "study.yaml", survey)
        for name, text in files.items():
            target = staging / "inputs" / name
            if target.exists():
                target.unlink()  # a header-only template init_study just made, never user data
            target.write_text(text, encoding="utf-8")
        if folder.exists():
            folder.rmdir()
        os.rename(staging, folder)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _place(tmp: Path, target: Path) -> None:
    """Move a finished file into place, refusing an existing target."""
    try:
        os.link(tmp, target)   # atomic, and fails instead of overwriting
    except FileExistsError:
        raise ParameterError("the file appeared while importing; nothing was overwritten",
                             file=target, hint="import into a new study folder") from None
    except OSError:            # a file system without hard links
        if target.exists():
            raise ParameterError("the file already exists", file=target,
                                 hint="import into a new study folder") from None
        os.replace(tmp, target)


def _model_skeleton(path: Path, survey: ImportedSurvey) -> None:
    """Replace the sample model that ``init_study`` wrote by a commented skeleton (our own new
    file): the researcher assigns constructs, then fills the model in."""
    from .study import model_skeleton

    id_col = survey.responses.columns[0]
    candidates = [f"{v} ({w})" for v, k, w in survey.variables[["variable", "kind", "wording"]]
                  .itertuples(index=False) if k in ("number", "choice") and v != id_col]
    skeleton = model_skeleton(id_col, candidates)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line == "model:"), None)
    chapters_at = lines.index("chapters:")
    if start is None:  # no chapter with a model: the skeleton goes before chapters:
        lines[chapters_at:chapters_at] = skeleton + [""]
    else:
        while start > 0 and lines[start - 1].startswith("# "):  # its comment lines
            start -= 1
        end = start
        while end < chapters_at and lines[end].strip():
            end += 1
        lines[start:end] = skeleton
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _point_study(path: Path, settings: dict[str, str]) -> None:
    """Point survey/codebook/id_col of the study file at the imported files (our own new file);
    the screening keys at the top of the file as well."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^( {4}|)(\w+):", line)
        if m and m.group(2) in settings:
            lines[i] = f"{m.group(1)}{m.group(2)}: {settings[m.group(2)]}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # drop header-only templates the study no longer names
    named = set(re.findall(r"inputs/[^\s'\"]+", "\n".join(lines)))
    for p in (path.parent / "inputs").iterdir():
        if f"inputs/{p.name}" not in named:
            p.unlink()


def _rendered(survey: ImportedSurvey, lang: str) -> dict[str, str]:
    header = ("# Answer-word mapping used by crmstudy import: each scale lists its words from low to\n"
              "# high with their scores; 'columns' says which scale each item used. Edit the scores\n"
              "# or words, then import again with --mapping this file.\n"
              "# crmstudy import 使用的答案计分映射：每个量表从低到高列出措辞及分值；columns 为各题项所用量表。\n"
              "# 修改后用 --mapping 指定本文件重新导入。\n")
    mapping = {"scales": {n: {"words": spec["words"], "scores": [_plain_number(x) for x in spec["scores"]]}
                          for n, spec in survey.mapping["scales"].items()},
               "columns": survey.mapping["columns"]}
    return {
        "survey.csv": _integral(survey.responses).to_csv(index=False),
        "codebook.csv": _integral(survey.codebook).to_csv(index=False),
        "variables.csv": survey.variables.to_csv(index=False),
        "likert_mapping.yaml": header + yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False,
                                                       default_flow_style=None, width=100),
        "import_report.md": survey.report(lang),
    }


def _plain_number(x: float):
    return int(x) if float(x).is_integer() else float(x)


def _integral(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding whole numbers only are written without '.0' (5, not 5.0)."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_float_dtype(col) and np.allclose(col.dropna(), np.round(col.dropna())) \
                and col.dropna().abs().max() < 2 ** 53 if col.notna().any() else False:
            out[name] = col.astype("Int64")
    return out
