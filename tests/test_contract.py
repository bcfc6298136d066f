"""One contract for every public estimator of the package (issue 9).

Each model must be a scikit-learn estimator: ``clone`` round-trips its
hyper-parameters, ``get_params``/``set_params`` work, ``fit`` gives ``self``,
an unfitted model raises ``NotFittedError``, ``fit`` leaves its inputs alone
and does not keep them, and two fits with the same ``random_state`` give the
same model. scikit-learn's own ``parametrize_with_checks`` drives the
estimators that take plain arrays.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import estimator_checks_generator

from pmkt_lessons import bandits as B
from pmkt_lessons import columns as C
from pmkt_lessons import uplift as up
from pmkt_lessons.contextual import (
    LinearThompsonSampling,
    LinUCB,
    make_contextual_world,
    run_contextual_bandit,
)
from pmkt_lessons.ctr.encoding import FieldEncoder
from pmkt_lessons.ctr.logistic import TorchLogisticRegression
from pmkt_lessons.ctr.models import DeepFM, FactorizationMachine, WideAndDeep
from pmkt_lessons.feedback_loop import TargetingPolicy, customer_design, run_loop
from pmkt_lessons.online import FTRLProximalClassifier
from pmkt_lessons.recsys import (
    ContentRecommender,
    HybridRecommender,
    Interactions,
    ItemKNN,
    PopularityRecommender,
    UserKNN,
)
from pmkt_lessons.recsys import sequential as sq
from pmkt_lessons.recsys.als import ImplicitALS
from pmkt_lessons.recsys.bpr import BPR
from pmkt_lessons.recsys.mf import BiasBaseline, ExplicitMF, GlobalMean
from pmkt_lessons.recsys.ncf import DotMF, NeuMF
from pmkt_lessons.simulate.shop import make_shop
from pmkt_lessons.streaming import event_stream
from pmkt_lessons.streaming.prequential import StreamingRecommender
from pmkt_lessons.targeting import ThreadLimited, UnknownImputer
from pmkt_lessons.text.baselines import LexiconClassifier
from pmkt_lessons.text.topics import ReviewTopics
from pmkt_lessons.text.transformer import TransformerTextClassifier

RNG = np.random.default_rng(0)


def _interactions() -> Interactions:
    dense = (RNG.random((30, 12)) < 0.3).astype(np.float32)
    dense[np.arange(30), np.arange(30) % 12] = 1.0  # every user and item has one interaction
    return Interactions(
        sp.csr_matrix(dense), pd.Index(np.arange(100, 130), name="user_id"), pd.Index(list("abcdefghijkl"), name="item_id")
    )


INTER = _interactions()
DESCRIPTIONS = pd.Series(
    ["red mug", "blue mug", "red bag", "blue bag", "gnome", "garden gnome", "tea cup", "tea pot",
     "red cup", "blue pot", "garden bag", "mug tree"],
    index=INTER.items,
)
RATINGS = pd.DataFrame(
    {
        "user_id": RNG.integers(0, 15, 300),
        "item_id": RNG.integers(0, 20, 300),
        "rating": RNG.integers(1, 6, 300).astype(float),
    }
).drop_duplicates(["user_id", "item_id"]).reset_index(drop=True)
CLICK_X = pd.DataFrame(
    {"a": RNG.integers(0, 4, 600).astype(str), "b": RNG.integers(0, 3, 600).astype(str), "x": RNG.normal(size=600)}
)
CLICK_Y = (RNG.random(600) < 0.3).astype(int)
ARRAY_X = RNG.normal(size=(200, 3))
ARRAY_Y = (ARRAY_X[:, 0] + RNG.normal(size=200) > 0).astype(int)
UPLIFT_T = RNG.integers(0, 2, 200)
BANK = pd.DataFrame({"job": ["admin", "unknown", "admin", "tech", "tech", "unknown"], "age": [30, 40, 50, 60, 20, 35]})


TEXTS = ["great phone, love it", "terrible battery, broke fast", "not bad at all", "awful service",
         "works great", "bad screen and bad sound", "love the sound", "broke after a day"]
TEXT_Y = np.array([1, 0, 1, 0, 1, 0, 1, 0])
_T0 = pd.Timestamp("2011-01-03 10:00")
EVENTS = list(event_stream(
    pd.DataFrame({C.INVOICE: ["1", "1", "2", "3"], C.STOCK_CODE: ["A", "B", "A", "C"], C.QUANTITY: [1, 2, 3, 1],
                  C.INVOICE_DATE: [_T0, _T0, _T0 + pd.Timedelta("2D"), _T0 + pd.Timedelta("9D")],
                  C.CUSTOMER_ID: [10, 10, 11, 10], C.REVENUE: [1.0, 4.0, 3.0, 2.0]}),
    pd.DataFrame({C.INVOICE: ["C9"], C.STOCK_CODE: ["A"], C.QUANTITY: [-1], C.INVOICE_DATE: [_T0 + pd.Timedelta("3D")],
                  C.CUSTOMER_ID: [10], C.REVENUE: [-1.0]}),
))
SEQS = sq.sequences_from_lists({f"u{u}": [f"i{(u + t) % 5}" for t in range(8)] for u in range(12)})
SEQ_SMALL = {"max_len": 6, "d_model": 8, "n_heads": 2, "n_layers": 1, "dropout": 0.0, "epochs": 2,
             "batch_size": 8, "progress": False, "random_state": 0, "device": "cpu"}
_SHOP = make_shop(200, n_products=8, random_state=2)
SHOP_LOG = run_loop(_SHOP, "no model (rule)", n_weeks=3, pilot_weeks=2, budget=10.0, random_state=0)
SHOP_DESIGN = customer_design(_SHOP.features, random_state=0)


@dataclass
class Case:
    """How to fit one estimator, what its fitted output is, and which inputs fit must leave alone."""

    make: Callable[[], BaseEstimator]
    fit: Callable[[BaseEstimator], object]
    output: Callable[[BaseEstimator], object]
    inputs: tuple = ()

    def __repr__(self) -> str:
        return type(self.make()).__name__


def _scores(model):
    return model.score()


CTR = dict(categorical=["a", "b"], numeric=["x"], embedding_dim=3, hidden=(4,), epochs=2, batch_size=128,
           device="cpu", random_state=3)
CASES = [
    Case(PopularityRecommender, lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: ItemKNN(k_neighbours=3), lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: UserKNN(k_neighbours=3, mean_centre=True), lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: ContentRecommender(min_df=1), lambda m: m.fit(INTER, DESCRIPTIONS), _scores, (INTER, DESCRIPTIONS)),
    Case(lambda: HybridRecommender(ItemKNN(k_neighbours=3), ContentRecommender(min_df=1), weight=0.4),
         lambda m: m.fit(INTER, DESCRIPTIONS), _scores, (INTER, DESCRIPTIONS)),
    Case(lambda: ImplicitALS(n_factors=3, iterations=2, device="cpu", random_state=1),
         lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: BPR(n_factors=3, epochs=2, batch_size=16, random_state=6), lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: NeuMF(gmf_factors=4, mlp_factors=4, layers=(4,), epochs=2, batch_size=64, device="cpu",
                       random_state=2),
         lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(lambda: DotMF(factors=4, epochs=2, batch_size=64, device="cpu", random_state=2),
         lambda m: m.fit(INTER), _scores, (INTER,)),
    Case(GlobalMean, lambda m: m.fit(RATINGS), lambda m: m.predict(RATINGS), (RATINGS,)),
    Case(BiasBaseline, lambda m: m.fit(RATINGS), lambda m: m.predict(RATINGS), (RATINGS,)),
    Case(lambda: ExplicitMF(n_factors=3, epochs=2, batch_size=64, device="cpu", random_state=4),
         lambda m: m.fit(RATINGS), lambda m: m.predict(RATINGS), (RATINGS,)),
    Case(lambda: TorchLogisticRegression(device="cpu"), lambda m: m.fit(ARRAY_X, ARRAY_Y),
         lambda m: m.predict_proba(ARRAY_X), (ARRAY_X, ARRAY_Y)),
    Case(lambda: FieldEncoder(["a", "b"], ["x"]), lambda m: m.fit(CLICK_X),
         lambda m: m.transform(CLICK_X).index, (CLICK_X,)),
    Case(lambda: FactorizationMachine(**CTR), lambda m: m.fit(CLICK_X, CLICK_Y),
         lambda m: m.predict_proba(CLICK_X), (CLICK_X, CLICK_Y)),
    Case(lambda: WideAndDeep(**CTR, dropout=0.3), lambda m: m.fit(CLICK_X, CLICK_Y),
         lambda m: m.predict_proba(CLICK_X), (CLICK_X, CLICK_Y)),
    Case(lambda: DeepFM(**CTR, dropout=0.3), lambda m: m.fit(CLICK_X, CLICK_Y),
         lambda m: m.predict_proba(CLICK_X), (CLICK_X, CLICK_Y)),
    Case(up.TwoModelUplift, lambda m: m.fit(ARRAY_X, UPLIFT_T, ARRAY_Y), lambda m: m.predict_uplift(ARRAY_X),
         (ARRAY_X, UPLIFT_T, ARRAY_Y)),
    Case(lambda: up.SingleModelUplift(DecisionTreeClassifier(max_depth=3, random_state=0)),
         lambda m: m.fit(ARRAY_X, UPLIFT_T, ARRAY_Y), lambda m: m.predict_uplift(ARRAY_X),
         (ARRAY_X, UPLIFT_T, ARRAY_Y)),
    Case(up.ClassTransformationUplift, lambda m: m.fit(ARRAY_X, UPLIFT_T, ARRAY_Y),
         lambda m: m.predict_uplift(ARRAY_X), (ARRAY_X, UPLIFT_T, ARRAY_Y)),
    Case(UnknownImputer, lambda m: m.fit(BANK), lambda m: m.transform(BANK), (BANK,)),
    Case(lambda: ThreadLimited(LogisticRegression(), n_threads=1), lambda m: m.fit(ARRAY_X, ARRAY_Y),
         lambda m: m.predict_proba(ARRAY_X), (ARRAY_X, ARRAY_Y)),
    # lessons 19-24
    Case(LexiconClassifier, lambda m: m.fit(TEXTS, TEXT_Y), lambda m: m.predict_proba(TEXTS), (TEXTS, TEXT_Y)),
    Case(lambda: ReviewTopics(n_topics=2, min_df=1, random_state=0), lambda m: m.fit(TEXTS),
         lambda m: m.transform(TEXTS), (TEXTS,)),
    Case(lambda: TransformerTextClassifier(d_model=8, n_heads=2, max_len=16, min_count=1, batch_size=4, epochs=2,
                                           device="cpu", progress=False, random_state=5),
         lambda m: m.fit(TEXTS, TEXT_Y), lambda m: m.predict_proba(TEXTS), (TEXTS, TEXT_Y)),
    Case(FTRLProximalClassifier, lambda m: m.fit(ARRAY_X, ARRAY_Y), lambda m: m.predict_proba(ARRAY_X),
         (ARRAY_X, ARRAY_Y)),
    Case(lambda: StreamingRecommender(n_items=3), lambda m: m.fit(EVENTS), lambda m: m.recommend_one(10, 2)),
    Case(sq.MostPopular, lambda m: m.fit(SEQS), lambda m: m.score(SEQS)),
    Case(sq.BuyItAgain, lambda m: m.fit(SEQS), lambda m: m.score(SEQS)),
    Case(sq.ItemTransitions, lambda m: m.fit(SEQS), lambda m: m.score(SEQS)),
    Case(lambda: sq.SASRec(**SEQ_SMALL), lambda m: m.fit(SEQS), lambda m: m.score(SEQS)),
    Case(lambda: sq.BERT4Rec(**SEQ_SMALL), lambda m: m.fit(SEQS), lambda m: m.score(SEQS)),
    Case(TargetingPolicy, lambda m: m.fit(SHOP_LOG, SHOP_DESIGN), lambda m: m.predicted_value(SHOP_DESIGN),
         (SHOP_LOG,)),
]


def _same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _snapshot(value):
    if isinstance(value, Interactions):
        return (value.matrix.toarray(), list(value.users), list(value.items))
    return copy.deepcopy(value)


def _assert_unchanged(before, after) -> None:
    if isinstance(after, Interactions):
        after = _snapshot(after)
        for x, y in zip(before, after, strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    elif isinstance(after, (pd.DataFrame, pd.Series)):
        assert before.equals(after)
    else:
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_clone_round_trip_and_params(case):
    model = case.make()
    assert isinstance(model, BaseEstimator)
    params = model.get_params(deep=False)
    twin = clone(model)
    assert type(twin) is type(model)
    assert twin.get_params(deep=False).keys() == params.keys()
    for name, value in params.items():
        if not isinstance(value, BaseEstimator):
            assert repr(twin.get_params(deep=False)[name]) == repr(value), name
    # set_params gives self and sets what it says
    assert twin.set_params(**params) is twin
    assert type(model).__name__ in repr(model)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_unfitted_raises_not_fitted(case):
    with pytest.raises(NotFittedError):
        case.output(case.make())


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_fit_returns_self_keeps_no_input_and_does_not_mutate(case):
    model = case.make()
    before = [_snapshot(x) for x in case.inputs]
    params = model.get_params(deep=False)
    assert case.fit(model) is model
    for snap, value in zip(before, case.inputs, strict=True):
        _assert_unchanged(snap, value)
    # fit stores no argument on the model and does not change the hyper-parameters
    for value in vars(model).values():
        assert all(value is not x for x in case.inputs)
    assert model.get_params(deep=False).keys() == params.keys()
    fresh = case.make().get_params(deep=False)
    for name, value in model.get_params(deep=False).items():
        if not isinstance(value, BaseEstimator):
            assert repr(value) == repr(fresh[name]), name
    # learned attributes end in "_"
    learned = [k for k in vars(model) if not k.startswith("_") and k not in params]
    assert learned and all(k.endswith("_") for k in learned), learned


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_deterministic_given_random_state(case):
    a, b = case.make(), case.make()
    case.fit(a)
    case.fit(b)
    _same(case.output(a), case.output(b))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_clone_of_fitted_is_unfitted(case):
    model = case.make()
    case.fit(model)
    with pytest.raises(NotFittedError):
        case.output(clone(model))


POLICIES = [B.EpsilonGreedy(0.2), B.UCB1(c=0.5, window=50), B.ThompsonSampling(alpha=2.0, discount=0.99)]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
def test_bandit_policies_are_estimators(policy):
    twin = clone(policy)
    assert twin.get_params() == policy.get_params()
    assert twin.name == policy.name
    a = B.run_bandit(policy, [0.05, 0.1, 0.2], horizon=60, n_runs=5, random_state=3)
    b = B.run_bandit(twin, [0.05, 0.1, 0.2], horizon=60, n_runs=5, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="discount"):
        B.run_bandit(clone(policy).set_params(discount=0.0), [0.1, 0.2], horizon=5)


ONLINE_POLICIES = [LinUCB(alpha=0.5), LinearThompsonSampling(v=0.2)]


@pytest.mark.parametrize("policy", ONLINE_POLICIES, ids=lambda p: type(p).__name__)
def test_online_contextual_policies_clone_repeat_and_keep_no_state(policy):
    """LinUCB and linear Thompson sampling are played by run_contextual_bandit, like lesson 17's policies."""
    twin = clone(policy)
    assert twin.get_params() == policy.get_params() and twin is not policy
    with pytest.raises(NotFittedError):
        twin.coefficients()
    world = make_contextual_world(n_arms=3, random_state=0)
    first = run_contextual_bandit(policy, world, horizon=30, n_runs=4, random_state=1)
    again = run_contextual_bandit(policy, world, horizon=30, n_runs=4, random_state=1)
    pd.testing.assert_frame_equal(first, again)
    assert not hasattr(policy, "A_inv_")  # the caller's policy is not changed by a run


