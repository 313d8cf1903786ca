"""Safe file names from scenario and variant names: the one place they are made.

Every file or folder simkit names after a scenario (``simkit run --out``
results and checkpoints, the default ``simkit sweep`` folder) goes through
:func:`file_stem`, so that no name can reach outside the output folder or
hide in it: no path separator, no leading dot (so never ``.`` or ``..``), no
control character, and at most :data:`MAX_STEM_BYTES` bytes of UTF-8.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["file_stem", "MAX_STEM_BYTES", "bad_name_char"]

#: Longest stem, in UTF-8 bytes. File names may have 255 bytes on common file
#: systems; this leaves room for suffixes (``_summary.csv``) and for the
#: temporary names of atomic writes (``.STEM.json.PID.XXXXXXXX.tmp``).
MAX_STEM_BYTES = 120

_UNSAFE = re.compile(r"[^\w.-]+")


def bad_name_char(name: str):
    """The first character of ``name`` that a name may not hold, or None.

    Control characters (NUL, newline, escape, DEL, ...) and lone surrogates are
    refused in scenario and variant names: they cannot be printed on one line
    or encoded as a file name.

    Examples
    --------
    >>> bad_name_char("micro: big") is None
    True
    >>> bad_name_char("a\\x00b")
    '\\x00'
    """
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return ch
    return None


def file_stem(name: str) -> str:
    """A safe file-name stem for the scenario or variant ``name``.

    Letters (any script, NFC-normalized), digits, ``_``, ``.`` and ``-`` are
    kept; every run of other characters (``/``, ``:``, spaces, ...) becomes
    ``_``, as does a leading dot, so the stem is never empty, ``.`` or ``..``
    and has no separator. A stem longer than :data:`MAX_STEM_BYTES` bytes is
    cut and ends with ``-`` and 12 hex digits of the SHA-256 of the name, so
    that long names stay distinct.

    Parameters
    ----------
    name : str
        Scenario name (``base:variant`` for a variant).

    Returns
    -------
    str

    Examples
    --------
    >>> file_stem("micro:big plan")
    'micro_big_plan'
    >>> file_stem(".."), file_stem(""), file_stem("a/b"), file_stem("café")
    ('__', '_', 'a_b', 'café')
    >>> len(file_stem("x" * 5000).encode())
    120
    """
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", str(name)))
    dots = len(stem) - len(stem.lstrip("."))
    stem = "_" * dots + stem[dots:] or "_"
    if len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        raw = str(name).encode("utf-8", "surrogatepass")
        tag = hashlib.sha256(raw).hexdigest()[:12]
        head = stem.encode("utf-8")[:MAX_STEM_BYTES - 13].decode("utf-8", "ignore")
        stem = f"{head}-{tag}"
    return stem
