"""Rating prediction (lesson 09): the seeded split, RMSE/MAE, global mean, biases and explicit MF."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from pmkt_lessons import columns as C
from pmkt_lessons.recsys.mf import (
    BiasBaseline,
    ExplicitMF,
    GlobalMean,
    rating_errors,
    split_ratings,
)


def _additive(n_users=12, n_items=9, seed=0):
    """Every (user, item) rated, exactly mu + a_u + b_i."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 0.5, n_users), rng.normal(0, 0.5, n_items)
    u, i = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    return pd.DataFrame({C.USER: u.ravel() + 100, C.ITEM: i.ravel() + 500,
                         C.RATING: 3.0 + a[u.ravel()] + b[i.ravel()]})


def _low_rank(n_users=40, n_items=30, rank=2, seed=1):
    """Ratings with a strong rank-2 interaction on top of biases (no noise)."""
    rng = np.random.default_rng(seed)
    p, q = rng.normal(0, 1, (n_users, rank)), rng.normal(0, 1, (n_items, rank))
    u, i = np.meshgrid(np.arange(n_users), np.arange(n_items), indexing="ij")
    r = 3.0 + (p @ q.T)[u, i]
    return pd.DataFrame({C.USER: u.ravel(), C.ITEM: i.ravel(), C.RATING: r.ravel()})


@pytest.fixture
def ratings():
    return pd.DataFrame({
        C.USER: [1, 1, 2, 2, 3, 3, 3, 4],
        C.ITEM: [10, 11, 10, 12, 11, 12, 13, 13],
        C.RATING: [5, 3, 4, 2, 1, 2, 4, 5],
        C.TIMESTAMP: range(8),
    })


# ---------------------------------------------------------------- split_ratings
def test_split_is_a_seeded_partition(ratings):
    big = pd.concat([ratings] * 5, ignore_index=True)
    train, test = split_ratings(big, test_size=0.2, random_state=7)
    assert len(test) == 8 and len(train) == 32
    assert set(train.index).isdisjoint(test.index)
    assert sorted(train.index.tolist() + test.index.tolist()) == list(range(40))
    again = split_ratings(big, test_size=0.2, random_state=7)
    assert again[1].index.equals(test.index)
    assert not split_ratings(big, test_size=0.2, random_state=8)[1].index.equals(test.index)
    assert list(train.columns) == list(big.columns)


def test_split_does_not_change_its_input(ratings):
    before = ratings.copy()
    split_ratings(ratings, 0.25)
    pd.testing.assert_frame_equal(ratings, before)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_split_rejects_a_bad_test_size(ratings, bad):
    with pytest.raises(ValueError, match="test_size"):
        split_ratings(ratings, bad)


def test_split_rejects_a_test_size_that_empties_a_side(ratings):
    with pytest.raises(ValueError, match="test_size"):
        split_ratings(ratings, 0.01)


def test_split_rejects_bad_frames_and_seeds(ratings):
    with pytest.raises(TypeError, match="ratings"):
        split_ratings(ratings.to_numpy())
    with pytest.raises(ValueError, match="ratings"):
        split_ratings(ratings.drop(columns=C.RATING))
    with pytest.raises(ValueError, match="ratings"):
        split_ratings(ratings.assign(rating=[1, 2, None, 4, 5, 1, 2, 3]))
    with pytest.raises(TypeError, match="random_state"):
        split_ratings(ratings, 0.25, random_state=1.5)


# ---------------------------------------------------------------- rating_errors
def test_rating_errors_by_hand():
    err = rating_errors([1, 2, 3], [1, 2, 5])
    assert err["RMSE"] == pytest.approx(np.sqrt(4 / 3))
    assert err["MAE"] == pytest.approx(2 / 3)


