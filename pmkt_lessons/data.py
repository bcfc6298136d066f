"""Dataset registry and loaders: the only way the lessons read data.

Every bundled file is listed with its sha256. A loader checks the checksum
before parsing, so a missing, truncated or edited file fails with one clear
error that names the file and says how to restore it. Nothing here writes
inside ``datasets/``. Introduced in lesson 00.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import os
import shlex
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import columns as C
from .validation import require_bool

DATA_DIR_ENV = "PMKT_DATA_DIR"
CACHE_DIR_ENV = "PMKT_CACHE_DIR"


class DatasetError(RuntimeError):
    """Base class for a dataset file that cannot be used as it is."""


class DatasetMissingError(DatasetError, FileNotFoundError):
    """A registered dataset file is not where it should be."""


class DatasetChecksumError(DatasetError, ValueError):
    """A registered dataset file exists but its content is not the shipped one."""


@dataclass(frozen=True)
class DataFile:
    """One shipped file: its path below the data folder and its sha256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class DatasetInfo:
    """What the course knows about one dataset (see ``datasets/<name>/DATACARD.md``)."""

    name: str
    title: str
    files: tuple[DataFile, ...]
    rows: str
    licence: str
    citation: str
    lessons: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="online_retail",
            title="UCI Online Retail: a UK gift shop's transactions, 2010-12-01 to 2011-12-09",
            files=(
                DataFile(
                    "online_retail/online_retail.csv.xz",
                    "bb73793e2d3a281b02d103dd79cf8c7af8e79d4d6688303a5aaffec46978ae5b",
                ),
            ),
            rows="541,909 transaction lines x 8 columns",
            licence="CC BY 4.0 (UCI); CC0 in the CRAN package onlineretail",
            citation="Chen, Sain & Guo (2012), J. Database Marketing & Customer "
            "Strategy Management 19(3), 197-208",
            lessons=("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "18"),
        ),
        DatasetInfo(
            name="groceries",
            title="arules Groceries: one month of point-of-sale baskets",
            files=(
                DataFile(
                    "groceries/groceries.csv",
                    "ff1be892fd6b9b57d1a7bc50de067798963dda607619645988b21789bf23ae3b",
                ),
                DataFile(
                    "groceries/groceries_items.csv",
                    "2c222b9a251f6c424d1ec1346aeb98ef61e5fd87faf61f56ada9a85217e89e83",
                ),
            ),
            rows="9,835 baskets, 169 distinct items",
            licence="GPL-3 (R package arules)",
            citation="Hahsler, Hornik & Reutterer (2006), Implications of probabilistic "
            "data modeling for mining association rules",
            lessons=("05",),
        ),
        DatasetInfo(
            name="bank_marketing",
            title="UCI Bank Marketing: phone campaigns for term deposits",
            files=(
                DataFile(
                    "bank_marketing/bank-full.csv.xz",
                    "a327fbf5868f7cf05ecc5b5270cad3734134a5fbf10a37c01812f774cece89e6",
                ),
                DataFile(
                    "bank_marketing/bank-additional-full.csv.xz",
                    "baa1a7b3edc7677084cce61fb9406cab25e5c5729b03b85b65a8039a666a96ba",
                ),
            ),
            rows="45,211 x 17 (full); 41,188 x 21 (additional)",
            licence="CC BY 4.0",
            citation="Moro, Cortez & Rita (2014), Decision Support Systems 62, 22-31",
            lessons=("12", "13", "18"),
        ),
        DatasetInfo(
            name="hillstrom",
            title="MineThatData E-Mail Analytics challenge (Hillstrom, 2008)",
            files=(
                DataFile(
                    "hillstrom/hillstrom_email_2008.csv.xz",
                    "ce0102b5f47f6b28faa37c1408e266eadee37b5460e1275bcb55f7aeeec5b418",
                ),
            ),
            rows="64,000 x 12",
            licence="Released publicly by Kevin Hillstrom (MineThatData, 2008); credit him",
            citation="Hillstrom, K. (2008), The MineThatData E-Mail Analytics And Data "
            "Mining Challenge",
            lessons=("15", "16"),
        ),
        DatasetInfo(
            name="open_bandit",
            title="Open Bandit Dataset, small sample (ZOZOTOWN)",
            files=(
                DataFile(
                    "open_bandit/random/all.csv.xz",
                    "305f771a67780ae7f1eb7c985a8f2cc44fdb982723d024b9a22a1b6b836c18c7",
                ),
                DataFile(
                    "open_bandit/random/item_context.csv",
                    "eba04cc23d5f130a93ff174c5392986882b94c3839433cb8143870eaa6221358",
                ),
                DataFile(
                    "open_bandit/bts/all.csv.xz",
                    "65fc82a0dd1644d0f2acc592aa0dc1f54e95bedd4d9130c58ca2d179c7b0d6cd",
                ),
                DataFile(
                    "open_bandit/bts/item_context.csv",
                    "5d4359ba1cfa3ae88f0f1bae66bd633859fe6323817183632ee57b83539d9153",
                ),
            ),
            rows="10,000 impressions per policy (random, bts)",
            licence="Apache-2.0 (obp package)",
            citation="Saito, Aihara, Matsutani & Narita (2020), Open Bandit Dataset and "
            "Pipeline, arXiv:2008.07146",
            lessons=("17",),
        ),
        DatasetInfo(
            name="sentiment",
            title="UCI Sentiment Labelled Sentences (Amazon, Yelp, IMDb)",
            files=(
                DataFile(
                    "sentiment/amazon_cells_labelled.txt",
                    "47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3",
                ),
                DataFile(
                    "sentiment/imdb_labelled.txt",
                    "aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d",
                ),
                DataFile(
                    "sentiment/yelp_labelled.txt",
                    "c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea",
                ),
            ),
            rows="3 x 1,000 sentences",
            licence="CC BY 4.0",
            citation="Kotzias, Denil, de Freitas & Smyth (2015), From Group to Individual "
            "Labels using Deep Features, KDD",
            lessons=("19",),
        ),
    )
}


