"""The study's thesis tables (crmstudy.thesis): the same tables in tables/*.csv and tables.docx,
Table 1 and the M1–M3 regression computed from the study's analysis frame."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from crmstudy.study_model import build_frame
from crmstudy.thesis import table_file_name, write_study_results

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "second_study"


def _second_params(**extra):
    study = yaml.safe_load((SECOND / "study.yaml").read_text(encoding="utf-8"))
    params = {**study["chapters"]["04_performance_moderation"], "model": study["model"],
              "attention_item": study["attention_item"], "drop_careless": study["drop_careless"],
              "lang": study["lang"]}
    params.update(survey=str(SECOND / "responses.csv"), codebook=str(SECOND / "codebook.csv"))
    return {**params, **extra}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("staging")
    params = _second_params(n_boot=300, seed=5)
    return folder, params, write_study_results(params, folder, "en")


def test_docx_tables_equal_the_csv_tables(written):
    import docx

    folder, _, tables = written
    doc = docx.Document(str(folder / "tables.docx"))
    assert len(doc.tables) == len(tables) == 8
    for word, table in zip(doc.tables, tables):
        csv = folder / "tables" / table_file_name(table, "en")
        back = pd.read_csv(csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        cells = [[c.text for c in row.cells] for row in word.rows]
        assert cells == [list(back.columns)] + back.values.tolist(), csv.name
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Table ")]
    assert [t.kind for t in tables] == ["descriptives", "measurement", "fit", "regression",
                                        "simple_slopes", "mediation", "mediation", "hypotheses"]
    assert len(captions) >= len(tables)
    assert (folder / "hypotheses.csv").exists()


def test_table1_is_the_frames_correlations_with_sqrt_ave(written):
    _, params, tables = written
    frame = build_frame(params)
    t1 = tables[0]
    data = frame.data
    # numeric variables and controls; the categorical control (region) is left out
    assert "region" not in list(t1.data.index) and "数字能力" in t1.data.index
    x, y = data["数字能力"], data["CS"]
    r, p = stats.pearsonr(x, y)
    assert t1.details["r"].loc["数字能力", "CS"] == pytest.approx(r, abs=1e-12)
    assert t1.details["p"].loc["数字能力", "CS"] == pytest.approx(p, rel=1e-9)
    assert t1.data.loc["CS", "数字能力"] == pytest.approx(r, abs=1e-12)
    assert t1.data.loc["数字能力", "mean"] == pytest.approx(x.mean(), abs=1e-12)
    # the diagonal of every construct is the √AVE of the CFA in table 2
    ave = tables[1].data.groupby("construct")["ave"].first()
    assert sorted(ave.index) == sorted(["数字能力", "MP", "CI", "CS"])
    for construct, value in ave.items():
        assert t1.data.loc[construct, construct] == pytest.approx(np.sqrt(value), rel=1e-12)
    assert np.isnan(t1.data.loc["years", "years"])


def test_regression_table_is_the_hierarchical_regression(written):
    import statsmodels.formula.api as smf

    _, params, tables = written
    reg = tables[3]
    assert list(reg.display("en").columns[1:]) == ["M1", "M2", "M3"]
    assert "dependent variable: Market performance" in reg.caption("en")
    frame = build_frame(params)
    d = frame.data.rename(columns={"数字能力": "DG"})
    d["DGc"], d["CIc"] = d["DG"] - d["DG"].mean(), d["CI"] - d["CI"].mean()
    m2 = smf.ols("MP ~ log_employees + C(region) + years + DGc + CIc", d).fit()
    m1 = smf.ols("MP ~ log_employees + C(region) + years", d).fit()
    shown = reg.display("en")
    r2 = shown.set_index(shown.columns[0]).loc["R²"]
    assert float(r2["M1"]) == pytest.approx(m1.rsquared, abs=5e-4)  # display rounded to 3 decimals
    assert float(r2["M2"]) == pytest.approx(m2.rsquared, abs=5e-4)
