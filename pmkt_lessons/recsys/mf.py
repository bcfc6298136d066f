"""Rating prediction with explicit feedback: global mean, user/item biases, matrix factorisation.

MovieLens users gave films 1-5 stars. A rating model predicts the stars of a
(user, film) pair nobody has rated yet and is judged by RMSE and MAE on a
held-out set. Three models of growing power share one interface
(``fit(ratings)``, ``predict(pairs)``):

* :class:`GlobalMean` predicts the mean rating ``mu`` for every pair;
* :class:`BiasBaseline` adds a user bias and an item bias,
  ``mu + b_u + b_i`` (some users rate high, some films are liked by all);
* :class:`ExplicitMF` adds the dot product of learned user and item factors,
  ``mu + b_u + b_i + p_u . q_i``, fitted in torch on the L2-regularised
  squared error (the objective is in its docstring) by alternating least
  squares (the default: every step is a closed-form ridge regression) or by
  Adam on minibatches.

A user or item that is not in the training ratings gets 0 for its bias and
factors, so its prediction falls back to what is known. Introduced in lesson 09.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import mean_absolute_error, root_mean_squared_error
from sklearn.utils.validation import check_is_fitted

from .. import columns as C
from ..device import resolve_device
from ..randomness import check_random_state
from ..training import local_generator, training_scope
from ..validation import (
    require_bool,
    require_finite,
    require_frame,
    require_in_range,
    require_no_nan,
    require_numeric,
    require_positive_int,
)

RATING_COLUMNS = (C.USER, C.ITEM, C.RATING)


def _check_pairs(df: object, arg: str, *, rating: bool) -> pd.DataFrame:
    cols = list(RATING_COLUMNS) if rating else [C.USER, C.ITEM]
    require_frame(df, cols, arg)
    require_no_nan(df, cols, arg)
    if rating:
        require_numeric(df, [C.RATING], arg)
        require_finite(df[C.RATING].to_numpy(), f"{arg}[{C.RATING!r}]")
    return df


def _check_bool(value: object, arg: str) -> bool:
    return require_bool(value, arg)


def split_ratings(
    ratings: pd.DataFrame, test_size: float = 0.2, random_state=42
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give a seeded random ``(train, test)`` split of the rating rows (default 80/20).

    Lesson 09 and ``tools/bench_recsys.py`` both call it with the defaults, so
    our models and Surprise's SVD are scored on the identical test ratings.
    Rows keep their index; ``ratings`` is not changed. Some test ratings may
    belong to a user or item absent from ``train`` (the cold-start case).
    Introduced in lesson 09.

    Parameters
    ----------
    ratings : DataFrame
        ``user_id, item_id, rating`` (other columns are kept).
    test_size : float in (0, 1)
        Share of rows in the test part (rounded to the nearest row).
    random_state : None, int or numpy Generator
        Shuffles the rows (:func:`pmkt_lessons.randomness.check_random_state`).
    """
    _check_pairs(ratings, "ratings", rating=True)
    test_size = require_in_range(test_size, "test_size", 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    rng = check_random_state(random_state)
    n_test = int(round(test_size * len(ratings)))
    if not 0 < n_test < len(ratings):
        raise ValueError(
            f"test_size: expected a share leaving rows on both sides, got {test_size} of {len(ratings)} rows"
        )
    order = rng.permutation(len(ratings))
    return ratings.iloc[np.sort(order[n_test:])], ratings.iloc[np.sort(order[:n_test])]


def rating_errors(y_true, y_pred) -> pd.Series:
    """Give RMSE and MAE of predicted ratings (scikit-learn's metrics) as a Series.

    Introduced in lesson 09.
    """
    true = np.asarray(y_true, dtype=np.float64)
    pred = np.asarray(y_pred, dtype=np.float64)
    if true.ndim != 1 or true.size == 0:
        raise ValueError(f"y_true: expected a non-empty 1-d array of ratings, got shape {true.shape}")
    if pred.shape != true.shape:
        raise ValueError(f"y_pred: expected shape {true.shape} like y_true, got {pred.shape}")
    for name, arr in (("y_true", true), ("y_pred", pred)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: expected finite numbers, got {int((~np.isfinite(arr)).sum())} NaN or inf")
    return pd.Series(
        {"RMSE": root_mean_squared_error(true, pred), "MAE": mean_absolute_error(true, pred)},
        name="error",
    )


class _RatingModel(RegressorMixin, BaseEstimator):
    """Shared fit/predict plumbing: id indexes, the global mean, clipping.

    ``score(X, y)`` is scikit-learn's R^2 of ``predict(X)``; ``score_ratings``
    gives RMSE and MAE.
    """

    def _check_fitted(self) -> None:
        check_is_fitted(self, "global_mean_")

    def _index(self, ratings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.user_ids_ = pd.Index(np.unique(ratings[C.USER].to_numpy()), name=C.USER)
        self.item_ids_ = pd.Index(np.unique(ratings[C.ITEM].to_numpy()), name=C.ITEM)
        users = self.user_ids_.get_indexer(ratings[C.USER])
        items = self.item_ids_.get_indexer(ratings[C.ITEM])
        values = ratings[C.RATING].to_numpy(dtype=np.float64)
        self.global_mean_ = float(values.mean())
        self.rating_range_ = (float(values.min()), float(values.max()))
        return users, items, values

    def _positions(self, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Give row positions of the users and items of ``pairs``; -1 where unknown."""
        return self.user_ids_.get_indexer(pairs[C.USER]), self.item_ids_.get_indexer(pairs[C.ITEM])

    def _finish(self, pred: np.ndarray) -> np.ndarray:
        if getattr(self, "clip", False):
            pred = np.clip(pred, *self.rating_range_)
        return pred

    def score_ratings(self, ratings: pd.DataFrame) -> pd.Series:
        """Give RMSE and MAE of the model's predictions for the rated pairs of ``ratings``."""
        _check_pairs(ratings, "ratings", rating=True)
        return rating_errors(ratings[C.RATING].to_numpy(), self.predict(ratings))


def _lookup(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Give ``values[pos]`` with 0 (a zero row) where ``pos`` is -1 (unknown id)."""
    known = pos >= 0
    out = np.zeros((len(pos),) + values.shape[1:], dtype=np.float64)
    out[known] = values[pos[known]]
    return out


class GlobalMean(_RatingModel):
    """Predict the training mean rating for every pair: the floor every model must beat.

    Attributes
    ----------
    global_mean_ : float

    Introduced in lesson 09.
    """

    def fit(self, ratings: pd.DataFrame):
        """Learn the mean rating of ``ratings`` (``user_id, item_id, rating``); give ``self``."""
        _check_pairs(ratings, "ratings", rating=True)
        self._index(ratings)
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """Give the predicted rating of every row of ``pairs`` (``user_id, item_id``)."""
        self._check_fitted()
        _check_pairs(pairs, "pairs", rating=False)
        return np.full(len(pairs), self.global_mean_)


class BiasBaseline(_RatingModel):
    """Predict ``mu + b_u + b_i``: regularised user and item biases fitted by alternating least squares.

    Minimises ``sum_(u,i) (r_ui - mu - b_u - b_i)^2 + reg_user sum_u b_u^2 +
    reg_item sum_i b_i^2``. With the user biases fixed, each item bias has the
    closed form ``b_i = sum_u (r_ui - mu - b_u) / (reg_item + n_i)`` (and
    symmetrically for users): a mean shrunk towards 0 for items with few
    ratings. The defaults are those of Surprise's ``BaselineOnly``, which
    updates the user biases first in each sweep (ours: the items first); both
    converge to the same minimiser (tests/test_crosscheck.py).

    Parameters
    ----------
    reg_user, reg_item : float >= 0
    iterations : int
        Alternations (item step then user step).

    Attributes
    ----------
    global_mean_ : float
    user_bias_, item_bias_ : ndarray
        One per id of ``user_ids_`` / ``item_ids_``.

    Introduced in lesson 09.
    """

    def __init__(self, reg_user: float = 15.0, reg_item: float = 10.0, iterations: int = 10, clip: bool = True):
        self.reg_user = reg_user
        self.reg_item = reg_item
        self.iterations = iterations
        self.clip = clip

    def fit(self, ratings: pd.DataFrame):
        """Learn the biases from ``ratings`` (``user_id, item_id, rating``); give ``self``."""
        _check_pairs(ratings, "ratings", rating=True)
        reg_u = require_in_range(self.reg_user, "reg_user", 0.0, np.inf)
        reg_i = require_in_range(self.reg_item, "reg_item", 0.0, np.inf)
        iterations = require_positive_int(self.iterations, "iterations")
        _check_bool(self.clip, "clip")
        users, items, values = self._index(ratings)
        n_u, n_i = len(self.user_ids_), len(self.item_ids_)
        count_u = np.bincount(users, minlength=n_u)
        count_i = np.bincount(items, minlength=n_i)
        resid = values - self.global_mean_
        b_u, b_i = np.zeros(n_u), np.zeros(n_i)
        for _ in range(iterations):
            b_i = np.bincount(items, resid - b_u[users], minlength=n_i) / (reg_i + count_i)
            b_u = np.bincount(users, resid - b_i[items], minlength=n_u) / (reg_u + count_u)
        self.user_bias_, self.item_bias_ = b_u, b_i
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """Give ``mu + b_u + b_i`` for every row of ``pairs`` (0 bias for unknown ids)."""
        self._check_fitted()
        _check_pairs(pairs, "pairs", rating=False)
        u, i = self._positions(pairs)
        return self._finish(self.global_mean_ + _lookup(self.user_bias_, u) + _lookup(self.item_bias_, i))


class _RidgeBatches:
    """The per-entity ridge regressions of one ALS side, formed and solved in batches (torch).

    ``rows[j]`` is the entity (user or item) of rating ``j`` and ``cols[j]``
    the other side's entity. Entities are grouped by their number of ratings
    (``size`` per group) so each group's ratings fit a padded
    ``(group, longest, n_factors + 2)`` tensor with little padding; padded
    slots point at an all-zero feature row and a zero target.
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, device, size: int = 64):
        import torch

        counts = np.bincount(rows, minlength=n_rows)
        by_row = np.argsort(rows, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)])
        self.perm = np.argsort(counts, kind="stable")  # entities, fewest ratings first
        self.groups = []
        for s in range(0, n_rows, size):
            ents = self.perm[s:s + size]
            n = counts[ents]
            pos = np.arange(max(int(n.max()), 1))[None, :]
            valid = pos < n[:, None]
            rating = np.where(valid, by_row[np.where(valid, starts[ents][:, None] + pos, 0)], len(rows))
            other = np.where(valid, np.append(cols, n_cols)[rating], n_cols)
            self.groups.append((s, s + len(ents), torch.from_numpy(other).to(device),
                                torch.from_numpy(rating).to(device)))
        self.counts = torch.from_numpy(counts.astype(np.float32)).to(device)
        self.penalty = torch.from_numpy(counts[self.perm].astype(np.float32)).to(device)
        self.perm_t = torch.from_numpy(self.perm).to(device)
        self.other = torch.from_numpy(cols).to(device)
        self.n_cols = n_cols

    def solve(self, fixed, target, current, reg: float, tol: float = 3e-3):
        """Give every entity's ridge solution ``(F^T F + reg n I)^{-1} F^T t`` and the side's ``J`` part.

        ``fixed``: the other side's ``(factors, bias)`` rows; its bias column
        is replaced by 1 (the feature multiplying this side's bias).
        ``target``: one residual per rating. ``current``: the warm start.
        The second value is ``sum (t - f.z)^2 + reg sum n |z|^2`` at the
        solution (float).
        """
        import torch

        n, width = current.shape
        feat = torch.zeros(self.n_cols + 1, width + 1, dtype=torch.float32, device=fixed.device)
        feat[:-1, :width - 1] = fixed[:, :width - 1]
        feat[:-1, width - 1] = 1.0
        target = torch.cat([target.to(torch.float32), target.new_zeros(1, dtype=torch.float32)])
        # [F t]^T [F t] holds F^T F, F^T t and t^T t; written straight into one buffer, then viewed
        full = torch.empty(n, width + 1, width + 1, dtype=torch.float32, device=fixed.device)
        for start, stop, other, rating in self.groups:
            f = feat[other]
            f[..., width] = target[rating]
            torch.bmm(f.transpose(1, 2), f, out=full[start:stop])
        lhs, rhs, tt = full[:, :width, :width], full[:, :width, width], full[:, width, width]
        lhs.diagonal(dim1=1, dim2=2).add_((reg * self.penalty)[:, None])
        x, r = _batched_cg(lhs, rhs, current[self.perm_t].to(torch.float32), tol)
        # sum (t - F z)^2 + reg n |z|^2 = t.t - 2 z.b + z^T A z, and A z = b - r (r: CG's residual)
        # per entity in float32 on the device (MPS has no float64), summed in float64 on the CPU
        value = float((tt - (x * rhs).sum(1) - (x * r).sum(1)).cpu().double().sum())
        out = torch.empty_like(x)
        out[self.perm_t] = x
        return out, value


def _batched_cg(lhs, rhs, x, tol: float):
    """Solve every symmetric positive-definite system ``lhs[b] x[b] = rhs[b]`` by conjugate gradients from ``x``.

    Gives the solutions and their residuals ``rhs - lhs x``. Stops when every residual is below ``tol`` times its right-hand side, or
    after ``n + 1`` steps for ``n`` unknowns (exact in exact arithmetic).
    """
    import torch

    def matvec(v):
        return torch.einsum("bij,bj->bi", lhs, v)

    x = x.clone()
    r = rhs - matvec(x)
    p = r.clone()
    rs = (r * r).sum(1)
    bound = (tol * rhs.norm(dim=1)) ** 2
    for _ in range(rhs.shape[1] + 1):
        if bool((rs <= bound).all()):
            break
        ap = matvec(p)
        step = rs / (p * ap).sum(1).clamp_min(1e-30)
        x += step[:, None] * p
        r -= step[:, None] * ap
        rs_new = (r * r).sum(1)
        p = r + (rs_new / rs.clamp_min(1e-30))[:, None] * p
        rs = rs_new
    return x, r


SOLVERS = ("als", "adam")
_DEFAULT_EPOCHS = {"als": 4, "adam": 15}


class ExplicitMF(_RatingModel):
    """Biased matrix factorisation for ratings, fitted by alternating least squares or by Adam.

    Prediction: ``r_hat_ui = mu + b_u + b_i + p_u . q_i``. Training minimises
    the L2-regularised squared error over the set ``K`` of rated pairs, with
    the penalty of each rating's parameters inside the sum (Koren, Bell &
    Volinsky 2009, the form their per-rating SGD minimises)::

        J = sum_{(u,i) in K} [ (r_ui - r_hat_ui)^2
                               + reg * (|p_u|^2 + |q_i|^2 + b_u^2 + b_i^2) ]

    so a user with ``n_u`` ratings has their factors penalised ``n_u`` times,
    in proportion to the evidence. ``mu`` is the training mean and is not
    learned. Two solvers minimise the same ``J``:

    * ``solver="als"`` (default), alternating least squares with the
      "weighted-lambda" penalty of Zhou et al. (2008). With the item side
      fixed, ``J`` is, for each user, a ridge regression of the residuals
      ``t_ui = r_ui - mu - b_i`` on the features ``f_i = (q_i, 1)``, whose
      closed-form minimiser is::

          (p_u, b_u) = (F_u^T F_u + reg n_u I)^{-1} F_u^T t_u

      (``F_u``: the rows ``f_i`` of the items user ``u`` rated); then the same
      for every item with the user side fixed. One epoch is one user step and
      one item step; neither can raise ``J``. The ``(n_factors + 1)``-square
      systems of every user (item) are formed at once with batched matrix
      products (users grouped by number of ratings, so little padding) and
      solved together by conjugate gradients warm-started from the previous
      epoch, until each residual is below ``3e-3`` of its right-hand side
      (CG is exact after ``n_factors + 1`` steps; here it stops after about
      5, and on the lesson-09 split the test RMSE agrees with a solve to
      ``1e-6`` to 4 decimals). Four epochs (the default) reach a lower test
      RMSE on MovieLens 100K than 15 epochs of Adam (0.9076 against 0.9086,
      seed 0) in about a third of the time; ``lr`` and ``batch_size`` are
      unused.
    * ``solver="adam"``, stochastic optimisation: a minibatch ``B`` of ratings
      gives the unbiased estimate ``J_B / |B|`` of ``J / |K|``, and Adam with
      learning rate ``lr`` minimises it over ``epochs`` passes.

    Parameters
    ----------
    n_factors : int
        Length of ``p_u`` and ``q_i``.
    reg : float >= 0
        The ``reg`` (lambda) above.
    lr : float > 0
        Adam's learning rate (``solver="adam"``).
    epochs : int or None
        ALS epochs (user step + item step) or Adam passes over the training
        ratings. ``None``: 4 for ``"als"``, 15 for ``"adam"``.
    batch_size : int
        Minibatch size (``solver="adam"``).
    init_std : float >= 0
        Standard deviation of the normal initial factors (biases start at 0).
    clip : bool
        Clip predictions to the training rating range (1-5 on MovieLens).
    random_state : None, int or numpy Generator
        Seeds the initial factors (and, for Adam, the order of the minibatches).
    device : str or torch.device, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    progress : bool
        Show a tqdm bar over epochs.
    n_threads : int or None
        CPU threads while training (:func:`pmkt_lessons.device.limit_threads`);
        1 is fastest for these small problems. ``None``: leave as is.
    solver : {"als", "adam"}

    Attributes
    ----------
    global_mean_ : float
    user_ids_, item_ids_ : pd.Index
    user_factors_, item_factors_ : ndarray (n, n_factors)
    user_bias_, item_bias_ : ndarray (n,)
    history_ : DataFrame
        Per epoch: ``train_objective`` and, with ``eval_set``, ``eval_rmse``,
        the RMSE on it after the epoch. For ALS ``train_objective`` is
        ``J / |K|`` after the epoch; for Adam it is the mean of the epoch's
        minibatch objectives (a running estimate of ``J / |K|``).
    fit_seconds_ : float
    device_ : torch.device

    References
    ----------
    Koren, Bell & Volinsky (2009), Matrix factorization techniques for
    recommender systems, IEEE Computer 42(8). Zhou, Wilkinson, Schreiber &
    Pan (2008), Large-scale parallel collaborative filtering for the Netflix
    Prize, AAIM. Takacs, Pilaszy & Tikk (2011), Applications of the conjugate
    gradient method for implicit feedback collaborative filtering, RecSys.

    Introduced in lesson 09.
    """

    def __init__(
        self,
        n_factors: int = 64,
        reg: float = 0.1,
        lr: float = 0.02,
        epochs: int | None = None,
        batch_size: int = 4096,
        init_std: float = 0.1,
        clip: bool = True,
        random_state=0,
        device=None,
        progress: bool = False,
        n_threads: int | None = 1,
        solver: str = "als",
    ):
        self.n_factors = n_factors
        self.reg = reg
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.init_std = init_std
        self.clip = clip
        self.random_state = random_state
        self.device = device
        self.progress = progress
        self.n_threads = n_threads
        self.solver = solver

    def _check_params(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(f"solver: expected one of {list(SOLVERS)}, got {self.solver!r}")
        require_positive_int(self.n_factors, "n_factors")
        require_in_range(self.reg, "reg", 0.0, np.inf)
        require_in_range(self.lr, "lr", 0.0, np.inf, low_inclusive=False)
        if self.epochs is not None:
            require_positive_int(self.epochs, "epochs")
        require_positive_int(self.batch_size, "batch_size")
        require_in_range(self.init_std, "init_std", 0.0, np.inf)
        _check_bool(self.clip, "clip")
        _check_bool(self.progress, "progress")

    def _n_epochs(self) -> int:
        return _DEFAULT_EPOCHS[self.solver] if self.epochs is None else int(self.epochs)

    def fit(self, ratings: pd.DataFrame, eval_set: pd.DataFrame | None = None):
        """Learn biases and factors from ``ratings`` (``user_id, item_id, rating``); give ``self``.

        ``eval_set`` (same columns), if given, is scored after every epoch into
        ``history_`` to watch over-fitting; it does not steer training.
        """
        _check_pairs(ratings, "ratings", rating=True)
        if eval_set is not None:
            _check_pairs(eval_set, "eval_set", rating=True)
        self._check_params()
        device = resolve_device(self.device)
        start = time.perf_counter()
        with training_scope(self.random_state, device, self.n_threads) as seed:
            train = self._train_als if self.solver == "als" else self._train
            train(ratings, eval_set, device, seed)
        self.device_ = device
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _init_params(self, gen, device) -> dict:
        import torch

        n_u, n_i, k = len(self.user_ids_), len(self.item_ids_), self.n_factors
        params = {
            "P": torch.randn(n_u, k, generator=gen) * self.init_std,
            "Q": torch.randn(n_i, k, generator=gen) * self.init_std,
            "bu": torch.zeros(n_u),
            "bi": torch.zeros(n_i),
        }
        return {name: t.to(device) for name, t in params.items()}

    def _history_row(self, epoch: int, objective: float, eval_set) -> dict:
        row = {"epoch": epoch, "train_objective": objective}
        if eval_set is not None:
            row["eval_rmse"] = float(self.score_ratings(eval_set)["RMSE"])
        return row

    def _train_als(self, ratings: pd.DataFrame, eval_set: pd.DataFrame | None, device, seed: int) -> None:
        import torch
        from tqdm.auto import tqdm

        users, items, values = self._index(ratings)
        params = self._init_params(local_generator(seed), device)
        n_u, n_i, k = len(self.user_ids_), len(self.item_ids_), self.n_factors
        resid = torch.from_numpy(values - self.global_mean_).to(device=device, dtype=torch.float32)
        by_user = _RidgeBatches(users, items, n_u, n_i, device)
        by_item = _RidgeBatches(items, users, n_i, n_u, device)
        user_side = torch.cat([params["P"], params["bu"][:, None]], 1)
        item_side = torch.cat([params["Q"], params["bi"][:, None]], 1)
        reg, history = float(self.reg), []
        for epoch in tqdm(range(1, self._n_epochs() + 1), desc="ExplicitMF", disable=not self.progress):
            # user step: targets r - mu - b_i, features (q_i, 1); then the item step, symmetrically
            user_side, _ = by_user.solve(item_side, resid - item_side[by_user.other, k], user_side, reg)
            item_side, fit_value = by_item.solve(user_side, resid - user_side[by_item.other, k], item_side, reg)
            # J = (item step's residual sum of squares + its penalty) + the users' penalty
            user_penalty = reg * float((by_user.counts * (user_side**2).sum(1)).cpu().double().sum())
            params = {"P": user_side[:, :k], "bu": user_side[:, k], "Q": item_side[:, :k], "bi": item_side[:, k]}
            self._store(params)
            history.append(self._history_row(epoch, (fit_value + user_penalty) / len(values), eval_set))
        self.history_ = pd.DataFrame(history).set_index("epoch")

    def _train(self, ratings: pd.DataFrame, eval_set: pd.DataFrame | None, device, seed: int) -> None:
        import torch
        from tqdm.auto import tqdm

        users, items, values = self._index(ratings)
        gen = local_generator(seed)
        params = {name: t.requires_grad_() for name, t in self._init_params(gen, device).items()}
        optimiser = torch.optim.Adam(params.values(), lr=self.lr)
        u_all = torch.from_numpy(users).to(device)
        i_all = torch.from_numpy(items).to(device)
        r_all = torch.from_numpy(values.astype(np.float32)).to(device)
        mu = self.global_mean_
        history = []
        for epoch in tqdm(range(1, self._n_epochs() + 1), desc="ExplicitMF", disable=not self.progress):
            order = torch.randperm(len(values), generator=gen).to(device)
            total = 0.0
            for batch in order.split(self.batch_size):
                u, i = u_all[batch], i_all[batch]
                p, q, b_u, b_i = params["P"][u], params["Q"][i], params["bu"][u], params["bi"][i]
                err = r_all[batch] - (mu + b_u + b_i + (p * q).sum(1))
                penalty = (p * p).sum(1) + (q * q).sum(1) + b_u**2 + b_i**2
                loss = (err**2 + self.reg * penalty).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(batch)
            self._store(params)
            history.append(self._history_row(epoch, total / len(values), eval_set))
        self.history_ = pd.DataFrame(history).set_index("epoch")

    def _store(self, params: dict) -> None:
        def grab(name):
            return params[name].detach().cpu().numpy().astype(np.float64)

        self.user_factors_, self.item_factors_ = grab("P"), grab("Q")
        self.user_bias_, self.item_bias_ = grab("bu"), grab("bi")

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """Give ``mu + b_u + b_i + p_u . q_i`` for every row of ``pairs`` (zeros for unknown ids)."""
        self._check_fitted()
        _check_pairs(pairs, "pairs", rating=False)
        u, i = self._positions(pairs)
        dot = (_lookup(self.user_factors_, u) * _lookup(self.item_factors_, i)).sum(axis=1)
        return self._finish(
            self.global_mean_ + _lookup(self.user_bias_, u) + _lookup(self.item_bias_, i) + dot
        )
