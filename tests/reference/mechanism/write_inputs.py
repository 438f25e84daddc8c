"""Write the inputs of make_reference.R: chapter 06's SEM data and syntax on the sample study
(the model of tests/test_mechanism.py, built by crmstudy.mechanism.mechanism_sem).
Run from the repository root: python tests/reference/mechanism/write_inputs.py"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from test_mechanism import SAMPLE  # noqa: E402

from crmstudy.mechanism import mechanism_sem  # noqa: E402
from crmstudy.study_model import build_frame, parse_model  # noqa: E402

frame = build_frame(dict(survey="crm_survey", codebook="crm_codebook", financials="crm_financials",
                         attention_item="attention_check", attention_answer=2, drop_careless=True,
                         balance="average", composite_method="entropy"), parse_model(SAMPLE))
spec = mechanism_sem(frame)
spec.data.to_csv(HERE / "sem_data.csv", index=False, float_format="%.10g")
(HERE / "sem_model.lav").write_text(spec.syntax + "\n", encoding="utf-8")