def data_dir() -> Path:
    """Give the folder that holds the bundled datasets.

    ``$PMKT_DATA_DIR`` wins; otherwise the ``datasets/`` folder of the
    repository this package was installed from (an editable install).
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "datasets"


def cache_dir() -> Path:
    """Give the folder for derived, re-creatable files (never inside ``datasets/``)."""
    env = os.environ.get(CACHE_DIR_ENV)
    base = Path(env) if env else Path.home() / ".cache" / "pmkt_lessons"
    return base


def sha256_of(path: str | os.PathLike) -> str:
    """Give the hex sha256 of a file, read in chunks."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file path (str or Path), got {type(path).__name__}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"path: expected an existing file, got {str(path)!r}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_VERIFIED: dict[tuple[str, int, int], str] = {}


def _restore_hint(rel: str) -> str:
    return (
        f"Restore it from the repository with `git checkout -- datasets/{rel}` "
        f"(or re-clone the course); the original is described in "
        f"datasets/{rel.split('/')[0]}/DATACARD.md."
    )


def dataset_path(name: str, filename: str | None = None, *, verify: bool = True) -> Path:
    """Give the verified path of a registered dataset file.

    Parameters
    ----------
    name : str
        A key of ``REGISTRY``.
    filename : str, optional
        The file's path below the data folder; the dataset's first file if omitted.
    verify : bool
        Check existence and sha256 (default). Raises ``DatasetMissingError`` or
        ``DatasetChecksumError`` with a restore hint.
    """
    verify = require_bool(verify, "verify")
    info = _info(name)
    if filename is None:
        entry = info.files[0]
    else:
        matches = [f for f in info.files if f.path == filename or f.path.endswith("/" + filename)]
        if len(matches) != 1:
            known = ", ".join(f.path for f in info.files)
            raise ValueError(
                f"filename: expected one of the files of dataset {name!r} ({known}), "
                f"got {filename!r}"
            )
        entry = matches[0]
    path = data_dir() / entry.path
    if verify:
        _verify(path, entry)
    return path


