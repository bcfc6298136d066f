"""Cleaning reproduces the quoted figures, keeps what it removes and checks its input."""

import numpy as np
import pandas as pd
import pytest

from pmkt_lessons import cleaning
from pmkt_lessons import columns as C


def test_standard_cleaning_reference_figures(cleaned):
    assert len(cleaned.clean) == 392_692
    assert cleaned.clean[C.CUSTOMER_ID].nunique() == 4_338
    assert cleaned.clean[C.INVOICE].nunique() == 18_532
    assert (cleaned.clean[C.QUANTITY] > 0).all() and (cleaned.clean[C.UNIT_PRICE] > 0).all()
    np.testing.assert_allclose(
        cleaned.clean[C.REVENUE], cleaned.clean[C.QUANTITY] * cleaned.clean[C.UNIT_PRICE]
    )


def test_nothing_is_lost(online_retail, cleaned):
    assert len(cleaned.clean) + len(cleaned.removed) == len(online_retail)
    assert cleaned.steps["rows_removed"].sum() == len(cleaned.removed)
    assert cleaned.steps["rows_left"].iloc[-1] == len(cleaned.clean)
    by_reason = cleaned.removed[C.REMOVAL_REASON].value_counts()
    assert by_reason[cleaning.STEP_MISSING_CUSTOMER] == 135_080
    assert by_reason[cleaning.STEP_CANCELLATION] == 8_905
    assert len(cleaned.cancellations) == 8_905
    assert cleaned.cancellations[C.INVOICE].str.startswith("C").all()
    assert cleaned.cancellations[C.CUSTOMER_ID].notna().all()


def test_quality_report_reference_counts(online_retail):
    report = cleaning.quality_report(online_retail)["rows"]
    assert report["missing CustomerID"] == 135_080
    assert report["missing Description"] == 1_454
    assert report["cancellation invoice (InvoiceNo starts with C)"] == 9_288
    assert report["quantity <= 0"] == 10_624
    assert report["unit price <= 0"] == 2_517
    assert report["exact duplicate (repeat of an earlier row)"] == 5_268


def _tiny():
    return pd.DataFrame(
        {
            C.INVOICE: ["1", "1", "1", "C2", "3", "4", "5"],
            C.STOCK_CODE: ["85123A", "85123A", "POST", "85123A", "22423", "22423", "15056BL"],
            C.DESCRIPTION: ["a", "a", "postage", "a", "b", "b", "c"],
            C.QUANTITY: [2, 2, 1, -2, 0, 3, 1],
            C.INVOICE_DATE: pd.to_datetime(["2011-01-01 10:00"] * 3 + ["2011-01-02 11:00", "2011-01-03 09:00", "2011-01-04 12:00", "2011-02-01 08:00"]),
            C.UNIT_PRICE: [1.5, 1.5, 18.0, 1.5, 2.0, 0.0, 4.0],
            C.CUSTOMER_ID: pd.array([7, 7, 7, 7, 8, pd.NA, 8], dtype="Int64"),
            C.COUNTRY: ["UK"] * 6 + ["Unspecified"],
        }
    )


def test_tiny_example_by_hand():
    result = cleaning.clean_transactions(_tiny())
    # row 5 no customer; row 3 cancellation; row 1 duplicate of row 0; row 4 quantity 0
    assert result.steps["rows_removed"].tolist() == [0, 1, 1, 1, 1, 0]
    assert result.clean[C.INVOICE].tolist() == ["1", "1", "5"]
    assert result.clean[C.REVENUE].tolist() == [3.0, 18.0, 4.0]
    with_codes = cleaning.clean_transactions(_tiny(), drop_non_product=True)
    assert with_codes.clean[C.STOCK_CODE].tolist() == ["85123A", "15056BL"]


def test_switching_steps_off():
    result = cleaning.clean_transactions(
        _tiny(), drop_missing_customer=False, drop_cancellations=False, drop_duplicates=False,
        drop_nonpositive_quantity=False, drop_nonpositive_price=False,
    )
    assert len(result.clean) == 7 and result.removed.empty
    assert list(result.steps.index) == ["raw data"]


