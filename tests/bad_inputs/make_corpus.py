"""Regenerate the bad-input corpus (python tests/bad_inputs/make_corpus.py).

Each file holds one realistic mistake in one kind of input; ``cases.yaml`` says which chapter
parameter reads it and what ``crmstudy check`` must point at.  Built from the shipped sample
data so every file is otherwise valid.
"""
from pathlib import Path

import yaml

from crmstudy import datasets

HERE = Path(__file__).resolve().parent
CASES = []


def case(name, param, where, text=None, data=None, frame=None, extra=None, encoding="utf-8", why=""):
    path = HERE / name
    if frame is not None:
        text = frame.to_csv(index=False)
    if data is not None:
        path.write_bytes(data)
    else:
        path.write_text(text, encoding=encoding)
    CASES.append({"file": name, "param": param, "where": where, "why": why, **({"params": extra} if extra else {})})


SYSTEM = """indicators:
  - {code: G, name_zh: 目标, name_en: Goal}
  - {code: D1, parent: G, name_zh: 维度, name_en: Dimension}
  - {code: X1, parent: D1, name_zh: 指标一, name_en: First, direction: benefit}
  - {code: X2, parent: D1, name_zh: 指标二, name_en: Second, direction: cost}
"""


def main():
    for old in HERE.glob("*"):
        if old.name not in ("make_corpus.py", "README.md"):
            old.unlink()
    S = "01_framework.system_file"
    case("system_duplicate_code.yaml", S, "line 6", SYSTEM + "  - {code: X2, parent: D1, name_zh: 重复, name_en: Dup, direction: cost}\n")
    case("system_missing_parent.yaml", S, "line 5", SYSTEM.replace("{code: X2, parent: D1", "{code: X2, parent: D9"))
    case("system_cycle.yaml", S, "line", SYSTEM + "  - {code: P, parent: Q, name_zh: 甲, name_en: P}\n  - {code: Q, parent: P, name_zh: 乙, name_en: Q}\n")
    case("system_missing_name.yaml", S, "line 4", SYSTEM.replace("name_en: First, ", ""))
    case("system_no_direction.csv", S, "line 4", "code,parent,name_zh,name_en,direction\nG,,目标,Goal,\nD1,G,维度,Dim,\nX1,D1,指标,Item,\n")
    case("system_gbk.csv", S, "GBK", "code,parent,name_zh,name_en,direction\nG,,目标,Goal,\nX1,G,指标,Item,benefit\n", encoding="gbk")
    case("system_unknown_field.yaml", S, "line 3", SYSTEM.replace("name_en: Dimension}", "name_en: Dimension, weight: 0.4}"))
    case("system_bad_syntax.yaml", S, "line", "indicators:\n  - code: G\n     name_zh: 目标\n")
    case("system_two_goals.yaml", S, "line", SYSTEM + "  - {code: H, name_zh: 另一目标, name_en: Other}\n")

    book = datasets.load("crm_codebook")
    C = "02_measurement.codebook"
    case("codebook_duplicate_item.csv", C, "A12", frame=book.assign(item=book["item"].replace("A13", "A12")))
    case("codebook_min_ge_max.csv", C, "A21", frame=book.assign(min=book["min"].where(book["item"] != "A21", 7)))
    one = book[book["construct"] != "ED"]
    case("codebook_single_item_construct.csv", C, "ED", frame=__import__("pandas").concat([one, book[book["item"] == "ED1"]]))
    case("codebook_missing_column.csv", C, "construct", frame=book.drop(columns="construct"))
    case("codebook_empty.csv", C, "line 1", text="")
    case("codebook_gbk.csv", C, "GBK", text=book.to_csv(index=False), encoding="gbk")

    answers = datasets.load("crm_survey")
    R = "02_measurement.survey"
    bad = answers.astype({"A11": "object"})
    bad.loc[2, "A11"] = 12
    case("survey_out_of_range.csv", R, "F0003", frame=bad)
    text = answers.astype({"A23": "object"})
    text.loc[4, "A23"] = "五"
    case("survey_text_answer.csv", R, "F0005", frame=text)
    dup = answers.copy()
    dup.loc[9, "firm_id"] = "F0009"
    case("survey_duplicate_ids.csv", R, "F0009", frame=dup)
    case("survey_missing_item.csv", R, "A27", frame=answers.drop(columns="A27"))
    case("survey_semicolon.csv", R, "firm_id", text=answers.to_csv(index=False, sep=";"))
    case("survey_empty.csv", R, "line 1", text="")
    case("survey_no_id_column.csv", R, "firm_id", frame=answers.drop(columns="firm_id"))
    minus = answers.astype({"IP2": "object"})
    minus.loc[7, "IP2"] = -3
    case("survey_negative_answer.csv", R, "F0008", frame=minus)

    judg = datasets.load("crm_judgments")
    J = "03_weighting_index.judgments"
    zero = judg.copy()
    zero.loc[0, "value"] = "0"
    case("judgments_zero.csv", J, "row 2, column value", frame=zero)
    neg = judg.copy()
    neg.loc[1, "value"] = "-3"
    case("judgments_negative.csv", J, "row 3, column value", frame=neg)
    unknown = judg.copy()
    unknown.loc[0, "a"] = "A99"
    case("judgments_unknown_label.csv", J, "A99", frame=unknown)
    case("judgments_missing_column.csv", J, "value", frame=judg.drop(columns="value"))
    words = judg.astype({"value": "object"})
    words.loc[2, "value"] = "high"
    case("judgments_text_value.csv", J, "high", frame=words)
    first = judg.iloc[[0]].copy()
    first["value"] = "5"
    case("judgments_conflicting_duplicate.csv", J, "row 2, entry [A1, A2]", frame=__import__("pandas").concat([judg, first]))
    flipped = judg.iloc[[0]].copy()
    flipped[["a", "b"]] = flipped[["b", "a"]].to_numpy()
    flipped["value"] = "5"
    case("judgments_nonreciprocal.csv", J, "row 2, entry [A1, A2]", frame=__import__("pandas").concat([judg, flipped]))
    case("judgments_missing_judgment.csv", J, "entry [A11, A12]", frame=judg.drop(index=3))
    case("judgments_questionnaire_out_of_range.csv", J, "row 2, column value", frame=judg.assign(value="12"),
         extra={"judgment_scale": "questionnaire"})

    fin = datasets.load("crm_financials")
    F = "04_performance_moderation.financials"
    case("financials_duplicate_firm_year.csv", F, "F0001", frame=__import__("pandas").concat([fin.iloc[[0]], fin]))
    case("financials_missing_column.csv", F, "net_profit", frame=fin.drop(columns="net_profit"))
    txt = fin.astype({"revenue": "object"})
    txt.loc[3, "revenue"] = "约一百万"  # text; "n/a" would be read as missing
    case("financials_text_in_numeric.csv", F, "revenue", frame=txt)
    case("financials_empty.csv", F, "line 2", text="firm_id,year,revenue\n")

    tx = datasets.load("cdnow_sample").drop(columns="sample_id")
    T = "05_customer_value.transactions"
    extra = {"calibration_end": "1997-09-30", "snapshot": "1998-06-30", "observation_end": "1998-06-30"}
    dates = tx.astype({"date": "object"})
    dates.loc[5, "date"] = "1997-13-45"
    case("transactions_bad_date.csv", T, "date", frame=dates, extra=extra)
    neg_tx = tx.copy()
    neg_tx.loc[6, "dollar_value"] = -12.5
    case("transactions_negative_amount.csv", T, "dollar_value", frame=neg_tx, extra=extra)
    na_tx = tx.astype({"dollar_value": "object"})
    na_tx.loc[7, "dollar_value"] = None
    case("transactions_missing_amount.csv", T, "dollar_value", frame=na_tx, extra=extra)
    case("transactions_missing_column.csv", T, "dollar_value", frame=tx.drop(columns="dollar_value"), extra=extra)
    case("transactions_empty.csv", T, "line 2", text="customer_id,date,number_of_cds,dollar_value\n", extra=extra)
    case("transactions_tab_separated.csv", T, "column customer_id", text=tx.to_csv(index=False, sep="\t"), extra=extra)

    b2b = datasets.load("b2b_customers")
    B = "05_customer_value.b2b_customers"
    case("b2b_missing_indicator.csv", B, "C32", frame=b2b.drop(columns="C32"), extra=extra)
    cell = b2b.astype({"C14": "object"})
    cell.loc[3, "C14"] = "high"
    case("b2b_text_cell.csv", B, "C14", frame=cell, extra=extra)

    # the study file itself
    case("study_typo_parameter.yaml", "STUDY", "langauge", text="lang: zh\nchapters:\n  02_measurement:\n    langauge: en\n")
    case("study_unknown_chapter.yaml", "STUDY", "07_forecast", text="chapters:\n  07_forecast:\n    lang: en\n")
    case("study_unknown_top_level.yaml", "STUDY", "colour", text="colour: red\nchapters:\n  01_framework: {}\n")
    case("study_bad_yaml.yaml", "STUDY", "YAML", text="chapters:\n  01_framework: {lang: en\n")

    (HERE / "cases.yaml").write_text(
        "# Generated by make_corpus.py: one bad input per file and where `crmstudy check` must point\n"
        + yaml.safe_dump(CASES, allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
