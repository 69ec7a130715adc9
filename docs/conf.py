"""Sphinx configuration for glmkit's API reference (built by ``make docs``, warnings are errors)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))

import glmkit  # noqa: E402

project = "glmkit"
author = "glmkit developers"
release = version = glmkit.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
source_suffix = {".rst": "restructuredtext"}  # the *.md guides stay plain Markdown, read on GitHub
exclude_patterns = ["_build"]
root_doc = "index"

autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = True
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
html_theme = "alabaster"
html_static_path: list[str] = []
