"""Tests of pmkt_lessons.recsys.interactions: the users x items matrix and its id mapping."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import Interactions, build_interactions


@pytest.fixture
def rows():
    # user 2 buys item "B" twice (two lines), user 1 buys "A" and "C"
    return pd.DataFrame(
        {
            C.CUSTOMER_ID: pd.array([2, 1, 2, 1, 3], dtype="Int64"),
            C.STOCK_CODE: ["B", "A", "B", "C", "A"],
            C.QUANTITY: [3, 1, 2, 10, 4],
            C.REVENUE: [6.0, 1.5, 4.0, 20.0, 8.0],
        }
    )


def dense(inter):
    return inter.matrix.toarray()


def test_binary_matrix_by_hand(rows):
    inter = build_interactions(rows)
    assert list(inter.users) == [1, 2, 3]
    assert list(inter.items) == ["A", "B", "C"]
    np.testing.assert_array_equal(dense(inter), [[1, 0, 1], [0, 1, 0], [1, 0, 0]])
    assert inter.matrix.dtype == np.float32
    assert sp.isspmatrix_csr(inter.matrix) or isinstance(inter.matrix, sp.csr_matrix)
    assert inter.nnz == 4 and inter.shape == (3, 3)
    assert inter.density == pytest.approx(4 / 9)


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        ("count", [[1, 0, 1], [0, 2, 0], [1, 0, 0]]),
        ("quantity", [[1, 0, 10], [0, 5, 0], [4, 0, 0]]),
        ("revenue", [[1.5, 0, 20], [0, 10, 0], [8, 0, 0]]),
    ],
)
def test_weights_sum_per_pair(rows, weight, expected):
    inter = build_interactions(rows, weight=weight)
    np.testing.assert_allclose(dense(inter), expected)
    assert inter.weight == weight


def test_any_numeric_column_can_be_the_weight():
    df = pd.DataFrame({C.USER: [1, 1, 2], C.ITEM: [10, 20, 10], C.RATING: [5.0, 3.0, 4.0]})
    inter = build_interactions(df, C.USER, C.ITEM, weight=C.RATING)
    np.testing.assert_allclose(dense(inter), [[5, 3], [4, 0]])


def test_fixed_items_add_empty_columns_in_the_given_order(rows):
    inter = build_interactions(rows, items=["C", "B", "A", "Z"])
    assert list(inter.items) == ["C", "B", "A", "Z"]
    np.testing.assert_array_equal(dense(inter)[:, 3], [0, 0, 0])
    np.testing.assert_array_equal(dense(inter)[0], [1, 0, 1, 0])


def test_unknown_ids_raise_or_are_dropped(rows):
    with pytest.raises(ValueError, match="items"):
        build_interactions(rows, items=["A", "B"])
    inter = build_interactions(rows, items=["A", "B"], drop_unknown=True)
    assert inter.nnz == 3
    with pytest.raises(ValueError, match="users"):
        build_interactions(rows, users=[1, 2])


def test_id_mapping_round_trip(rows):
    inter = build_interactions(rows)
    assert list(inter.user_rows([3, 1])) == [2, 0]
    assert list(inter.item_cols(["C"])) == [2]
    assert list(inter.user_ids([2, 0])) == [3, 1]
    assert list(inter.item_ids([1])) == ["B"]
    assert list(inter.user_rows([1, 99], missing="mark")) == [0, -1]
    assert list(inter.user_rows([1, 99], missing="drop")) == [0]
    with pytest.raises(ValueError, match="users.*unknown"):
        inter.user_rows([99])
    with pytest.raises(ValueError, match="items.*unknown"):
        inter.item_cols(["nope"])
    with pytest.raises(ValueError, match="rows"):
        inter.user_ids([5])
    with pytest.raises(TypeError, match="users"):
        inter.user_rows("1")
    with pytest.raises(ValueError, match="missing"):
        inter.user_rows([1], missing="ignore")


def test_history_and_frame(rows):
    inter = build_interactions(rows, weight="quantity")
    history = inter.user_history(1)
    assert history.to_dict() == {"A": 1.0, "C": 10.0}
    frame = inter.to_frame()
    assert list(frame.columns) == [C.USER, C.ITEM, C.RATING]
    assert len(frame) == inter.nnz
    assert frame[C.RATING].sum() == pytest.approx(20.0)
    binary = inter.binary()
    assert set(binary.data) == {1.0}
    assert inter.matrix.data.max() == 10  # binary() made a copy


def test_does_not_mutate_input(rows):
    before = rows.copy()
    build_interactions(rows, weight="revenue")
    pd.testing.assert_frame_equal(rows, before)


def test_bad_input(rows):
    with pytest.raises(TypeError, match="df"):
        build_interactions(rows.to_numpy())
    with pytest.raises(ValueError, match="df"):
        build_interactions(rows.iloc[:0])
    with pytest.raises(ValueError, match="df.*missing"):
        build_interactions(rows.drop(columns=[C.STOCK_CODE]))
    with pytest.raises(ValueError, match="weight"):
        build_interactions(rows, weight="clicks")
    with pytest.raises(TypeError, match="weight"):
        build_interactions(rows, weight=1)
    with pytest.raises(TypeError, match="df.*numeric"):
        build_interactions(rows.assign(**{C.QUANTITY: "3"}), weight="quantity")
    nan_user = rows.astype({C.CUSTOMER_ID: "float64"})
    nan_user.loc[0, C.CUSTOMER_ID] = np.nan
    with pytest.raises(ValueError, match="df.*missing values"):
        build_interactions(nan_user)
    with pytest.raises(ValueError, match="items.*unique"):
        build_interactions(rows, items=["A", "A", "B", "C"])


def test_interactions_checks_its_parts():
    with pytest.raises(ValueError, match="matrix.*shape"):
        Interactions(sp.csr_matrix((2, 2)), pd.Index([1]), pd.Index([1, 2]))
    with pytest.raises(TypeError, match="matrix"):
        Interactions(np.zeros((1, 1)), pd.Index([1]), pd.Index([1]))
    with pytest.raises(ValueError, match="users.*unique"):
        Interactions(sp.csr_matrix((2, 1)), pd.Index([1, 1]), pd.Index([1]))
    assert "2 users x 1 items" in repr(Interactions(sp.csr_matrix((2, 1)), pd.Index([1, 2]), pd.Index([1])))
