"""Interrupted and concurrent runs of ``crmstudy run``.

The chapters here are two slow notebooks written by the test (the real chapters finish too
quickly to be interrupted reliably): each starts a child process of its own (``sleep``),
writes its kernel's and that child's process ids to a file, and sleeps.  The run is then sent
SIGINT (to its whole process group, as a terminal's Ctrl-C does) or SIGTERM (to the command
alone, as ``kill`` does).  Afterwards no process of the run may be left - the command, its
workers, the kernels, the kernels' children - and no staging folder.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

# process groups, SIGTERM delivery and `sleep` are POSIX; Windows has neither signal semantics
pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(os.name != "posix", reason="POSIX signals and process groups")]

DRIVER = """\
import sys
from pathlib import Path
from crmstudy import cli
from crmstudy.chapters import Chapter

if __name__ == "__main__":  # the workers are spawned: they import this file
    folder = Path(sys.argv[1])
    slow = [Chapter(p.stem[:2], p.stem, p) for p in sorted(folder.glob("*.ipynb"))]
    cli.chapters = lambda selection=None: slow  # the registry, pointed at these notebooks
    sys.exit(cli.main(sys.argv[2:]))
"""


def slow_chapters(folder: Path, seconds: float, count: int = 2) -> Path:
    folder.mkdir()
    for k in range(1, count + 1):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(f"seconds = {seconds}\nlang = 'zh'")
        params.metadata["tags"] = ["parameters"]
        body = nbformat.v4.new_code_cell(
            "import json, os, subprocess, time\n"
            "child = subprocess.Popen(['sleep', '600'])\n"
            f"with open(r'{folder}/pids-{k}.json.tmp', 'w') as f:\n"
            "    json.dump({'kernel': os.getpid(), 'child': child.pid}, f)\n"
            f"os.replace(r'{folder}/pids-{k}.json.tmp', r'{folder}/pids-{k}.json')\n"
            "time.sleep(seconds)\n"
            "child.terminate(); child.wait()")
        nb.cells = [params, body]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, folder / f"{k:02d}_slow.ipynb")
    (folder / "driver.py").write_text(DRIVER, encoding="utf-8")
    return folder


def start(folder: Path, out: Path, *args: str) -> subprocess.Popen:
    """The command with its own temporary folder (where the kernels' IPC sockets and
    connection files go), to check that nothing is left there either."""
    tmp = folder.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, str(folder / "driver.py"), str(folder), "run",
                             "--out", str(out), "--no-html", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.parametrize("signum,jobs,to_group,code", [
    (signal.SIGINT, 2, True, 130),    # Ctrl-C in a terminal: the whole foreground group
    (signal.SIGTERM, 2, False, 143),  # kill -TERM <pid>: the command alone
    (signal.SIGTERM, 1, False, 143),
    (signal.SIGINT, 1, False, 130),
])
def test_a_signal_stops_everything_and_leaves_no_debris(tmp_path, signum, jobs, to_group, code):
    folder = slow_chapters(tmp_path / "chapters", seconds=300)
    out = tmp_path / "results" / "run"
    proc = start(folder, out, "--jobs", str(jobs))
    try:
        running = [folder / f"pids-{k}.json" for k in range(1, jobs + 1)]
        wait_for(lambda: all(p.exists() for p in running) or proc.poll() is not None, 180,
                 "the kernels to start")
        assert proc.poll() is None, proc.communicate()
        staging = out.parent / ".run.partial"
        assert staging.is_dir()
        started = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        kernels = [json.loads(p.read_text()) for p in running]
        expected = {k["kernel"] for k in kernels} | {k["child"] for k in kernels}
        assert expected <= started  # kernels and their children descend from the command
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == code, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr  # one line, no traceback
    assert signal.Signals(signum).name in lines[0] and "no results folder" in lines[0]
    assert "Traceback" not in stdout + stderr
    wait_for(lambda: not any(alive(pid) for pid in started | expected), 10,
             "every process of the run to end")
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no staging folder, nothing else
    assert list((tmp_path / "tmp").iterdir()) == []  # no IPC sockets or connection files


def test_kernels_use_no_unencrypted_tcp_and_warn_nothing(tmp_path):
    folder = slow_chapters(tmp_path / "chapters", seconds=0, count=1)
    proc = start(folder, tmp_path / "out")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "without encryption" not in stderr + stdout
    assert "Traceback" not in stderr and "[IPKernelApp] WARNING" not in stderr


def test_two_runs_into_the_same_folder_exactly_one_succeeds(tmp_path):
    folder = slow_chapters(tmp_path / "chapters", seconds=3)
    out = tmp_path / "same"
    first, second = start(folder, out, "--jobs", "2"), start(folder, out, "--jobs", "2")
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], results
    loser = results[[first.returncode, second.returncode].index(2)]
    assert "already exists" in loser[1]
    assert sorted(p.name for p in out.iterdir()) == ["01_slow.ipynb", "02_slow.ipynb",
                                                     "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [c["chapter"] for c in manifest["chapters"]] == ["01_slow", "02_slow"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chapters", "same", "tmp"]  # no staging
    assert list((tmp_path / "tmp").iterdir()) == []