def _info(name: str) -> DatasetInfo:
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(
            f"name: expected one of {sorted(REGISTRY)}, got {name!r}"
        )
    return REGISTRY[name]


def _verify(path: Path, entry: DataFile) -> None:
    env = os.environ.get(DATA_DIR_ENV)
    if env and not Path(env).is_dir():
        raise DatasetMissingError(
            f"{DATA_DIR_ENV}: expected a folder holding the datasets, got {env!r}, which is not a folder, "
            f"so dataset file {path} is missing. Point {DATA_DIR_ENV} at the repository's datasets/ folder "
            f"or unset it; a file deleted from that folder is restored by "
            f"`git checkout -- datasets/{entry.path}`."
        )
    if not path.is_file():
        raise DatasetMissingError(
            f"Dataset file {path} is missing. {_restore_hint(entry.path)}"
        )
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) == entry.sha256:
        return
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise DatasetChecksumError(
            f"Dataset file {path} is damaged or altered: sha256 {actual} does not "
            f"match the shipped {entry.sha256}. {_restore_hint(entry.path)}"
        )
    _VERIFIED[key] = actual


def verify_all() -> pd.DataFrame:
    """Give one row per registered file with its size and whether its checksum holds."""
    rows = []
    for info in REGISTRY.values():
        for entry in info.files:
            path = data_dir() / entry.path
            try:
                _verify(path, entry)
                status = "ok"
            except DatasetMissingError:
                status = "missing"
            except DatasetChecksumError:
                status = "checksum mismatch"
            size = path.stat().st_size if path.is_file() else 0
            rows.append({"dataset": info.name, "file": entry.path, "bytes": size, "status": status})
    return pd.DataFrame(rows)


def catalogue() -> pd.DataFrame:
    """Give the dataset catalogue (one row per dataset) shown in lesson 00."""
    return pd.DataFrame(
        [
            {
                "dataset": info.name,
                "what": info.title,
                "rows": info.rows,
                "licence": info.licence,
                "lessons": ", ".join(info.lessons),
            }
            for info in REGISTRY.values()
        ]
    ).set_index("dataset")


# --------------------------------------------------------------------------- loaders


def load_online_retail() -> pd.DataFrame:
    """Give the raw Online Retail transactions, typed, dirt included (lesson 01).

    ``InvoiceNo``, ``StockCode``, ``Description`` and ``Country`` are strings,
    ``InvoiceDate`` a datetime, ``CustomerID`` a nullable integer. Nothing is
    dropped: cleaning is the job of :mod:`pmkt_lessons.cleaning`.
    """
    path = dataset_path("online_retail")
    df = pd.read_csv(
        path,
        dtype={
            C.INVOICE: str,
            C.STOCK_CODE: str,
            C.DESCRIPTION: str,
            C.QUANTITY: "int64",
            C.UNIT_PRICE: "float64",
            C.CUSTOMER_ID: "float64",
            C.COUNTRY: str,
        },
        parse_dates=[C.INVOICE_DATE],
        date_format="%Y-%m-%d %H:%M:%S",
    )
    df[C.CUSTOMER_ID] = df[C.CUSTOMER_ID].astype("Int64")
    return df


@dataclass(frozen=True)
class Groceries:
    """Groceries baskets (each a list of item labels) and the item hierarchy."""

    baskets: list[list[str]]
    items: pd.DataFrame


