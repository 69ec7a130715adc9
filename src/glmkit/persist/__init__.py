"""Model files: a fit's parts as versioned JSON, with no training data and no code.

The layer sits below ``results/`` (which writes files through it) and above ``families``,
``links`` and ``intake`` (whose parts it names); ``glmkit.model_files.load`` reads files
back into results. The format is described in ``docs/model-files.md``.
"""

from .encodings import CheckedFormulaSpec, decode_spec, encode_spec
from .file import FORMAT, FORMAT_VERSION, read_model_file, write_model_file
from .parts import decode_family, decode_link, encode_family, encode_link
from .values import decode_array, decode_float, decode_value, encode_array, encode_float, encode_value

__all__ = [
    "FORMAT", "FORMAT_VERSION", "read_model_file", "write_model_file", "encode_family", "decode_family",
    "encode_link", "decode_link", "encode_spec", "decode_spec", "CheckedFormulaSpec", "encode_array",
    "decode_array", "encode_float", "decode_float", "encode_value", "decode_value",
]
