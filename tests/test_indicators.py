"""Structure of the shipped indicator systems and the loader's error cases."""
import textwrap

import pandas as pd
import pytest

from crmstudy.errors import IndicatorSystemError, ParameterError
from crmstudy.indicators import (IndicatorSystem, capability_framework, capability_system,
                                 customer_value_system, load_system, performance_system)

CAPABILITY = {  # DOMAIN.md section 1, table of the evaluation indicator system
    "A1": ["A11", "A12", "A13", "A14"],
    "A2": ["A21", "A22", "A23", "A24", "A25", "A26", "A27"],
    "A3": ["A31", "A32", "A33", "A34", "A35", "A36"],
}


def test_capability_system_structure():
    system = capability_system()
    assert system.root == "A"
    assert system.dimensions() == ["A1", "A2", "A3"]
    for dim, leaves in CAPABILITY.items():
        assert system.children(dim) == leaves
    assert len(system.leaves()) == 17
    assert system.leaves() == [c for leaves in CAPABILITY.values() for c in leaves]
    assert set(system.directions().values()) == {"benefit"}
    assert system.leaf_dimensions()["A25"] == "A2"
    assert system.level("A") == 0 and system.level("A1") == 1 and system.level("A36") == 2


def test_capability_names_follow_the_source():
    system = capability_system()
    assert system.label("A12", "zh") == "黄金客户识别能力"
    assert system.label("A3", "zh") == "管理客户关系生命周期能力"
    assert system["A13"].description_zh == "反映企业对客户信息进行处理和挖掘的效率和准确率。"
    assert system.label("A27", "en") == "Brand management"
    for node in system:  # every node bilingual, with an explanation in both languages
        assert node.name_zh and node.name_en and node.description_zh and node.description_en


