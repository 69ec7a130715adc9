"""Every public function, class, method and result attribute has a docstring; every public
function, class and method an example (``>>>``), which test_public_api.py runs as a doctest.

``known_gaps.txt`` lists the members still without one; it may only shrink: a new gap fails,
and so does a listed member that has been documented (delete its line).
"""

from __future__ import annotations

import pathlib

from public_surface import missing_docstrings, missing_examples, public_surface

GAPS_FILE = pathlib.Path(__file__).with_name("known_gaps.txt")


def _known_gaps(kind: str) -> set[str]:
    lines = GAPS_FILE.read_text(encoding="utf-8").splitlines() if GAPS_FILE.exists() else []
    return {line.split(" ", 1)[1] for line in lines if line.startswith(kind + " ")}


def test_the_walk_sees_the_public_surface():
    surface = public_surface()
    for name in ("glmkit.glm", "glmkit.GLMResult.predict", "glmkit.GLMResult.aic", "glmkit.cv_glm",
                 "glmkit.links.Logit.inverse", "glmkit.solvers.IRLS.solve", "glmkit.Family.loglik",
                 "glmkit.ml_parameters.negbin.NegBinResult.theta_se"):
        assert name in surface, name


def _check(kind: str, missing: list[str]) -> None:
    known = _known_gaps(kind)
    new = sorted(set(missing) - known)
    fixed = sorted(known - set(missing))
    assert not new, f"{len(new)} public members without a {kind}:\n" + "\n".join(new)
    assert not fixed, f"documented now, delete from {GAPS_FILE.name}:\n" + "\n".join(f"{kind} {n}" for n in fixed)


def test_every_public_member_has_a_docstring():
    _check("docstring", missing_docstrings())


def test_every_public_callable_has_an_example():
    _check("example", missing_examples())
