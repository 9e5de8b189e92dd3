"""``execverify view``: one self-contained HTML page to read results line by line.

A page shows, for each program, its line-numbered source with the executed lines marked (how
often each ran, from a trace), every question anchored at its line with the accepted answers
and the model's (right or wrong), and the completions that produced them. Four inputs are
understood (``execverify.view.detect``): a dataset folder, an evaluation run (``results.json``),
a training run (``rollouts.jsonl`` files) and a study (several evaluation runs side by side).

Loaders turn each input into the same plain view model (``execverify.view.model``); the page
module embeds it as JSON in a template (``page.html``/``.css``/``.js``, package data) that
renders it lazily with ``textContent``, so untrusted text (completions) never becomes markup.
docs/design.md, "Viewer" has the overview.
"""

from __future__ import annotations

from execverify.view.detect import VIEW_KINDS, ViewError, detect_kind, load_view
from execverify.view.page import render_page, write_page

__all__ = ["VIEW_KINDS", "ViewError", "detect_kind", "load_view", "render_page", "write_page"]
