"""The model file itself: a JSON document with a format tag, a version and a checksum.

::

    {"format": "glmkit-model", "format_version": 1, "glmkit_version": "...",
     "class": "GLMResult", "model": {...}, "sha256": "<of the model section>"}

The format is described in ``docs/model-files.md``. Reading refuses a file that is not
JSON (or is truncated), is not a glmkit model, was written by a newer format version, or
whose model section no longer matches its checksum (edited or damaged).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from ..errors import CorruptModelFileError, ModelFileError, ModelFileVersionError

__all__ = ["FORMAT", "FORMAT_VERSION", "write_model_file", "read_model_file"]

FORMAT = "glmkit-model"
FORMAT_VERSION = 1


def _checksum(model: dict[str, Any]) -> str:
    canonical = json.dumps(model, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def write_model_file(path: str | os.PathLike, cls: str, model: dict[str, Any]) -> None:
    """Write ``model`` (JSON values only) as a model file of result class ``cls``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> write_model_file(path, "GLMResult", {"x": 1.0})
    >>> read_model_file(path)[1]
    {'x': 1.0}
    """
    from .. import __version__

    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "glmkit_version": __version__,
                "class": cls, "model": model, "sha256": _checksum(model)}
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise ModelFileError(f"Could not write the model file {os.fspath(path)!r}: {exc.strerror or exc}.") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_model_file(path: str | os.PathLike) -> tuple[str, dict[str, Any]]:
    """(result class name, model section) of a model file, checked (see the module notes)."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ModelFileError(f"Could not read the model file {name!r}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise CorruptModelFileError(f"{name!r} is not a glmkit model file (not UTF-8 text).") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptModelFileError(
            f"{name!r} is not a complete JSON document ({exc.msg} at line {exc.lineno}); the file is truncated "
            "or damaged. Save the model again.") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CorruptModelFileError(f"{name!r} is not a glmkit model file (no \"format\": \"{FORMAT}\").")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CorruptModelFileError(f"{name!r} has no valid format_version; found {version!r}.")
    if version > FORMAT_VERSION:
        raise ModelFileVersionError(
            f"{name!r} is model-file format version {version} (written by glmkit {document.get('glmkit_version')}); "
            f"this glmkit reads versions up to {FORMAT_VERSION}. Upgrade glmkit to load it.")
    model, cls = document.get("model"), document.get("class")
    if not isinstance(model, dict) or not isinstance(cls, str):
        raise CorruptModelFileError(f"{name!r} lacks its \"model\" section or \"class\".")
    if document.get("sha256") != _checksum(model):
        raise CorruptModelFileError(
            f"{name!r} does not match its checksum: the model section was changed or damaged after it was written. "
            "Save the model again (a model file is not meant to be edited).")
    return cls, model