def test_every_public_estimator_is_covered():
    """A new estimator class in the package must be added to CASES (or POLICIES).

    SparkALS needs a Spark session: tests/test_scale_spark.py runs the same contract on it.
    """
    import importlib
    import inspect
    import pkgutil

    import pmkt_lessons

    covered = {type(c.make()) for c in CASES} | {type(p) for p in POLICIES + ONLINE_POLICIES}
    found = set()
    for info in pkgutil.walk_packages(pmkt_lessons.__path__, "pmkt_lessons."):
        if ".exercises" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("pmkt_lessons")
                and not cls.__name__.startswith("_")
                and not inspect.isabstract(cls)
                and cls.__name__ not in ("BaseRecommender", "BanditPolicy", "SequentialRecommender", "SparkALS")
            ):
                found.add(cls)
    assert found - covered == set()


MESSAGE_STYLE = "error messages follow the package style '<argument>: expected ...'"


# The remaining scikit-learn checks look for scikit-learn's own error wording; our
# messages name the argument instead (validation.py's style), so they are expected to differ.
# check_array_api_input is left out: it only runs with SCIPY_ARRAY_API set (else it skips).
EXPECTED_FAILED = {
    "check_complex_data": MESSAGE_STYLE,
    "check_estimators_empty_data_messages": MESSAGE_STYLE,
    "check_estimators_nan_inf": MESSAGE_STYLE,
    "check_classifiers_regression_target": MESSAGE_STYLE,
    "check_supervised_y_2d": "y must be 1-d: a column vector is refused, not raveled with a warning",
    "check_classifier_not_supporting_multiclass": MESSAGE_STYLE,
    "check_fit2d_1sample": MESSAGE_STYLE,
    "check_requires_y_none": MESSAGE_STYLE,
    }


def _check_name(item) -> str:
    check = (item.values if hasattr(item, "values") else item)[1]
    return getattr(getattr(check, "func", check), "__name__", repr(check))


SKLEARN_CHECKS = [
    item
    for item in estimator_checks_generator(
        TorchLogisticRegression(device="cpu"), legacy=True, expected_failed_checks=EXPECTED_FAILED, mark="xfail"
    )
    if "array_api" not in _check_name(item)
]


@pytest.mark.parametrize(("estimator", "check"), SKLEARN_CHECKS, ids=[_check_name(i) for i in SKLEARN_CHECKS])
def test_sklearn_checks(estimator, check):
    check(estimator)
