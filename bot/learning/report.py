"""One self-contained HTML page of the statistics: inline SVG charts, no script, no external font or file."""

from __future__ import annotations

from html import escape

from bot.learning.counting import ANSWERED, CONVERSATION, FALLBACK, SUGGESTED
from bot.learning.stats import Stats

COLOURS = {ANSWERED: "#2e7d32", SUGGESTED: "#f9a825", FALLBACK: "#c62828", "up": "#2e7d32", "down": "#c62828"}
LABELS = {ANSWERED: "answered", SUGGESTED: "did you mean", FALLBACK: "fallback", "up": "👍", "down": "👎"}
BAR, GAP, WIDTH, NAME = 18, 6, 420, 190


def _legend(keys: tuple[str, ...]) -> str:
    return " ".join(
        f'<span class="key"><i style="background:{COLOURS[k]}"></i>{escape(LABELS[k])}</span>' for k in keys
    )


def stacked_bars(rows: dict[str, dict[str, int]], keys: tuple[str, ...], title: str) -> str:
    """Horizontal bars, one per row, stacked by key, scaled to the largest row; each segment has a tooltip."""
    if not rows:
        return f"<h2>{escape(title)}</h2><p>No data yet.</p>"
    biggest = max(sum(row[k] for k in keys) for row in rows.values()) or 1
    height = len(rows) * (BAR + GAP)
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{NAME + WIDTH + 60}" height="{height}">']
    for i, (name, row) in enumerate(rows.items()):
        y = i * (BAR + GAP)
        parts.append(f'<text x="0" y="{y + BAR - 5}">{escape(name)}</text>')
        x = float(NAME)
        for k in keys:
            w = WIDTH * row[k] / biggest
            if w > 0:
                tip = f"{name}: {row[k]} {LABELS[k]}"
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{COLOURS[k]}">'
                    f"<title>{escape(tip)}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + BAR - 5}">{sum(row[k] for k in keys)}</text>')
    parts.append("</svg>")
    return f"<h2>{escape(title)}</h2><p>{_legend(keys)}</p>{''.join(parts)}"


def render_html(stats: Stats) -> str:
    """The page: headline figures, then per day, per language and per intent."""
    wait = "—" if stats.median_first_reply_minutes is None else f"{stats.median_first_reply_minutes} min"
    ratings = ", ".join(f"{k}★ × {v}" for k, v in stats.ratings.items()) or "none"
    figures = [
        ("conversations", str(stats.conversations)),
        ("messages", str(stats.messages)),
        ("answered", f"{stats.shares.get(ANSWERED, 0):.0%}"),
        ("did you mean", f"{stats.shares.get(SUGGESTED, 0):.0%}"),
        ("fallback", f"{stats.shares.get(FALLBACK, 0):.0%}"),
        ("hand-offs opened / closed", f"{stats.handoffs_opened} / {stats.handoffs_closed}"),
        ("median time to first reply", wait),
        ("ratings", ratings),
    ]
    cards = "".join(f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in figures)
    days = {f"{d} ({row[CONVERSATION]} conv.)": row for d, row in stats.by_day.items()}
    bands = (ANSWERED, SUGGESTED, FALLBACK)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oncobot statistics</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 760px; }}
.card {{ display: inline-block; border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; margin: .3em; }}
.card b {{ display: block; font-size: 1.5em; }} .card span {{ color: #666; font-size: .85em; }}
svg text {{ font-size: 12px; fill: #222; }} .key {{ margin-right: 1em; }}
.key i {{ display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: middle; }}
</style></head><body>
<h1>oncobot statistics</h1>
<p>Since {escape(stats.since)} (UTC). Counts only: no message text, no user.</p>
{cards}
{stacked_bars(days, bands, "Messages per day")}
{stacked_bars(stats.by_language, bands, "Messages per language")}
{
        stacked_bars(
            {lang: row for lang, row in stats.by_language.items() if row["up"] + row["down"]},
            ("up", "down"),
            "Feedback per language",
        )
    }
{stacked_bars(stats.feedback_by_intent, ("up", "down"), "Feedback per intent")}
</body></html>
"""
