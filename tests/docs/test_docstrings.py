"""Every public function, class, method and result attribute has a docstring; every public
function, class and method an example (``>>>``), which test_public_api.py runs as a doctest.

There are no known gaps: a member without one fails, listed by name.
"""

from __future__ import annotations

from public_surface import missing_docstrings, missing_examples, public_surface

def test_the_walk_sees_the_public_surface():
    surface = public_surface()
    for name in ("glmkit.glm", "glmkit.GLMResult.predict", "glmkit.GLMResult.aic", "glmkit.cv_glm",
                 "glmkit.links.Logit.inverse", "glmkit.solvers.IRLS.solve", "glmkit.Family.loglik",
                 "glmkit.ml_parameters.negbin.NegBinResult.theta_se"):
        assert name in surface, name


def _check(kind: str, missing: list[str]) -> None:
    assert not missing, f"{len(missing)} public members without a {kind}:\n" + "\n".join(sorted(missing))


def test_every_public_member_has_a_docstring():
    _check("docstring", missing_docstrings())


def test_every_public_callable_has_an_example():
    _check("example", missing_examples())
