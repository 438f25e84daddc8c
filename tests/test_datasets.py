"""The shipped data sets: registry, dtypes, CDNOW facts, bad names."""
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.errors import CrmStudyError, DatasetNotFoundError, InputDataError


def test_list_datasets_is_tidy():
    table = datasets.list_datasets()
    assert list(table.columns[:4]) == ["name", "description", "description_zh", "rows"]
    assert {"cdnow", "cdnow_sample", "crm_survey", "crm_codebook", "crm_financials",
            "crm_latent", "crm_truth"} <= set(table["name"])
    assert table["name"].is_unique


def test_registered_row_counts_are_true():
    table = datasets.list_datasets().dropna(subset=["rows"])
    for name, rows in zip(table["name"], table["rows"]):
        assert len(datasets.load(name)) == rows, name


def test_cdnow_master():
    cdnow = datasets.load("cdnow")
    assert len(cdnow) == 69_659
    assert cdnow["customer_id"].nunique() == 23_570
    assert cdnow["customer_id"].iloc[0] == "00001"  # ids kept as strings with leading zeros
    assert pd.api.types.is_datetime64_any_dtype(cdnow["date"])
    assert cdnow["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["date"].max() == pd.Timestamp("1998-06-30")
    assert cdnow["number_of_cds"].dtype == "int64" and cdnow["dollar_value"].dtype == "float64"


def test_cdnow_sample_is_the_one_in_ten_sample():
    sample = datasets.load("cdnow_sample")
    assert len(sample) == 6_919 and sample["customer_id"].nunique() == 2_357
    assert sample["sample_id"].str.len().eq(4).all()
    # every sampled transaction is in the master file
    master = datasets.load("cdnow")
    key = ["customer_id", "date", "number_of_cds", "dollar_value"]
    merged = sample[key].merge(master[key].drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


def test_unknown_name_is_a_crmstudy_error():
    with pytest.raises(DatasetNotFoundError) as info:
        datasets.load("cdnw")
    assert isinstance(info.value, CrmStudyError) and isinstance(info.value, ValueError)
    assert "cdnow" in str(info.value)  # the message lists the valid names


def test_read_table_accepts_names_and_files(tmp_path):
    assert len(datasets.read_table("crm_survey")) == 300
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert datasets.read_table(path).shape == (1, 2)
    with pytest.raises(InputDataError, match="no such file"):
        datasets.read_table(tmp_path / "missing.csv", what="survey answers")


def test_read_table_gbk_is_read_with_a_warning(tmp_path):
    from crmstudy.errors import DataQualityWarning

    path = tmp_path / "gbk.csv"
    path.write_bytes("企业,得分\n甲,5\n".encode("gbk"))
    with pytest.warns(DataQualityWarning, match="GBK"):
        frame = datasets.read_table(path)
    assert frame.columns.tolist() == ["企业", "得分"]


def test_load_does_not_write_into_data(tmp_path):
    folder = datasets.data_dir()
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file())
    for name in datasets.list_datasets()["name"]:
        datasets.load(name)
    after = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file())
    assert before == after


def test_boolean_columns_are_parsed_not_cast():
    # "False" cast to bool would be True: the reverse-keyed flag must survive loading
    codebook = datasets.load("crm_codebook")
    assert codebook["reverse"].dtype == bool
    assert codebook.loc[codebook["reverse"], "item"].tolist() == ["ED3"]


def test_read_table_reads_yaml_parameter_files_like_load(tmp_path):
    path = tmp_path / "truth.yaml"
    path.write_text("seed: 3\ncoefficients: {capability: 0.5}\n", encoding="utf-8")
    assert datasets.read_table(path) == {"seed": 3, "coefficients": {"capability": 0.5}}
    assert datasets.read_table("crm_truth")["seed"] == 20261123
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="not valid YAML"):
        datasets.read_table(bad)
