"""MovieLens troubleshooting: every error names the exact fix, the cache says where it is."""

import shlex
import sys

import pandas as pd
import pytest

from pmkt_lessons import columns as C
from pmkt_lessons import data


@pytest.fixture(scope="module")
def movielens():
    return data._movielens_from_recbole()


@pytest.fixture
def no_carrier(tmp_path, monkeypatch):
    """No recbole wheel, an empty private cache folder."""
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(data, "_movielens_from_recbole", lambda: None)
    return tmp_path / "movielens_100k.pkl"


def test_pip_command_is_the_course_venv_pip_there(monkeypatch):
    repo_venv = data.Path(data.__file__).resolve().parent.parent / ".venv"
    monkeypatch.setattr(data.sys, "prefix", str(repo_venv))
    assert data.pip_command() == ".venv/bin/pip"


def test_pip_command_is_this_python_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(data.sys, "prefix", str(tmp_path))
    assert data.pip_command() == f"{shlex.quote(sys.executable)} -m pip"


def test_missing_carrier_names_the_exact_command(no_carrier):
    with pytest.raises(data.DatasetMissingError) as err:
        data.load_movielens_100k(download=False)
    message = str(err.value)
    assert f"`{data.pip_command()} install --no-deps recbole==1.2.1`" in message
    assert "make setup" in message
    assert "go online" not in message  # download=False: no such route was tried
    assert "cache" not in message  # there is no cache to blame


def test_cache_stands_in_for_a_missing_carrier_and_says_where(no_carrier, movielens, capsys):
    pd.to_pickle(movielens, no_carrier)
    got = data.load_movielens_100k(download=False)
    pd.testing.assert_frame_equal(got.ratings, movielens.ratings)
    out = capsys.readouterr().out
    assert str(no_carrier) in out and "recbole==1.2.1" in out


def test_stale_cache_is_named_with_its_removal_command(no_carrier, movielens):
    altered = movielens.ratings.copy()
    altered.loc[0, C.RATING] = altered.loc[0, C.RATING] % 5 + 1
    pd.to_pickle(data.MovieLens(altered, movielens.items), no_carrier)
    with pytest.raises(data.DatasetMissingError, match="stale") as err:
        data.load_movielens_100k(download=False)
    assert f"rm {shlex.quote(str(no_carrier))}" in str(err.value)
    assert "install --no-deps recbole==1.2.1" in str(err.value)


def test_corrupt_cache_is_named_with_its_removal_command(no_carrier):
    no_carrier.write_bytes(b"not a pickle at all")
    with pytest.raises(data.DatasetMissingError, match="corrupt") as err:
        data.load_movielens_100k(download=False)
    assert str(no_carrier) in str(err.value)


def test_carrier_wins_over_a_stale_cache_silently(tmp_path, monkeypatch, movielens, capsys):
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    (tmp_path / "movielens_100k.pkl").write_bytes(b"junk")
    got = data.load_movielens_100k(download=False)
    assert data.movielens_fingerprint(got.ratings) == data.MOVIELENS_RATINGS_SHA256
    assert capsys.readouterr().out == ""  # committed lesson outputs do not change


def test_altered_carrier_names_the_reinstall_command(tmp_path, monkeypatch, movielens):
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path))
    altered = movielens.ratings.copy()
    altered.loc[0, C.RATING] = altered.loc[0, C.RATING] % 5 + 1
    monkeypatch.setattr(data, "_movielens_from_recbole", lambda: data.MovieLens(altered, movielens.items))
    with pytest.raises(data.DatasetChecksumError) as err:
        data.load_movielens_100k(download=False)
    assert f"`{data.pip_command()} install --no-deps --force-reinstall recbole==1.2.1`" in str(err.value)


def test_loading_does_not_modify_a_cached_frame(no_carrier, movielens):
    pd.to_pickle(movielens, no_carrier)
    before = no_carrier.read_bytes()
    data.load_movielens_100k(download=False)
    assert no_carrier.read_bytes() == before
