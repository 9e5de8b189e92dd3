"""The header and output every benchmark result file shares: what ran, when, on what machine,
and how loaded it was (rates on these shared machines are only comparable with that)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path


def header(title: str, command: str) -> list[str]:
    return [
        f"# {title}",
        "",
        f"Command: `{command}`  ",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, load average at the end {os.getloadavg()[0]:.1f}.",
        "",
    ]


def publish(lines: list[str], out: Path | None) -> None:
    """Print the result and, with ``out``, record it in the repository."""
    text = "\n".join(lines)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
