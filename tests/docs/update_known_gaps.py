"""Rewrite known_gaps.txt from the walk (run after documenting members):
``PYTHONPATH=src python tests/docs/update_known_gaps.py``."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from public_surface import missing_docstrings, missing_examples  # noqa: E402

lines = [f"docstring {n}" for n in missing_docstrings()] + [f"example {n}" for n in missing_examples()]
pathlib.Path(__file__).with_name("known_gaps.txt").write_text("".join(l + "\n" for l in lines), encoding="utf-8")
print(f"{len(lines)} gaps")
