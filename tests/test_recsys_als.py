"""Implicit ALS (lesson 09): the exact solve, the objective, conjugate gradients and the recommender."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from pmkt_lessons import columns as C
from pmkt_lessons.recsys import build_interactions
from pmkt_lessons.recsys.als import ImplicitALS, als_cg_solve, als_exact_solve, implicit_loss


def _random(n_users=15, n_items=12, k=3, seed=0):
    rng = np.random.default_rng(seed)
    r = sp.random(n_users, n_items, density=0.3, random_state=seed, format="csr", dtype=np.float32)
    r.data[:] = rng.integers(1, 4, r.nnz)
    return r, rng.normal(size=(n_users, k)), rng.normal(size=(n_items, k))


def _dense_objective(r, x, y, reg, alpha):
    dense = r.toarray()
    conf, pref = 1 + alpha * dense, (dense > 0).astype(float)
    return float((conf * (pref - x @ y.T) ** 2).sum() + reg * ((x**2).sum() + (y**2).sum()))


@pytest.fixture(scope="module")
def blocks():
    """Two groups of customers, each buying from its own block of products; one purchase held back each."""
    rows = []
    for user in range(24):
        group = user % 2
        items = [f"{'A' if group == 0 else 'B'}{j}" for j in range(6)]
        held = items[user // 2 % 6]
        rows += [{C.CUSTOMER_ID: user, C.STOCK_CODE: item} for item in items if item != held]
    df = pd.DataFrame(rows)
    return build_interactions(df)


# ------------------------------------------------------------------ exact solve
def test_exact_solve_by_hand():
    # one user who bought item 0 of two; item factors are the identity; alpha 1, no penalty
    r = sp.csr_matrix(np.array([[1.0, 0.0]]))
    x = als_exact_solve(r, np.eye(2), reg=0.0, alpha=1.0)
    # (I + diag(1, 0)) x = 2 e_0  ->  x = (1, 0)
    np.testing.assert_allclose(x, [[1.0, 0.0]])


def test_exact_solve_is_the_weighted_ridge_regression():
    r, _, y = _random()
    x = als_exact_solve(r, y, reg=0.3, alpha=2.0)
    dense = r.toarray()
    for u in (0, 5, 14):
        c = np.diag(1 + 2.0 * dense[u])
        expected = np.linalg.solve(y.T @ c @ y + 0.3 * np.eye(3), y.T @ c @ (dense[u] > 0))
        np.testing.assert_allclose(x[u], expected, rtol=1e-8)


def test_exact_solve_rejects_bad_input():
    r, _, y = _random()
    with pytest.raises(TypeError, match="matrix"):
        als_exact_solve(r.toarray(), y)
    with pytest.raises(ValueError, match="fixed"):
        als_exact_solve(r, y[:-1])
    with pytest.raises(ValueError, match="reg"):
        als_exact_solve(r, y, reg=-1)
    with pytest.raises(ValueError, match="matrix"):
        als_exact_solve(sp.csr_matrix((0, 12)), y)


def test_exact_solve_does_not_change_its_inputs():
    r, _, y = _random()
    r_before, y_before = r.copy(), y.copy()
    als_exact_solve(r, y)
    assert (r != r_before).nnz == 0
    np.testing.assert_array_equal(y, y_before)


# ------------------------------------------------------------------ objective
def test_loss_matches_the_dense_sum_over_every_cell():
    r, x, y = _random()
    assert implicit_loss(r, x, y, 0.2, 3.0) == pytest.approx(_dense_objective(r, x, y, 0.2, 3.0))


def test_loss_rejects_mismatched_factors():
    r, x, y = _random()
    with pytest.raises(ValueError, match="item_factors"):
        implicit_loss(r, x, y[:, :2])
    with pytest.raises(ValueError, match="user_factors"):
        implicit_loss(r, x[:3], y)


def test_an_exact_step_never_raises_the_loss():
    r, x, y = _random()
    x_new = als_exact_solve(r, y, 0.1, 1.0)
    assert implicit_loss(r, x_new, y, 0.1, 1.0) <= implicit_loss(r, x, y, 0.1, 1.0)


def test_conjugate_gradients_reach_the_exact_solution():
    r, x, y = _random()
    exact = als_exact_solve(r, y, 0.5, 2.0)
    # k = 3 unknowns per row: CG is exact after 3 steps (up to float32 rounding)
    cg = als_cg_solve(r, y, np.zeros_like(x), 0.5, 2.0, cg_steps=3, device="cpu")
    np.testing.assert_allclose(cg, exact, atol=1e-4)
    one_step = als_cg_solve(r, y, np.zeros_like(x), 0.5, 2.0, cg_steps=1, device="cpu")
    assert np.abs(one_step - exact).max() > 1e-3


def test_cg_solve_rejects_bad_input():
    r, x, y = _random()
    with pytest.raises(ValueError, match="start"):
        als_cg_solve(r, y, x[:, :2])
    with pytest.raises(ValueError, match="start"):
        als_cg_solve(r, y, x[:-1])
    with pytest.raises(ValueError, match="cg_steps"):
        als_cg_solve(r, y, x, cg_steps=0)


# ------------------------------------------------------------------ recommender
def test_als_recommends_the_held_back_product_of_the_own_block(blocks):
    model = ImplicitALS(n_factors=2, reg=0.1, iterations=10, device="cpu").fit(blocks)
    recs = model.recommend(k=1)
    assert len(recs) == blocks.n_users
    same_block = recs[C.ITEM].str[0] == np.where(recs[C.USER] % 2 == 0, "A", "B")
    assert same_block.all()


def test_als_loss_falls_and_is_tracked(blocks):
    model = ImplicitALS(n_factors=4, iterations=6, device="cpu", track_loss=True).fit(blocks)
    loss = model.history_["loss"].to_numpy()
    assert len(loss) == 6 and loss[-1] < loss[0]
    assert np.all(np.diff(loss) <= 1e-3 * loss[0])
    assert loss[-1] == pytest.approx(
        implicit_loss(blocks.matrix, model.user_factors_, model.item_factors_, 0.05, 1.0), rel=1e-4
    )


def test_als_is_deterministic_and_leaves_the_matrix_alone(blocks):
    before = blocks.matrix.copy()
    a = ImplicitALS(n_factors=3, iterations=3, device="cpu", random_state=5).fit(blocks)
    b = ImplicitALS(n_factors=3, iterations=3, device="cpu", random_state=5).fit(blocks)
    np.testing.assert_array_equal(a.user_factors_, b.user_factors_)
    assert (blocks.matrix != before).nnz == 0
    assert a.history_.empty


def test_als_recommend_excludes_seen_and_checks_its_arguments(blocks):
    model = ImplicitALS(n_factors=3, iterations=3, device="cpu").fit(blocks)
    recs = model.recommend([0, 1], k=3)
    bought = blocks.to_frame().set_index([C.USER, C.ITEM]).index
    assert not recs.set_index([C.USER, C.ITEM]).index.isin(bought).any()
    with pytest.raises(ValueError, match="users"):
        model.recommend([999], k=3)
    with pytest.raises(ValueError, match="k"):
        model.recommend([0], k=0)
    assert model.score([0]).shape == (1, blocks.n_items)


@pytest.mark.parametrize(
    ("param", "value", "error"),
    [("n_factors", 0, ValueError), ("reg", -1.0, ValueError), ("alpha", -1.0, ValueError),
     ("iterations", 0, ValueError), ("cg_steps", 0, ValueError), ("init_std", 0.0, ValueError),
     ("random_state", "a", TypeError), ("device", "tpu", ValueError)],
)
def test_als_rejects_bad_parameters(blocks, param, value, error):
    with pytest.raises(error, match=param):
        ImplicitALS(**{"device": "cpu", param: value}).fit(blocks)


def test_als_rejects_what_is_not_interactions():
    with pytest.raises(TypeError, match="interactions"):
        ImplicitALS(device="cpu").fit(sp.eye(3, format="csr"))
    with pytest.raises(NotFittedError, match="fit"):
        ImplicitALS().recommend([1])


def test_als_row_blocks_in_threads_give_the_one_thread_factors(blocks):
    one = ImplicitALS(n_factors=3, iterations=4, device="cpu", n_threads=1, track_loss=True).fit(blocks)
    for n in (2, 3, 50):  # 50 threads: more than the 24 customers, so some blocks are tiny
        many = ImplicitALS(n_factors=3, iterations=4, device="cpu", n_threads=n, track_loss=True).fit(blocks)
        np.testing.assert_allclose(many.user_factors_, one.user_factors_, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(many.item_factors_, one.item_factors_, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(many.history_["loss"], one.history_["loss"], rtol=1e-5)
    free = ImplicitALS(n_factors=3, iterations=4, device="cpu", n_threads=None).fit(blocks)
    np.testing.assert_allclose(free.user_factors_, one.user_factors_, rtol=1e-4, atol=1e-5)


def test_als_rejects_bad_thread_counts(blocks):
    with pytest.raises(ValueError, match="n_threads"):
        ImplicitALS(device="cpu", n_threads=0).fit(blocks)
    with pytest.raises(TypeError, match="n_threads"):
        ImplicitALS(device="cpu", n_threads=1.5).fit(blocks)
    with pytest.raises(TypeError, match="n_threads"):
        ImplicitALS(device="cpu", n_threads="2").fit(blocks)
