"""Logistic regression written in torch: the same model and objective as scikit-learn's.

scikit-learn's ``LogisticRegression(C=C)`` minimises
``0.5 * ||w||^2 + C * sum_i logloss_i`` with an unpenalised intercept.
Dividing by ``C * n`` gives the same minimiser as::

    mean_i logloss_i + ||w||^2 / (2 * C * n)

which is what ``TorchLogisticRegression`` minimises with autograd, either by
plain full-batch gradient descent (``solver="gd"``, the loop a student can
read) or by L-BFGS (``solver="lbfgs"``, which converges to the same
coefficients as scikit-learn). Introduced in lesson 11.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ..device import limit_threads, resolve_device
from ..validation import require_in_range, require_positive_int

SOLVERS = ("lbfgs", "gd")
MAX_DENSE_ENTRIES = 50_000_000


class TorchLogisticRegression(ClassifierMixin, BaseEstimator):
    """Give click probabilities from an L2-regularised logistic regression fitted with torch.

    Introduced in lesson 11.

    Parameters
    ----------
    C : float
        Inverse regularisation strength, as in scikit-learn.
    solver : {"lbfgs", "gd"}
        L-BFGS with a strong-Wolfe line search, or plain gradient descent
        with step size ``lr``.
    lr : float
        Step size of gradient descent (ignored by L-BFGS).
    max_iter : int
        Iterations (gradient steps, or L-BFGS iterations).
    tol : float
        L-BFGS stops when the largest gradient entry is below ``tol``.
    device : torch.device or str, optional
        Default: :func:`pmkt_lessons.device.get_device`.
    progress : bool
        Show a progress bar over gradient-descent steps.
    n_threads : int or None
        CPU threads while fitting (:func:`pmkt_lessons.device.limit_threads`).

    Attributes
    ----------
    classes_ : numpy.ndarray
        The two labels seen in ``fit`` (``[0, 1]`` for clicks).
    n_features_in_ : int
    coef_ : numpy.ndarray, shape (1, n_features)
    intercept_ : numpy.ndarray, shape (1,)
    loss_history_ : list of float
        Objective after each gradient-descent step (``gd`` only).
    """

    def __init__(
        self,
        C: float = 1.0,
        solver: str = "lbfgs",
        lr: float = 1.0,
        max_iter: int = 200,
        tol: float = 1e-7,
        device=None,
        progress: bool = False,
        n_threads: int | None = 1,
    ):
        self.C = C
        self.solver = solver
        self.lr = lr
        self.max_iter = max_iter
        self.tol = tol
        self.device = device
        self.progress = progress
        self.n_threads = n_threads

    def fit(self, X, y) -> TorchLogisticRegression:
        """Fit the coefficients on ``X`` (scipy sparse or dense, n x d) and 0/1 labels ``y``; give ``self``."""
        with limit_threads(self.n_threads):
            return self._fit(X, y)

    def _fit(self, X, y) -> TorchLogisticRegression:
        C = require_in_range(self.C, "C", 0.0, float("inf"), low_inclusive=False)
        require_positive_int(self.max_iter, "max_iter")
        lr = require_in_range(self.lr, "lr", 0.0, float("inf"), low_inclusive=False)
        if self.solver not in SOLVERS:
            raise ValueError(f"solver: expected one of {SOLVERS}, got {self.solver!r}")
        device = resolve_device(self.device)
        dtype = torch.float32 if device.type == "mps" else torch.float64
        Xt = _to_torch(X, device, dtype)
        # Centre the columns: with the intercept unpenalised this is the same model
        # (b' = b - w.mean), but far better conditioned, so the solvers need few steps.
        mean = Xt.mean(dim=0)
        Xt = Xt - mean
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != Xt.shape[0]:
            raise ValueError(f"y: expected {Xt.shape[0]} labels (one per row of X), got shape {y.shape}")
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"y: expected two classes (click or not), got {len(classes)}: {classes[:5].tolist()}")
        y = (y == classes[1]).astype(float)
        target = torch.as_tensor(y, dtype=dtype, device=device)
        w = torch.zeros(Xt.shape[1], dtype=dtype, device=device, requires_grad=True)
        b = torch.zeros(1, dtype=dtype, device=device, requires_grad=True)
        penalty = 1.0 / (2.0 * C * Xt.shape[0])

        def objective() -> torch.Tensor:
            z = Xt @ w + b
            return torch.nn.functional.binary_cross_entropy_with_logits(z, target) + penalty * (w @ w)

        self.loss_history_ = []
        if self.solver == "lbfgs":
            opt = torch.optim.LBFGS(
                [w, b], lr=1.0, max_iter=self.max_iter, tolerance_grad=self.tol,
                tolerance_change=1e-14, history_size=20, line_search_fn="strong_wolfe",
            )

            def closure():
                opt.zero_grad()
                loss = objective()
                loss.backward()
                return loss

            opt.step(closure)
            self.n_iter_ = int(opt.state[opt.param_groups[0]["params"][0]].get("n_iter", self.max_iter))
        else:
            for _ in tqdm(range(self.max_iter), desc="gradient descent", disable=not self.progress):
                loss = objective()
                gw, gb = torch.autograd.grad(loss, [w, b])
                with torch.no_grad():
                    w -= lr * gw
                    b -= lr * gb
                self.loss_history_.append(float(loss.detach()))
            self.n_iter_ = int(self.max_iter)
        self.coef_ = w.detach().cpu().double().numpy()[None, :]
        self.intercept_ = (b - mean @ w).detach().cpu().double().numpy()
        self.classes_ = classes
        self.n_features_in_ = int(Xt.shape[1])
        return self

    def decision_function(self, X) -> np.ndarray:
        """Give the logit ``X @ coef_ + intercept_`` of every row."""
        check_is_fitted(self, "coef_")
        if not sp.issparse(X):
            X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X: expected a 2-d matrix, got shape {X.shape}; Reshape your data")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X: expected {self.n_features_in_} columns, got {X.shape[1]} "
                f"(X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input)"
            )
        return np.asarray(X @ self.coef_[0], dtype=float).ravel() + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        """Give an (n, 2) array: probability of no click, then of a click."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """Give the predicted class: ``classes_[1]`` (a click) where its probability is above 0.5."""
        positive = self.decision_function(X) > 0.0
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags


def _to_torch(X, device, dtype) -> torch.Tensor:
    """Give ``X`` as a dense tensor: one-hot CTR inputs of a few hundred columns fit in memory easily."""
    if not sp.issparse(X):
        X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X: expected a 2-d matrix with at least one row, got shape {X.shape}")
    if X.shape[0] * X.shape[1] > MAX_DENSE_ENTRIES:
        raise ValueError(
            f"X: expected at most {MAX_DENSE_ENTRIES:,} entries (rows x columns) to densify, "
            f"got {X.shape[0]:,} x {X.shape[1]:,}; fit on fewer rows or columns"
        )
    arr = X.toarray() if sp.issparse(X) else X
    if np.isnan(arr).any():
        raise ValueError("X: expected no missing values, found NaN")
    return torch.as_tensor(arr, dtype=dtype, device=device)
