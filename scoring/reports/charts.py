"""Small charts drawn as SVG on the server, for PDFs (no JavaScript, nothing fetched).

The markup is built from numbers only; the one piece of text (the caption) is escaped, so a
chart is safe to mark as safe in a template.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape

from ..display import shown
from ..engine import to_decimal

Point = tuple[int, float | Decimal | None]  # (week, completion share 0–1.2 or None)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, body: str, *, size=7, fill="#666", anchor="start") -> str:
    # The font is named: SVG text would otherwise fall back to a non-CJK sans-serif.
    return (
        f'<text font-family="Noto Sans CJK SC" x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size}" '
        f'fill="{fill}" text-anchor="{anchor}">{body}</text>'
    )


def sparkline_svg(
    points: Sequence[Point],
    *,
    width: int = 220,
    height: int = 56,
    first_week: int = 1,
    last_week: int | None = None,
    caption: str = "",
    ceiling: float = 1.2,
) -> str:
    """A polyline of a weekly completion share, with a dashed 100 % line and a week axis.

    `points` may have gaps (weeks without a figure): the line skips them. The y scale is fixed
    (0 to `ceiling`) so charts of different campaigns compare at a glance.
    """
    pad_left, pad_right, pad_top, pad_bottom = 4, 30, 4, 12
    plot_w = width - pad_left - pad_right
    plot_h = height - pad_top - pad_bottom
    weeks = [w for w, v in points if v is not None]
    last_week = last_week or (max(weeks) if weeks else first_week)
    span = max(last_week - first_week, 1)

    def x(week: int) -> float:
        return pad_left + plot_w * (week - first_week) / span

    def y(value: float) -> float:
        value = max(0.0, min(float(value), ceiling))
        return pad_top + plot_h * (1 - value / ceiling)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f'<rect x="{pad_left}" y="{pad_top}" width="{plot_w}" height="{plot_h}" '
        'fill="#fafafa" stroke="#ccc" stroke-width="0.5"/>',
        f'<line x1="{pad_left}" x2="{pad_left + plot_w}" y1="{_fmt(y(1))}" y2="{_fmt(y(1))}" '
        'stroke="#c00" stroke-width="0.6" stroke-dasharray="3 2"/>',
        _text(pad_left + plot_w + 2, y(1) + 3, "100%", fill="#c00"),
        _text(pad_left, height - 2, f"第{first_week}周"),
        _text(pad_left + plot_w, height - 2, f"第{last_week}周", anchor="end"),
    ]
    run: list[str] = []
    runs: list[list[str]] = []
    for week, value in points:
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{_fmt(x(week))},{_fmt(y(value))}")
    if run:
        runs.append(run)
    for segment in runs:
        if len(segment) == 1:
            cx, cy = segment[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="#1f4e9c"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="#1f4e9c" '
                'stroke-width="1.2" stroke-linejoin="round"/>'
            )
    last = next(((w, v) for w, v in reversed(points) if v is not None), None)
    if last is not None:
        label = f"{shown(to_decimal(last[1]) * 100, places=0)}%"  # rounded as every figure is
        parts.append(_text(pad_left + plot_w + 2, y(last[1]) + 3, label, fill="#1f4e9c"))
    else:
        middle = (pad_left + plot_w / 2, pad_top + plot_h / 2 + 3)
        parts.append(_text(*middle, "暂无填报", size=8, fill="#999", anchor="middle"))
    if caption:
        parts.append(f"<title>{escape(caption)}</title>")
    parts.append("</svg>")
    return "".join(parts)
