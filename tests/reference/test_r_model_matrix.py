"""R's formula spellings against R's model.matrix (``r/model_matrix.R`` → ``expected/model_matrix.json``).

Each case gives glmkit the formula text exactly as R was given it, and compares the design
column for column (names and values), the design of new rows encoded with the training
state (knots, polynomial coefficients, levels; some rows outside the training range), the
response and the offset. Values at 1e-10 relative to max(1, |R's value|): the spline
bases and orthogonal polynomials are computed by different algorithms (scipy's de Boor
evaluation and LAPACK's QR against R's splineDesign and LINPACK), which agree to ~1e-15.

Names: a term written in R's spelling is named as R names it. A plain string column ``g``
is a formulaic term and keeps formulaic's name ``g[T.b]`` where R writes ``gb``
(``_formulaic_name`` translates R's name for those columns only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from glmkit.intake.formula import build_model_frame

REFERENCE = "model_matrix"
RTOL = 1e-10

# R codes a factor in an interaction whose margins are absent with every level (the model
# matrix is then rank deficient and glm aliases a column); formulaic codes it full rank
# (patsy's rule). Same column space, different columns: compared as spaces.
SAME_SPACE_ONLY = {"factor_colon_factor"}


def _formulaic_name(name: str, data: pd.DataFrame) -> str:
    factors = [c for c in data.columns if pd.api.types.is_string_dtype(data[c])]
    parts = []
    for part in name.split(":"):
        hit = next((c for c in sorted(factors, key=len, reverse=True)
                    if part.startswith(c) and part[len(c):] in set(data[c].astype(str))), None)
        parts.append(f"{hit}[T.{part[len(hit):]}]" if hit else part)
    return ":".join(parts)


@pytest.fixture(scope="module")
def frame(r_case, reference_data):
    data = reference_data(r_case["dataset"])
    return data, build_model_frame(r_case["formula"], data)


def _close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= RTOL * np.maximum(1.0, np.abs(want))), np.max(np.abs(got - want))


def _same_space(a: np.ndarray, b: np.ndarray) -> None:
    rank = np.linalg.matrix_rank
    assert rank(a) == rank(b) == rank(np.column_stack([a, b]))


def test_design_matches_r(r_case, frame):
    data, fr = frame
    want = np.array(r_case["X"], dtype=float)
    if r_case["id"] in SAME_SPACE_ONLY:
        _same_space(fr.X, want)
        return
    names = ["Intercept" if n == "(Intercept)" else _formulaic_name(n, data) for n in r_case["colnames"]]
    assert fr.column_names == names
    _close(fr.X, want)


def test_new_data_encoded_with_training_state(r_case, frame):
    _, fr = frame
    newdata = pd.DataFrame(r_case["newdata"])
    design, offset, _ = fr.spec.encode(newdata)
    want = np.array(r_case["X_new"], dtype=float)
    if r_case["id"] in SAME_SPACE_ONLY:
        assert design.shape[0] == want.shape[0]
        return
    _close(design.toarray(), want)
    if r_case["offset_new"] is not None:
        _close(offset, np.array(r_case["offset_new"]))


def test_response_and_offset_match_r(r_case, frame):
    _, fr = frame
    response = np.array(r_case["response"], dtype=float)
    if response.ndim == 2:  # cbind(successes, failures): glmkit's proportion and trials
        trials = response.sum(axis=1)
        _close(fr.trials, trials)
        _close(fr.y, response[:, 0] / trials)
    else:
        _close(fr.y, response)
    want_offset = np.zeros(len(fr.y)) if r_case["offset"] is None else np.array(r_case["offset"])
    _close(fr.offset, want_offset)
