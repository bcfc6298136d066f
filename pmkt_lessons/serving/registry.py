"""Models on disk: save a fitted model with its metadata and a sha256 manifest, load it back only if intact.

A model folder holds three files::

    model.joblib     the fitted estimator (a pickle: loading runs code, so never load an unchecked one)
    metadata.json    lesson, training period, metrics, package and library versions
    manifest.json    the sha256 of the two files above

:func:`load_model` checks every file of the manifest before it unpickles
anything, so a truncated, edited or missing file stops the caller with a
:class:`ModelIntegrityError` that names the file. This is the small version
of a model registry (MLflow's, SageMaker's, Vertex AI's): versioned folders,
metadata next to the weights, and checksums. Introduced in lesson 22.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import joblib

from ..data import data_dir, sha256_of
from ..validation import require_bool

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "manifest.json"
REQUIRED_METADATA = ("name", "lesson", "training_period", "metrics")
_LIBRARIES = ("pmkt_lessons", "numpy", "scipy", "pandas", "scikit-learn", "torch")


class ModelIntegrityError(RuntimeError):
    """A model folder whose files are missing or differ from its manifest (the message names the file)."""


@dataclass(frozen=True)
class LoadedModel:
    """A model read back from disk: the estimator, its metadata and the folder it came from.

    Introduced in lesson 22.
    """

    model: Any
    metadata: dict
    path: Path

    @property
    def name(self) -> str:
        """Give the model's name from its metadata."""
        return str(self.metadata["name"])


def library_versions() -> dict[str, str]:
    """Give the installed versions of the package and the libraries a pickled model depends on.

    Introduced in lesson 22.
    """
    out = {"python": platform.python_version()}
    for lib in _LIBRARIES:
        try:
            out[lib] = importlib_metadata.version(lib)
        except importlib_metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


def _folder(path: object, arg: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{arg}: expected a folder path (str or Path), got {type(path).__name__}")
    return Path(path)


def _outside_datasets(folder: Path, arg: str) -> None:
    data = data_dir().resolve()
    target = folder.resolve()
    if target == data or data in target.parents:
        raise ValueError(f"{arg}: expected a folder outside the datasets folder {data}, got {folder}")


def _check_metadata(metadata: object) -> dict:
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata: expected a dict, got {type(metadata).__name__}")
    missing = [key for key in REQUIRED_METADATA if key not in metadata]
    if missing:
        raise ValueError(f"metadata: expected keys {list(REQUIRED_METADATA)}, got no {missing}")
    if not isinstance(metadata["name"], str) or not metadata["name"]:
        raise ValueError(f"metadata: expected 'name' to be a non-empty string, got {metadata['name']!r}")
    if not isinstance(metadata["metrics"], dict):
        raise TypeError(f"metadata: expected 'metrics' to be a dict, got {type(metadata['metrics']).__name__}")
    try:
        json.dumps(metadata)
    except TypeError as exc:
        raise TypeError(f"metadata: expected JSON-serialisable values ({exc})") from exc
    return dict(metadata)


def save_model(model: object, folder, metadata: dict, *, overwrite: bool = False) -> Path:
    """Give the folder after writing ``model``, its metadata and their sha256 manifest into it.

    Introduced in lesson 22.

    Parameters
    ----------
    model : object
        A fitted estimator (anything joblib can pickle).
    folder : str or Path
        Created if needed; never inside the datasets folder.
    metadata : dict
        Must hold ``name``, ``lesson``, ``training_period`` and ``metrics``
        (a dict); any other JSON-serialisable keys are kept. The model class
        and the library versions (:func:`library_versions`) are added.
    overwrite : bool
        Replace an existing model in ``folder``; by default an existing
        ``manifest.json`` raises, so a saved version is never changed in place.

    Returns
    -------
    Path
        The folder. ``model`` and ``metadata`` are not changed.
    """
    folder = _folder(folder, "folder")
    _outside_datasets(folder, "folder")
    meta = _check_metadata(metadata)
    require_bool(overwrite, "overwrite")
    if (folder / MANIFEST_FILE).exists() and not overwrite:
        raise FileExistsError(
            f"folder: expected a folder without a saved model, got {folder} (pass overwrite=True to replace it)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    meta.setdefault("model_class", f"{type(model).__module__}.{type(model).__qualname__}")
    meta["versions"] = library_versions()
    joblib.dump(model, folder / MODEL_FILE)
    (folder / METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest = {
        "algorithm": "sha256",
        "files": {name: sha256_of(folder / name) for name in (MODEL_FILE, METADATA_FILE)},
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder


def verify_model(folder) -> dict[str, str]:
    """Give ``{file name: sha256}`` of a model folder after checking every file against its manifest.

    Raises :class:`ModelIntegrityError` naming the file when the manifest is
    missing or unreadable, a listed file is missing, or its sha256 differs.
    Introduced in lesson 22.
    """
    folder = _folder(folder, "folder")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder: expected a saved model folder, got {str(folder)!r}, which is not a folder")
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ModelIntegrityError(f"{manifest_path}: manifest missing; save the model with save_model()")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(f"{manifest_path}: unreadable manifest ({exc})") from exc
    for name in (MODEL_FILE, METADATA_FILE):
        if name not in files:
            raise ModelIntegrityError(f"{manifest_path}: expected an entry for {name}, found none")
    for name, expected in sorted(files.items()):
        path = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ModelIntegrityError(f"{manifest_path}: expected file names inside the folder, got {name!r}")
        if not path.is_file():
            raise ModelIntegrityError(f"{path}: file missing (listed in {MANIFEST_FILE})")
        actual = sha256_of(path)
        if actual != expected:
            raise ModelIntegrityError(
                f"{path}: sha256 mismatch (manifest {expected[:12]}..., file {actual[:12]}...); "
                "the file was changed or truncated after saving: save the model again"
            )
    return files


def load_model(folder) -> LoadedModel:
    """Give the model saved in ``folder`` with its metadata, after :func:`verify_model` passes.

    Nothing is unpickled before every checksum matches. Introduced in lesson 22.
    """
    folder = _folder(folder, "folder")
    files = verify_model(folder)
    metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    metadata["sha256"] = files[MODEL_FILE]
    model = joblib.load(folder / MODEL_FILE)
    return LoadedModel(model=model, metadata=metadata, path=folder)
