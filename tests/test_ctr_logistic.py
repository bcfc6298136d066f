"""The torch logistic regression agrees with scikit-learn's and checks its input."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from pmkt_lessons.ctr.logistic import TorchLogisticRegression


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 5))
    X[:, 4] = rng.random(3000) < 0.1  # a rare binary column
    w = np.array([1.0, -0.5, 0.25, 0.0, 1.5])
    y = (rng.random(3000) < 1 / (1 + np.exp(-(X @ w - 1.0)))).astype(int)
    return X, y


@pytest.mark.parametrize("C", [0.01, 1.0])
def test_lbfgs_matches_sklearn(data, C):
    X, y = data
    sk = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    ours = TorchLogisticRegression(C=C, tol=1e-9, device="cpu").fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=2e-4)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=2e-4)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-5)


def test_sparse_input_gives_the_same_fit(data):
    X, y = data
    dense = TorchLogisticRegression(device="cpu").fit(X, y)
    sparse = TorchLogisticRegression(device="cpu").fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(dense.coef_, sparse.coef_, atol=1e-8)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-8)


def test_gradient_descent_lowers_the_loss_towards_the_optimum(data):
    X, y = data
    gd = TorchLogisticRegression(solver="gd", lr=1.0, max_iter=300, device="cpu").fit(X, y)
    loss = np.array(gd.loss_history_)
    assert len(loss) == 300 and loss[0] == pytest.approx(np.log(2))
    assert (np.diff(loss) <= 1e-12).all()
    sk = LogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(gd.coef_, sk.coef_, atol=0.05)


@pytest.mark.parametrize(
    ("kwargs", "exc", "arg"),
    [
        ({"C": 0.0}, ValueError, "C"),
        ({"solver": "newton"}, ValueError, "solver"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"solver": "gd", "lr": -1.0}, ValueError, "lr"),
    ],
)
def test_bad_hyper_parameters(data, kwargs, exc, arg):
    X, y = data
    with pytest.raises(exc, match=arg):
        TorchLogisticRegression(device="cpu", **kwargs).fit(X, y)


def test_bad_data(data):
    X, y = data
    model = TorchLogisticRegression(device="cpu")
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y + np.arange(len(y)) % 3)  # three classes
    with pytest.raises(ValueError, match="X"):
        model.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="X"):
        model.fit(np.where(X > 2, np.nan, X), y)
    with pytest.raises(NotFittedError, match="fit"):
        TorchLogisticRegression().predict_proba(X)
    fitted = model.fit(X, y)
    with pytest.raises(ValueError, match="X"):
        fitted.predict_proba(X[:, :3])


def test_no_mutation(data):
    X, y = data
    X2, y2 = X.copy(), y.copy()
    TorchLogisticRegression(device="cpu").fit(X2, y2).predict_proba(X2)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
