"""pmkt_lessons.behaviour on a five-line shop whose answers were worked out by hand."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkt_lessons import behaviour as B
from pmkt_lessons import columns as C

# Five lines, three customers, three products, January and March 2011 (no sale in February).
#   inv  customer  when                      product  revenue  country
#   1    A(1)      Mon 2011-01-03 10:15      P1       50       UK
#   1    A(1)      Mon 2011-01-03 10:15      P2       10       UK
#   2    B(2)      Tue 2011-01-04 11:00      P1       20       France
#   3    A(1)      Mon 2011-03-07 10:40      P3       15       UK
#   4    C(3)      Tue 2011-03-08 12:00      P2        5       Germany


@pytest.fixture
def shop():
    return pd.DataFrame(
        {
            C.INVOICE: ["1", "1", "2", "3", "4"],
            C.STOCK_CODE: ["P1", "P2", "P1", "P3", "P2"],
            C.INVOICE_DATE: pd.to_datetime(
                [
                    "2011-01-03 10:15",
                    "2011-01-03 10:15",
                    "2011-01-04 11:00",
                    "2011-03-07 10:40",
                    "2011-03-08 12:00",
                ]
            ),
            C.CUSTOMER_ID: pd.array([1, 1, 2, 1, 3], dtype="Int64"),
            C.COUNTRY: ["United Kingdom", "United Kingdom", "France", "United Kingdom", "Germany"],
            C.REVENUE: [50.0, 10.0, 20.0, 15.0, 5.0],
        }
    )


# --------------------------------------------------------------------------- answers


def test_monthly_revenue_by_hand(shop):
    table = B.monthly_revenue(shop)
    assert list(table.index) == list(pd.to_datetime(["2011-01-01", "2011-02-01", "2011-03-01"]))
    assert table.index.name == B.MONTH
    assert table[C.REVENUE_TOTAL].tolist() == [80.0, 0.0, 20.0]
    assert table[B.ORDERS].tolist() == [2, 0, 2]
    assert table[B.CUSTOMERS].tolist() == [2, 0, 2]
    assert table[B.DAYS_WITH_SALES].tolist() == [2, 0, 2]


def test_hour_weekday_revenue_by_hand(shop):
    table = B.hour_weekday_table(shop)
    assert list(table.columns) == list(B.WEEKDAYS)
    assert list(table.index) == [10, 11, 12]
    expected = pd.DataFrame(0.0, index=table.index, columns=table.columns)
    expected.loc[10, "Monday"] = 75.0
    expected.loc[11, "Tuesday"] = 20.0
    expected.loc[12, "Tuesday"] = 5.0
    pd.testing.assert_frame_equal(table, expected)


def test_hour_weekday_orders_counts_distinct_invoices(shop):
    table = B.hour_weekday_table(shop, value="orders")
    assert table.loc[10, "Monday"] == 2  # invoices 1 (two lines) and 3
    assert table.loc[11, "Tuesday"] == 1
    assert table.loc[12, "Tuesday"] == 1
    assert int(table.to_numpy().sum()) == 4


def test_revenue_by_country_by_hand(shop):
    table = B.revenue_by_country(shop, top=None)
    assert list(table.index) == ["United Kingdom", "France", "Germany"]
    assert table[C.REVENUE_TOTAL].tolist() == [75.0, 20.0, 5.0]
    np.testing.assert_allclose(table[B.SHARE], [0.75, 0.20, 0.05])
    assert table[B.CUSTOMERS].tolist() == [1, 1, 1]
    assert table[B.ORDERS].tolist() == [2, 1, 1]


def test_revenue_by_country_top_keeps_share_of_all(shop):
    table = B.revenue_by_country(shop, top=2)
    assert list(table.index) == ["United Kingdom", "France"]
    np.testing.assert_allclose(table[B.SHARE], [0.75, 0.20])


def test_concentration_curve_customers_by_hand(shop):
    curve = B.concentration_curve(shop)
    assert curve[C.CUSTOMER_ID].tolist() == [1, 2, 3]
    assert curve[C.REVENUE_TOTAL].tolist() == [75.0, 20.0, 5.0]
    assert curve[C.RANK].tolist() == [1, 2, 3]
    np.testing.assert_allclose(curve[B.ENTITY_SHARE], [1 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(curve[B.REVENUE_SHARE], [0.75, 0.95, 1.0])


def test_concentration_curve_products_breaks_ties_by_id(shop):
    curve = B.concentration_curve(shop, by=C.STOCK_CODE)
    assert curve[C.STOCK_CODE].tolist() == ["P1", "P2", "P3"]  # P2 and P3 both bring 15
    np.testing.assert_allclose(curve[B.REVENUE_SHARE], [0.70, 0.85, 1.0])


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(1 / 3, 0.75), (2 / 3, 0.95), (1.0, 1.0), (0.5, 0.85), (1 / 6, 0.375)],
)
def test_top_share_reads_the_curve_with_interpolation(shop, fraction, expected):
    assert B.top_share(shop, C.CUSTOMER_ID, fraction) == pytest.approx(expected)


@pytest.fixture
def cancelled():
    """Two cancellation lines: A takes back 40 of P1, C takes back 9 of P2 (more than C bought)."""
    return pd.DataFrame(
        {
            C.INVOICE: ["C5", "C6"],
            C.STOCK_CODE: ["P1", "P2"],
            C.CUSTOMER_ID: pd.array([1, 3], dtype="Int64"),
            C.REVENUE: [-40.0, -9.0],
        }
    )


def test_concentration_curve_nets_the_returns(shop, cancelled):
    # net totals: A 75 - 40 = 35, B 20, C 5 - 9 -> 0 (a return of an earlier purchase counts as 0)
    curve = B.concentration_curve(shop, returns=cancelled)
    assert curve[C.CUSTOMER_ID].tolist() == [1, 2, 3]
    assert curve[C.REVENUE_TOTAL].tolist() == [35.0, 20.0, 0.0]
    np.testing.assert_allclose(curve[B.REVENUE_SHARE], [35 / 55, 1.0, 1.0])
    # products: P1 70 - 40 = 30, P2 15 - 9 = 6, P3 15
    products = B.concentration_curve(shop, by=C.STOCK_CODE, returns=cancelled)
    assert products[C.STOCK_CODE].tolist() == ["P1", "P3", "P2"]
    assert products[C.REVENUE_TOTAL].tolist() == [30.0, 15.0, 6.0]
    assert B.top_share(shop, C.CUSTOMER_ID, 1 / 3, returns=cancelled) == pytest.approx(35 / 55)
    # no returns, or an empty frame of them, gives the gross curve
    empty = cancelled.iloc[:0]
    pd.testing.assert_frame_equal(B.concentration_curve(shop, returns=empty), B.concentration_curve(shop))


def test_concentration_curve_returns_bad_input(shop, cancelled):
    with pytest.raises(ValueError, match="returns: expected cancellation lines with Revenue <= 0, got 1 above 0"):
        B.concentration_curve(shop, returns=cancelled.assign(**{C.REVENUE: [-40.0, 9.0]}))
    with pytest.raises(ValueError, match="returns: expected columns"):
        B.concentration_curve(shop, returns=cancelled.drop(columns=C.CUSTOMER_ID))
    with pytest.raises(TypeError, match="returns"):
        B.top_share(shop, returns=[-40.0])
    before = cancelled.copy(deep=True)
    B.top_share(shop, returns=cancelled)
    pd.testing.assert_frame_equal(cancelled, before)


def test_cohort_retention_by_hand(shop):
    # A and B start in January, A comes back in March; C starts in March; nobody starts in February.
    table = B.cohort_retention(shop)
    assert list(table.index.astype(str)) == ["2011-01", "2011-03"]
    assert table.index.name == B.COHORT
    assert list(table.columns) == [0, 1, 2]
    assert table.columns.name == B.MONTHS_SINCE
    np.testing.assert_allclose(table.loc["2011-01"].to_numpy(dtype=float), [1.0, 0.0, 0.5])
    row = table.loc["2011-03"].to_numpy(dtype=float)
    assert row[0] == 1.0 and np.isnan(row[1:]).all()  # after the last sale: unknown, not 0


def test_cohort_retention_counts(shop):
    table = B.cohort_retention(shop, counts=True)
    assert table.loc["2011-01"].tolist() == [2, 0, 1]
    assert table.loc["2011-03", 0] == 1
    assert table.loc["2011-03"].isna().sum() == 2


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=1, max_size=30))
def test_concentration_curve_lies_on_or_above_the_diagonal(revenues):
    df = pd.DataFrame({C.CUSTOMER_ID: np.arange(len(revenues)), C.REVENUE: revenues})
    curve = B.concentration_curve(df)
    share = curve[B.REVENUE_SHARE].to_numpy()
    assert share[-1] == pytest.approx(1.0)
    assert (np.diff(share) >= -1e-12).all()
    assert (share >= curve[B.ENTITY_SHARE].to_numpy() - 1e-9).all()


def test_monthly_revenue_adds_up_and_cohorts_start_at_one(shop):
    rng = np.random.default_rng(0)
    n = 500
    df = pd.DataFrame(
        {
            C.INVOICE: rng.integers(0, 200, n).astype(str),
            C.INVOICE_DATE: pd.Timestamp("2011-01-01")
            + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min"),
            C.CUSTOMER_ID: rng.integers(0, 60, n),
            C.REVENUE: rng.gamma(2.0, 10.0, n),
        }
    )
    assert B.monthly_revenue(df)[C.REVENUE_TOTAL].sum() == pytest.approx(df[C.REVENUE].sum())
    retention = B.cohort_retention(df)
    assert (retention[0] == 1.0).all()
    assert int(B.cohort_retention(df, counts=True)[0].sum()) == df[C.CUSTOMER_ID].nunique()


# --------------------------------------------------------------------------- bad input

CALLS = {
    "monthly_revenue": B.monthly_revenue,
    "hour_weekday_table": B.hour_weekday_table,
    "revenue_by_country": B.revenue_by_country,
    "concentration_curve": B.concentration_curve,
    "top_share": B.top_share,
    "cohort_retention": B.cohort_retention,
}


@pytest.mark.parametrize("func", CALLS.values(), ids=CALLS.keys())
def test_not_a_dataframe(func):
    with pytest.raises(TypeError, match="clean: expected a pandas DataFrame, got list"):
        func([1, 2, 3])


@pytest.mark.parametrize("func", CALLS.values(), ids=CALLS.keys())
def test_empty_frame(func, shop):
    with pytest.raises(ValueError, match="clean: expected a non-empty DataFrame"):
        func(shop.iloc[:0])


@pytest.mark.parametrize(
    ("func", "column"),
    [
        (B.monthly_revenue, C.REVENUE),
        (B.hour_weekday_table, C.INVOICE_DATE),
        (B.revenue_by_country, C.COUNTRY),
        (B.concentration_curve, C.CUSTOMER_ID),
        (B.top_share, C.REVENUE),
        (B.cohort_retention, C.CUSTOMER_ID),
    ],
)
def test_missing_column_is_named(func, column, shop):
    with pytest.raises(ValueError, match=f"clean: expected columns .*missing \\['{column}'\\]"):
        func(shop.drop(columns=column))


@pytest.mark.parametrize(
    "func", [B.monthly_revenue, B.hour_weekday_table, B.revenue_by_country, B.concentration_curve]
)
def test_text_revenue_is_a_type_error(func, shop):
    bad = shop.assign(**{C.REVENUE: shop[C.REVENUE].astype(str)})
    with pytest.raises(TypeError, match="clean: expected column 'Revenue' to be numeric"):
        func(bad)


@pytest.mark.parametrize("func", [B.monthly_revenue, B.hour_weekday_table, B.cohort_retention])
def test_text_dates_are_a_type_error(func, shop):
    bad = shop.assign(**{C.INVOICE_DATE: shop[C.INVOICE_DATE].astype(str)})
    with pytest.raises(TypeError, match="clean: expected column 'InvoiceDate' to be datetime64"):
        func(bad)


def test_missing_customer_ids_are_refused(shop):
    bad = shop.copy()
    bad.loc[0, C.CUSTOMER_ID] = pd.NA
    with pytest.raises(ValueError, match="clean: expected no missing values in column 'CustomerID', found 1"):
        B.cohort_retention(bad)
    with pytest.raises(ValueError, match="CustomerID"):
        B.concentration_curve(bad)


def test_negative_entity_revenue_is_refused(shop):
    bad = shop.assign(**{C.REVENUE: [50.0, 10.0, -20.0, 15.0, 5.0]})
    with pytest.raises(ValueError, match="clean: expected every CustomerID to have a total revenue >= 0, got 1"):
        B.concentration_curve(bad)


def test_bad_arguments_are_named(shop):
    with pytest.raises(ValueError, match="value: expected one of \\['revenue', 'orders'\\], got 'lines'"):
        B.hour_weekday_table(shop, value="lines")
    with pytest.raises(ValueError, match="top: expected a positive integer, got 0"):
        B.revenue_by_country(shop, top=0)
    with pytest.raises(TypeError, match="top: expected a positive integer, got float"):
        B.revenue_by_country(shop, top=2.5)
    with pytest.raises(TypeError, match="by: expected a column name"):
        B.concentration_curve(shop, by=[C.CUSTOMER_ID])
    with pytest.raises(ValueError, match="clean: expected columns .*missing \\['Product'\\]"):
        B.concentration_curve(shop, by="Product")
    with pytest.raises(ValueError, match=r"fraction: expected a value in \(0, 1\], got 0"):
        B.top_share(shop, C.CUSTOMER_ID, 0)
    with pytest.raises(ValueError, match="fraction"):
        B.top_share(shop, C.CUSTOMER_ID, 1.5)
    with pytest.raises(TypeError, match="counts: expected True or False, got str"):
        B.cohort_retention(shop, counts="yes")


# --------------------------------------------------------------------------- no mutation


@pytest.mark.parametrize(
    "call",
    [
        B.monthly_revenue,
        B.hour_weekday_table,
        lambda df: B.hour_weekday_table(df, value="orders"),
        B.revenue_by_country,
        B.concentration_curve,
        lambda df: B.concentration_curve(df, by=C.STOCK_CODE),
        lambda df: B.top_share(df, C.STOCK_CODE, 0.5),
        B.cohort_retention,
        lambda df: B.cohort_retention(df, counts=True),
    ],
)
def test_input_is_not_modified(call, shop):
    before = shop.copy(deep=True)
    call(shop)
    pd.testing.assert_frame_equal(shop, before)
