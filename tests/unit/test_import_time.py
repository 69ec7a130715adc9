"""``import glmkit`` loads none of the heavy optional or rarely needed modules, and the
lazy stand-in behaves as the module it stands for."""

from __future__ import annotations

import subprocess
import sys

from glmkit._lazy import lazy_module

# Imported only when used (`python -X importtime -c "import glmkit"`: about 0.27 s here).
NOT_AT_IMPORT = ["pandas", "scipy.sparse", "scipy.stats", "scipy.special", "scipy.optimize", "scipy.linalg",
                 "formulaic", "narwhals", "matplotlib", "threadpoolctl", "sklearn"]


def test_import_glmkit_loads_no_heavy_module():
    code = "import sys, glmkit; print(' '.join(m for m in %r if m in sys.modules))" % (NOT_AT_IMPORT,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [], f"imported by `import glmkit`: {out}"


def test_lazy_module_imports_on_first_attribute():
    code = ("import sys; from glmkit._lazy import lazy_module; m = lazy_module('colorsys'); "
            "before = 'colorsys' in sys.modules; m.rgb_to_hsv(1, 0, 0); print(before, 'colorsys' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_lazy_module_is_the_module():
    import json

    lazy = lazy_module("json")
    assert lazy.dumps is json.dumps and lazy.JSONDecodeError is json.JSONDecodeError
