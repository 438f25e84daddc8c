"""crmstudy.display: labelled, formatted display tables (checked against pandas)."""
import numpy as np
import pandas as pd
import pytest

from crmstudy.display import datasets_table, describe_table, facts_table, framework_table
from crmstudy.errors import ParameterError


def test_describe_table_matches_pandas_and_is_labelled():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"firm_age": rng.integers(1, 40, 50).astype(float),
                         "revenue": rng.lognormal(8, 1, 50), "firm_id": [f"F{i}" for i in range(50)]})
    data.loc[3, "firm_age"] = np.nan
    zh, en = describe_table(data, "zh"), describe_table(data, "en")
    assert zh.index.tolist() == ["企业年龄", "营业收入"] and en.index.tolist() == ["Firm age", "Revenue"]
    assert zh.columns.tolist() == ["N", "均值", "标准差", "最小值", "中位数", "最大值"]
    assert en.columns.tolist() == ["N", "M", "SD", "Min", "Median", "Max"]
    reference = data[["firm_age", "revenue"]].describe()
    assert zh.loc["企业年龄", "N"] == "49"
    for column, row in (("firm_age", "企业年龄"), ("revenue", "营业收入")):
        for ours, theirs in (("均值", "mean"), ("标准差", "std"), ("最小值", "min"),
                             ("中位数", "50%"), ("最大值", "max")):
            assert float(zh.loc[row, ours]) == pytest.approx(reference.loc[theirs, column], abs=0.005)
    assert not zh.stack().str.contains("e[+-]", regex=True).any()   # no scientific notation


def test_describe_table_errors_name_the_problem():
    with pytest.raises(ParameterError, match="no column"):
        describe_table(pd.DataFrame({"a": [1]}), "zh", columns=["b"])
    with pytest.raises(ParameterError, match="no numeric column"):
        describe_table(pd.DataFrame({"a": ["x"]}), "zh")


def test_facts_table_formats_by_kind():
    facts = {"transactions": 69659, "share_buying_once": 0.5052, "revenue_usd": 2500315.63,
             "first_date": pd.Timestamp("1997-01-01")}
    zh, en = facts_table(facts, "zh"), facts_table(facts, "en")
    assert zh.iloc[:, 0].tolist() == ["69,659", "50.5%", "2,500,316 美元", "1997-01-01"]
    assert en.iloc[:, 0].tolist() == ["69,659", "50.5%", "$2,500,316", "1997-01-01"]
    assert zh.index.tolist()[0] == "交易笔数" and en.index.tolist()[0] == "Transactions"
    with pytest.raises(ParameterError, match="facts.nonsense"):
        facts_table({"nonsense": 1}, "zh")


def test_framework_and_datasets_tables_are_in_one_language():
    zh = framework_table("zh")
    assert set(zh.index) == {"基本活动", "支持活动"} and "—" in zh.iloc[:, 1].tolist()
    assert set(framework_table("en").index) == {"basic activity", "support activity"}
    data = datasets_table("zh")
    assert "crm_survey" in data.index and set(data.iloc[:, 2]) <= {"真实", "模拟"}
