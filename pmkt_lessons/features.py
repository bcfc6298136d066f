"""Customer profiles from transactions: RFM, behavioural features, interest profiles, scaling.

One row per customer, computed as of a *snapshot* day: only transactions
before the snapshot are used, so the same function gives leakage-free
profiles for a later prediction lesson (profile before a date, outcome
after it). Returns are netted: ``monetary`` is what a customer bought minus
what they sent back (the cancellations that cleaning set aside), so it can
be zero or even negative. Introduced in lesson 03.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import StandardScaler, normalize

from . import columns as C
from .validation import (
    require_1d,
    require_bool,
    require_datetime,
    require_day,
    require_finite,
    require_frame,
    require_no_nan,
    require_numeric,
    require_positive_int,
    require_series,
)

# RFM
RECENCY = "recency"
FREQUENCY = "frequency"
MONETARY = "monetary"
GROSS_REVENUE = "gross_revenue"
RETURNED_REVENUE = "returned_revenue"
R_SCORE = "R"
F_SCORE = "F"
M_SCORE = "M"
RFM_CELL = "RFM_cell"
RFM_TOTAL = "RFM_total"

# Behaviour
AVG_BASKET_VALUE = "avg_basket_value"
AVG_BASKET_SIZE = "avg_basket_size"
N_PRODUCTS = "n_products"
N_RETURNS = "n_returns"
RETURN_RATE = "return_rate"
TENURE = "tenure_days"
ACTIVE_MONTHS = "active_months"
PREFERRED_HOUR = "preferred_hour"
PREFERRED_WEEKDAY = "preferred_weekday"

RFM_COLUMNS = (RECENCY, FREQUENCY, MONETARY, GROSS_REVENUE, RETURNED_REVENUE)
SCORE_COLUMNS = (R_SCORE, F_SCORE, M_SCORE, RFM_CELL, RFM_TOTAL)
BEHAVIOUR_COLUMNS = (
    AVG_BASKET_VALUE,
    AVG_BASKET_SIZE,
    N_PRODUCTS,
    N_RETURNS,
    RETURN_RATE,
    TENURE,
    ACTIVE_MONTHS,
    PREFERRED_HOUR,
    PREFERRED_WEEKDAY,
)
# Counts and money: long right tails, so they are log1p-transformed before scaling.
SKEWED_FEATURES = (
    RECENCY, FREQUENCY, MONETARY, AVG_BASKET_VALUE, AVG_BASKET_SIZE, N_PRODUCTS, ACTIVE_MONTHS,
)
# The numeric features of a profile that describe behaviour (lesson 03's PCA).
PROFILE_FEATURES = (
    RECENCY, FREQUENCY, MONETARY, AVG_BASKET_VALUE, AVG_BASKET_SIZE, N_PRODUCTS,
    RETURN_RATE, TENURE, ACTIVE_MONTHS,
)
# The features lesson 04 clusters on: RFM plus tenure, which tells new customers from lapsed ones.
CLUSTER_FEATURES = (RECENCY, FREQUENCY, MONETARY, TENURE)

_CLEAN_COLUMNS = (C.INVOICE, C.STOCK_CODE, C.QUANTITY, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)
_RETURN_COLUMNS = (C.INVOICE, C.INVOICE_DATE, C.CUSTOMER_ID, C.REVENUE)


# --------------------------------------------------------------------------- inputs


def default_snapshot(clean: pd.DataFrame) -> pd.Timestamp:
    """Give the day after the last invoice of ``clean`` (midnight): the usual RFM snapshot.

    Introduced in lesson 03.
    """
    require_frame(clean, [C.INVOICE_DATE], "clean")
    require_datetime(clean, [C.INVOICE_DATE], "clean")
    return clean[C.INVOICE_DATE].max().normalize() + pd.Timedelta(days=1)


def _snapshot(clean: pd.DataFrame, snapshot) -> pd.Timestamp:
    if snapshot is None:
        return default_snapshot(clean)
    day = require_day(snapshot, "snapshot")
    first = clean[C.INVOICE_DATE].min()
    if day <= first:
        raise ValueError(f"snapshot: expected a day after the first invoice ({first}), got {day.date()}")
    return day


def _check_inputs(clean: pd.DataFrame, cancellations: pd.DataFrame, snapshot):
    """Validate both frames and give (clean, returns, snapshot) restricted to before the snapshot."""
    require_frame(clean, _CLEAN_COLUMNS, "clean")
    require_numeric(clean, [C.QUANTITY, C.REVENUE], "clean")
    require_datetime(clean, [C.INVOICE_DATE], "clean")
    require_no_nan(clean, [C.CUSTOMER_ID, C.INVOICE, C.REVENUE], "clean")
    require_frame(cancellations, _RETURN_COLUMNS, "cancellations", allow_empty=True)
    require_numeric(cancellations, [C.REVENUE], "cancellations")
    require_datetime(cancellations, [C.INVOICE_DATE], "cancellations")
    require_no_nan(cancellations, [C.CUSTOMER_ID, C.REVENUE], "cancellations")
    if (cancellations[C.REVENUE] > 0).any():
        n = int((cancellations[C.REVENUE] > 0).sum())
        raise ValueError(
            f"cancellations: expected returns with {C.REVENUE} <= 0, found {n} positive rows "
            "(pass CleaningResult.cancellations, not the clean sales)"
        )
    day = _snapshot(clean, snapshot)
    return clean[clean[C.INVOICE_DATE] < day], cancellations[cancellations[C.INVOICE_DATE] < day], day


def invoice_table(clean: pd.DataFrame) -> pd.DataFrame:
    """Give one row per invoice: customer, time (first line), revenue, units and lines.

    Introduced in lesson 03.
    """
    require_frame(clean, [C.INVOICE, C.CUSTOMER_ID, C.INVOICE_DATE, C.QUANTITY, C.REVENUE], "clean")
    require_datetime(clean, [C.INVOICE_DATE], "clean")
    require_no_nan(clean, [C.QUANTITY, C.REVENUE], "clean")  # a sum would count NaN revenue as 0
    return (
        clean.groupby([C.CUSTOMER_ID, C.INVOICE], sort=True)
        .agg(
            **{
                C.INVOICE_DATE: (C.INVOICE_DATE, "min"),
                C.REVENUE: (C.REVENUE, "sum"),
                C.QUANTITY: (C.QUANTITY, "sum"),
                "lines": (C.QUANTITY, "size"),
            }
        )
        .reset_index()
    )


# --------------------------------------------------------------------------- RFM


def rfm_table(
    clean: pd.DataFrame, cancellations: pd.DataFrame, *, snapshot=None
) -> pd.DataFrame:
    """Give recency, frequency and monetary value per customer, as of ``snapshot``.

    Introduced in lesson 03.

    Parameters
    ----------
    clean : DataFrame
        ``CleaningResult.clean`` (sales lines with ``Revenue``).
    cancellations : DataFrame
        ``CleaningResult.cancellations`` (returns, ``Revenue <= 0``); may be empty.
    snapshot : date, optional
        The day the profile is taken (midnight). Only transactions before it
        count. Default: the day after the last invoice.

    Returns
    -------
    DataFrame indexed by ``CustomerID`` (customers with a purchase before the
    snapshot, sorted) with

    - ``recency``: days from the day of the last purchase to the snapshot (>= 1);
    - ``frequency``: distinct invoices;
    - ``gross_revenue``: sum of ``Revenue`` of the sales;
    - ``returned_revenue``: sum of ``Revenue`` of the returns (<= 0);
    - ``monetary``: ``gross_revenue + returned_revenue`` (net; may be <= 0).
    """
    sales, returns, day = _check_inputs(clean, cancellations, snapshot)
    if sales.empty:
        raise ValueError(f"clean: expected purchases before the snapshot {day.date()}, found none")
    by_customer = sales.groupby(C.CUSTOMER_ID, sort=True)
    last_day = by_customer[C.INVOICE_DATE].max().dt.normalize()
    rfm = pd.DataFrame(
        {
            RECENCY: (day - last_day).dt.days.astype("int64"),
            FREQUENCY: by_customer[C.INVOICE].nunique().astype("int64"),
            GROSS_REVENUE: by_customer[C.REVENUE].sum(),
        }
    )
    returned = returns.groupby(C.CUSTOMER_ID)[C.REVENUE].sum()
    rfm[RETURNED_REVENUE] = returned.reindex(rfm.index, fill_value=0.0).astype(float)
    rfm[MONETARY] = rfm[GROSS_REVENUE] + rfm[RETURNED_REVENUE]
    return rfm[list(RFM_COLUMNS)]


def quantile_scores(
    values, n_bins: int = 5, *, higher_is_better: bool = True, tie_breaker=None
) -> pd.Series:
    """Give a score 1..``n_bins`` per value from equal-sized quantile bins (``n_bins`` = best).

    Values are ranked, then the ranks cut into ``n_bins`` equal groups
    (``pd.qcut``). Equal values get distinct ranks so the groups stay
    equal-sized even when many values tie, as with frequency, where a third
    of the customers bought once: ties are ordered by ``tie_breaker``
    (higher = better) when given, then by position (``rank(method="first")``).
    The price: equal values can land in neighbouring scores, so make the
    order among them mean something. Introduced in lesson 03.

    Parameters
    ----------
    values : Series, array or list
        Numeric, no NaN, at least ``n_bins`` values.
    n_bins : int
        Number of scores (5 gives quintiles), at least 2.
    higher_is_better : bool
        ``False`` for recency: the most recent customers get the top score.
    tie_breaker : Series, array or list, optional
        Same length as ``values``; among equal values, higher ranks higher.
    """
    series = require_series(values, "values")
    n_bins = require_positive_int(n_bins, "n_bins")
    higher_is_better = require_bool(higher_is_better, "higher_is_better")
    if n_bins < 2:
        raise ValueError(f"n_bins: expected an integer >= 2, got {n_bins}")
    if series.isna().any():
        raise ValueError(f"values: expected no missing values, found {int(series.isna().sum())}")
    if len(series) < n_bins:
        raise ValueError(f"values: expected at least n_bins={n_bins} values, got {len(series)}")
    key = series.to_numpy(dtype=float) * (1 if higher_is_better else -1)
    ties = np.zeros(len(series))
    if tie_breaker is not None:
        breaker = require_series(tie_breaker, "tie_breaker")
        if len(breaker) != len(series) or breaker.isna().any():
            raise ValueError(
                f"tie_breaker: expected {len(series)} values without NaN (one per value), "
                f"got {len(breaker)} with {int(breaker.isna().sum())} NaN"
            )
        ties = breaker.to_numpy(dtype=float)
    order = np.lexsort((np.arange(len(series)), ties, key))  # last key sorts first
    ranks = np.empty(len(series))
    ranks[order] = np.arange(1, len(series) + 1)
    scores = pd.qcut(ranks, n_bins, labels=False) + 1
    return pd.Series(scores.astype("int64"), index=series.index, name=series.name)


def rfm_scores(rfm: pd.DataFrame, n_bins: int = 5) -> pd.DataFrame:
    """Give ``R``, ``F``, ``M`` quantile scores, the cell (e.g. ``"545"``) and their sum.

    Recency scores reverse (recent = high). Ties are broken by the next
    measure: equal recency by frequency, equal frequency by monetary value,
    equal monetary value by frequency; see ``quantile_scores``.
    Introduced in lesson 03.
    """
    require_frame(rfm, [RECENCY, FREQUENCY, MONETARY], "rfm")
    require_numeric(rfm, [RECENCY, FREQUENCY, MONETARY], "rfm")
    require_no_nan(rfm, [RECENCY, FREQUENCY, MONETARY], "rfm")
    r, f, m = rfm[RECENCY], rfm[FREQUENCY], rfm[MONETARY]
    scores = pd.DataFrame(
        {
            R_SCORE: quantile_scores(r, n_bins, higher_is_better=False, tie_breaker=f),
            F_SCORE: quantile_scores(f, n_bins, tie_breaker=m),
            M_SCORE: quantile_scores(m, n_bins, tie_breaker=f),
        },
        index=rfm.index,
    )
    scores[RFM_CELL] = (
        scores[R_SCORE].astype(str) + scores[F_SCORE].astype(str) + scores[M_SCORE].astype(str)
    )
    scores[RFM_TOTAL] = scores[[R_SCORE, F_SCORE, M_SCORE]].sum(axis=1)
    return scores


# --------------------------------------------------------------------------- behaviour


def _most_common(invoices: pd.DataFrame, key: pd.Series, name: str) -> pd.Series:
    """Give per customer the most frequent value of ``key`` over invoices.

    Ties go to the value of the customer's latest invoice among the tied
    values (the more recent habit), not to the smallest value: breaking ties
    towards the smallest would favour Monday and early hours for the many
    customers with one or two orders.
    """
    counts = (
        pd.DataFrame(
            {C.CUSTOMER_ID: invoices[C.CUSTOMER_ID], name: key, "when": invoices[C.INVOICE_DATE]}
        )
        .groupby([C.CUSTOMER_ID, name])
        .agg(n=("when", "size"), last=("when", "max"))
        .reset_index()
        .sort_values([C.CUSTOMER_ID, "n", "last"], ascending=[True, False, False])
    )
    first = counts.drop_duplicates(C.CUSTOMER_ID)
    return first.set_index(C.CUSTOMER_ID)[name].astype("int64")


def behaviour_features(
    clean: pd.DataFrame, cancellations: pd.DataFrame, *, snapshot=None
) -> pd.DataFrame:
    """Give behavioural features per customer, as of ``snapshot``.

    Introduced in lesson 03.

    Returns
    -------
    DataFrame indexed by ``CustomerID`` (same customers as ``rfm_table``) with

    - ``avg_basket_value``: gross revenue per invoice;
    - ``avg_basket_size``: units per invoice;
    - ``n_products``: distinct stock codes bought;
    - ``n_returns``: distinct cancellation invoices;
    - ``return_rate``: ``n_returns / (n_returns + invoices)``, the share of a
      customer's invoices that were cancellations (in [0, 1]);
    - ``tenure_days``: days from the day of the first purchase to the snapshot;
    - ``active_months``: calendar months with at least one invoice;
    - ``preferred_hour`` (0-23) and ``preferred_weekday`` (0 = Monday): the most
      frequent over the customer's invoices; a tie goes to the value of the
      latest of the tied invoices (a customer with one Tuesday and one Friday
      order, the Friday one later, prefers Friday).
    """
    sales, returns, day = _check_inputs(clean, cancellations, snapshot)
    if sales.empty:
        raise ValueError(f"clean: expected purchases before the snapshot {day.date()}, found none")
    invoices = invoice_table(sales)
    by_customer = invoices.groupby(C.CUSTOMER_ID, sort=True)
    n_invoices = by_customer.size()
    dates = invoices[C.INVOICE_DATE]
    n_returns = (
        returns.groupby(C.CUSTOMER_ID)[C.INVOICE].nunique().reindex(n_invoices.index, fill_value=0)
    )
    features = pd.DataFrame(
        {
            AVG_BASKET_VALUE: by_customer[C.REVENUE].sum() / n_invoices,
            AVG_BASKET_SIZE: by_customer[C.QUANTITY].sum() / n_invoices,
            N_PRODUCTS: sales.groupby(C.CUSTOMER_ID, sort=True)[C.STOCK_CODE].nunique(),
            N_RETURNS: n_returns.astype("int64"),
            RETURN_RATE: n_returns / (n_returns + n_invoices),
            TENURE: (day - by_customer[C.INVOICE_DATE].min().dt.normalize()).dt.days,
            ACTIVE_MONTHS: dates.dt.to_period("M").groupby(invoices[C.CUSTOMER_ID]).nunique(),
            PREFERRED_HOUR: _most_common(invoices, dates.dt.hour, PREFERRED_HOUR),
            PREFERRED_WEEKDAY: _most_common(invoices, dates.dt.day_of_week, PREFERRED_WEEKDAY),
        }
    )
    return features.astype({N_PRODUCTS: "int64", TENURE: "int64", ACTIVE_MONTHS: "int64"})


def customer_profiles(
    clean: pd.DataFrame, cancellations: pd.DataFrame, *, snapshot=None, n_bins: int = 5
) -> pd.DataFrame:
    """Give the customer profile table: RFM, RFM scores and behavioural features, one row per customer.

    The one table lessons 04 and 06+ reuse. See ``rfm_table``,
    ``rfm_scores`` and ``behaviour_features`` for the columns; the
    snapshot rule (only transactions before it count) applies to all.
    Introduced in lesson 03.
    """
    rfm = rfm_table(clean, cancellations, snapshot=snapshot)
    behaviour = behaviour_features(clean, cancellations, snapshot=snapshot)
    return pd.concat([rfm, rfm_scores(rfm, n_bins), behaviour], axis=1)


# --------------------------------------------------------------------------- scaling


def scale_features(
    profiles: pd.DataFrame,
    columns=PROFILE_FEATURES,
    *,
    log_columns=SKEWED_FEATURES,
) -> pd.DataFrame:
    """Give z-scores of ``columns``, after ``log1p`` of those in ``log_columns``.

    Negative values of a logged column (a net spend below zero) are clipped
    to 0 first, since ``log1p`` is undefined below -1. Each column then has
    mean 0 and standard deviation 1 (``StandardScaler``), so no feature
    dominates a distance just because of its unit. Introduced in lesson 03.
    """
    columns = list(columns)
    if not columns:
        raise ValueError("columns: expected at least one column name, got none")
    require_frame(profiles, columns, "profiles")
    require_numeric(profiles, columns, "profiles")
    require_no_nan(profiles, columns, "profiles")
    values = profiles[columns].astype(float)
    require_finite(values.to_numpy(), "profiles")
    logged = [c for c in columns if c in set(log_columns)]
    values[logged] = np.log1p(values[logged].clip(lower=0))
    scaled = StandardScaler().fit_transform(values.to_numpy())
    return pd.DataFrame(scaled, index=profiles.index, columns=columns)


# --------------------------------------------------------------------------- interests


def word_pattern(min_letters: int = 3) -> str:
    """Give the one token pattern for product text: words of at least ``min_letters`` letters.

    Digits and codes in descriptions ("12", "3d", "set/6") never become
    words. Lesson 03's interest profiles keep words of three letters or more
    (short words there are mostly sizes and abbreviations); the content
    recommender of lesson 08 keeps two-letter words too (``TOKEN_PATTERN`` of
    ``recsys.content``). Introduced in lesson 03.
    """
    min_letters = require_positive_int(min_letters, "min_letters")
    return rf"(?u)\b[a-zA-Z]{{{min_letters},}}\b"


def product_descriptions(
    clean: pd.DataFrame, item_col: str = C.STOCK_CODE, text_col: str = C.DESCRIPTION
) -> pd.Series:
    """Give one description per product: its most frequent one (ties: alphabetically first).

    Some stock codes carry several spellings over the year. The one
    description helper of the package: ``recsys.item_descriptions`` (lesson
    06) is this Series with the recommenders' ``item_id`` index name.
    Introduced in lesson 03.
    """
    require_frame(clean, [item_col, text_col], "clean")
    counts = clean[[item_col, text_col]].dropna().value_counts().rename("n").reset_index()
    counts = counts.sort_values([item_col, "n", text_col], ascending=[True, False, True], kind="stable")
    best = counts.drop_duplicates(item_col)
    return pd.Series(best[text_col].to_numpy(), index=pd.Index(best[item_col].to_numpy(), name=item_col),
                     name=text_col)


def customer_product_matrix(clean: pd.DataFrame) -> tuple[sparse.csr_matrix, pd.Index, pd.Index]:
    """Give the customer x product matrix of purchase lines, with its row and column labels.

    Entry ``(u, p)`` counts the lines in which customer ``u`` bought
    product ``p``: ``recsys.build_interactions(clean, weight="count")`` as a
    float64 matrix. Rows are customers and columns stock codes, both sorted.
    Introduced in lesson 03.
    """
    from .recsys.interactions import build_interactions

    require_frame(clean, [C.CUSTOMER_ID, C.STOCK_CODE], "clean")
    require_no_nan(clean, [C.CUSTOMER_ID, C.STOCK_CODE], "clean")
    inter = build_interactions(clean, C.CUSTOMER_ID, C.STOCK_CODE, weight="count")
    matrix = sparse.csr_matrix(inter.matrix, dtype=np.float64)
    return matrix, inter.users.rename(C.CUSTOMER_ID), inter.items.rename(C.STOCK_CODE)


@dataclass(frozen=True)
class InterestProfiles:
    """Customer interest vectors over description terms (rows L2-normalised)."""

    matrix: sparse.csr_matrix
    customers: pd.Index
    terms: np.ndarray
    product_terms: sparse.csr_matrix
    products: pd.Index


def interest_profiles(
    clean: pd.DataFrame, *, binary: bool = True, min_df: int = 2
) -> InterestProfiles:
    """Give each customer's interest profile: TF-IDF of the descriptions of the products bought.

    Each product is a document (its description); ``TfidfVectorizer`` gives
    the product x term matrix ``T`` (English stop words removed, words of
    three letters or more, terms in at least ``min_df`` products). With the
    customer x product matrix ``B`` (1 if bought, or line counts when
    ``binary=False``), the profile is ``B @ T`` with each row scaled to unit
    length: one sparse product, no loop over customers. Introduced in lesson 03.
    """
    require_bool(binary, "binary")
    min_df = require_positive_int(min_df, "min_df")
    require_frame(clean, [C.CUSTOMER_ID, C.STOCK_CODE, C.DESCRIPTION], "clean")
    purchases, customers, products = customer_product_matrix(clean)
    descriptions = product_descriptions(clean).reindex(products).fillna("")
    vectorizer = TfidfVectorizer(
        stop_words="english", token_pattern=word_pattern(3), min_df=min_df
    )
    product_terms = vectorizer.fit_transform(descriptions.to_numpy()).tocsr()
    if binary:
        purchases = (purchases > 0).astype(float)
    profile = normalize(purchases @ product_terms, norm="l2").tocsr()
    return InterestProfiles(
        matrix=profile,
        customers=customers,
        terms=vectorizer.get_feature_names_out(),
        product_terms=product_terms,
        products=products,
    )


def top_terms(
    weights, terms, n: int = 5, *, index=None
) -> pd.DataFrame:
    """Give the ``n`` heaviest terms of each row of ``weights``, as columns ``term_1``...``term_n``.

    Ties go to the alphabetically first term; a row with fewer than ``n``
    positive weights gets empty strings. ``weights`` is a dense array or a
    sparse matrix (rows x terms). Introduced in lesson 03.
    """
    n = require_positive_int(n, "n")
    dense = weights.toarray() if sparse.issparse(weights) else require_finite(weights, "weights")
    terms = require_1d(terms, "terms", allow_empty=True, what="terms")
    if dense.ndim != 2 or dense.shape[1] != len(terms):
        raise ValueError(
            f"weights: expected a 2-d array with {len(terms)} columns (one per term), got shape {dense.shape}"
        )
    if np.isnan(dense).any():
        raise ValueError("weights: expected no NaN, found some")
    n = min(n, len(terms))
    order = np.argsort(-dense, axis=1, kind="stable")[:, :n]
    picked = np.take_along_axis(dense, order, axis=1)
    names = np.where(picked > 0, terms[order], "")
    return pd.DataFrame(names, index=index, columns=[f"term_{i + 1}" for i in range(n)])


def customer_top_terms(profiles: InterestProfiles, customers, n: int = 5) -> pd.DataFrame:
    """Give the ``n`` top interest terms of the given customers (rows in the order asked).

    Introduced in lesson 03.
    """
    if not isinstance(profiles, InterestProfiles):
        raise TypeError(f"profiles: expected InterestProfiles, got {type(profiles).__name__}")
    wanted = pd.Index(list(customers), name=C.CUSTOMER_ID)
    positions = profiles.customers.get_indexer(wanted)
    if (positions < 0).any():
        raise ValueError(f"customers: not in the profiles: {list(wanted[positions < 0])[:5]}")
    return top_terms(profiles.matrix[positions], profiles.terms, n, index=wanted)