def test_performance_and_customer_value_systems():
    perf = performance_system()
    assert [perf.label(d, "en") for d in perf.dimensions()] == [
        "Financial performance", "Customer performance", "Innovation performance"]
    assert len(perf.children("B1")) == 7 and len(perf.children("B2")) == 5
    assert perf["B15"].direction == "cost"  # debt-to-asset ratio
    assert perf["B11"].formula_en == "net profit / average net assets"
    assert "上年销售额" in perf["B16"].formula_zh  # the standard definition, not the source's slip
    value = customer_value_system()
    assert [value.label(d, "en") for d in value.dimensions()] == [
        "Value contribution", "Loyalty", "Development potential", "Company strength"]
    costs = [c for c, d in value.directions().items() if d == "cost"]
    assert costs == ["C14", "C15", "C17", "C22"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_to_frame_is_tidy(lang):
    frame = capability_system().to_frame(lang=lang)
    assert list(frame.columns) == ["code", "parent", "level", "dimension", "is_leaf", "direction",
                                   "name", "description", "formula"]
    assert len(frame) == 1 + 3 + 17
    assert frame["is_leaf"].sum() == 17
    assert frame.loc[frame["code"] == "A11", "dimension"].item() == "A1"
    both = capability_system().to_frame(lang="both")
    assert {"name_zh", "name_en"} <= set(both.columns)
    table = capability_system().table(lang)
    assert len(table) == 21


def test_unknown_language_is_an_error():
    with pytest.raises(ParameterError, match="lang"):
        capability_system().to_frame(lang="fr")


def test_labels_and_unknown_code():
    system = capability_system()
    assert system.labels("en", with_code=True)["A1"] == "A1 Customer insight"
    with pytest.raises(IndicatorSystemError, match="A99"):
        system["A99"]


def test_round_trip_yaml_and_csv(tmp_path):
    system = performance_system()
    frame = pd.DataFrame(system.to_records())
    csv = tmp_path / "perf.csv"
    frame.to_csv(csv, index=False)
    again = load_system(csv)
    assert again.leaves() == system.leaves()
    assert again.directions() == system.directions()
    assert again.label("B23", "zh") == system.label("B23", "zh")


def test_framework_table():
    frame = capability_framework("en")
    assert (frame["activity"] == "basic").sum() == 4
    assert (frame["activity"] == "support").sum() == 6
    assert frame.loc[frame["activity"] == "basic", "indicator"].tolist()[:3] == ["A1", "A2", "A3"]


# ---- the loader's error cases: each names the code and the line --------------------------
GOOD = """\
key: mini
indicators:
  - code: G
    name_zh: 目标
    name_en: Goal
  - code: D1
    parent: G
    name_zh: 维度
    name_en: Dimension
  - code: X1
    parent: D1
    name_zh: 指标
    name_en: Indicator
    direction: benefit
"""


def write(tmp_path, text, name="system.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_user_file(tmp_path):
    system = load_system(write(tmp_path, GOOD))
    assert system.leaves() == ["X1"]
    assert system.key == "mini"


def test_duplicate_code_names_code_and_line(tmp_path):
    text = GOOD + "  - code: X1\n    parent: D1\n    name_zh: 重复\n    name_en: Dup\n    direction: cost\n"
    with pytest.raises(IndicatorSystemError) as info:
        load_system(write(tmp_path, text))
    message = str(info.value)
    assert "duplicate" in message and "'X1'" in message and "line 15" in message
    assert info.value.line == 15 and info.value.file.endswith("system.yaml")


def test_missing_parent_names_line(tmp_path):
    text = GOOD.replace("parent: D1", "parent: D9")
    with pytest.raises(IndicatorSystemError, match=r"line 10.*'X1'.*parent 'D9' does not exist"):
        load_system(write(tmp_path, text))


def test_cycle_is_detected(tmp_path):
    text = GOOD + ("  - code: P\n    parent: Q\n    name_zh: 甲\n    name_en: P\n"
                   "  - code: Q\n    parent: P\n    name_zh: 乙\n    name_en: Q\n")
    with pytest.raises(IndicatorSystemError, match="cycle") as info:
        load_system(write(tmp_path, text))
    assert info.value.line in (15, 19)


def test_missing_name_names_field(tmp_path):
    text = GOOD.replace("    name_en: Indicator\n", "")
    with pytest.raises(IndicatorSystemError, match=r"'X1': name_en is missing"):
        load_system(write(tmp_path, text))


def test_leaf_without_direction(tmp_path):
    text = GOOD.replace("    direction: benefit\n", "")
    with pytest.raises(IndicatorSystemError, match="direction"):
        load_system(write(tmp_path, text))


def test_two_roots(tmp_path):
    text = GOOD + "  - code: H\n    name_zh: 另一个目标\n    name_en: Other goal\n"
    with pytest.raises(IndicatorSystemError, match="exactly one goal"):
        load_system(write(tmp_path, text))


def test_unknown_field_and_bad_yaml(tmp_path):
    with pytest.raises(IndicatorSystemError, match="unknown field"):
        load_system(write(tmp_path, GOOD.replace("direction: benefit", "direction: benefit\n    weight: 3")))
    with pytest.raises(IndicatorSystemError, match="not valid YAML"):
        load_system(write(tmp_path, "indicators: [code: : :\n"))


def test_csv_errors_name_the_line(tmp_path):
    csv = write(tmp_path, "code,parent,name_zh,name_en,direction\nG,,目标,Goal,\n"
                          "X1,G,指标,Indicator,benefit\nX1,G,指标二,Second,cost\n", "s.csv")
    with pytest.raises(IndicatorSystemError) as info:
        load_system(csv)
    assert info.value.line == 4 and "duplicate" in str(info.value)
    missing = write(tmp_path, "code,parent,name_zh\nG,,目标\n", "m.csv")
    with pytest.raises(IndicatorSystemError, match="missing column"):
        load_system(missing)


def test_gbk_csv_gets_a_diagnosis(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,parent,name_zh,name_en,direction\nG,,目标,Goal,\n".encode("gbk"))
    with pytest.raises(IndicatorSystemError, match="GBK"):
        load_system(path)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(IndicatorSystemError, match="not found"):
        load_system(tmp_path / "nope.yaml")
    with pytest.raises(IndicatorSystemError, match="unsupported"):
        load_system(write(tmp_path, "x", "s.txt"))


def test_loader_never_writes(tmp_path):
    path = write(tmp_path, GOOD)
    before = (path.read_bytes(), sorted(tmp_path.iterdir()))
    load_system(path)
    assert (path.read_bytes(), sorted(tmp_path.iterdir())) == before


def test_from_records_directly():
    system = IndicatorSystem.from_records([
        {"code": "G", "name_zh": "目标", "name_en": "Goal"},
        {"code": "X", "parent": "G", "name_zh": "甲", "name_en": "X", "direction": "COST"}])
    assert system.directions() == {"X": "cost"}
