"""docs/benchmarks.md is shared: each benchmark rewrites its own `## ` section, never the rest."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
TITLE = "# Benchmarks\n"


def write_section(heading: str, text: str, doc: Path = DOC) -> None:
    """Replace the section that starts with the line `heading` (up to the next `## ` heading)
    with `text`, which starts with that heading; append it when the file has none."""
    document = doc.read_text(encoding="utf-8") if doc.exists() else TITLE
    body = text.rstrip("\n") + "\n"
    start = document.find(f"\n{heading}\n")
    if start < 0:
        document = document.rstrip("\n") + "\n\n" + body
    else:
        end = document.find("\n## ", start + 1)
        rest = document[end + 1 :] if end >= 0 else ""
        document = document[: start + 1] + body + ("\n" + rest if rest else "")
    doc.write_text(document, encoding="utf-8")
