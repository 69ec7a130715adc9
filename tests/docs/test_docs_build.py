"""`make docs`: the API reference builds from the docstrings with no Sphinx warning, and
lists every public name."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

from public_surface import public_names

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def test_api_reference_builds_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")
    pytest.importorskip("numpydoc", reason="the docs extra (numpydoc) is not installed")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E",
                          str(DOCS), str(tmp_path / "html")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"sphinx failed (warnings are errors):\n{run.stderr[-4000:]}"
    assert (tmp_path / "html" / "api" / "results.html").exists()
    html = (tmp_path / "html" / "api" / "results.html").read_text(encoding="utf-8")
    for member in ("glmkit.GLMResult.predict", "glmkit.GLMResult.summary", "glmkit.GLMResult.conf_int"):
        assert f'id="{member}"' in html, member


def _documented_names() -> set[str]:
    names = set()
    for page in (DOCS / "api").glob("*.rst"):
        module = "glmkit"
        for line in page.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"\.\. currentmodule:: (\S+)", line):
                module = m.group(1)
            elif m := re.match(r"\.\. auto(?:function|class):: (\S+)", line):
                target = m.group(1)
                names.add(target if target.startswith("glmkit.") else f"{module}.{target}")
    return names


def test_every_public_function_and_class_has_a_page():
    documented = {n.rsplit(".", 1)[1] for n in _documented_names()}
    missing = sorted(public_names() - documented)
    assert not missing, f"public names not in docs/api/*.rst: {missing}"
