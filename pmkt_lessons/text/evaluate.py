"""Cross-validation for sentence classifiers: shared folds, out-of-fold scores, and a domain-shift table.

Two models are compared fairly only on the *same* folds: :func:`sentence_folds`
makes stratified folds once (by source and label), :func:`crossval_predictions`
fits a fresh clone of a model on each training part and scores the held-out
part, so every sentence gets one out-of-fold score per model and the
per-sentence results can be paired (``pmkt_lessons.evaluation.paired_bootstrap``).
:func:`domain_shift_table` trains on one source and tests on every source.
Introduced in lesson 19.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ..device import limit_threads
from ..randomness import draw_seed
from ..validation import require_bool, require_frame, require_no_nan
from .baselines import check_binary_labels
from .tokens import check_texts

SENTENCE, LABEL, SOURCE = "sentence", "label", "source"


def sentence_folds(
    frame: pd.DataFrame, n_splits: int = 5, random_state: object = 0, by: tuple = (SOURCE, LABEL)
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Give ``n_splits`` stratified ``(train, test)`` pairs of row positions of ``frame``.

    Every fold keeps the shares of each combination of the ``by`` columns
    (source and label by default), so no fold is short of, say, negative
    Amazon sentences. Use the same list for every model that is compared.
    """
    frame = require_frame(frame, list(by), "frame")
    require_no_nan(frame, list(by), "frame")
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"n_splits: expected an integer >= 2, got {n_splits!r}")
    strata = frame[list(by)].astype(str).agg("|".join, axis=1).to_numpy()
    splitter = StratifiedKFold(int(n_splits), shuffle=True, random_state=draw_seed(random_state))
    return [(train, test) for train, test in splitter.split(np.zeros(len(frame)), strata)]


def _check_folds(folds: object, n: int) -> list:
    if not isinstance(folds, (list, tuple)) or not folds:
        raise TypeError(f"folds: expected a non-empty list of (train, test) index arrays, got {type(folds).__name__}")
    seen = np.zeros(n, dtype=np.int64)
    for fold in folds:
        if not isinstance(fold, (list, tuple)) or len(fold) != 2:
            raise TypeError("folds: expected (train, test) pairs of index arrays")
        train, test = (np.asarray(part) for part in fold)
        for part in (train, test):
            if part.dtype.kind not in "iu" or part.size == 0 or part.min() < 0 or part.max() >= n:
                raise ValueError(f"folds: expected non-empty integer positions in [0, {n}), got {part[:5]}")
        if np.intersect1d(train, test).size:
            raise ValueError("folds: a sentence is in both the training and the test part of a fold")
        seen[test] += 1
    if not (seen == 1).all():
        raise ValueError(f"folds: expected every sentence in exactly one test part, got {int((seen != 1).sum())} that are not")
    return list(folds)


def crossval_predictions(
    estimator, texts: object, labels: object, folds: object, n_threads: int | None = 1,
    return_estimators: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, list]:
    """Give every text's out-of-fold prediction: columns ``fold``, ``proba``, ``prediction``, ``correct``.

    For each ``(train, test)`` pair a fresh ``clone`` of ``estimator`` is
    fitted on the training texts and scores the test texts; ``proba`` is
    its probability (or score) of label 1. Rows are in the order of ``texts``.
    The estimator passed in is not fitted or changed. ``n_threads`` limits
    BLAS and torch threads meanwhile (:func:`pmkt_lessons.device.limit_threads`).
    With ``return_estimators=True`` it gives ``(frame, fitted models, one per fold)``.
    """
    require_bool(return_estimators, "return_estimators")
    texts = check_texts(texts)
    y = check_binary_labels(labels, len(texts), "labels")
    folds = _check_folds(folds, len(texts))
    array = np.asarray(texts, dtype=object)
    fold_id = np.empty(len(texts), dtype=np.int64)
    proba = np.empty(len(texts), dtype=float)
    prediction = np.empty(len(texts), dtype=np.int64)
    models = []
    with limit_threads(n_threads):
        for k, (train, test) in enumerate(folds):
            model = clone(estimator).fit(list(array[train]), y[train])
            proba[test] = model.predict_proba(list(array[test]))[:, 1]
            prediction[test] = model.predict(list(array[test]))
            fold_id[test] = k
            models.append(model)
    frame = pd.DataFrame({"fold": fold_id, "proba": proba, "prediction": prediction, "correct": prediction == y})
    return (frame, models) if return_estimators else frame


def domain_shift_table(
    frame: pd.DataFrame, estimator, random_state: object = 0, source_col: str = SOURCE,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Give the accuracy of training on one source (rows) and testing on each source (columns).

    Each source is split once into two stratified halves. A model trained on
    half A of source ``s`` is tested on half B of *every* source, and the
    other way round; a cell is the mean of the two accuracies. So every cell
    uses the same training size (half a source) and sentences never seen in
    training, and the diagonal (in-domain) is comparable with the rest.
    ``n_threads`` limits BLAS and torch threads meanwhile.
    """
    frame = require_frame(frame, [SENTENCE, LABEL, source_col], "frame")
    sources = sorted(frame[source_col].astype(str).unique())
    if len(sources) < 2:
        raise ValueError(f"frame: expected at least two sources in {source_col!r}, got {sources}")
    halves = {}
    for source in sources:
        part = frame[frame[source_col].astype(str) == source]
        y = check_binary_labels(part[LABEL].to_numpy(), len(part), "frame['label']")
        (a, b), = [(tr, te) for tr, te in StratifiedKFold(2, shuffle=True, random_state=draw_seed(random_state))
                   .split(np.zeros(len(part)), y)][:1]
        texts = np.asarray(check_texts(part[SENTENCE], "frame['sentence']"), dtype=object)
        halves[source] = ((list(texts[a]), y[a]), (list(texts[b]), y[b]))
    table = pd.DataFrame(0.0, index=pd.Index(sources, name="trained on"), columns=pd.Index(sources, name="tested on"))
    with limit_threads(n_threads):
        for train_source in sources:
            for side in (0, 1):
                train_texts, train_y = halves[train_source][side]
                model = clone(estimator).fit(train_texts, train_y)
                for test_source in sources:
                    test_texts, test_y = halves[test_source][1 - side]
                    table.loc[train_source, test_source] += np.mean(model.predict(test_texts) == test_y) / 2
    return table