def test_input_is_not_modified():
    df = _tiny()
    before = df.copy()
    cleaning.clean_transactions(df)
    cleaning.quality_report(df)
    cleaning.add_time_features(df)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ("not a frame", TypeError, "df: expected a pandas DataFrame"),
        (pd.DataFrame(columns=list(C.ONLINE_RETAIL_COLUMNS)), ValueError, "df: expected a non-empty"),
        (_tiny().drop(columns=[C.UNIT_PRICE]), ValueError, r"missing \['UnitPrice'\]"),
        (_tiny().assign(**{C.QUANTITY: "2"}), TypeError, "'Quantity' to be numeric"),
        (_tiny().assign(**{C.INVOICE_DATE: "2011-01-01"}), TypeError, "'InvoiceDate' to be datetime64"),
    ],
)
def test_clean_transactions_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        cleaning.clean_transactions(bad)


def test_clean_transactions_rejects_non_boolean_flags():
    with pytest.raises(TypeError, match="drop_duplicates: expected True or False"):
        cleaning.clean_transactions(_tiny(), drop_duplicates="yes")


def test_non_product_codes():
    codes = pd.Series(["85123A", "15056BL", "22423", "POST", "DOT", "M", "BANK CHARGES", "gift_0001_20", "C2"])
    assert cleaning.is_non_product_code(codes).tolist() == [False, False, False] + [True] * 6


def test_iqr_outliers_by_hand():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 100])
    low, high = cleaning.iqr_bounds(values)
    assert (low, high) == (-3.0, 13.0)  # Q1 = 3, Q3 = 7, IQR = 4, fences 3 - 6 and 7 + 6
    assert cleaning.iqr_outliers(values).tolist() == [False] * 8 + [True]


def test_robust_zscore_by_hand():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 100.0])
    # median 3, absolute deviations 2,1,0,1,97 -> MAD 1
    np.testing.assert_allclose(cleaning.robust_zscore(values), 0.6745 * (values - 3))
    assert cleaning.mad_outliers(values).tolist() == [False] * 4 + [True]


def test_robust_zscore_when_mad_is_zero():
    values = pd.Series([5.0, 5.0, 5.0, 5.0, 9.0])
    z = cleaning.robust_zscore(values)
    assert z.iloc[:4].eq(0).all() and z.iloc[4] > 0
    assert cleaning.robust_zscore(pd.Series([2.0, 2.0])).eq(0).all()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: cleaning.iqr_bounds("abc"), TypeError, "values"),
        (lambda: cleaning.iqr_bounds(pd.Series([], dtype=float)), ValueError, "values: expected at least one"),
        (lambda: cleaning.iqr_bounds(pd.Series([1, 2]), k=0), ValueError, r"k: expected a value in \(0"),
        (lambda: cleaning.mad_outliers(pd.Series(["a", "b"])), TypeError, "values: expected numeric"),
        (lambda: cleaning.mad_outliers(pd.Series([1.0]), threshold=-1), ValueError, "threshold"),
    ],
)
def test_outlier_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_time_features_by_hand():
    out = cleaning.add_time_features(_tiny())
    assert out["hour"].tolist() == [10, 10, 10, 11, 9, 12, 8]
    assert out["weekday_name"].iloc[0] == "Saturday" and out["weekday"].iloc[0] == 5
    assert out["month"].iloc[-1] == 2 and out["month"].dtype == "int8"
    assert out["month"].between(1, 12).all()
    assert out["month_start"].iloc[-1] == pd.Timestamp("2011-02-01")
    # customer 8 first bought on 2011-01-03; their 2011-02-01 purchase is 28 days later
    assert out["days_since_first_purchase"].iloc[-1] == 28
    assert out["days_since_first_purchase"].iloc[3] == 1


def test_time_features_bad_input():
    with pytest.raises(ValueError, match="missing"):
        cleaning.add_time_features(_tiny().drop(columns=[C.CUSTOMER_ID]))
