"""Codebook validation (crmstudy.measurement.Codebook)."""
from __future__ import annotations

import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.errors import CodebookError
from crmstudy.measurement import Codebook
from _measurement_fixtures import REF

CSV_HEADER = "item,construct,text_zh,text_en,min,max,reverse,missing_codes,construct_zh,construct_en\n"


def write(tmp_path, text, name="book.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bfi_codebook_reads_reverse_flags_and_model():
    book = Codebook.from_file(REF / "bfi_codebook.csv")
    assert len(book) == 25
    assert book.constructs == ["A", "C", "E", "N", "O"]
    assert book.reverse_items == ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    assert book.model["N"] == ["N1", "N2", "N3", "N4", "N5"]
    assert book.table["missing_codes"].map(len).eq(0).all()


def test_shipped_crm_codebook():
    book = Codebook.from_file(datasets.path("crm_codebook"))
    assert book.constructs == ["A1", "A2", "A3", "ED", "CP", "IP"]
    assert book.reverse_items == ["ED3"]
    assert book.table.loc[0, "missing_codes"] == (99.0, -9.0)
    assert book.construct_label("ED", "en") == "Environmental dynamism"
    assert book.construct_label("A1", "zh") == "客户洞察能力"


def test_loaded_crm_codebook_keeps_reverse_flags():
    """The frame from datasets.load and the CSV file give the same codebook (the loader once
    turned the text 'False' into True)."""
    book = Codebook.from_frame(datasets.load("crm_codebook"))
    assert book.reverse_items == ["ED3"]
    pd.testing.assert_frame_equal(book.table, Codebook.from_source("crm_codebook").table)


def test_csv_and_yaml_give_the_same_codebook(tmp_path):
    csv = write(tmp_path, CSV_HEADER
                + "q1,S,题1,Item 1,1,5,false,99;-9,量表,Scale\n"
                + "q2,S,题2,Item 2,1,5,true,99,量表,Scale\n")
    yml = write(tmp_path, """
constructs:
  S: {zh: 量表, en: Scale}
items:
  - {item: q1, construct: S, text_zh: 题1, text_en: Item 1, min: 1, max: 5, reverse: false, missing_codes: [99, -9]}
  - {item: q2, construct: S, text_zh: 题2, text_en: Item 2, min: 1, max: 5, reverse: true, missing_codes: "99"}
""", "book.yaml")
    a, b = Codebook.from_file(csv), Codebook.from_file(yml)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table["reverse"].tolist() == [False, True]
    assert a.table["missing_codes"].tolist() == [(99.0, -9.0), (99.0,)]


@pytest.mark.parametrize("rows, message, line", [
    ("q1,S,,,1,5,false,,,\nq1,S,,,1,5,false,,,\n", "listed twice", "line 3"),
    ("q1,S,,,5,5,false,,,\nq2,S,,,1,5,false,,,\n", "not below the maximum", "line 2"),
    ("q1,S,,,1,5,false,,,\nq2,S,,,1,5,false,,,\nq3,T,,,1,5,false,,,\n", "only 1 item", "line 4"),
    ("q1,S,,,1,5,maybe,,,\nq2,S,,,1,5,false,,,\n", "reverse must be true/false", "line 2"),
    ("q1,S,,,1,5,false,99;x,,\nq2,S,,,1,5,false,,,\n", "missing code 'x'", "line 2"),
    ("q1,S,,,one,5,false,,,\nq2,S,,,1,5,false,,,\n", "min must be a number", "line 2"),
    ("q1,,,,1,5,false,,,\nq2,S,,,1,5,false,,,\n", "has no construct", "line 2"),
])
def test_bad_csv_codebook_names_the_line(tmp_path, rows, message, line):
    path = write(tmp_path, CSV_HEADER + rows)
    with pytest.raises(CodebookError, match=message) as info:
        Codebook.from_file(path)
    assert info.value.row == line
    assert str(path) in str(info.value)


def test_yaml_unknown_construct(tmp_path):
    path = write(tmp_path, """
constructs: {S: {zh: 量表, en: Scale}}
items:
  - {item: q1, construct: S, min: 1, max: 5}
  - {item: q2, construct: X, min: 1, max: 5}
""", "book.yaml")
    with pytest.raises(CodebookError, match="unknown construct 'X'") as info:
        Codebook.from_file(path)
    assert info.value.row == "item 2"


def test_missing_columns_and_files(tmp_path):
    with pytest.raises(CodebookError, match="lacks the column"):
        Codebook.from_frame(pd.DataFrame({"item": ["a", "b"], "construct": ["S", "S"]}))
    with pytest.raises(CodebookError, match="no such codebook file"):
        Codebook.from_file(tmp_path / "nope.csv")
    with pytest.raises(CodebookError, match="unsupported"):
        Codebook.from_file(write(tmp_path, "x", "book.txt"))


def test_subset_and_round_trip(tmp_path):
    book = Codebook.from_file(datasets.path("crm_codebook"))
    sub = book.subset(["A1", "A2", "A3"])
    assert sub.constructs == ["A1", "A2", "A3"] and len(sub) == 17
    path = tmp_path / "again.csv"
    book.to_frame().to_csv(path, index=False)
    pd.testing.assert_frame_equal(Codebook.from_file(path).table, book.table)
