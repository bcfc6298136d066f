"""Tests of pmkt_lessons.features: RFM, scores, behaviour, scaling, interest profiles."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pmkt_lessons import columns as C
from pmkt_lessons import features as F

SNAPSHOT = "2011-01-15"


def _line(invoice, code, description, qty, when, price, customer):
    return {
        C.INVOICE: invoice,
        C.STOCK_CODE: code,
        C.DESCRIPTION: description,
        C.QUANTITY: qty,
        C.INVOICE_DATE: pd.Timestamp(when),
        C.UNIT_PRICE: price,
        C.CUSTOMER_ID: customer,
        C.COUNTRY: "United Kingdom",
    }


@pytest.fixture
def clean():
    rows = [
        _line("A", "P1", "RED HEART BAG", 2, "2011-01-01 10:00", 3.0, 1),  # Saturday
        _line("A", "P2", "RED MUG", 1, "2011-01-01 10:00", 4.0, 1),
        _line("B", "P1", "RED HEART BAG", 5, "2011-01-10 14:00", 2.0, 1),  # Monday
        _line("C", "P3", "BLUE MUG", 10, "2011-01-05 09:00", 1.0, 2),  # Wednesday
    ]
    df = pd.DataFrame(rows)
    df[C.REVENUE] = df[C.QUANTITY] * df[C.UNIT_PRICE]
    return df


@pytest.fixture
def returns():
    df = pd.DataFrame([_line("C9", "P2", "RED MUG", -1, "2011-01-12 11:00", 4.0, 1)])
    df[C.REVENUE] = df[C.QUANTITY] * df[C.UNIT_PRICE]
    return df


# --------------------------------------------------------------------------- RFM


def test_rfm_table_by_hand(clean, returns):
    rfm = F.rfm_table(clean, returns, snapshot=SNAPSHOT)
    assert list(rfm.index) == [1, 2]
    assert rfm[F.RECENCY].tolist() == [5, 10]  # last purchase days 01-10 and 01-05
    assert rfm[F.FREQUENCY].tolist() == [2, 1]
    assert rfm[F.GROSS_REVENUE].tolist() == [20.0, 10.0]
    assert rfm[F.RETURNED_REVENUE].tolist() == [-4.0, 0.0]
    assert rfm[F.MONETARY].tolist() == [16.0, 10.0]


def test_rfm_table_ignores_transactions_from_the_snapshot_on(clean, returns):
    rfm = F.rfm_table(clean, returns, snapshot="2011-01-08")
    assert rfm.loc[1, [F.RECENCY, F.FREQUENCY, F.MONETARY]].tolist() == [7, 1, 10.0]
    assert rfm.loc[2, F.RECENCY] == 3


def test_rfm_table_default_snapshot_is_day_after_last_invoice(clean, returns):
    assert F.default_snapshot(clean) == pd.Timestamp("2011-01-11")
    rfm = F.rfm_table(clean, returns)
    assert rfm[F.RECENCY].tolist() == [1, 6]


def test_rfm_table_empty_returns_mean_no_netting(clean, returns):
    rfm = F.rfm_table(clean, returns.iloc[:0], snapshot=SNAPSHOT)
    assert rfm[F.MONETARY].tolist() == rfm[F.GROSS_REVENUE].tolist() == [20.0, 10.0]


def test_rfm_table_does_not_mutate(clean, returns):
    before, before_r = clean.copy(), returns.copy()
    F.customer_profiles(clean, returns, snapshot=SNAPSHOT, n_bins=2)
    pd.testing.assert_frame_equal(clean, before)
    pd.testing.assert_frame_equal(returns, before_r)


def test_rfm_table_bad_input(clean, returns):
    with pytest.raises(ValueError, match="clean.*Revenue"):
        F.rfm_table(clean.drop(columns=C.REVENUE), returns)
    with pytest.raises(ValueError, match="clean: expected a non-empty"):
        F.rfm_table(clean.iloc[:0], returns)
    with pytest.raises(TypeError, match="clean"):
        F.rfm_table(clean.to_numpy(), returns)
    with pytest.raises(ValueError, match="cancellations.*positive"):
        F.rfm_table(clean, clean)
    with pytest.raises(ValueError, match="cancellations.*InvoiceNo"):
        F.rfm_table(clean, returns.drop(columns=C.INVOICE))
    nan_customer = clean.astype({C.CUSTOMER_ID: "float"})
    nan_customer.loc[0, C.CUSTOMER_ID] = np.nan
    with pytest.raises(ValueError, match="clean.*CustomerID"):
        F.rfm_table(nan_customer, returns)
    with pytest.raises(ValueError, match="snapshot.*midnight"):
        F.rfm_table(clean, returns, snapshot="2011-01-15 12:00")
    with pytest.raises(ValueError, match="snapshot.*after the first invoice"):
        F.rfm_table(clean, returns, snapshot="2010-12-01")
    with pytest.raises(TypeError, match="snapshot"):
        F.rfm_table(clean, returns, snapshot=[1, 2])
    with pytest.raises(TypeError, match="clean.*InvoiceDate"):
        F.rfm_table(clean.astype({C.INVOICE_DATE: str}), returns)


# --------------------------------------------------------------------------- scores


def test_quantile_scores_by_hand():
    assert F.quantile_scores([10, 20, 30, 40, 50]).tolist() == [1, 2, 3, 4, 5]
    assert F.quantile_scores([1, 2, 3, 4, 5], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]
    assert F.quantile_scores(list(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert F.quantile_scores([3, 1, 2], n_bins=3).tolist() == [3, 1, 2]


def test_quantile_scores_ties_first_by_position_then_by_breaker():
    assert F.quantile_scores([1, 1, 1, 1, 2]).tolist() == [1, 2, 3, 4, 5]
    assert F.quantile_scores([1, 1, 1, 1, 2], tie_breaker=[5, 4, 3, 2, 1]).tolist() == [4, 3, 2, 1, 5]
    # recency: lower is better, ties broken by frequency (higher is better)
    got = F.quantile_scores([7, 7, 1, 9], n_bins=4, higher_is_better=False, tie_breaker=[1, 5, 0, 0])
    assert got.tolist() == [2, 3, 4, 1]


def test_quantile_scores_equal_sized_bins_and_index_kept():
    values = pd.Series(np.repeat([1, 2, 3], [500, 300, 200]), index=np.arange(1000) + 7, name="f")
    scores = F.quantile_scores(values)
    assert scores.value_counts().sort_index().tolist() == [200] * 5
    assert scores.index.equals(values.index) and scores.name == "f"
    assert scores.is_monotonic_increasing  # higher values never score lower


def test_quantile_scores_bad_input():
    with pytest.raises(ValueError, match="n_bins"):
        F.quantile_scores([1, 2, 3], n_bins=1)
    with pytest.raises(TypeError, match="n_bins"):
        F.quantile_scores([1, 2, 3], n_bins=2.5)
    with pytest.raises(ValueError, match="values: expected at least n_bins"):
        F.quantile_scores([1, 2, 3])
    with pytest.raises(ValueError, match="values: expected no missing"):
        F.quantile_scores([1, 2, np.nan, 4, 5])
    with pytest.raises(ValueError, match="values: expected at least one"):
        F.quantile_scores([])
    with pytest.raises(TypeError, match="values"):
        F.quantile_scores(["a", "b", "c", "d", "e"])
    with pytest.raises(ValueError, match="tie_breaker"):
        F.quantile_scores([1, 2, 3, 4, 5], tie_breaker=[1, 2])


def test_rfm_scores_columns_and_cell():
    rfm = pd.DataFrame(
        {F.RECENCY: [1, 50, 100, 200, 300], F.FREQUENCY: [9, 4, 3, 2, 1], F.MONETARY: [900.0, 10, 300, 200, 100]}
    )
    scores = F.rfm_scores(rfm)
    assert scores[F.R_SCORE].tolist() == [5, 4, 3, 2, 1]
    assert scores[F.F_SCORE].tolist() == [5, 4, 3, 2, 1]
    assert scores[F.M_SCORE].tolist() == [5, 1, 4, 3, 2]
    assert scores[F.RFM_CELL].tolist() == ["555", "441", "334", "223", "112"]
    assert scores[F.RFM_TOTAL].tolist() == [15, 9, 10, 7, 4]


def test_rfm_scores_breaks_frequency_ties_by_spend():
    rfm = pd.DataFrame(
        {F.RECENCY: [1, 2, 3, 4, 5], F.FREQUENCY: [1, 1, 1, 1, 1], F.MONETARY: [50.0, 10, 40, 20, 30]}
    )
    assert F.rfm_scores(rfm)[F.F_SCORE].tolist() == [5, 1, 4, 2, 3]


def test_rfm_scores_bad_input():
    with pytest.raises(ValueError, match="rfm.*monetary"):
        F.rfm_scores(pd.DataFrame({F.RECENCY: [1], F.FREQUENCY: [1]}))
    bad = pd.DataFrame({F.RECENCY: [1.0, np.nan], F.FREQUENCY: [1, 2], F.MONETARY: [1.0, 2.0]})
    with pytest.raises(ValueError, match="rfm.*recency"):
        F.rfm_scores(bad)


# --------------------------------------------------------------------------- behaviour


def test_behaviour_features_by_hand(clean, returns):
    b = F.behaviour_features(clean, returns, snapshot=SNAPSHOT)
    assert b.loc[1, F.AVG_BASKET_VALUE] == 10.0  # (10 + 10) / 2
    assert b.loc[1, F.AVG_BASKET_SIZE] == 4.0  # (3 + 5) / 2
    assert b.loc[1, F.N_PRODUCTS] == 2
    assert b.loc[1, F.N_RETURNS] == 1
    assert b.loc[1, F.RETURN_RATE] == pytest.approx(1 / 3)
    assert b.loc[1, F.TENURE] == 14
    assert b.loc[1, F.ACTIVE_MONTHS] == 1
    # 10 h on Saturday 01-01 and 14 h on Monday 01-10, once each: the tie goes to the later order
    assert b.loc[1, F.PREFERRED_HOUR] == 14
    assert b.loc[1, F.PREFERRED_WEEKDAY] == 0
    assert b.loc[2].to_dict() == {
        F.AVG_BASKET_VALUE: 10.0,
        F.AVG_BASKET_SIZE: 10.0,
        F.N_PRODUCTS: 1,
        F.N_RETURNS: 0,
        F.RETURN_RATE: 0.0,
        F.TENURE: 10,
        F.ACTIVE_MONTHS: 1,
        F.PREFERRED_HOUR: 9,
        F.PREFERRED_WEEKDAY: 2,
    }


def test_preferred_hour_is_the_most_frequent(clean, returns):
    extra = clean.iloc[[2]].assign(**{C.INVOICE: "D", C.INVOICE_DATE: pd.Timestamp("2011-02-03 14:30")})
    b = F.behaviour_features(pd.concat([clean, extra], ignore_index=True), returns)
    assert b.loc[1, F.PREFERRED_HOUR] == 14
    assert b.loc[1, F.ACTIVE_MONTHS] == 2


def test_preferred_ties_go_to_the_latest_order_not_the_smallest_value(clean, returns):
    # customer 1 bought on Monday 01-10 (14 h) and Saturday 01-01 (10 h); a third order on
    # Thursday 01-13 at 9 h makes a three-way tie: the latest order (Thursday, 9 h) wins
    extra = clean.iloc[[2]].assign(**{C.INVOICE: "D", C.INVOICE_DATE: pd.Timestamp("2011-01-13 09:00")})
    b = F.behaviour_features(pd.concat([clean, extra], ignore_index=True), returns, snapshot=SNAPSHOT)
    assert b.loc[1, F.PREFERRED_WEEKDAY] == 3 and b.loc[1, F.PREFERRED_HOUR] == 9
    # the latest order of a tied value counts: two Monday orders beat one later Thursday order
    monday = clean.iloc[[2]].assign(**{C.INVOICE: "E", C.INVOICE_DATE: pd.Timestamp("2011-01-03 16:00")})
    b = F.behaviour_features(pd.concat([clean, extra, monday], ignore_index=True), returns, snapshot=SNAPSHOT)
    assert b.loc[1, F.PREFERRED_WEEKDAY] == 0
    # an hour tie among 9, 10, 14 and 16 goes to 9, the hour of the latest order (01-13)
    assert b.loc[1, F.PREFERRED_HOUR] == 9


def test_customer_profiles_joins_everything(clean, returns):
    p = F.customer_profiles(clean, returns, snapshot=SNAPSHOT, n_bins=2)
    expected = list(F.RFM_COLUMNS) + list(F.SCORE_COLUMNS) + list(F.BEHAVIOUR_COLUMNS)
    assert list(p.columns) == expected
    assert len(p) == 2 and not p.isna().any().any()
    assert p[F.RFM_CELL].tolist() == ["222", "111"]
    with pytest.raises(ValueError, match="values: expected at least n_bins=5"):
        F.customer_profiles(clean, returns)  # two customers cannot fill five quintiles


def test_customer_profiles_on_the_real_data(cleaned):
    p = F.customer_profiles(cleaned.clean, cleaned.cancellations)
    assert len(p) == 4338 and p.index.is_unique and p.index.is_monotonic_increasing
    assert p[F.GROSS_REVENUE].sum() == pytest.approx(cleaned.clean[C.REVENUE].sum())
    assert p[F.FREQUENCY].sum() == cleaned.clean[C.INVOICE].nunique() == 18532
    assert p[F.RECENCY].min() == 1 and p[F.RECENCY].max() == 374
    assert (p[F.TENURE] >= p[F.RECENCY]).all()
    assert p[F.RETURN_RATE].between(0, 1).all()
    assert p.loc[12346, F.MONETARY] == pytest.approx(0.0, abs=1e-6)  # bought 74,215 jars, returned them
    assert p[[F.R_SCORE, F.F_SCORE, F.M_SCORE]].apply(lambda s: s.value_counts().max() - s.value_counts().min()).max() <= 1


# --------------------------------------------------------------------------- scaling


def test_scale_features_logs_then_standardises():
    df = pd.DataFrame({"a": [0.0, np.e - 1, np.e**2 - 1], "b": [1.0, 2.0, 3.0], "c": ["x", "y", "z"]})
    z = F.scale_features(df, ["a", "b"], log_columns=["a"])
    expected = np.array([-1.0, 0.0, 1.0]) / np.std([0.0, 1.0, 2.0])
    np.testing.assert_allclose(z["a"], expected)
    np.testing.assert_allclose(z["b"], expected)
    assert list(z.columns) == ["a", "b"] and z.index.equals(df.index)


def test_scale_features_clips_negative_money_before_log():
    df = pd.DataFrame({"m": [-50.0, 0.0, 10.0]})
    z = F.scale_features(df, ["m"], log_columns=["m"])
    assert z["m"].iloc[0] == z["m"].iloc[1]
    assert np.isfinite(z.to_numpy()).all()


def test_scale_features_bad_input_and_no_mutation():
    df = pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]})
    before = df.copy()
    F.scale_features(df, ["a"])
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(ValueError, match="profiles.*missing"):
        F.scale_features(df, ["zz"])
    with pytest.raises(TypeError, match="profiles.*'s'"):
        F.scale_features(df, ["s"])
    with pytest.raises(ValueError, match="columns"):
        F.scale_features(df, [])
    with pytest.raises(ValueError, match="profiles.*missing values"):
        F.scale_features(pd.DataFrame({"a": [1.0, np.nan]}), ["a"])
    with pytest.raises(ValueError, match="profiles: expected a non-empty"):
        F.scale_features(df.iloc[:0], ["a"])


# --------------------------------------------------------------------------- interests


def test_product_descriptions_picks_most_frequent(clean):
    df = pd.concat([clean, clean.iloc[[1]].assign(**{C.DESCRIPTION: "RED MUG."})] * 1, ignore_index=True)
    df = pd.concat([df, df.iloc[[-1]]], ignore_index=True)  # "RED MUG." now twice, "RED MUG" once
    got = F.product_descriptions(df)
    assert got.to_dict() == {"P1": "RED HEART BAG", "P2": "RED MUG.", "P3": "BLUE MUG"}


def test_customer_product_matrix_counts_lines(clean):
    matrix, customers, products = F.customer_product_matrix(clean)
    assert list(customers) == [1, 2] and list(products) == ["P1", "P2", "P3"]
    np.testing.assert_array_equal(matrix.toarray(), [[2, 1, 0], [0, 0, 1]])


def test_interest_profiles_is_the_product_of_purchases_and_tfidf(clean):
    ip = F.interest_profiles(clean, min_df=1)
    docs = ["RED HEART BAG", "RED MUG", "BLUE MUG"]
    tfidf = TfidfVectorizer(token_pattern=r"(?u)\b[a-zA-Z]{3,}\b", stop_words="english").fit(docs)
    t = tfidf.transform(docs).toarray()
    expected = np.vstack([t[0] + t[1], t[2]])  # binary: customer 1 bought P1 and P2
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert list(ip.terms) == list(tfidf.get_feature_names_out())
    np.testing.assert_allclose(ip.matrix.toarray(), expected)
    counts = F.interest_profiles(clean, min_df=1, binary=False).matrix.toarray()[0]
    weighted = 2 * t[0] + t[1]
    np.testing.assert_allclose(counts, weighted / np.linalg.norm(weighted))


def test_customer_top_terms(clean):
    ip = F.interest_profiles(clean, min_df=1)
    top = F.customer_top_terms(ip, [2, 1], n=3)
    assert list(top.index) == [2, 1]
    assert top.loc[2].tolist() == ["blue", "mug", ""]  # only two terms: the rest blank
    assert top.loc[1, "term_1"] == "red"  # in both of customer 1's products
    with pytest.raises(ValueError, match="customers"):
        F.customer_top_terms(ip, [99])
    with pytest.raises(TypeError, match="profiles"):
        F.customer_top_terms(ip.matrix, [1])


def test_top_terms_ties_and_bad_input():
    got = F.top_terms(np.array([[1.0, 1.0, 2.0], [0.0, 0.0, 0.0]]), ["b", "a", "c"], n=2)
    assert got.to_numpy().tolist() == [["c", "b"], ["", ""]]  # tie: the earlier column first
    with pytest.raises(ValueError, match="weights"):
        F.top_terms(np.ones((2, 2)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="weights.*NaN"):
        F.top_terms(np.array([[np.nan, 1.0]]), ["a", "b"])
    with pytest.raises(ValueError, match="n"):
        F.top_terms(np.ones((1, 2)), ["a", "b"], n=0)


def test_interest_profiles_bad_input_and_no_mutation(clean):
    before = clean.copy()
    F.interest_profiles(clean, min_df=1)
    pd.testing.assert_frame_equal(clean, before)
    with pytest.raises(ValueError, match="clean.*Description"):
        F.interest_profiles(clean.drop(columns=C.DESCRIPTION))
    with pytest.raises(TypeError, match="binary"):
        F.interest_profiles(clean, binary=1)
    with pytest.raises(ValueError, match="min_df"):
        F.interest_profiles(clean, min_df=0)


def test_invoice_table_by_hand(clean):
    inv = F.invoice_table(clean)
    assert inv[C.INVOICE].tolist() == ["A", "B", "C"]
    assert inv[C.REVENUE].tolist() == [10.0, 10.0, 10.0]
    assert inv[C.QUANTITY].tolist() == [3, 5, 10]
    assert inv["lines"].tolist() == [2, 1, 1]
    assert inv[C.INVOICE_DATE].tolist() == [pd.Timestamp("2011-01-01 10:00"), pd.Timestamp("2011-01-10 14:00"), pd.Timestamp("2011-01-05 09:00")]


def test_small_helpers_bad_input(clean):
    with pytest.raises(ValueError, match="clean.*InvoiceDate"):
        F.default_snapshot(clean.drop(columns=C.INVOICE_DATE))
    with pytest.raises(ValueError, match="clean.*Revenue"):
        F.invoice_table(clean.drop(columns=C.REVENUE))
    with pytest.raises(ValueError, match="clean.*StockCode"):
        F.product_descriptions(clean.drop(columns=C.STOCK_CODE))
    with_nan = clean.astype({C.CUSTOMER_ID: "float"})
    with_nan.loc[1, C.CUSTOMER_ID] = np.nan
    with pytest.raises(ValueError, match="clean.*CustomerID"):
        F.customer_product_matrix(with_nan)


def test_word_pattern_is_the_one_product_tokenizer():
    import re

    from pmkt_lessons.recsys.content import TOKEN_PATTERN

    text = "SET/6 RED MUG 12 3D ab"
    assert re.findall(F.word_pattern(3), text) == ["SET", "RED", "MUG"]
    assert re.findall(F.word_pattern(2), text) == ["SET", "RED", "MUG", "ab"]
    assert TOKEN_PATTERN == F.word_pattern(2)
    with pytest.raises(ValueError, match="min_letters"):
        F.word_pattern(0)
