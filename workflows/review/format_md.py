"""The review as Markdown (a wiki page, an email)."""

from __future__ import annotations

from workflows.review.document import Block, review_blocks
from workflows.review.report import Review


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_block(block: Block) -> list[str]:
    if block.kind == "title":
        return [f"# {block.text}", ""]
    if block.kind == "heading":
        return [f"## {block.text}", ""]
    if block.kind == "paragraph":
        return [block.text, ""]
    if block.kind == "list":
        return [*(f"- {item}" for item in block.items), ""]
    if block.kind == "table":
        lines = [
            f"**{block.text}**",
            "",
            "| " + " | ".join(map(_escape, block.headers)) + " |",
            "|" + "---|" * len(block.headers),
        ]
        lines += ["| " + " | ".join(map(_escape, row)) + " |" for row in block.rows]
        return [*lines, ""]
    return []  # charts are drawn only in HTML


def render_markdown(review: Review) -> str:
    return "\n".join(line for block in review_blocks(review) for line in render_block(block))
