"""Tests of pmkt_lessons.segments: clusters, stability, RFM rule segments, segment profiles."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from pmkt_lessons import columns as C
from pmkt_lessons import features as F
from pmkt_lessons import segments as S


@pytest.fixture(scope="module")
def blobs():
    """Three tight, far-apart blobs of 60, 40 and 20 points: any sound clustering finds them."""
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat([0, 1, 2], [60, 40, 20])
    X = centres[truth] + rng.normal(scale=0.5, size=(120, 2))
    order = rng.permutation(120)
    return X[order], truth[order]


# --------------------------------------------------------------------------- clusters


def test_canonical_labels_orders_by_size_then_first_seen():
    assert S.canonical_labels([5, 5, 3, 3, 3, 9]).tolist() == [1, 1, 0, 0, 0, 2]
    assert S.canonical_labels(np.array(["b", "a", "a", "b", "c"])).tolist() == [0, 1, 1, 0, 2]
    assert S.canonical_labels(pd.Series([7, 7, 7])).tolist() == [0, 0, 0]


def test_canonical_labels_bad_input():
    with pytest.raises(ValueError, match="labels"):
        S.canonical_labels([])
    with pytest.raises(ValueError, match="labels.*missing"):
        S.canonical_labels([1.0, np.nan])
    with pytest.raises(ValueError, match="labels"):
        S.canonical_labels(np.zeros((2, 2)))


def test_kmeans_labels_recovers_blobs_in_canonical_order(blobs):
    X, truth = blobs
    labels = S.kmeans_labels(X, 3)
    assert adjusted_rand_score(truth, labels) == 1.0
    np.testing.assert_array_equal(labels, truth)  # truth is numbered by size too
    frame = pd.DataFrame(X, columns=["a", "b"])
    np.testing.assert_array_equal(S.kmeans_labels(frame, 3), labels)


def test_kmeans_labels_matches_sklearn_up_to_numbering(blobs):
    X, _ = blobs
    ours = S.kmeans_labels(X, 4, random_state=1)
    theirs = KMeans(4, n_init=10, random_state=1).fit(X).labels_
    assert adjusted_rand_score(ours, theirs) == 1.0


def test_kmeans_takes_any_random_state_and_passes_an_integer_through(blobs):
    X, _ = blobs
    ref = KMeans(n_clusters=3, n_init=10, random_state=7).fit(X)
    assert (S.kmeans_labels(X, 3, random_state=7) == S.canonical_labels(ref.labels_)).all()
    gen = S.kmeans_labels(X, 3, random_state=np.random.default_rng(1))
    again = S.kmeans_labels(X, 3, random_state=np.random.default_rng(1))
    assert (gen == again).all() and len(np.unique(gen)) == 3
    assert len(np.unique(S.kmeans_labels(X, 3, random_state=None))) == 3
    scan = S.kmeans_scan(X, [2, 3], random_state=np.random.default_rng(2))
    assert scan.index.tolist() == [2, 3]


def test_library_seed():
    from pmkt_lessons.randomness import draw_seed, library_seed

    assert library_seed(7) == 7 and library_seed(np.int64(7)) == 7
    assert library_seed(np.random.default_rng(3)) == draw_seed(np.random.default_rng(3))
    assert 0 <= library_seed(None) < 2**31
    with pytest.raises(TypeError, match="random_state: expected None, an integer seed or a numpy Generator"):
        library_seed("7")
    with pytest.raises(ValueError, match="random_state: expected an integer in"):
        library_seed(-1)


def test_kmeans_labels_bad_input(blobs):
    X, _ = blobs
    for k in (1, 0, len(X)):
        with pytest.raises(ValueError, match="k: expected an integer in"):
            S.kmeans_labels(X, k)
    with pytest.raises(TypeError, match="k"):
        S.kmeans_labels(X, 2.0)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X: expected finite"):
        S.kmeans_labels(bad, 3)
    with pytest.raises(ValueError, match="X: expected a 2-d"):
        S.kmeans_labels(X[:, 0], 3)
    with pytest.raises(ValueError, match="X: expected at least 2 rows"):
        S.kmeans_labels(X[:1], 2)
    with pytest.raises(TypeError, match="X"):
        S.kmeans_labels(X.tolist(), 3)
    with pytest.raises(TypeError, match="X.*'s'"):
        S.kmeans_labels(pd.DataFrame({"a": [1.0, 2.0, 3.0], "s": ["x", "y", "z"]}), 2)
    with pytest.raises(ValueError, match="n_init"):
        S.kmeans_labels(X, 3, n_init=0)


def test_kmeans_does_not_mutate(blobs):
    X, _ = blobs
    frame = pd.DataFrame(X.copy(), columns=["a", "b"])
    before, before_x = frame.copy(), X.copy()
    S.kmeans_labels(frame, 3)
    S.kmeans_scan(X, [2, 3])
    pd.testing.assert_frame_equal(frame, before)
    np.testing.assert_array_equal(X, before_x)


def test_kmeans_scan_elbow_and_silhouette(blobs):
    X, _ = blobs
    scan = S.kmeans_scan(X, range(2, 7), silhouette_sample=None)
    assert list(scan.index) == [2, 3, 4, 5, 6] and list(scan.columns) == ["inertia", "silhouette"]
    assert scan["inertia"].is_monotonic_decreasing
    assert scan["silhouette"].idxmax() == 3
    labels = KMeans(3, n_init=10, random_state=0).fit(X).labels_
    assert scan.loc[3, "silhouette"] == pytest.approx(silhouette_score(X, labels))


def test_kmeans_scan_silhouette_on_a_sample(blobs):
    X, _ = blobs
    full = S.kmeans_scan(X, [3], silhouette_sample=None)
    sampled = S.kmeans_scan(X, [3], silhouette_sample=50)
    again = S.kmeans_scan(X, [3], silhouette_sample=50)
    assert sampled.loc[3, "inertia"] == full.loc[3, "inertia"]
    assert sampled.loc[3, "silhouette"] == again.loc[3, "silhouette"]  # seeded sample
    assert sampled.loc[3, "silhouette"] == pytest.approx(full.loc[3, "silhouette"], abs=0.05)
    assert S.kmeans_scan(X, [3], silhouette_sample=1000).equals(full)  # sample >= rows: all rows


def test_kmeans_scan_bad_input(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="ks: expected an integer in"):
        S.kmeans_scan(X, [1, 2])
    with pytest.raises(ValueError, match="ks: expected an integer in"):
        S.kmeans_scan(X, [2, 500])
    with pytest.raises(ValueError, match="ks: expected at least one"):
        S.kmeans_scan(X, [])
    with pytest.raises(ValueError, match="silhouette_sample"):
        S.kmeans_scan(X, [2], silhouette_sample=0)


def test_seed_stability(blobs):
    X, _ = blobs
    table = S.seed_stability(X, 3, seeds=[0, 1, 2, 3])
    assert list(table.columns) == ["seed_a", "seed_b", "ari"]
    assert len(table) == 6  # 4 choose 2
    assert table[["seed_a", "seed_b"]].to_numpy().tolist()[0] == [0, 1]
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(200, 2))  # no structure: seeds disagree
    assert S.seed_stability(noise, 5, seeds=range(4))["ari"].min() < 0.9
    with pytest.raises(ValueError, match="seeds"):
        S.seed_stability(X, 3, seeds=[1])
    with pytest.raises(ValueError, match="seeds"):
        S.seed_stability(X, 3, seeds=[1, 1])
    with pytest.raises(ValueError, match="k"):
        S.seed_stability(X, 1)


def test_seed_stability_is_one_on_blobs(blobs):
    X, _ = blobs
    assert S.seed_stability(X, 3, seeds=range(3), n_init=10)["ari"].tolist() == [1.0, 1.0, 1.0]


def test_ward_recovers_blobs_and_matches_scipy(blobs):
    X, truth = blobs
    Z = S.ward_linkage(X)
    assert Z.shape == (len(X) - 1, 4)
    np.testing.assert_array_equal(S.ward_labels(Z, 3), truth)
    assert len(set(S.ward_labels(Z, 5))) == 5


def test_ward_bad_input(blobs):
    X, _ = blobs
    Z = S.ward_linkage(X)
    with pytest.raises(ValueError, match="linkage_matrix"):
        S.ward_labels(Z[:, :2], 3)
    with pytest.raises(ValueError, match="k: expected an integer in"):
        S.ward_labels(Z, len(X))
    with pytest.raises(ValueError, match="X"):
        S.ward_linkage(np.array([[np.nan, 1.0], [1.0, 2.0]]))


# --------------------------------------------------------------------------- RFM rules


def test_rfm_segments_by_hand():
    scores = pd.DataFrame(
        {F.R_SCORE: [5, 1, 5, 1, 3, 4, 2, 3, 4, 3], F.F_SCORE: [5, 1, 1, 5, 3, 1, 3, 4, 2, 2]},
        index=list("abcdefghij"),
    )
    got = S.rfm_segments(scores)
    assert got.tolist() == [
        "champions",
        "hibernating",
        "new customers",
        "can't lose them",
        "need attention",
        "promising",
        "at risk",
        "loyal",
        "potential loyalist",
        "about to sleep",
    ]
    assert got.index.equals(scores.index) and list(got.cat.categories) == list(S.RFM_SEGMENTS)


def test_rfm_grid_covers_every_cell_once():
    grid = S.RFM_SEGMENT_GRID
    assert grid.shape == (5, 5) and set(grid.to_numpy().ravel()) == set(S.RFM_SEGMENTS)
    rules = S.rfm_segment_rules()
    assert rules["cells"].sum() == 25 and list(rules.index) == list(S.RFM_SEGMENTS)
    assert rules.loc["champions", ["R", "F"]].tolist() == ["5", "4, 5"]


def test_rfm_segments_bad_input():
    with pytest.raises(ValueError, match="scores.*F"):
        S.rfm_segments(pd.DataFrame({F.R_SCORE: [1]}))
    with pytest.raises(ValueError, match="scores.*'R'.*1-5"):
        S.rfm_segments(pd.DataFrame({F.R_SCORE: [6], F.F_SCORE: [1]}))
    with pytest.raises(ValueError, match="scores.*missing"):
        S.rfm_segments(pd.DataFrame({F.R_SCORE: [1.0, np.nan], F.F_SCORE: [1, 2]}))
    with pytest.raises(ValueError, match="scores: expected a non-empty"):
        S.rfm_segments(pd.DataFrame({F.R_SCORE: [], F.F_SCORE: []}))


# --------------------------------------------------------------------------- profiles


@pytest.fixture
def small():
    profiles = pd.DataFrame(
        {F.RECENCY: [1, 3, 100, 200], F.FREQUENCY: [10, 6, 1, 1], F.MONETARY: [600.0, 200, 150, 50]},
        index=pd.Index([11, 12, 13, 14], name=C.CUSTOMER_ID),
    )
    interest = F.InterestProfiles(
        matrix=sparse.csr_matrix(
            np.array([[0.8, 0.6, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8], [0.0, 0.0, 1.0]])
        ),
        customers=pd.Index([11, 12, 13, 14], name=C.CUSTOMER_ID),
        terms=np.array(["bag", "mug", "tea"]),
        product_terms=None,
        products=None,
    )
    return profiles, interest


def test_segment_profile_by_hand(small):
    profiles, interest = small
    table = S.segment_profile(profiles, ["best", "best", "lost", "lost"], interest=interest, n_terms=2)
    assert list(table.index) == ["best", "lost"]
    assert table["customers"].tolist() == [2, 2]
    assert table["customer_share"].tolist() == [0.5, 0.5]
    assert table["revenue_share"].tolist() == [0.8, 0.2]
    assert table[F.RECENCY].tolist() == [2.0, 150.0]
    assert table[F.FREQUENCY].tolist() == [8.0, 1.0]
    assert table[F.MONETARY].tolist() == [400.0, 100.0]
    assert table["median_monetary"].tolist() == [400.0, 100.0]
    # means: best (0.7, 0.7, 0), lost (0, 0.3, 0.9), all (0.35, 0.5, 0.45)
    assert table["top_terms"].tolist() == ["bag, mug", "tea"]


def test_distinctive_terms_subtracts_the_overall_mean(small):
    _, interest = small
    labels = pd.Series(["x", "y", "y", "y"], index=[11, 12, 13, 14])
    got = S.distinctive_terms(interest, labels, n=3)
    # x: (0.8, 0.6, 0) - (0.35, 0.5, 0.45) -> bag 0.45, mug 0.1; tea negative, left out
    assert got.loc["x"].tolist() == ["bag", "mug", ""]
    assert got.loc["y", "term_1"] == "tea"


def test_segment_profile_bad_input_and_no_mutation(small):
    profiles, interest = small
    before = profiles.copy()
    S.segment_profile(profiles, np.array([0, 0, 1, 1]), interest=interest)
    pd.testing.assert_frame_equal(profiles, before)
    with pytest.raises(ValueError, match="labels: expected 4 labels"):
        S.segment_profile(profiles, [0, 1])
    with pytest.raises(ValueError, match="labels.*missing"):
        S.segment_profile(profiles, [0, 1, np.nan, 1])
    with pytest.raises(ValueError, match="profiles.*monetary"):
        S.segment_profile(profiles.drop(columns=F.MONETARY), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="profiles: expected a non-empty"):
        S.segment_profile(profiles.iloc[:0], [])
    with pytest.raises(TypeError, match="interest"):
        S.distinctive_terms("not profiles", pd.Series([0], index=[11]))
    with pytest.raises(TypeError, match="labels"):
        S.distinctive_terms(interest, [0, 0, 1, 1])
    with pytest.raises(ValueError, match="labels: customers not in interest"):
        S.distinctive_terms(interest, pd.Series([0, 1], index=[11, 99]))