def load_groceries() -> Groceries:
    """Give the 9,835 Groceries baskets and the item -> level2 -> level1 table (lesson 05).

    Item labels are stripped of surrounding spaces (one source label,
    ``"cream cheese "``, carries a trailing space), so there are 169 items.
    """
    path = dataset_path("groceries", "groceries/groceries.csv")
    with open(path, encoding="utf-8") as handle:
        baskets = [
            [item.strip() for item in line.rstrip("\n").split(",") if item.strip()]
            for line in handle
            if line.strip()
        ]
    items = pd.read_csv(dataset_path("groceries", "groceries/groceries_items.csv"), dtype=str)
    items = items.apply(lambda s: s.str.strip())
    return Groceries(baskets=baskets, items=items)


_BANK_FILES = {
    "full": "bank_marketing/bank-full.csv.xz",
    "additional": "bank_marketing/bank-additional-full.csv.xz",
}


def load_bank_marketing(version: str = "full") -> pd.DataFrame:
    """Give the Bank Marketing campaign table (lessons 12, 13).

    Parameters
    ----------
    version : {"full", "additional"}
        ``"full"``: bank-full (45,211 x 17, ``pdays = -1`` never contacted);
        ``"additional"``: bank-additional-full (41,188 x 21, five economic
        columns, ``pdays = 999`` never contacted).

    Text columns become ``category``; ``"unknown"`` is kept as a category of
    its own (lesson 13 argues what to do with it). The target ``y`` becomes
    0/1 (``int8``).
    """
    if version not in _BANK_FILES:
        raise ValueError(f"version: expected one of {sorted(_BANK_FILES)}, got {version!r}")
    df = pd.read_csv(dataset_path("bank_marketing", _BANK_FILES[version]), sep=";")
    df["y"] = df["y"].map({"yes": 1, "no": 0}).astype("int8")
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].astype("category")
    return df


def load_hillstrom() -> pd.DataFrame:
    """Give the Hillstrom e-mail test, 64,000 customers (lessons 15, 16).

    ``segment`` (the randomised arm), ``zip_code``, ``channel`` and
    ``history_segment`` are categories; the source's "Surburban" spelling is
    kept, as in the original file.
    """
    df = pd.read_csv(dataset_path("hillstrom"))
    for col in ("history_segment", "zip_code", "channel", "segment"):
        df[col] = df[col].astype("category")
    for col in ("mens", "womens", "newbie", "visit", "conversion"):
        df[col] = df[col].astype("int8")
    return df


@dataclass(frozen=True)
class OpenBandit:
    """One logging policy's impressions and the item features."""

    log: pd.DataFrame
    items: pd.DataFrame


def load_open_bandit(policy: str = "random") -> OpenBandit:
    """Give the Open Bandit sample logged by one policy (lesson 17).

    Parameters
    ----------
    policy : {"random", "bts"}
        ``"random"``: uniform-random logging; ``"bts"``: Bernoulli Thompson sampling.
    """
    if policy not in ("random", "bts"):
        raise ValueError(f"policy: expected 'random' or 'bts', got {policy!r}")
    log = pd.read_csv(dataset_path("open_bandit", f"open_bandit/{policy}/all.csv.xz"), index_col=0)
    log["timestamp"] = pd.to_datetime(log["timestamp"], format="ISO8601", utc=True)
    items = pd.read_csv(
        dataset_path("open_bandit", f"open_bandit/{policy}/item_context.csv"), index_col=0
    )
    return OpenBandit(log=log, items=items)


def load_sentiment() -> pd.DataFrame:
    """Give 3,000 labelled sentences with columns ``sentence``, ``label``, ``source`` (lesson 19)."""
    frames = []
    for source in ("amazon", "imdb", "yelp"):
        path = dataset_path("sentiment", f"sentiment/{source}_{'cells_' if source == 'amazon' else ''}labelled.txt")
        frame = pd.read_csv(
            path, sep="\t", header=None, names=["sentence", "label"], quoting=csv.QUOTE_NONE
        )
        frame["sentence"] = frame["sentence"].str.strip()
        frame["source"] = source
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    df["label"] = df["label"].astype("int8")
    df["source"] = df["source"].astype("category")
    return df


# --------------------------------------------------------------------------- MovieLens

