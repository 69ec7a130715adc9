"""The ``glmkit`` command line: ``glmkit demo`` run once for real, as ``make demo`` runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glmkit.cli import build_parser, main

pytest.importorskip("matplotlib")

DEMO_TIMEOUT_S = 300  # the demo takes ~10 s; a generous bound for a loaded 2-core machine


def _command() -> list[str]:
    script = Path(sys.executable).with_name("glmkit")
    if script.exists():
        return [str(script)]
    found = shutil.which("glmkit")
    return [found] if found else [sys.executable, "-m", "glmkit.cli"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("demo") / "figures"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [*_command(), "demo", "--output-dir", str(out_dir)],
        capture_output=True, text=True, timeout=DEMO_TIMEOUT_S, env=env, cwd=tmp_path_factory.getbasetemp(),
    )
    return proc, out_dir


def _table_row(stdout: str, section: str, row: str) -> list[str]:
    block = stdout.split(section, 1)[1]
    line = next(l for l in block.splitlines() if l.startswith(row))
    return line[len(row):].split()


def test_demo_exits_cleanly(demo_run):
    proc, _ = demo_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


def test_demo_prints_the_three_tables(demo_run):
    out = demo_run[0].stdout
    assert "seed 123, N = 1000 rows, D = 10 columns" in out
    for section, columns in (
        ("[1] Linear regression", ["true", "normal eq.", "closed form"]),
        ("[2] Logistic regression", ["true", "GD lr 1e-4", "GD Armijo", "IRLS"]),
        ("[3] Poisson regression", ["true", "GD lr 1e-5", "GD Armijo", "IRLS"]),
    ):
        assert section in out
        block = out.split(section, 1)[1].split("\n[", 1)[0]
        header = next(l for l in block.splitlines() if l.strip().startswith("true"))
        assert [c.strip() for c in re.split(r"\s{2,}", header.strip())] == columns
        for j in range(10):
            assert re.search(rf"^b{j}\s+-?\d", block, re.MULTILINE), f"b{j} missing in {section}"
        for row in ("reached MLE (1e-8) at", "time to reach MLE", "iterations run", "total time", "converged"):
            assert row in block
        assert "gives the same estimates" in block


@pytest.mark.parametrize("section", ["[2] Logistic regression", "[3] Poisson regression"])
def test_gradient_descent_agrees_with_irls(demo_run, section):
    out = demo_run[0].stdout
    differences = [float(x) for x in _table_row(out, section, "max |b - b_MLE|")]
    assert len(differences) == 3 and max(differences) <= 1e-6
    assert _table_row(out, section, "converged") == ["yes", "yes", "yes"]
    reached = _table_row(out, section, "reached MLE (1e-8) at")
    assert reached[0::2] == ["it.", "it.", "it."]  # every solver got within 1e-8
    iterations = [int(x) for x in reached[1::2]]
    assert iterations[2] < iterations[1] < iterations[0]  # IRLS < line search < textbook GD
    assert iterations[0] <= 100_000


def test_demo_fits_and_summarises_the_bundled_dataset(demo_run):
    out = demo_run[0].stdout
    assert "warpbreaks" in out and "Tippett (1950)" in out
    assert "Residual deviance: 210.39  on 50  degrees of freedom" in out  # as R prints it
    assert re.search(r"^Intercept\s+3\.6919", out, re.MULTILINE)  # R: 3.69196


def test_demo_writes_the_figures_it_names(demo_run):
    proc, out_dir = demo_run
    for name in ("coefficients.png", "convergence.png"):
        path = out_dir / name
        assert str(path.resolve()) in proc.stdout
        assert path.exists() and path.stat().st_size > 30_000
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_parser_and_exit_codes(capsys):
    assert main([]) == 2  # no command: help, non-zero
    assert "demo" in capsys.readouterr().out
    args = build_parser().parse_args(["demo", "--output-dir", "somewhere"])
    assert args.command == "demo" and args.output_dir == "somewhere"
    assert build_parser().parse_args(["demo"]).output_dir == "glmkit-demo-output"
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("glmkit ")
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


# -- fit, predict, summary, anova: real work from CSV and Parquet files ----------------------------

def _glmkit(*args: str, cwd) -> subprocess.CompletedProcess:
    import glmkit

    src = str(Path(glmkit.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "glmkit.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n), "e": rng.uniform(1, 2, n)})
    d["y"] = rng.poisson(np.exp(0.3 * d.x + np.log(d.e)))
    where = tmp_path_factory.mktemp("cli")
    d.to_csv(where / "d.csv", index=False)
    d.to_parquet(where / "d.parquet")
    return d, where


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_fit_then_predict_end_to_end(claims, ext):
    import pandas as pd

    import glmkit as gk

    d, where = claims
    formula = "y ~ x + g + offset(np.log(e))"
    proc = _glmkit("fit", f"d.{ext}", "--formula", formula, "--family", "poisson", "--output", f"m_{ext}.json",
                   cwd=where)
    assert proc.returncode == 0, proc.stderr
    direct = gk.glm(formula, d, family="poisson")
    assert "Coefficients:" in proc.stdout
    assert re.search(rf"Residual deviance: +{direct.deviance:.1f}", proc.stdout)
    proc = _glmkit("predict", f"m_{ext}.json", f"d.{ext}", "--se", "--interval", "0.9", "--output", f"p.{ext}",
                   cwd=where)
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(where / "p.csv") if ext == "csv" else pd.read_parquet(where / "p.parquet")
    want = direct.predict(d, se=True, interval="confidence", level=0.9).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    summary = _glmkit("summary", f"m_{ext}.json", cwd=where)
    assert summary.returncode == 0 and summary.stdout.strip() == str(direct.summary()).strip()


def test_anova_of_saved_nested_models(claims):
    import glmkit as gk

    d, where = claims
    for name, formula in (("small", "y ~ x"), ("big", "y ~ x + g")):
        assert _glmkit("fit", "d.csv", "--formula", formula, "--family", "poisson", "-o", f"{name}.json",
                       cwd=where).returncode == 0
    proc = _glmkit("anova", "small.json", "big.json", cwd=where)
    assert proc.returncode == 0, proc.stderr
    table = gk.anova(gk.glm("y ~ x", d, family="poisson"), gk.glm("y ~ x + g", d, family="poisson"), test="Chisq")
    printed = str(table).splitlines()[-3]  # the larger model's row, as R prints it
    assert printed.split(None, 1)[1] in proc.stdout
    bad = _glmkit("anova", "big.json", "big.json", "small.json", cwd=where)
    assert bad.returncode == 0  # equal models are nested in each other


@pytest.mark.parametrize("args, words", [
    (("fit", "d.csv", "--formula", "y ~ nope"), "nope"),
    (("fit", "d.txt", "--formula", "y ~ x"), ".csv or .parquet"),
    (("fit", "missing.csv", "--formula", "y ~ x"), "no such file"),
    (("fit", "d.csv"), "--formula"),
    (("fit", "d.csv", "--formula", "y ~ x", "--family", "poison"), "Unknown family"),
    (("summary", "d.csv"), "not a complete JSON"),
    (("predict", "nothing.json", "d.csv", "-o", "p.csv"), "nothing.json"),
    (("frobnicate",), "invalid choice"),
])
def test_bad_inputs_exit_2_with_one_line(claims, args, words):
    _, where = claims
    proc = _glmkit(*args, cwd=where)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["fit", "predict", "summary", "anova", "demo"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert "example:" in capsys.readouterr().out
