"""Small figure helpers: every figure they draw has a title and axis labels.

Each helper draws on ``ax`` (or a new figure when ``ax`` is None) and gives
the ``Axes`` back, so a lesson can add to it before ``plt.show()``. Inputs are
checked and never changed. Introduced in lesson 02 (the waterfall in lesson 01).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from .validation import require_frame, require_in_range, require_no_nan, require_numeric

STEP_COLOURS = {"start": "#7f7f7f", "removed": "#d62728", "end": "#2ca02c"}


def _require_text(value: object, arg: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{arg}: expected a non-empty string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{arg}: expected a non-empty string, got {value!r}")
    return value


def _axes(ax: object, figsize: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def label_axes(ax: Axes, title: str, xlabel: str, ylabel: str) -> Axes:
    """Give ``ax`` back with its title and both axis labels set (all three required).

    Introduced in lesson 02.
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes, got {type(ax).__name__}")
    ax.set_title(_require_text(title, "title"))
    ax.set_xlabel(_require_text(xlabel, "xlabel"))
    ax.set_ylabel(_require_text(ylabel, "ylabel"))
    return ax


def heatmap(
    table: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    colorbar_label: str | None = None,
    annot: bool = False,
    fmt: str = ".2g",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Give the Axes of a titled, labelled seaborn heatmap of a numeric table.

    Rows of ``table`` run down the y axis, columns along the x axis; NaN
    cells are left blank. Introduced in lesson 02.

    Parameters
    ----------
    table : DataFrame
        Numeric values, e.g. from ``hour_weekday_table`` or ``cohort_retention``.
    title, xlabel, ylabel : str
        Required: every figure of the course says what it shows.
    colorbar_label : str, optional
        Label of the colour bar (what the colour measures).
    annot, fmt : bool, str
        Write each value in its cell, formatted with ``fmt`` (e.g. ``".0%"``).
    cmap : str
        Matplotlib colour map.
    vmin, vmax : float, optional
        Ends of the colour scale (default: the data's range); values beyond
        them get the end colour, so one large column cannot wash out the rest.
    ax : Axes, optional
        Where to draw; a new 8 x 5 inch figure if None.
    """
    require_frame(table, [], "table")
    require_numeric(table, list(table.columns), "table")
    for name, value in {"title": title, "xlabel": xlabel, "ylabel": ylabel}.items():
        _require_text(value, name)
    if colorbar_label is not None:
        _require_text(colorbar_label, "colorbar_label")
    ax = _axes(ax, (8, 5))
    sns.heatmap(
        table.astype(float),
        ax=ax,
        annot=annot,
        fmt=fmt,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        cbar_kws={"label": colorbar_label} if colorbar_label else None,
    )
    ax.grid(False)  # a style's grid lines would cross the cells
    return label_axes(ax, title, xlabel, ylabel)


def _as_curves(curves: object) -> dict[str, pd.DataFrame]:
    if isinstance(curves, pd.DataFrame):
        curves = {"revenue": curves}
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(
            "curves: expected a concentration_curve DataFrame or a non-empty dict "
            f"label -> DataFrame, got {type(curves).__name__}"
        )
    for label, frame in curves.items():
        _require_text(label, "curves label")
        require_frame(frame, ["entity_share", "revenue_share"], f"curves[{label!r}]")
        require_numeric(frame, ["entity_share", "revenue_share"], f"curves[{label!r}]")
        require_no_nan(frame, ["entity_share", "revenue_share"], f"curves[{label!r}]")
    return dict(curves)


def pareto_plot(
    curves: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    title: str,
    xlabel: str = "top share of entities (ranked by revenue)",
    ylabel: str = "share of revenue",
    mark: float | None = 0.2,
    ax: Axes | None = None,
) -> Axes:
    """Give the Axes of Pareto (concentration) curves, with the line of equal shares.

    Each curve starts at (0, 0); the legend gives the share of revenue at
    ``mark`` (e.g. the top 20%), read off as ``top_share`` does. Introduced in
    lesson 02.

    Parameters
    ----------
    curves : DataFrame or dict of str to DataFrame
        Output(s) of ``behaviour.concentration_curve``, keyed by a legend label.
    title, xlabel, ylabel : str
        Title and axis labels.
    mark : float or None
        Draw a guide at this share of entities, in (0, 1]; None for no guide.
    ax : Axes, optional
        Where to draw; a new 6 x 5 inch figure if None.
    """
    curves = _as_curves(curves)
    for name, value in {"title": title, "xlabel": xlabel, "ylabel": ylabel}.items():
        _require_text(value, name)
    if mark is not None:
        require_in_range(mark, "mark", 0, 1, low_inclusive=False)
    ax = _axes(ax, (6, 5))
    for label, frame in curves.items():
        x = np.concatenate([[0.0], frame["entity_share"].to_numpy(dtype=float)])
        y = np.concatenate([[0.0], frame["revenue_share"].to_numpy(dtype=float)])
        if mark is not None:
            label = f"{label} (top {mark:.0%}: {np.interp(mark, x, y):.1%} of revenue)"
        ax.plot(x, y, label=label)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="equal shares")
    if mark is not None:
        ax.axvline(mark, linestyle=":", color="black", linewidth=1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.legend(loc="lower right")
    return label_axes(ax, title, xlabel, ylabel)


def waterfall(
    steps: pd.DataFrame,
    *,
    title: str,
    xlabel: str = "cleaning step",
    ylabel: str = "rows",
    end_label: str = "clean data",
    ax: Axes | None = None,
) -> Axes:
    """Give the Axes of a waterfall bar chart of the rows each cleaning step removes.

    The first bar is the starting row count, each step a red bar hanging
    from the rows left before it down to the rows left after it, and the
    last bar (``end_label``) the rows that remain. Introduced in lesson 01.

    Parameters
    ----------
    steps : DataFrame
        One row per step, index = step name, columns ``rows_removed`` and
        ``rows_left``; the first row is the start (as ``CleaningResult.steps``).
        Each ``rows_left`` must equal the previous one minus ``rows_removed``.
    title, xlabel, ylabel, end_label : str
        Title, axis labels and the name of the last bar.
    ax : Axes, optional
        Where to draw; a new 9 x 4.5 inch figure if None.
    """
    require_frame(steps, ["rows_removed", "rows_left"], "steps")
    require_numeric(steps, ["rows_removed", "rows_left"], "steps")
    require_no_nan(steps, ["rows_removed", "rows_left"], "steps")
    for name, value in {"title": title, "xlabel": xlabel, "ylabel": ylabel, "end_label": end_label}.items():
        _require_text(value, name)
    removed = steps["rows_removed"].to_numpy(dtype=float)
    left = steps["rows_left"].to_numpy(dtype=float)
    if (removed < 0).any():
        raise ValueError(f"steps: expected rows_removed >= 0, got {removed[removed < 0][0]:g}")
    if not np.allclose(left[1:], left[:-1] - removed[1:]):
        raise ValueError(
            "steps: expected each rows_left to be the previous rows_left minus rows_removed, "
            f"got rows_left {left.tolist()} and rows_removed {removed.tolist()}"
        )
    ax = _axes(ax, (9, 4.5))
    names = [str(s) for s in steps.index] + [end_label]
    heights = np.concatenate([[left[0]], removed[1:], [left[-1]]])
    bottoms = np.concatenate([[0.0], left[1:], [0.0]])
    colours = [STEP_COLOURS["start"]] + [STEP_COLOURS["removed"]] * (len(steps) - 1)
    bars = ax.bar(names, heights, bottom=bottoms, color=colours + [STEP_COLOURS["end"]])
    # a step that removes nothing is labelled "0", not "-0"
    texts = [f"{left[0]:,.0f}"] + [f"-{r:,.0f}" if r > 0 else "0" for r in removed[1:]] + [f"{left[-1]:,.0f}"]
    for bar, text in zip(bars, texts, strict=True):
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_ylim(0, left.max() * 1.08)
    ax.tick_params(axis="x", labelrotation=20)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return label_axes(ax, title, xlabel, ylabel)


def difference_plot(
    differences: Mapping,
    *,
    title: str,
    xlabel: str,
    ylabel: str = "comparison",
    ax: Axes | None = None,
) -> Axes:
    """Give the Axes of a forest plot: each paired difference as a dot with its interval bar.

    One row per comparison, top to bottom in the given order; a dot at the
    mean difference, a bar from ``low`` to ``high``, and a dashed line at 0.
    A bar that crosses the line is "within noise" (grey); one wholly to the
    right (A better) is blue, wholly to the left (B better) red. Introduced
    in lesson 06 (used again in lesson 07).

    Parameters
    ----------
    differences : mapping name -> PairedDifference
        Results of :func:`pmkt_lessons.evaluation.paired_bootstrap` (anything
        with ``difference``, ``low`` and ``high``), e.g.
        ``{"item-kNN - popularity": paired_bootstrap(a, b)}``.
    title, xlabel, ylabel : str
        Title and axis labels.
    ax : Axes, optional
        Where to draw; a new figure (7 inches wide, 0.5 inch per row) if None.
    """
    if not isinstance(differences, Mapping) or not differences:
        raise TypeError(
            f"differences: expected a non-empty mapping name -> PairedDifference, got {type(differences).__name__}"
        )
    for name, diff in differences.items():
        if not all(hasattr(diff, field) for field in ("difference", "low", "high")):
            raise TypeError(
                f"differences: expected PairedDifference values (difference, low, high), "
                f"got {type(diff).__name__} for {name!r}"
            )
        values = np.array([diff.difference, diff.low, diff.high], dtype=float)
        if not np.isfinite(values).all() or not diff.low <= diff.difference <= diff.high:
            raise ValueError(
                f"differences: expected finite low <= difference <= high, got "
                f"{diff.low!r} <= {diff.difference!r} <= {diff.high!r} for {name!r}"
            )
    for name, value in {"title": title, "xlabel": xlabel, "ylabel": ylabel}.items():
        _require_text(value, name)
    ax = _axes(ax, (7, 1.2 + 0.5 * len(differences)))
    names = [str(name) for name in differences]
    rows = np.arange(len(names))[::-1]
    for row, diff in zip(rows, differences.values(), strict=True):
        colour = "#4c72b0" if diff.low > 0 else "#c44e52" if diff.high < 0 else "#7f7f7f"
        ax.errorbar(
            diff.difference,
            row,
            xerr=[[diff.difference - diff.low], [diff.high - diff.difference]],
            fmt="o",
            color=colour,
            capsize=4,
        )
    ax.axvline(0, color="black", linestyle="--", linewidth=1)
    ax.locator_params(axis="x", nbins=5)  # few ticks: intervals are often narrow and labels long
    ax.set_yticks(rows, labels=names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    return label_axes(ax, title, xlabel, ylabel)
