"""pmkt_lessons.plots: titles and labels always set, the right bars and lines drawn, bad input named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pmkt_lessons import columns as C  # noqa: E402
from pmkt_lessons import plots  # noqa: E402
from pmkt_lessons.cleaning import clean_transactions  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def table():
    return pd.DataFrame(
        [[1.0, 2.0, np.nan], [0.5, 0.0, 4.0]],
        index=pd.Index([10, 11], name="hour"),
        columns=["Mon", "Tue", "Wed"],
    )


@pytest.fixture
def curve():
    # three customers bringing 75, 20 and 5
    return pd.DataFrame({"entity_share": [1 / 3, 2 / 3, 1.0], "revenue_share": [0.75, 0.95, 1.0]})


@pytest.fixture
def steps():
    return pd.DataFrame(
        {"rows_removed": [0, 30, 20], "rows_left": [100, 70, 50]},
        index=pd.Index(["raw data", "step a", "step b"], name="step"),
    )


def _labels(ax):
    return ax.get_title(), ax.get_xlabel(), ax.get_ylabel()


# --------------------------------------------------------------------------- label_axes


def test_label_axes_sets_all_three():
    _, ax = plt.subplots()
    assert plots.label_axes(ax, "T", "x", "y") is ax
    assert _labels(ax) == ("T", "x", "y")


def test_label_axes_refuses_empty_or_missing_text():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="xlabel: expected a non-empty string, got ' '"):
        plots.label_axes(ax, "T", " ", "y")
    with pytest.raises(TypeError, match="title: expected a non-empty string, got NoneType"):
        plots.label_axes(ax, None, "x", "y")
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes, got str"):
        plots.label_axes("ax", "T", "x", "y")


# --------------------------------------------------------------------------- heatmap


def test_heatmap_draws_every_cell_with_labels(table):
    ax = plots.heatmap(table, title="T", xlabel="weekday", ylabel="hour", colorbar_label="revenue")
    assert _labels(ax) == ("T", "weekday", "hour")
    mesh = ax.collections[0]
    values = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(table.shape)
    np.testing.assert_array_equal(values, table.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Mon", "Tue", "Wed"]
    assert ax.figure.axes[-1].get_ylabel() == "revenue"  # the colour bar


def test_heatmap_annotations_use_fmt(table):
    ax = plots.heatmap(table, title="T", xlabel="x", ylabel="y", annot=True, fmt=".0%")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["100%", "200%", "50%", "0%", "400%"])  # the NaN cell stays blank


def test_heatmap_colour_limits_and_no_grid(table):
    with plt.rc_context({"axes.grid": True}):  # as under seaborn's whitegrid style
        ax = plots.heatmap(table, title="T", xlabel="x", ylabel="y", vmin=0.0, vmax=2.0)
    assert ax.collections[0].get_clim() == (0.0, 2.0)
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())


def test_heatmap_draws_on_a_given_axes(table):
    _, ax = plt.subplots()
    assert plots.heatmap(table, title="T", xlabel="x", ylabel="y", ax=ax) is ax


def test_heatmap_bad_input(table):
    with pytest.raises(TypeError, match="table: expected a pandas DataFrame, got ndarray"):
        plots.heatmap(table.to_numpy(), title="T", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="table: expected a non-empty DataFrame"):
        plots.heatmap(table.iloc[:0], title="T", xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="table: expected column 'Tue' to be numeric"):
        plots.heatmap(table.assign(Tue="x"), title="T", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="title: expected a non-empty string"):
        plots.heatmap(table, title="", xlabel="x", ylabel="y")
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes or None, got int"):
        plots.heatmap(table, title="T", xlabel="x", ylabel="y", ax=3)


def test_heatmap_does_not_modify_input(table):
    before = table.copy()
    plots.heatmap(table, title="T", xlabel="x", ylabel="y", annot=True)
    pd.testing.assert_frame_equal(table, before)


# --------------------------------------------------------------------------- pareto_plot


def test_pareto_plot_starts_at_origin_and_reports_the_mark(curve):
    ax = plots.pareto_plot({"customers": curve}, title="T", mark=1 / 3)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(line.get_ydata(), [0, 0.75, 0.95, 1.0])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["customers (top 33%: 75.0% of revenue)", "equal shares"]
    assert ax.get_title() == "T" and ax.get_xlabel() and ax.get_ylabel()


def test_pareto_plot_interpolates_the_mark_like_top_share(curve):
    ax = plots.pareto_plot(curve, title="T", mark=0.5)
    assert "top 50%: 85.0% of revenue" in ax.get_legend().get_texts()[0].get_text()


def test_pareto_plot_several_curves_and_no_mark(curve):
    ax = plots.pareto_plot({"a": curve, "b": curve}, title="T", mark=None)
    assert len(ax.get_lines()) == 3  # two curves and the diagonal
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "equal shares"]


def test_pareto_plot_bad_input(curve):
    with pytest.raises(TypeError, match="curves: expected a concentration_curve DataFrame"):
        plots.pareto_plot([curve], title="T")
    with pytest.raises(TypeError, match="curves: expected"):
        plots.pareto_plot({}, title="T")
    with pytest.raises(ValueError, match="curves\\['a'\\]: expected columns .*missing \\['revenue_share'\\]"):
        plots.pareto_plot({"a": curve.drop(columns="revenue_share")}, title="T")
    with pytest.raises(ValueError, match="mark: expected a value in \\(0, 1\\], got 2"):
        plots.pareto_plot(curve, title="T", mark=2)
    with pytest.raises(TypeError, match="title"):
        plots.pareto_plot(curve, title=None)


def test_pareto_plot_does_not_modify_input(curve):
    before = curve.copy()
    plots.pareto_plot(curve, title="T")
    pd.testing.assert_frame_equal(curve, before)


# --------------------------------------------------------------------------- waterfall


def test_waterfall_bars_hang_from_the_rows_left(steps):
    ax = plots.waterfall(steps, title="T")
    bars = ax.patches
    assert [b.get_height() for b in bars] == [100, 30, 20, 50]
    assert [b.get_y() for b in bars] == [0, 70, 50, 0]
    assert [t.get_text() for t in ax.texts] == ["100", "-30", "-20", "50"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["raw data", "step a", "step b", "clean data"]
    assert _labels(ax) == ("T", "cleaning step", "rows")


def test_waterfall_of_a_real_cleaning_result():
    raw = pd.DataFrame(
        {
            C.INVOICE: ["1", "1", "C2", "3", "4"],
            C.STOCK_CODE: ["85123A"] * 5,
            C.DESCRIPTION: ["heart"] * 5,
            C.QUANTITY: [1, 1, -1, 2, 3],
            C.INVOICE_DATE: pd.to_datetime(["2011-01-01"] * 5),
            C.UNIT_PRICE: [2.0, 2.0, 2.0, 0.0, 1.0],
            C.CUSTOMER_ID: pd.array([1, 1, 1, 2, pd.NA], dtype="Int64"),
            C.COUNTRY: ["United Kingdom"] * 5,
        }
    )
    steps = clean_transactions(raw).steps  # missing id 1, cancellation 1, duplicate 1, price 1
    ax = plots.waterfall(steps, title="T")
    assert [b.get_height() for b in ax.patches] == [5, 1, 1, 1, 0, 1, 1]
    assert [t.get_text() for t in ax.texts][-1] == "1"
    # the quantity step removes nothing: labelled "0", never "-0"
    assert [t.get_text() for t in ax.texts] == ["5", "-1", "-1", "-1", "0", "-1", "1"]


def test_waterfall_bad_input(steps):
    with pytest.raises(ValueError, match="steps: expected columns .*missing \\['rows_left'\\]"):
        plots.waterfall(steps.drop(columns="rows_left"), title="T")
    bad = steps.assign(rows_left=[100, 70, 60])
    with pytest.raises(ValueError, match="steps: expected each rows_left to be the previous rows_left minus rows_removed"):
        plots.waterfall(bad, title="T")
    with pytest.raises(ValueError, match="steps: expected rows_removed >= 0, got -30"):
        plots.waterfall(steps.assign(rows_removed=[0, -30, 20], rows_left=[100, 130, 110]), title="T")
    with pytest.raises(TypeError, match="steps: expected column 'rows_removed' to be numeric"):
        plots.waterfall(steps.assign(rows_removed=["0", "30", "20"]), title="T")
    with pytest.raises(ValueError, match="end_label: expected a non-empty string"):
        plots.waterfall(steps, title="T", end_label="")


def test_waterfall_does_not_modify_input(steps):
    before = steps.copy()
    plots.waterfall(steps, title="T")
    pd.testing.assert_frame_equal(steps, before)


# --------------------------------------------------------------------------- difference_plot


def _differences():
    from pmkt_lessons.evaluation import PairedDifference

    return {
        "better": PairedDifference(0.05, 0.03, 0.07, 0.95, 100),
        "noise": PairedDifference(0.002, -0.001, 0.004, 0.95, 100),
        "worse": PairedDifference(-0.04, -0.06, -0.02, 0.95, 100),
    }


def test_difference_plot_draws_each_interval_in_order_and_colours_the_verdict():
    diffs = _differences()
    ax = plots.difference_plot(diffs, title="t", xlabel="x")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    positions = list(ax.get_yticks())
    assert dict(zip(labels, positions, strict=True)) == {"better": 2, "noise": 1, "worse": 0}  # first on top
    bars = [c for c in ax.containers]
    assert len(bars) == 3
    for bar, diff in zip(bars, diffs.values(), strict=True):
        ((x, _),) = bar.lines[0].get_xydata()
        assert x == pytest.approx(diff.difference)
        segment = bar.lines[2][0].get_segments()[0]
        assert segment[0][0] == pytest.approx(diff.low) and segment[1][0] == pytest.approx(diff.high)
    colours = [matplotlib.colors.to_hex(bar.lines[0].get_color()) for bar in bars]
    assert colours == ["#4c72b0", "#7f7f7f", "#c44e52"]
    assert ax.get_title() == "t" and ax.get_xlabel() == "x" and ax.get_ylabel() == "comparison"
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())


def test_difference_plot_accepts_the_package_bootstrap():
    from pmkt_lessons.evaluation import paired_bootstrap

    rng = np.random.default_rng(0)
    a = rng.random(200)
    diff = paired_bootstrap(a + 0.1, a)
    ax = plots.difference_plot({"A - B": diff}, title="t", xlabel="x", ylabel="y")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A - B"]


def test_difference_plot_bad_input():
    diffs = _differences()
    with pytest.raises(TypeError, match="differences: expected a non-empty mapping"):
        plots.difference_plot({}, title="t", xlabel="x")
    with pytest.raises(TypeError, match="differences: expected a non-empty mapping"):
        plots.difference_plot([1, 2], title="t", xlabel="x")
    with pytest.raises(TypeError, match="PairedDifference values.*'bad'"):
        plots.difference_plot({"bad": 0.3}, title="t", xlabel="x")
    from pmkt_lessons.evaluation import PairedDifference

    with pytest.raises(ValueError, match="low <= difference <= high"):
        plots.difference_plot({"x": PairedDifference(0.5, 0.6, 0.7, 0.95, 10)}, title="t", xlabel="x")
    with pytest.raises(ValueError, match="title"):
        plots.difference_plot(diffs, title=" ", xlabel="x")
    with pytest.raises(TypeError, match="ax"):
        plots.difference_plot(diffs, title="t", xlabel="x", ax="axes")


def test_difference_plot_does_not_modify_input():
    diffs = _differences()
    before = dict(diffs)
    plots.difference_plot(diffs, title="t", xlabel="x")
    assert diffs == before
