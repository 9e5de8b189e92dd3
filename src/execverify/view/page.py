"""The HTML page: the view model as JSON inside a self-contained template.

The template (``page.html``, ``page.css``, ``page.js``, package data) is inlined, with no
network fetches, so the file opens from disk anywhere. The data goes in a
``<script type="application/json">`` block with every ``<`` written as ``\\u003c``, so no text in
it (a completion holding ``</script>``) can close the block; the script reads it with
``JSON.parse`` and renders untrusted strings with ``textContent`` only.
"""

from __future__ import annotations

import json
import math
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from execverify.view.model import View

_SLOT = re.compile(r"/\*VIEW_(CSS|JS|DATA|TITLE)\*/")


def _asset(name: str) -> str:
    return files("execverify.view").joinpath(name).read_text(encoding="utf-8")


def _finite(data: Any) -> Any:
    """``data`` with NaN and infinities as None (JSON has no such numbers, and
    ``results.json`` writes the mean of no values as NaN)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def embed_json(data: object) -> str:
    """JSON that is safe inside a script element: no ``<``, so no ``</script>`` or ``<!--``."""
    text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_page(view: View) -> str:
    """The whole page as one string."""
    title = f"execverify view: {view.kind} {view.source}"
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    values = {"CSS": _asset("page.css"), "JS": _asset("page.js"),
              "DATA": embed_json(view.to_json()), "TITLE": escaped}
    # One pass, so text put into one slot is never searched for the next slot.
    return _SLOT.sub(lambda m: values[m.group(1)], _asset("page.html"))


def write_page(view: View, out: str | Path) -> Path:
    """Write the page to ``out`` (atomically: a reader never sees half a page)."""
    from execverify.data.dataset import write_atomic

    out = Path(out)
    write_atomic(out, render_page(view).encode("utf-8"))
    out.chmod(0o644)  # a page to share, not a secret (the temporary file was private)
    return out
