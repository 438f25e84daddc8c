"""Every file of the bad-input corpus is caught by `crmstudy check` with a located message.

For each case of tests/bad_inputs/cases.yaml a study file naming that one input is written to
a temporary folder; `crmstudy check` must exit 1, name the file and the location given in the
case (line, row id, column, label ...), print no traceback, and leave the input byte-identical.
"""
import hashlib
from pathlib import Path

import pytest
import yaml

from crmstudy import cli

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def test_corpus_is_large_and_covers_every_kind():
    assert len(CASES) >= 40
    kinds = {c["param"].split(".")[-1] for c in CASES}
    assert kinds >= {"system_file", "codebook", "survey", "judgments", "financials",
                     "transactions", "b2b_customers", "STUDY"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_check_catches_and_locates(case, tmp_path, capsys):
    source = CORPUS / case["file"]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if case["param"] == "STUDY":
        study = source
    else:
        chapter, name = case["param"].split(".")
        params = {name: str(source), **case.get("params", {})}
        study = tmp_path / "study.yaml"
        study.write_text(yaml.safe_dump({"chapters": {chapter: params}}, allow_unicode=True),
                         encoding="utf-8")
    # in-process (the CLI's own entry point) so the corpus runs in seconds; an uncaught
    # exception would surface here as a failing test, i.e. a traceback for the user
    code = cli.main(["check", str(study)])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code != 0, output
    assert "Traceback" not in output, output
    assert case["file"] in output, output
    assert case["where"] in output, output
    assert "error" in output
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_check_from_the_command_line_exits_non_zero(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "crmstudy.cli", "check",
                             str(CORPUS / "study_typo_parameter.yaml")], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1 and "langauge" in result.stdout and "Traceback" not in result.stderr


def test_every_case_names_its_location():
    # an empty `where` would make test_check_catches_and_locates check nothing
    empty = [c["file"] for c in CASES if not str(c.get("where", "")).strip()]
    assert not empty, empty


def _study_with_codebook(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text("chapters:\n  02_measurement:\n    codebook: crm_codebook\n", encoding="utf-8")
    return study


@pytest.mark.parametrize("crash", [TypeError("unsupported operand"), KeyError("A11"),
                                   AttributeError("'NoneType' object has no attribute 'x'")])
def test_a_crashing_validator_is_a_bug_not_an_error_line(crash, tmp_path, monkeypatch):
    from crmstudy import study

    real = study._validators

    def broken():
        validators = real()

        def codebook(source, params, file):
            raise crash

        return {**validators, "codebook": codebook}

    monkeypatch.setattr(study, "_validators", broken)
    with pytest.raises(type(crash)):
        study.check_study(_study_with_codebook(tmp_path))


def test_a_validator_raising_an_input_error_gives_a_located_problem(tmp_path, monkeypatch):
    from crmstudy import study
    from crmstudy.errors import InputDataError

    real = study._validators

    def strict():
        def codebook(source, params, file):
            raise InputDataError("an injected problem", file=file, row="A11", column="min")

        return {**real(), "codebook": codebook}

    monkeypatch.setattr(study, "_validators", strict)
    problems = study.check_study(_study_with_codebook(tmp_path))
    assert [(p.severity, p.where, p.message) for p in problems] == [
        ("error", "row A11, column min", "an injected problem")]
