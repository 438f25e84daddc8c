"""Write realistic survey-platform export files for the tests of ``crmstudy import``.

The files imitate what researchers download (and are written fresh by the tests, so nothing
here can drift from the committed script):

* 问卷星 (wjx) "按文本" (text) and "按分数" (score) exports of one small questionnaire, as
  ``.xlsx``, ``.csv`` in UTF-8 with BOM and in GBK, and ``.xls`` (``wjx_text.xls`` is committed:
  modern libraries cannot write ``.xls``; it was made once by :func:`write_xls` with xlwt 1.3.0
  in a throw-away venv, ``python make_exports.py --xls``);
  platform columns first (序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP), skipped answers
  "(跳过)" in the text export and -3 in the score export, a multi-select question joined with
  ``┋`` (split into ``第2题(option)`` 0/1 columns in the score export), a 5-point agreement
  matrix ``第3题(row)``, a 7-point "符合" single question, a number and an open answer;
* a 腾讯问卷 export (编号, 开始答题时间, 结束答题时间, 答题时长, 用户类型, 用户标识, 昵称, …);
* SPSS ``.sav`` with variable labels, value labels and a user-missing code, and Stata ``.dta``
  (pyreadstat);
* a 问卷星 text export of the shipped sample survey (``crm_survey``), its codebook wordings as
  matrix rows, so that import -> codebook constructs -> ``crmstudy check`` can be tested.

The truth of the small questionnaire is :data:`TRUTH` (scores, 1..k) -- the tests compare what
``read_survey`` recovers against it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

AGREE5 = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
FIT7 = ["完全不符合", "很不符合", "比较不符合", "一般", "比较符合", "很符合", "完全符合"]
AGREE7 = ["非常不同意", "不同意", "比较不同意", "一般", "比较同意", "同意", "非常同意"]
GENDER = ["男", "女"]
CHANNELS = ["微信", "微博", "抖音", "其他"]
ROWS = ["我经常向朋友推荐本品牌。", "我愿意继续购买本品牌。", "本品牌的服务让我满意。"]
N = 12
META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]


def truth(seed: int = 20261201) -> pd.DataFrame:
    """Scores of the small questionnaire (NaN = skipped): the documented truth of the fixtures."""
    rng = np.random.default_rng(seed)
    t = pd.DataFrame({
        "id": np.arange(1, N + 1),
        "seconds": rng.integers(60, 400, N),
        "gender": rng.integers(1, 3, N),
        "Q3_1": rng.integers(1, 6, N).astype(float),
        "Q3_2": rng.integers(1, 6, N).astype(float),
        "Q3_3": rng.integers(1, 6, N).astype(float),
        "Q4": rng.integers(1, 8, N).astype(float),
        "age": rng.integers(18, 60, N),
        "comment": [f"意见{i}" if i % 3 else "" for i in range(N)],
    })
    t.loc[[2, 7], "Q3_2"] = np.nan          # skipped
    t.loc[5, "Q4"] = np.nan
    t.loc[[0, 9], "seconds"] = [5, 7]        # speeders: 4 rating items in < 8 s
    chosen = rng.random((N, len(CHANNELS))) < 0.45
    chosen[:, 0] |= ~chosen.any(axis=1)     # everybody picks at least one channel
    for k in range(len(CHANNELS)):
        t[f"Q2_{k + 1}"] = chosen[:, k].astype(float)
    return t


def _meta(t: pd.DataFrame) -> dict:
    start = pd.Timestamp("2026-03-01 09:00:00")
    return {"序号": t["id"],
            "提交答卷时间": [(start + pd.Timedelta(minutes=7 * i)).strftime("%Y/%m/%d %H:%M:%S")
                        for i in range(len(t))],
            "所用时间": [f"{s}秒" if s < 60 else f"{s // 60}分{s % 60}秒" for s in t["seconds"]],
            "来源": "微信", "来源详情": "N/A",
            "来自IP": [f"10.0.0.{i}(上海-上海)" for i in range(len(t))]}


def wjx_text(t: pd.DataFrame) -> pd.DataFrame:
    out = dict(_meta(t))
    out["1、您的性别："] = [GENDER[g - 1] for g in t["gender"]]
    multi = []
    for i in range(len(t)):
        picked = [CHANNELS[k] + ("〖小红书〗" if CHANNELS[k] == "其他" else "")
                  for k in range(len(CHANNELS)) if t.loc[i, f"Q2_{k + 1}"] == 1]
        multi.append("┋".join(picked))
    out["2、您通过哪些渠道了解本品牌？"] = multi
    for r, row in enumerate(ROWS, start=1):
        out[f"第3题({row})"] = [AGREE5[int(v) - 1] if v == v else "(跳过)" for v in t[f"Q3_{r}"]]
    out["4、本品牌的产品符合我的需要。"] = [FIT7[int(v) - 1] if v == v else "(跳过)" for v in t["Q4"]]
    out["5、您的年龄："] = t["age"]
    out["6、您对本品牌还有什么建议？"] = [c if c else "(跳过)" for c in t["comment"]]
    return pd.DataFrame(out)


def wjx_score(t: pd.DataFrame) -> pd.DataFrame:
    out = dict(_meta(t))
    out["1、您的性别："] = t["gender"]
    for k, c in enumerate(CHANNELS, start=1):
        out[f"第2题({c})"] = t[f"Q2_{k}"].astype(int)
    for r, row in enumerate(ROWS, start=1):
        out[f"第3题({row})"] = t[f"Q3_{r}"].fillna(-3).astype(int)
    out["4、本品牌的产品符合我的需要。"] = t["Q4"].fillna(-3).astype(int)
    out["5、您的年龄："] = t["age"]
    out["6、您对本品牌还有什么建议？"] = [c if c else "(跳过)" for c in t["comment"]]
    return pd.DataFrame(out)


def tencent(t: pd.DataFrame) -> pd.DataFrame:
    start = pd.Timestamp("2026-03-01 09:00:00")
    begin = [start + pd.Timedelta(minutes=7 * i) for i in range(len(t))]
    out = {"编号": t["id"] + 1000,
           "开始答题时间": [b.strftime("%Y-%m-%d %H:%M:%S") for b in begin],
           "结束答题时间": [(b + pd.Timedelta(seconds=int(s))).strftime("%Y-%m-%d %H:%M:%S")
                      for b, s in zip(begin, t["seconds"])],
           "答题时长": t["seconds"], "用户类型": "微信用户", "用户标识": [f"o{i:06d}" for i in range(len(t))],
           "昵称": "匿名", "自定义字段": "", "地理位置国家和地区": "中国", "地理位置省": "广东",
           "地理位置市": "深圳"}
    out["1.您的性别"] = [GENDER[g - 1] for g in t["gender"]]
    for r, row in enumerate(ROWS, start=1):
        out[f"3.({row})"] = [AGREE5[int(v) - 1] if v == v else "" for v in t[f"Q3_{r}"]]
    out["4.本品牌的产品符合我的需要。"] = [FIT7[int(v) - 1] if v == v else "" for v in t["Q4"]]
    return pd.DataFrame(out)


def write_sav(t: pd.DataFrame, path: Path, *, dta: bool = False) -> None:
    import pyreadstat

    frame = pd.DataFrame({"id": t["id"].astype(float), "gender": t["gender"].astype(float),
                          "Q3_1": t["Q3_1"], "Q3_2": t["Q3_2"].fillna(9.0), "Q3_3": t["Q3_3"],
                          "age": t["age"].astype(float)})
    labels = ["编号", "您的性别", ROWS[0], ROWS[1], ROWS[2], "您的年龄"]
    agree = {float(k): w for k, w in enumerate(AGREE5, start=1)}
    values = {"gender": {1.0: "男", 2.0: "女"}, "Q3_1": agree, "Q3_2": {**agree, 9.0: "未回答"},
              "Q3_3": agree}
    if dta:
        frame["Q3_2"] = t["Q3_2"]        # Stata: system missing
        pyreadstat.write_dta(frame, str(path), column_labels=labels,
                             variable_value_labels={k: {int(a): b for a, b in v.items()}
                                                    for k, v in values.items() if k != "Q3_2"})
    else:
        pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=values,
                             missing_ranges={"Q3_2": [9.0]})


def sample_wjx_text(path: Path, seed: int = 7) -> pd.DataFrame:
    """A 问卷星 text export of the shipped sample survey (crm_survey): one matrix per construct.

    99 ("not applicable") and -9 (refused) become "(跳过)" and a blank; the other columns are
    the firm id, an attention check and the firm profile, as single questions.
    """
    from crmstudy import datasets

    data = datasets.load("crm_survey")
    book = datasets.load("crm_codebook")
    rng = np.random.default_rng(seed)
    seconds = rng.integers(180, 900, len(data))
    seconds[rng.choice(len(data), 6, replace=False)] = rng.integers(20, 50, 6)
    t = pd.DataFrame({"id": np.arange(1, len(data) + 1), "seconds": seconds})
    out = dict(_meta(t))
    out["1、企业编号："] = data["firm_id"].astype(str)
    q = 2
    for construct in dict.fromkeys(book["construct"]):
        for item, text in book.loc[book["construct"] == construct, ["item", "text_zh"]].itertuples(index=False):
            out[f"第{q}题({text})"] = [AGREE7[v - 1] if 1 <= v <= 7 else ("(跳过)" if v == 99 else "")
                                     for v in data[item].astype(int)]
        q += 1
    out[f"{q}、本题请选择“不同意”。"] = [AGREE7[v - 1] for v in data["attention_check"].astype(int)]
    out[f"{q + 1}、企业员工人数（人）："] = data["firm_size"].astype(int)
    out[f"{q + 2}、企业成立年限（年）："] = data["firm_age"].astype(int)
    owner = {"state": "国有", "private": "民营", "foreign": "外资"}
    industry = {"it": "信息技术", "manufacturing": "制造业", "services": "服务业", "retail": "零售业"}
    out[f"{q + 3}、企业所有制："] = data["ownership"].astype(str).map(owner)
    out[f"{q + 4}、所属行业："] = data["industry"].astype(str).map(industry)
    frame = pd.DataFrame(out)
    frame.to_excel(path, index=False)
    return frame


def make_all(folder: Path) -> dict[str, Path]:
    """Write every fixture into ``folder``; return name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t = truth()
    text, score = wjx_text(t), wjx_score(t)
    files = {"wjx_text.xlsx": folder / "wjx_text.xlsx", "wjx_score.xlsx": folder / "wjx_score.xlsx",
             "wjx_text_bom.csv": folder / "wjx_text_bom.csv",
             "wjx_text_gbk.csv": folder / "wjx_text_gbk.csv",
             "wjx_score.csv": folder / "wjx_score.csv",
             "tencent.xlsx": folder / "tencent.xlsx", "survey.sav": folder / "survey.sav",
             "survey.dta": folder / "survey.dta"}
    text.to_excel(files["wjx_text.xlsx"], index=False)
    score.to_excel(files["wjx_score.xlsx"], index=False)
    text.to_csv(files["wjx_text_bom.csv"], index=False, encoding="utf-8-sig")
    text.to_csv(files["wjx_text_gbk.csv"], index=False, encoding="gbk")
    score.to_csv(files["wjx_score.csv"], index=False, encoding="utf-8-sig")
    tencent(t).to_excel(files["tencent.xlsx"], index=False)
    write_sav(t, files["survey.sav"])
    write_sav(t, files["survey.dta"], dta=True)
    return files


def write_xls(path: Path) -> None:
    """The 问卷星 text export as a legacy .xls (needs xlwt; run once, the file is committed)."""
    import xlwt

    frame = wjx_text(truth())
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for j, name in enumerate(frame.columns):
        sheet.write(0, j, name)
        for i, value in enumerate(frame[name]):
            sheet.write(i + 1, j, value.item() if hasattr(value, "item") else value)
    book.save(str(path))


if __name__ == "__main__":
    if "--xls" in sys.argv:
        write_xls(HERE / "wjx_text.xls")
    else:
        for name, p in make_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "out").items():
            print(p)
