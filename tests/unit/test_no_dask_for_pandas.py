"""A pandas or numpy fit never imports Dask (the Dask route is taken only for Dask collections)."""

import subprocess
import sys

CODE = """
import sys, numpy as np, pandas as pd, glmkit as gk
df = pd.DataFrame({"y": [1.0, 0.0, 2.0, 3.0, 1.0], "x": [0.0, 1.0, 2.0, 3.0, 4.0], "g": list("ababa")})
fit = gk.glm("y ~ x + C(g)", df, family="poisson")
fit.summary(); fit.cov_robust("HC3"); fit.predict(df)
gk.glm_fit(np.arange(5.0)[:, None], [1.0, 0.0, 2.0, 3.0, 1.0], "poisson").residuals()
print(sorted(m for m in sys.modules if m == "dask" or m.startswith("dask.") or m == "distributed"))
"""


def test_fitting_pandas_and_numpy_data_does_not_import_dask():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