MOVIELENS_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
# sha256 of the 100,000 ratings written as sorted "user,item,rating,timestamp"
# lines: the same fingerprint whichever route the data came by.
MOVIELENS_RATINGS_SHA256 = "0fccc4b62e2f6aa246014ac7b8946c15ccb82269dc40eaae7d45d81a5fb44e1a"
RECBOLE_SPEC = "recbole==1.2.1"
MOVIELENS_ITEM_COLUMNS = [C.ITEM, "movie_title", "release_year", "genres"]


@dataclass(frozen=True)
class MovieLens:
    """MovieLens 100K explicit ratings and the film table."""

    ratings: pd.DataFrame
    items: pd.DataFrame


def movielens_fingerprint(ratings: pd.DataFrame) -> str:
    """Give the sha256 of the ratings in a canonical text form (route-independent)."""
    cols = [C.USER, C.ITEM, C.RATING, C.TIMESTAMP]
    if not isinstance(ratings, pd.DataFrame) or any(c not in ratings.columns for c in cols):
        raise ValueError(f"ratings: expected a DataFrame with columns {cols}, got {type(ratings).__name__}")
    values = ratings[cols].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("ratings: expected whole numbers in every column, got NaN or inf")
    canon = ratings[cols].astype("int64").sort_values(cols)
    text = canon.to_csv(index=False, header=False, lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


def _movielens_from_recbole() -> MovieLens | None:
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "dataset_example" / "ml-100k"
    inter, item = folder / "ml-100k.inter", folder / "ml-100k.item"
    if not inter.is_file():
        return None
    ratings = pd.read_csv(inter, sep="\t")
    ratings.columns = [C.USER, C.ITEM, C.RATING, C.TIMESTAMP]
    items = pd.read_csv(item, sep="\t", dtype=str)
    items.columns = [c.split(":")[0] for c in items.columns]
    items = items.rename(columns={"class": "genres"})
    items[C.ITEM] = items[C.ITEM].astype("int64")
    return MovieLens(ratings=ratings.astype("int64"), items=items[MOVIELENS_ITEM_COLUMNS])


def _movielens_from_grouplens() -> MovieLens | None:
    import urllib.request

    try:
        with urllib.request.urlopen(MOVIELENS_URL, timeout=20) as response:  # noqa: S310
            payload = response.read()
    except OSError:
        return None
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        ratings = pd.read_csv(
            archive.open("ml-100k/u.data"),
            sep="\t",
            names=[C.USER, C.ITEM, C.RATING, C.TIMESTAMP],
        )
        genres = pd.read_csv(archive.open("ml-100k/u.genre"), sep="|", header=None)[0].tolist()
        raw = pd.read_csv(
            archive.open("ml-100k/u.item"), sep="|", header=None, encoding="latin-1"
        )
    flags = raw.iloc[:, 5 : 5 + len(genres)].to_numpy(dtype=bool)
    items = pd.DataFrame(
        {
            C.ITEM: raw[0].astype("int64"),
            "movie_title": raw[1].str.replace(r"\s*\(\d{4}\)$", "", regex=True),
            "release_year": pd.to_datetime(raw[2], format="%d-%b-%Y").dt.year.astype("Int64").astype(str),
            "genres": [" ".join(g for g, f in zip(genres, row, strict=True) if f) for row in flags],
        }
    )
    return MovieLens(ratings=ratings.astype("int64"), items=items[MOVIELENS_ITEM_COLUMNS])


def pip_command() -> str:
    """Give the pip command that installs into the running Python.

    ``.venv/bin/pip`` (run in the repository root) when this is the course's own
    environment, otherwise ``<this python> -m pip``: a bare ``pip`` may belong
    to another Python and install where the lessons never look.
    """
    repo_venv = Path(__file__).resolve().parent.parent / ".venv"
    try:
        if Path(sys.prefix).resolve() == repo_venv.resolve():
            return ".venv/bin/pip"
    except OSError:
        pass
    return f"{shlex.quote(sys.executable)} -m pip"


def _read_cache(cached: Path) -> tuple[MovieLens | None, str]:
    """Give (the cached MovieLens if it is there and sound, why it is not used otherwise)."""
    if not cached.is_file():
        return None, ""
    try:
        data = pd.read_pickle(cached)
    except Exception as exc:  # noqa: BLE001 - any unreadable pickle is a corrupt cache
        return None, f"the cache file {cached} is corrupt ({type(exc).__name__}); delete it: `rm {shlex.quote(str(cached))}`"
    if not isinstance(data, MovieLens) or movielens_fingerprint(data.ratings) != MOVIELENS_RATINGS_SHA256:
        return None, (
            f"the cache file {cached} is stale (not the expected ratings); "
            f"delete it: `rm {shlex.quote(str(cached))}`"
        )
    return data, ""


def load_movielens_100k(*, download: bool = True, use_cache: bool = True) -> MovieLens:
    """Give MovieLens 100K ratings (``user_id, item_id, rating, timestamp``) and films (lesson 09).

    MovieLens may not be redistributed, so it is not in ``datasets/``. The
    routes, in order: the copy inside the ``recbole`` wheel (installed by
    ``make setup`` with ``pip install --no-deps recbole==1.2.1``); the parsed
    cache ``movielens_100k.pkl`` in :func:`cache_dir`, whose location is printed
    when it is used (it stands in for a missing carrier); a download from
    GroupLens when online and ``download=True``. Whatever the route, the
    ratings must match a fixed fingerprint, else the data is rejected. A stale
    or corrupt cache is named in the error, with the command that removes it.
    """
    download = require_bool(download, "download")
    use_cache = require_bool(use_cache, "use_cache")
    cached = cache_dir() / "movielens_100k.pkl"
    data = _movielens_from_recbole()
    if data is not None:
        got = movielens_fingerprint(data.ratings)
        if got != MOVIELENS_RATINGS_SHA256:
            raise DatasetChecksumError(
                f"MovieLens 100K from recbole does not match the expected ratings "
                f"(fingerprint {got}). Reinstall it: "
                f"`{pip_command()} install --no-deps --force-reinstall {RECBOLE_SPEC}`."
            )
        if use_cache and not cached.is_file():
            _write_cache(data, cached)
        return data
    cache_problem = ""
    if use_cache:
        data, cache_problem = _read_cache(cached)
        if data is not None:
            print(
                f"MovieLens 100K: read from the cache {cached} (the recbole carrier is not "
                f"installed; `{pip_command()} install --no-deps {RECBOLE_SPEC}` restores it)"
            )
            return data
    if download:
        data = _movielens_from_grouplens()
        if data is not None:
            got = movielens_fingerprint(data.ratings)
            if got != MOVIELENS_RATINGS_SHA256:
                raise DatasetChecksumError(
                    f"MovieLens 100K downloaded from {MOVIELENS_URL} does not match the "
                    f"expected ratings (fingerprint {got}). Install the carrier instead: "
                    f"`{pip_command()} install --no-deps {RECBOLE_SPEC}`."
                )
            if use_cache and _write_cache(data, cached):
                print(f"MovieLens 100K: downloaded from GroupLens, cached in {cached}")
            return data
    raise DatasetMissingError(
        "MovieLens 100K is not available offline. Install its carrier, in the repository "
        f"root: `{pip_command()} install --no-deps {RECBOLE_SPEC}` (or run `make setup`, "
        f"which restores it)"
        + (f", or go online so it can be fetched from {MOVIELENS_URL}" if download else "")
        + (f". Also, {cache_problem}." if cache_problem else ".")
    )


def _write_cache(data: MovieLens, cached: Path) -> bool:
    """Save ``data`` to the cache file; give whether that worked (a read-only home is fine)."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        pd.to_pickle(data, cached)
    except OSError:
        return False
    return True