def test_rating_errors_rejects_bad_input():
    with pytest.raises(ValueError, match="y_pred"):
        rating_errors([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="y_true"):
        rating_errors([], [])
    with pytest.raises(ValueError, match="y_pred"):
        rating_errors([1, 2], [1, np.nan])


# ---------------------------------------------------------------- GlobalMean
def test_global_mean_predicts_the_training_mean(ratings):
    model = GlobalMean().fit(ratings)
    pairs = pd.DataFrame({C.USER: [1, 99], C.ITEM: [10, 99]})
    np.testing.assert_allclose(model.predict(pairs), [3.25, 3.25])


def test_models_refuse_to_predict_before_fit(ratings):
    for model in (GlobalMean(), BiasBaseline(), ExplicitMF()):
        with pytest.raises(NotFittedError, match="fit"):
            model.predict(ratings)


def test_predict_rejects_pairs_without_ids(ratings):
    model = GlobalMean().fit(ratings)
    with pytest.raises(ValueError, match="pairs"):
        model.predict(ratings.drop(columns=C.ITEM))


# ---------------------------------------------------------------- BiasBaseline
def test_biases_recover_an_additive_matrix():
    data = _additive()
    model = BiasBaseline(reg_user=0, reg_item=0, iterations=30, clip=False).fit(data)
    np.testing.assert_allclose(model.predict(data), data[C.RATING], atol=1e-6)


def test_first_item_step_is_a_shrunk_mean(ratings):
    model = BiasBaseline(reg_user=2, reg_item=3, iterations=1, clip=False).fit(ratings)
    mu = ratings[C.RATING].mean()
    item10 = ratings.loc[ratings[C.ITEM] == 10, C.RATING]
    col = list(model.item_ids_).index(10)
    assert model.item_bias_[col] == pytest.approx((item10 - mu).sum() / (3 + len(item10)))


def test_strong_regularisation_shrinks_biases_to_zero(ratings):
    model = BiasBaseline(reg_user=1e9, reg_item=1e9).fit(ratings)
    assert np.abs(model.user_bias_).max() < 1e-6 and np.abs(model.item_bias_).max() < 1e-6


def test_unknown_ids_fall_back_to_what_is_known(ratings):
    model = BiasBaseline(clip=False).fit(ratings)
    col = list(model.item_ids_).index(13)
    pred = model.predict(pd.DataFrame({C.USER: [999, 999], C.ITEM: [13, 999]}))
    np.testing.assert_allclose(pred, [model.global_mean_ + model.item_bias_[col], model.global_mean_])


def test_bias_baseline_rejects_bad_parameters(ratings):
    with pytest.raises(ValueError, match="reg_user"):
        BiasBaseline(reg_user=-1).fit(ratings)
    with pytest.raises(ValueError, match="iterations"):
        BiasBaseline(iterations=0).fit(ratings)
    with pytest.raises(TypeError, match="clip"):
        BiasBaseline(clip="yes").fit(ratings)


def test_fit_does_not_change_ratings(ratings):
    before = ratings.copy()
    BiasBaseline().fit(ratings)
    ExplicitMF(epochs=2, device="cpu").fit(ratings)
    pd.testing.assert_frame_equal(ratings, before)


# ---------------------------------------------------------------- ExplicitMF
@pytest.fixture(scope="module")
def low_rank_split():
    return split_ratings(_low_rank(), test_size=0.2, random_state=0)


def test_mf_beats_biases_on_low_rank_ratings(low_rank_split):
    train, test = low_rank_split
    bias = BiasBaseline(clip=False).fit(train).score_ratings(test)["RMSE"]
    mf = ExplicitMF(n_factors=4, reg=0.01, lr=0.05, epochs=60, batch_size=128, clip=False,
                    device="cpu").fit(train)
    assert mf.score_ratings(test)["RMSE"] < 0.5 * bias


def test_mf_objective_falls_and_eval_set_is_tracked(low_rank_split):
    train, test = low_rank_split
    mf = ExplicitMF(n_factors=4, epochs=8, batch_size=128, lr=0.05, device="cpu").fit(train, eval_set=test)
    assert list(mf.history_.columns) == ["train_objective", "eval_rmse"]
    assert len(mf.history_) == 8
    assert mf.history_["train_objective"].iloc[-1] < mf.history_["train_objective"].iloc[0]
    assert mf.history_["eval_rmse"].iloc[-1] == pytest.approx(mf.score_ratings(test)["RMSE"])


def test_mf_is_deterministic_for_a_seed(ratings):
    a = ExplicitMF(epochs=3, device="cpu", random_state=3).fit(ratings).predict(ratings)
    b = ExplicitMF(epochs=3, device="cpu", random_state=3).fit(ratings).predict(ratings)
    np.testing.assert_array_equal(a, b)


def test_mf_regularisation_shrinks_the_factors(low_rank_split):
    train, _ = low_rank_split
    kw = dict(n_factors=4, epochs=20, batch_size=128, lr=0.05, device="cpu")
    loose = ExplicitMF(reg=0.0, **kw).fit(train)
    tight = ExplicitMF(reg=1.0, **kw).fit(train)
    assert np.linalg.norm(tight.user_factors_) < 0.2 * np.linalg.norm(loose.user_factors_)


def test_mf_unknown_ids_and_clipping(ratings):
    mf = ExplicitMF(epochs=3, device="cpu", clip=True).fit(ratings)
    col = list(mf.item_ids_).index(11)
    pred = mf.predict(pd.DataFrame({C.USER: [999, 999], C.ITEM: [11, 999]}))
    expected = np.clip([mf.global_mean_ + mf.item_bias_[col], mf.global_mean_], 1, 5)
    np.testing.assert_allclose(pred, expected)
    assert mf.predict(ratings).min() >= 1 and mf.predict(ratings).max() <= 5
    assert mf.user_factors_.shape == (4, 64) and mf.item_factors_.shape == (4, 64)


@pytest.mark.parametrize(
    ("param", "value", "error"),
    [("n_factors", 0, ValueError), ("reg", -0.1, ValueError), ("lr", 0.0, ValueError),
     ("epochs", 0, ValueError), ("batch_size", 2.5, TypeError), ("random_state", 1.5, TypeError),
     ("progress", 1, TypeError)],
)
def test_mf_rejects_bad_parameters(ratings, param, value, error):
    with pytest.raises(error, match=param):
        ExplicitMF(**{param: value, "device": "cpu"}).fit(ratings)


def test_mf_rejects_a_bad_eval_set(ratings):
    with pytest.raises(ValueError, match="eval_set"):
        ExplicitMF(epochs=1, device="cpu").fit(ratings, eval_set=ratings.drop(columns=C.RATING))


# ---------------------------------------------------------------- ExplicitMF solvers
def _objective(model, data):
    """J / |K| of the ExplicitMF docstring, from the fitted attributes (numpy)."""
    u = model.user_ids_.get_indexer(data[C.USER])
    i = model.item_ids_.get_indexer(data[C.ITEM])
    p, q, bu, bi = model.user_factors_[u], model.item_factors_[i], model.user_bias_[u], model.item_bias_[i]
    err = data[C.RATING].to_numpy() - (model.global_mean_ + bu + bi + (p * q).sum(1))
    penalty = (p**2).sum(1) + (q**2).sum(1) + bu**2 + bi**2
    return float(np.mean(err**2 + model.reg * penalty))


def test_als_item_step_is_the_closed_form_ridge_solution(low_rank_split):
    train, _ = low_rank_split
    mf = ExplicitMF(n_factors=3, reg=0.3, epochs=2, clip=False, device="cpu").fit(train)
    u = mf.user_ids_.get_indexer(train[C.USER])
    i = mf.item_ids_.get_indexer(train[C.ITEM])
    r = train[C.RATING].to_numpy()
    for item in (0, 7, 29):
        rows = np.flatnonzero(i == item)
        f = np.column_stack([mf.user_factors_[u[rows]], np.ones(len(rows))])
        t = r[rows] - mf.global_mean_ - mf.user_bias_[u[rows]]
        lhs, rhs = f.T @ f + 0.3 * len(rows) * np.eye(4), f.T @ t
        z = np.linalg.solve(lhs, rhs)
        ours = np.append(mf.item_factors_[item], mf.item_bias_[item])
        # solved by CG to a residual below 3e-3 of the right-hand side (float32 arithmetic)
        assert np.linalg.norm(lhs @ ours - rhs) <= 4e-3 * np.linalg.norm(rhs)
        np.testing.assert_allclose(ours, z, rtol=1e-2, atol=1e-3)


def test_als_objective_is_j_and_never_rises(low_rank_split):
    train, _ = low_rank_split
    mf = ExplicitMF(n_factors=3, reg=0.2, epochs=6, device="cpu").fit(train)
    history = mf.history_["train_objective"].to_numpy()
    assert len(history) == 6 and np.all(np.diff(history) <= 1e-6 * history[0])
    assert history[-1] == pytest.approx(_objective(mf, train), rel=1e-4)


def test_als_and_adam_minimise_the_same_objective(low_rank_split):
    train, test = low_rank_split
    als = ExplicitMF(n_factors=2, reg=0.01, epochs=30, device="cpu").fit(train)
    adam = ExplicitMF(n_factors=2, reg=0.01, solver="adam", lr=0.05, epochs=200, batch_size=256,
                      device="cpu").fit(train)
    # Adam gets near the minimum ALS reaches (J is non-convex; both start from the same factors)
    assert _objective(adam, train) == pytest.approx(_objective(als, train), rel=0.1)
    assert als.score_ratings(test)["RMSE"] < 0.1


def test_adam_solver_still_trains(low_rank_split):
    train, test = low_rank_split
    mf = ExplicitMF(n_factors=4, reg=0.01, lr=0.05, batch_size=128, solver="adam", device="cpu").fit(
        train, eval_set=test)
    assert len(mf.history_) == 15  # epochs=None: 15 Adam passes
    assert mf.history_["train_objective"].iloc[-1] < mf.history_["train_objective"].iloc[0]
    again = ExplicitMF(n_factors=4, reg=0.01, lr=0.05, batch_size=128, solver="adam", device="cpu").fit(train)
    np.testing.assert_array_equal(mf.predict(test), again.predict(test))


def test_als_default_epochs_and_bad_solver(ratings):
    assert len(ExplicitMF(device="cpu").fit(ratings).history_) == 4
    with pytest.raises(ValueError, match="solver"):
        ExplicitMF(solver="sgd", device="cpu").fit(ratings)
    with pytest.raises(ValueError, match="epochs"):
        ExplicitMF(epochs=0, solver="adam", device="cpu").fit(ratings)
