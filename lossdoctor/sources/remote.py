"""Logs and run folders in remote storage (``s3://``, ``gs://``, ``hf://``, ``https://``, ...)
through fsspec, an optional extra; credentials come the usual way of each filesystem.

A remote log is copied into a scratch folder and read there like a local one; a remote
folder is copied file by file (checkpoints, images and other files that are never logs are
left behind) and searched for runs as a local folder is. A folder is copied once per process.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import LogReadError, LossdoctorError, MissingDependencyError
from ..frame import LossLog
from ..parsers.discover import SKIP_FOLDERS, Unit, _skipped, discover
from ..parsers.registry import ReadOptions

#: the extra that brings each filesystem's package
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "hf": "hf"}
MAX_FILES = 5000
MAX_BYTES = 4 * 1024 ** 3
_MIRRORS: dict[str, Path] = {}      # remote folder -> its local copy, for this process


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path within it); a missing package names the extra to install."""
    kind = url.split("://", 1)[0].lower()
    extra = EXTRAS.get(kind, "remote")
    try:
        import fsspec
    except ImportError:
        raise MissingDependencyError(f"reading {kind}:// needs fsspec", url,
                                     f"pip install 'lossdoctor[{extra}]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise MissingDependencyError(f"reading {kind}:// needs a package that is not "
                                     f"installed ({str(exc).splitlines()[0][:80]})", url,
                                     f"pip install 'lossdoctor[{extra}]'") from None
    except ValueError as exc:
        raise LogReadError(f"not a storage address fsspec knows ({exc})", url) from None


def _failure(exc: Exception, url: str) -> LogReadError:
    if isinstance(exc, FileNotFoundError):
        return LogReadError("no such file or folder", url)
    if isinstance(exc, PermissionError):
        return LogReadError("access denied (check the credentials for this storage)", url)
    if "Credentials" in type(exc).__name__:     # botocore's NoCredentialsError and kin
        return LogReadError("no credentials for this storage", url,
                            "set them up the usual way of the filesystem (AWS profile or "
                            "environment, gcloud auth, HF_TOKEN)")
    return LogReadError(f"cannot read from remote storage ({type(exc).__name__}: "
                        f"{str(exc)[:120]})", url)


def remote_is_dir(url: str) -> bool:
    """A folder: for HTTP, a page of links (a log that merely holds a URL is a file)."""
    fs, path = filesystem(url)
    try:
        if url.lower().startswith(("http://", "https://")):
            page = str(_http_info(fs, path).get("mimetype") or "").startswith("text/html")
            return page and bool(fs.isdir(path))
        return bool(fs.isdir(path))
    except Exception as exc:
        raise _failure(exc, url) from None


def _http_info(fs: Any, path: str) -> dict[str, Any]:
    """fsspec says 'not found' for a server that cannot be reached: ask again to say which."""
    try:
        return dict(fs.info(path))
    except FileNotFoundError:
        fs.isdir(path)          # raises the connection error when the host is down
        raise


def info(url: str) -> tuple[Any, ...] | None:
    """What changes when a remote log changes (size, time, ETag); None while it is missing."""
    fs, path = filesystem(url)
    try:
        found = fs.info(path)
    except FileNotFoundError:
        return None
    except Exception as exc:
        raise _failure(exc, url) from None
    keys = ("size", "mtime", "LastModified", "Last-Modified", "last_modified", "updated",
            "ETag", "etag")
    return tuple(str(found.get(k)) for k in keys)


def fetch(url: str, into: Path) -> Path:
    """Copy one remote file into ``into`` under its own name."""
    fs, path = filesystem(url)
    local = into / (path.rstrip("/").rsplit("/", 1)[-1] or "log")
    try:
        fs.get_file(path, str(local))
    except Exception as exc:
        raise _failure(exc, url) from None
    return local


def mirror(url: str) -> Path:
    """A local copy of a remote folder's possible logs (made once per process)."""
    key = url.rstrip("/")
    if key in _MIRRORS and _MIRRORS[key].exists():
        return _MIRRORS[key]
    fs, root = filesystem(url)
    root = root.rstrip("/")
    try:
        found = fs.find(root, detail=True)
    except Exception as exc:
        raise _failure(exc, url) from None
    local = Path(tempfile.mkdtemp(prefix="lossdoctor-remote-"))
    atexit.register(shutil.rmtree, local, True)
    count, total = 0, 0
    for name, meta in sorted(found.items()):
        rel = name[len(root):].lstrip("/") if name.startswith(root) else ""
        parts = rel.split("/")
        if not rel or any(p.startswith(".") or p in SKIP_FOLDERS for p in parts) or \
                _skipped(parts[-1]) or meta.get("type") == "directory":
            continue
        count, total = count + 1, total + int(meta.get("size") or 0)
        if count > MAX_FILES or total > MAX_BYTES:
            raise LogReadError(f"the remote folder holds more than {MAX_FILES} files or "
                               f"{MAX_BYTES >> 30} GB of possible logs", url,
                               "point at one run's folder or log")
        target = local.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fs.get_file(name, str(target))
        except Exception as exc:
            raise _failure(exc, f"{key}/{rel}") from None
    _MIRRORS[key] = local
    return local


def _local(url: str) -> tuple[Path | None, str]:
    """The local copy of ``url`` when it lies in a folder already copied, else (None, '')."""
    for root, local in _MIRRORS.items():
        if url.rstrip("/") == root or url.startswith(root + "/"):
            rel = url.rstrip("/")[len(root):].lstrip("/")
            return local.joinpath(*rel.split("/")) if rel else local, str(local)
    return None, ""


def load_remote(url: str, input_format: str | None, options: ReadOptions) -> LossLog:
    """Read a remote log file or run folder; messages name the remote address."""
    from ..parsers import load

    copied, _ = _local(url)
    scratch = None
    try:
        if copied is None:
            if remote_is_dir(url):
                copied = mirror(url)
            else:
                scratch = Path(tempfile.mkdtemp(prefix="lossdoctor-remote-"))
                copied = fetch(url, scratch)
        log = load(copied, input_format, options)
    except LossdoctorError as exc:
        if exc.path is not None and copied is not None and exc.path.startswith(str(copied)):
            exc.path = url + exc.path[len(str(copied)):]
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    log.source = url
    return log


def remote_units(url: str) -> list[Unit]:
    """The runs under a remote folder, found in its local copy and named by remote address."""
    if not remote_is_dir(url):
        return [Unit("", url)]
    local = mirror(url)
    base = url.rstrip("/")
    units = []
    for unit in discover(local):
        fmt = unit.choose_format()      # sniffed here, where the bytes are
        if fmt == "":
            continue
        rel = os.path.relpath(unit.path, local).replace(os.sep, "/")
        units.append(Unit(unit.run, base if rel == "." else f"{base}/{rel}", fmt))
    return units
