"""The review as one self-contained HTML file: inline CSS, charts as embedded PNGs, no
script and nothing fetched, so it opens anywhere and can be mailed as an attachment."""

from __future__ import annotations

import base64
from html import escape

from workflows.review.charts import CHARTS
from workflows.review.document import Block, review_blocks
from workflows.review.report import Review

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: .4rem 0 1.2rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; }
th { background: #f4f6f8; } .small { color: #8a6d00; font-style: italic; }
ul.findings li { margin: .2rem 0; } img { max-width: 100%; margin: .5rem 0 1rem; }
"""


def _cell(text: str) -> str:
    css = ' class="small"' if text.startswith("n too small") else ""
    return f"<td{css}>{escape(text)}</td>"


def render_block(block: Block, review: Review) -> str:
    if block.kind == "title":
        return f"<h1>{escape(block.text)}</h1>"
    if block.kind == "heading":
        return f"<h2>{escape(block.text)}</h2>"
    if block.kind == "paragraph":
        return f"<p>{escape(block.text)}</p>"
    if block.kind == "list":
        return (
            '<ul class="findings">'
            + "".join(f"<li>{escape(i)}</li>" for i in block.items)
            + "</ul>"
        )
    if block.kind == "table":
        head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
        body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in block.rows)
        return (
            f"<table><caption>{escape(block.text)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
    png = CHARTS[block.text](review.scopes[block.scope])
    if png is None:
        return ""
    data = base64.b64encode(png).decode()
    alt = f"{block.text} chart for {review.labels[block.scope]}"
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def render_html(review: Review) -> str:
    body = "\n".join(render_block(b, review) for b in review_blocks(review))
    title = escape(f"Override review: {review.window.label()}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No icon to fetch: the file stays self-contained, served or opened from disk.
        f'<link rel="icon" href="data:,">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
