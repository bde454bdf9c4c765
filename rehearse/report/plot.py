"""`rehearse progress --plot FILE.png`: one trend chart per metric, target bands shaded (matplotlib, Agg)."""

from __future__ import annotations

import math
from pathlib import Path

from rehearse.errors import RehearseError
from rehearse.history.progress import band_text, metric_specs
from rehearse.models import Progress

BAND_COLOUR = "#2ca02c"
BAND_ALPHA = 0.18
LINE_COLOUR = "#1f77b4"


def plot(progress: Progress, out: str | Path) -> Path:
    """Draw the metrics marked `plot = true` in rubrics/progress.toml into a PNG; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    if out.suffix.lower() != ".png":
        raise RehearseError(str(out), "the chart is written as PNG: give a file name ending in .png")
    if not out.parent.exists():
        raise RehearseError(str(out), f"folder {out.parent} does not exist")
    specs = {s["key"]: s for s in metric_specs() if s.get("plot")}
    trends = [t for t in progress.trends if t.metric in specs]
    sessions = progress.sessions
    x = list(range(1, len(sessions) + 1))
    cols = 2
    rows = max(1, math.ceil(len(trends) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.0 * rows), squeeze=False)
    for ax in axes.flat[len(trends):]:
        ax.set_visible(False)
    for ax, t in zip(axes.flat, trends):
        spec = specs[t.metric]
        scale = 100.0 if spec.get("percent") else 1.0
        ys = [None if v is None else v * scale for v in t.values]
        points = [(xi, yi) for xi, yi in zip(x, ys) if yi is not None]
        if t.target:
            low, high = t.target
            known = [y for _, y in points] or [0.0]
            lo = low * scale if low is not None else min(0.0, min(known))
            hi = high * scale if high is not None else max(known) * 1.1 + 1
            ax.axhspan(lo, hi, color=BAND_COLOUR, alpha=BAND_ALPHA, lw=0, label=f"target {band_text(spec)}")
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=LINE_COLOUR, lw=1.8)
        if t.best_session is not None:
            i = next(i for i, s in enumerate(sessions) if s.id == t.best_session)
            if ys[i] is not None:
                ax.plot([x[i]], [ys[i]], marker="*", markersize=14, color="#ff7f0e", ls="none", label="personal best")
        unit = "%" if spec.get("percent") else spec.get("unit", "")
        ax.set_title(f"{spec['label']} ({unit})" if unit else spec["label"], fontsize=11)
        ax.set_xlim(0.5, len(sessions) + 0.5)
        step = max(1, math.ceil(len(sessions) / 10))
        ax.set_xticks(x[::step])
        ax.set_xticklabels([f"#{s.id}" for s in sessions][::step], fontsize=8)
        ax.grid(alpha=0.3)
        if t.target or t.best_session is not None:
            ax.legend(fontsize=8, loc="best")
    first, last = sessions[0].created_at[:10], sessions[-1].created_at[:10]
    fig.suptitle(f"rehearse progress: {len(sessions)} sessions, {first} to {last}", fontsize=13)
    fig.tight_layout()
    import io

    from rehearse.files import write_atomic

    png = io.BytesIO()
    try:
        fig.savefig(png, dpi=100, format="png")
    finally:
        plt.close(fig)
    write_atomic(out, png.getvalue(), "chart")  # a FIFO or device at the path is refused, a symlink followed
    return out
