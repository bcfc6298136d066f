"""Market-basket rules: one-hot baskets, frequent itemsets, rule metrics, cross-sell.

Frequent itemsets and rules come from mlxtend (apriori or FP-growth); this
module adds what a marketing team needs around them: baskets from a
transaction table, the five rule metrics worked out by counting, a stable
order, filters on lift and counts, and rules turned into "bought X, also buy
Y" recommendations with a popularity fallback. Introduced in lesson 05.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder

from . import columns as C
from .validation import (
    require_frame,
    require_in_range,
    require_no_nan,
    require_positive_int,
)

ANTECEDENTS = "antecedents"
CONSEQUENTS = "consequents"
ITEMSETS = "itemsets"
SUPPORT = "support"
CONFIDENCE = "confidence"
LIFT = "lift"
LEVERAGE = "leverage"
CONVICTION = "conviction"
COUNT = "count"
ANTECEDENT_COUNT = "antecedent_count"
RULE_METRICS = (SUPPORT, CONFIDENCE, LIFT, LEVERAGE, CONVICTION)
RULE_COLUMNS = (ANTECEDENTS, CONSEQUENTS, *RULE_METRICS, COUNT, ANTECEDENT_COUNT)
RECOMMEND_COLUMNS = ("item", CONFIDENCE, LIFT, "because", "source")
#: What can rank the items that firing rules propose (``recommend_from_rules(rank_by=...)``).
RANK_BY = (CONFIDENCE, LIFT)
ALGORITHMS = {"apriori": apriori, "fpgrowth": fpgrowth}


# --------------------------------------------------------------------------- baskets


def one_hot(baskets: Sequence[Iterable[str]]) -> pd.DataFrame:
    """Give the basket x item boolean matrix of a list of baskets (mlxtend's TransactionEncoder).

    Introduced in lesson 05.

    Parameters
    ----------
    baskets : list of lists of str
        One list of item labels per basket; repeats inside a basket count once.

    Returns
    -------
    DataFrame
        One row per basket, one boolean column per distinct item (sorted).
    """
    if isinstance(baskets, (str, pd.DataFrame)) or not isinstance(baskets, Sequence):
        raise TypeError(f"baskets: expected a list of lists of item labels, got {type(baskets).__name__}")
    if len(baskets) == 0:
        raise ValueError("baskets: expected at least one basket, got none")
    for i, basket in enumerate(baskets):
        if isinstance(basket, str) or not isinstance(basket, Iterable):
            raise TypeError(
                f"baskets: expected each basket to be a list of items, basket {i} is a {type(basket).__name__}"
            )
    baskets = [list(b) for b in baskets]
    for i, basket in enumerate(baskets):
        if len(basket) == 0:
            raise ValueError(
                f"baskets: expected every basket to hold at least one item, basket {i} is empty"
            )
        if any(not isinstance(item, str) for item in basket):
            raise TypeError(f"baskets: expected item labels as str, basket {i} holds {basket!r}")
    encoder = TransactionEncoder()
    matrix = encoder.fit(baskets).transform(baskets)
    return pd.DataFrame(matrix, columns=encoder.columns_)


def transactions_to_one_hot(
    df: pd.DataFrame, basket_col: str = C.INVOICE, item_col: str = C.DESCRIPTION
) -> pd.DataFrame:
    """Give the basket x item boolean matrix of a long transaction table (one row per line).

    Introduced in lesson 05.

    Parameters
    ----------
    df : DataFrame
        Transactions, e.g. cleaned Online Retail lines; not changed.
    basket_col, item_col : str
        The column naming the basket (an invoice) and the one naming the item.

    Returns
    -------
    DataFrame
        Index: the baskets (sorted), columns: the items (sorted), values: bool.
    """
    require_frame(df, [basket_col, item_col], "df")
    require_no_nan(df, [basket_col, item_col], "df")
    basket_codes, baskets = pd.factorize(df[basket_col], sort=True)
    item_codes, items = pd.factorize(df[item_col], sort=True)
    matrix = np.zeros((len(baskets), len(items)), dtype=bool)
    matrix[basket_codes, item_codes] = True
    return pd.DataFrame(
        matrix,
        index=pd.Index(baskets, name=basket_col),
        columns=pd.Index(items, name=item_col),
    )


def _require_one_hot(onehot: object, arg: str = "onehot") -> pd.DataFrame:
    require_frame(onehot, (), arg)
    if not all(pd.api.types.is_bool_dtype(t) for t in onehot.dtypes):
        bad = [c for c, t in onehot.dtypes.items() if not pd.api.types.is_bool_dtype(t)][:3]
        raise TypeError(f"{arg}: expected a boolean basket x item matrix, columns {bad} are not bool")
    return onehot


def item_popularity(onehot: pd.DataFrame) -> pd.Series:
    """Give each item's support (share of baskets holding it), most popular first.

    Ties are broken by item name so the order is stable. Introduced in lesson 05.
    """
    onehot = _require_one_hot(onehot)
    support = pd.Series(onehot.to_numpy().mean(axis=0), index=onehot.columns, name=SUPPORT)
    order = np.lexsort((support.index.astype(str), -support.to_numpy()))
    return support.iloc[order]


# --------------------------------------------------------------------------- one rule by counting


def _itemset(items: object, arg: str, onehot: pd.DataFrame) -> list[str]:
    if isinstance(items, str):
        items = [items]
    items = list(items)
    if not items:
        raise ValueError(f"{arg}: expected at least one item, got none")
    unknown = [i for i in items if i not in onehot.columns]
    if unknown:
        raise ValueError(f"{arg}: expected items that are columns of onehot, unknown {unknown}")
    return items


def rule_metrics(onehot: pd.DataFrame, antecedent: Iterable[str], consequent: Iterable[str]) -> dict:
    """Give support, confidence, lift, leverage and conviction of one rule A -> C, by counting.

    Introduced in lesson 05.

    Parameters
    ----------
    onehot : DataFrame
        Boolean basket x item matrix.
    antecedent, consequent : list of str (or one str)
        The items of A and of C; they must not overlap.

    Returns
    -------
    dict
        The counts ``n``, ``n_a``, ``n_c``, ``n_ac`` and the five metrics.
        ``conviction`` is ``inf`` when the confidence is 1.
    """
    onehot = _require_one_hot(onehot)
    a = _itemset(antecedent, "antecedent", onehot)
    c = _itemset(consequent, "consequent", onehot)
    if set(a) & set(c):
        raise ValueError(f"consequent: expected no item of the antecedent, both hold {sorted(set(a) & set(c))}")
    has_a = onehot[a].to_numpy().all(axis=1)
    has_c = onehot[c].to_numpy().all(axis=1)
    n, n_a, n_c = len(onehot), int(has_a.sum()), int(has_c.sum())
    n_ac = int((has_a & has_c).sum())
    if n_a == 0:
        raise ValueError(f"antecedent: expected items that occur together in some basket, {a} never do")
    support_a, support_c, support = n_a / n, n_c / n, n_ac / n
    confidence = n_ac / n_a
    return {
        "n": n,
        "n_a": n_a,
        "n_c": n_c,
        "n_ac": n_ac,
        SUPPORT: support,
        CONFIDENCE: confidence,
        LIFT: confidence / support_c,
        LEVERAGE: support - support_a * support_c,
        CONVICTION: np.inf if confidence == 1 else (1 - support_c) / (1 - confidence),
    }


# --------------------------------------------------------------------------- mining


def itemset_text(items: Iterable[str]) -> str:
    """Give an itemset as sorted text, e.g. ``"{whole milk, yogurt}"``. Introduced in lesson 05."""
    if isinstance(items, (str, bytes)):  # one string would be read as its letters
        raise TypeError(f"items: expected a collection of item names, got {type(items).__name__} {items!r}")
    return "{" + ", ".join(sorted(items)) + "}"


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm: expected one of {sorted(ALGORITHMS)}, got {algorithm!r}")


def frequent_itemsets(
    onehot: pd.DataFrame,
    min_support: float,
    algorithm: str = "fpgrowth",
    max_len: int | None = None,
) -> pd.DataFrame:
    """Give the itemsets with support >= ``min_support``, in a stable order.

    Introduced in lesson 05.

    Parameters
    ----------
    onehot : DataFrame
        Boolean basket x item matrix.
    min_support : float in (0, 1]
        Smallest share of baskets an itemset must appear in.
    algorithm : {"fpgrowth", "apriori"}
        Which mlxtend miner to use; both give the same itemsets.
    max_len : int, optional
        Longest itemset to look for.

    Returns
    -------
    DataFrame
        Columns ``support``, ``itemsets`` (frozensets), ``length`` and
        ``count`` (baskets holding the itemset); sorted by support, then text.
    """
    onehot = _require_one_hot(onehot)
    require_in_range(min_support, "min_support", 0, 1, low_inclusive=False)
    _check_algorithm(algorithm)
    if max_len is not None:
        max_len = require_positive_int(max_len, "max_len")
    found = ALGORITHMS[algorithm](onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    found = found.assign(
        length=found[ITEMSETS].map(len).astype(int),
        count=np.rint(found[SUPPORT].to_numpy() * len(onehot)).astype(int),
        text=found[ITEMSETS].map(itemset_text),
    )
    found = found.sort_values([SUPPORT, "text"], ascending=[False, True], kind="stable")
    return found.drop(columns="text").reset_index(drop=True)


def mine_rules(
    onehot: pd.DataFrame,
    min_support: float,
    min_confidence: float,
    algorithm: str = "fpgrowth",
    max_len: int | None = None,
) -> pd.DataFrame:
    """Give the association rules A -> C with support and confidence above the thresholds.

    Introduced in lesson 05.

    Parameters
    ----------
    onehot : DataFrame
        Boolean basket x item matrix (from :func:`one_hot` or
        :func:`transactions_to_one_hot`).
    min_support, min_confidence : float in (0, 1]
        Thresholds on the rule's support (share of baskets holding A and C)
        and confidence (share of baskets with A that also hold C).
    algorithm : {"fpgrowth", "apriori"}
        The frequent-itemset miner.
    max_len : int, optional
        Longest itemset (antecedent plus consequent).

    Returns
    -------
    DataFrame
        Columns ``antecedents``, ``consequents`` (frozensets), ``support``,
        ``confidence``, ``lift``, ``leverage``, ``conviction``, ``count``
        (baskets holding A and C) and ``antecedent_count``; sorted by lift,
        then confidence, then the rule's text.
    """
    require_in_range(min_confidence, "min_confidence", 0, 1, low_inclusive=False)
    itemsets = frequent_itemsets(onehot, min_support, algorithm, max_len)
    n = len(onehot)
    if itemsets.empty:
        return _empty_rules()
    rules = association_rules(
        itemsets[[SUPPORT, ITEMSETS]], num_itemsets=n, metric=CONFIDENCE, min_threshold=min_confidence
    )
    rules = rules.assign(
        count=np.rint(rules[SUPPORT].to_numpy() * n).astype(int),
        antecedent_count=np.rint(rules["antecedent support"].to_numpy() * n).astype(int),
    )
    return sort_rules(rules[list(RULE_COLUMNS)])


def _empty_rules() -> pd.DataFrame:
    sets = (ANTECEDENTS, CONSEQUENTS)
    return pd.DataFrame({c: pd.Series(dtype=object if c in sets else float) for c in RULE_COLUMNS})


def rule_text(rules: pd.DataFrame) -> pd.Series:
    """Give each rule as text, ``"{a, b} -> {c}"`` with items sorted. Introduced in lesson 05."""
    require_frame(rules, [ANTECEDENTS, CONSEQUENTS], "rules", allow_empty=True)
    return (rules[ANTECEDENTS].map(itemset_text) + " -> " + rules[CONSEQUENTS].map(itemset_text)).rename("rule")


def sort_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """Give the rules sorted by lift, then confidence (both descending), then text; fresh index.

    The text tie-break makes the order the same in every run (the order of a
    frozenset of strings changes with Python's hash seed). Introduced in lesson 05.
    """
    require_frame(rules, [ANTECEDENTS, CONSEQUENTS, LIFT, CONFIDENCE], "rules", allow_empty=True)
    keyed = rules.assign(_text=rule_text(rules))
    keyed = keyed.sort_values([LIFT, CONFIDENCE, "_text"], ascending=[False, False, True], kind="stable")
    return keyed.drop(columns="_text").reset_index(drop=True)


def filter_rules(
    rules: pd.DataFrame,
    *,
    min_lift: float = 1.0,
    min_count: int = 1,
    min_confidence: float | None = None,
    max_antecedent_len: int | None = None,
) -> pd.DataFrame:
    """Give the rules that matter: lift above ``min_lift``, seen in at least ``min_count`` baskets.

    Introduced in lesson 05.

    Parameters
    ----------
    rules : DataFrame
        Output of :func:`mine_rules`; not changed.
    min_lift : float
        Keep rules with lift strictly above it (1 = no better than chance).
    min_count : int
        Keep rules whose antecedent and consequent appear together in at
        least this many baskets (a rule seen 5 times is an anecdote).
    min_confidence : float in (0, 1], optional
        A stricter confidence cut than the one used when mining.
    max_antecedent_len : int, optional
        Keep short, explainable rules.
    """
    require_frame(rules, [ANTECEDENTS, LIFT, CONFIDENCE, COUNT], "rules", allow_empty=True)
    require_in_range(min_lift, "min_lift", 0, np.inf)
    min_count = require_positive_int(min_count, "min_count")
    keep = (rules[LIFT] > min_lift) & (rules[COUNT] >= min_count)
    if min_confidence is not None:
        require_in_range(min_confidence, "min_confidence", 0, 1, low_inclusive=False)
        keep &= rules[CONFIDENCE] >= min_confidence
    if max_antecedent_len is not None:
        max_antecedent_len = require_positive_int(max_antecedent_len, "max_antecedent_len")
        keep &= rules[ANTECEDENTS].map(len) <= max_antecedent_len
    return rules[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- cross-sell


def _rule_matrices(rules: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    position = {item: j for j, item in enumerate(items)}

    def matrix(column: str) -> np.ndarray:
        sets = rules[column].tolist()
        rows = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
        cols = np.array([position[i] for s in sets for i in s], dtype=int)
        out = np.zeros((len(sets), len(items)), dtype=bool)
        out[rows, cols] = True
        return out

    return matrix(ANTECEDENTS), matrix(CONSEQUENTS)


def recommend_from_rules(
    rules: pd.DataFrame,
    basket: Iterable[str],
    k: int = 5,
    fallback: pd.Series | Sequence[str] | None = None,
    *,
    rank_by: str = "confidence",
) -> pd.DataFrame:
    """Give up to ``k`` "bought X, also buy Y" recommendations for one basket.

    A rule fires when every item of its antecedent is in the basket. Each
    item not yet in the basket that a firing rule proposes is scored by the
    highest confidence among those rules (ties: higher lift, then name), or,
    with ``rank_by="lift"``, by the highest lift (ties: higher confidence).
    Confidence favours popular consequents (whole milk is in a quarter of
    all baskets); lift divides that popularity out.
    When fewer than ``k`` items come from rules (no rule fires for an
    unusual basket), the rest are filled from ``fallback``, a list of items
    from most to least popular (e.g. :func:`item_popularity`), skipping
    items already in the basket or already recommended. Introduced in lesson 05.

    Parameters
    ----------
    rules : DataFrame
        Output of :func:`mine_rules` (or :func:`filter_rules`); not changed.
    basket : list of str
        What the customer holds now.
    k : int
        How many items to recommend at most.
    fallback : Series or list of str, optional
        Popular items to fill with; a Series is read by its index (its order
        is kept). Without it, a basket no rule fires for gets nothing.
    rank_by : {"confidence", "lift"}
        What ranks the items proposed by rules.

    Returns
    -------
    DataFrame
        Columns ``item``, ``confidence``, ``lift``, ``because`` (the
        antecedent of the best firing rule) and ``source`` ("rule" or
        "popular"); ``confidence``/``lift`` are NaN for fallback items.
    """
    require_frame(rules, [ANTECEDENTS, CONSEQUENTS, CONFIDENCE, LIFT], "rules", allow_empty=True)
    if isinstance(basket, str) or not isinstance(basket, Iterable):
        raise TypeError(f"basket: expected a list of item labels, got {type(basket).__name__}")
    basket = set(basket)
    k = require_positive_int(k, "k")
    if rank_by not in RANK_BY:
        raise ValueError(f"rank_by: expected one of {RANK_BY}, got {rank_by!r}")
    if fallback is not None:
        if isinstance(fallback, pd.Series):
            fallback = fallback.index.tolist()
        elif isinstance(fallback, str) or not isinstance(fallback, Sequence):
            raise TypeError(f"fallback: expected a list or Series of items, got {type(fallback).__name__}")
        fallback = list(fallback)

    out = pd.DataFrame(
        {col: pd.Series(dtype=float if col in (CONFIDENCE, LIFT) else object) for col in RECOMMEND_COLUMNS}
    )
    if len(rules):
        items = sorted(set().union(*rules[ANTECEDENTS], *rules[CONSEQUENTS]))
        ante, cons = _rule_matrices(rules, items)
        in_basket = np.isin(np.array(items, dtype=object), list(basket))
        fires = ~(ante & ~in_basket).any(axis=1)
        # score[r, j]: confidence of firing rule r if it proposes item j (not in the basket)
        proposes = cons & fires[:, None] & ~in_basket[None, :]
        conf = rules[CONFIDENCE].to_numpy(dtype=float)
        lift = rules[LIFT].to_numpy(dtype=float)
        first, second = (conf, lift) if rank_by == CONFIDENCE else (lift, conf)
        order = np.lexsort((-second, -first))  # best first: rank_by, then the other, then rule order
        rank = np.empty(len(order), dtype=int)
        rank[order] = np.arange(len(order))
        best_rule = np.where(proposes, rank[:, None], len(order)).argmin(axis=0)
        offered = np.flatnonzero(proposes.any(axis=0))
        if offered.size:
            r = best_rule[offered]
            out = pd.DataFrame(
                {
                    "item": [items[j] for j in offered],
                    CONFIDENCE: conf[r],
                    LIFT: lift[r],
                    "because": rules[ANTECEDENTS].iloc[r].map(itemset_text).to_numpy(),
                    "source": "rule",
                }
            )
            keys = [CONFIDENCE, LIFT] if rank_by == CONFIDENCE else [LIFT, CONFIDENCE]
            out = out.sort_values([*keys, "item"], ascending=[False, False, True], kind="stable")
            out = out.head(k)
    if fallback is not None and len(out) < k:
        taken = basket | set(out["item"])
        extra = [item for item in fallback if item not in taken][: k - len(out)]
        filler = pd.DataFrame(
            {"item": extra, CONFIDENCE: np.nan, LIFT: np.nan, "because": "popular overall", "source": "popular"}
        )
        out = pd.concat([out, filler], ignore_index=True) if len(out) else filler
    return out.reset_index(drop=True)
