"""Output folders ipstats may replace: the marker, the guard, the lock and the crash-safe swap.

A bulletin run writes into a folder it builds beside the published one (``DIR.partial-<pid>``) and
then puts it in place. Replacing a folder is the one destructive thing ipstats does, so it is
allowed only for a folder ipstats created:

* every folder a run builds carries a marker file (:data:`MARKER`, JSON naming its kind:
  ``bulletin`` or ``internal``);
* :func:`check_replaceable` refuses, before any work, a target that holds files without that marker,
  the file system root, the home folder, the current folder or one of its ancestors, a mount point,
  and any folder that is or contains an input, the parameter file or the notebooks;
* :func:`run_lock` holds an exclusive lock (``.DIR.lock`` beside ``DIR``) for the whole run, so two
  runs to one folder cannot both succeed; under it :func:`clean_stale` removes what killed runs left;
* :func:`swap_in` exchanges the finished folder with the published one in one atomic
  ``renameat2(RENAME_EXCHANGE)``, so the published path always holds a complete bulletin, old or new.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import logging
import os
import shutil
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from ipstats.bulletin.errors import BulletinError

__all__ = [
    "MARKER",
    "RunInterrupted",
    "check_replaceable",
    "clean_stale",
    "is_ours",
    "make_folder",
    "raise_on_signals",
    "remove_ours",
    "run_lock",
    "swap_in",
]

log = logging.getLogger(__name__)

#: Name of the marker file written into every folder a bulletin run builds.
MARKER = ".ipstats-output.json"
#: What a bulletin folder written before the marker existed holds (accepted as ipstats' own: see :func:`is_ours`).
_LEGACY_ENTRIES = {"index.html", "manifest.json", "tables.xlsx", "notebooks", "tables", "figures", "texts"}


class RunInterrupted(BaseException):
    """A bulletin run was stopped by a signal (SIGTERM, SIGHUP); raised so that clean-up code runs."""


def _write_marker(folder: Path, kind: str) -> None:
    from ipstats import __version__

    record = {
        "kind": kind,
        "written_by": f"ipstats {__version__}",
        "pid": os.getpid(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "note": "ipstats may replace this folder as a whole; do not keep other files in it",
    }
    (folder / MARKER).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def make_folder(folder: Path, kind: str, private: bool = False) -> Path:
    """Create the empty folder *folder* (parents too) with the marker of *kind* in it.

    Parameters
    ----------
    folder : Path
        Must not exist yet.
    kind : str
        ``bulletin`` or ``internal``.
    private : bool
        Readable by the owner only (mode 0700): for unprotected detail.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700 if private else 0o777)
    if private:
        os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask, never widened: make it exact
    _write_marker(folder, kind)
    return folder


def _marker_kind(folder: Path) -> str | None:
    try:
        record = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record.get("kind") if isinstance(record, dict) else None


def _legacy_bulletin(folder: Path) -> bool:
    """A bulletin written before markers existed: only bulletin entries, and a manifest ipstats wrote."""
    try:
        entries = {p.name for p in folder.iterdir()}
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    pages = {name for name in entries if name.endswith(".html")}
    return (
        isinstance(manifest, dict)
        and "ipstats_version" in manifest
        and "inputs" in manifest
        and entries - pages <= _LEGACY_ENTRIES
    )


def is_ours(folder: Path, kind: str) -> bool:
    """Whether *folder* is a folder of *kind* that a bulletin run created (its marker, or a pre-marker bulletin)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    found = _marker_kind(folder)
    if found is not None:
        return found == kind
    return kind == "bulletin" and _legacy_bulletin(folder)


def _empty(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir())


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_replaceable(target: Path, kind: str, keep: Iterable[tuple[str, Path]] = ()) -> None:
    """Refuse, in one line, a *target* that a run of *kind* must not replace.

    Parameters
    ----------
    target : Path
        The folder the run would publish to (absolute).
    kind : str
        ``bulletin`` or ``internal``.
    keep : iterable of (what, path)
        Files and folders the run reads (inputs, parameter file, notebooks): the target may not be
        one of them nor contain one.

    Raises
    ------
    BulletinError
        The target is ``/``, the home folder, the current folder or an ancestor of it, a mount point,
        a symbolic link, not a folder, holds or is an input, or holds files ipstats did not write.
    """
    what = "output" if kind == "bulletin" else "internal_output"
    target = Path(os.path.abspath(target))
    home = Path(os.path.abspath(os.path.expanduser("~")))
    cwd = Path.cwd()
    if target == Path(target.anchor):
        raise BulletinError(f"{what} {target} is the root of the file system: choose a new folder for the bulletin")
    if target == home or _inside(home, target):
        raise BulletinError(f"{what} {target} is your home folder or holds it: choose a new folder for the bulletin")
    if _inside(cwd, target):
        raise BulletinError(
            f"{what} {target} is the current folder or holds it: choose a new folder, e.g. --out out/bulletin"
        )
    for label, path in keep:
        path = Path(os.path.abspath(path))
        if _inside(path, target):
            raise BulletinError(
                f"{what} {target} holds the {label} {path}: a run replaces its output folder "
                f"as a whole; choose a folder of its own"
            )
    if target.is_symlink():
        raise BulletinError(f"{what} {target} is a symbolic link: give the folder itself")
    if not target.exists():
        return
    if not target.is_dir():
        raise BulletinError(f"{what} {target} exists and is not a folder")
    if os.path.ismount(target):
        raise BulletinError(f"{what} {target} is a mount point: choose a folder inside it")
    if is_ours(target, kind):
        return
    try:
        entries = sorted(p.name for p in target.iterdir())
    except OSError as exc:
        raise BulletinError(f"{what} {target} cannot be read: {exc.strerror or exc}") from None
    if entries:
        shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        raise BulletinError(
            f"{what} {target} holds files ipstats did not write ({shown}; no {MARKER}): "
            f"a run replaces its output folder as a whole; choose a new or empty folder"
        )


@contextlib.contextmanager
def run_lock(target: Path) -> Iterator[Path]:
    """Hold the exclusive lock of *target* (file ``.NAME.lock`` beside it) for the duration of a run.

    Missing parent folders are created for the lock file; when the run leaves nothing at *target*
    (it was refused or failed), they are removed again with the lock file, so a refused run leaves no trace.

    Raises
    ------
    BulletinError
        Another run holds the lock.
    """
    created = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.with_name(f".{target.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            created = []  # the other run's folders
            raise BulletinError(
                f"another ipstats run (pid {holder}) is writing {target}; wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield lock
    finally:
        if created and not target.exists():
            with contextlib.suppress(OSError):
                lock.unlink()
                for folder in created:  # innermost first; stops at the first that is not empty
                    folder.rmdir()
        os.close(fd)  # closing releases the lock


def remove_ours(folder: Path, kind: str) -> bool:
    """Remove *folder* when it is a folder of *kind* a run created; return whether it was removed."""
    if not is_ours(folder, kind):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def clean_stale(target: Path, kind: str) -> list[Path]:
    """Remove the partial and previous folders that killed runs left beside *target* (call under its lock).

    A run killed between the two renames of a non-atomic swap leaves the old bulletin as
    ``DIR.previous-<pid>`` and nothing at ``DIR``: that folder is put back first.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    previous = sorted(parent.glob(f"{target.name}.previous-*"))
    if not target.exists() and previous and is_ours(previous[-1], kind):
        previous[-1].rename(target)
        log.warning("restored %s from %s (a run was stopped while publishing)", target, previous[-1])
        previous = previous[:-1]
    for folder in [*parent.glob(f"{target.name}.partial-*"), *previous]:
        if remove_ours(folder, kind):
            removed.append(folder)
            log.info("removed %s, left by a run that was stopped", folder)
    return removed


def _libc_exchange() -> "ctypes._CFuncPtr | None":
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths *a* and *b* atomically; False where the system or file system cannot."""
    func = _libc_exchange()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(partial: Path, target: Path, kind: str) -> None:
    """Publish *partial* at *target*; the old *target* (a folder of *kind* ipstats made) is removed.

    The swap is one atomic exchange where the file system allows it; elsewhere two renames, and a run
    killed between them leaves ``DIR.previous-<pid>``, which :func:`clean_stale` restores.
    """
    if not target.exists():
        partial.rename(target)
        return
    if not (is_ours(target, kind) or _empty(target)):  # checked before the run; the folder changed since
        raise BulletinError(
            f"{target} changed during the run and now holds files ipstats did not write; "
            f"the finished bulletin is kept in {partial}"
        )
    if _exchange(partial, target):
        shutil.rmtree(partial, ignore_errors=True)  # now the old bulletin
        return
    previous = target.with_name(f"{target.name}.previous-{os.getpid()}")
    target.rename(previous)
    try:
        partial.rename(target)
    except OSError:
        previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _orphaned_task(record: logging.LogRecord) -> bool:
    """Logging filter: drop asyncio's reports of tasks left unfinished by an interrupted run."""
    return not str(record.msg).startswith(("Task exception was never retrieved", "Task was destroyed but"))


@contextlib.contextmanager
def raise_on_signals(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)) -> Iterator[None]:
    """Turn *signals* into :class:`RunInterrupted` while the block runs (main thread only; else a no-op)."""

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        # the notebook client's tasks that the exception leaves behind report their own end ("Task exception
        # was never retrieved … DeadKernelError") when they are collected: the run already says it was stopped
        logging.getLogger("asyncio").addFilter(_orphaned_task)
        raise RunInterrupted(f"stopped by {signal.Signals(signum).name}")

    try:
        saved = {s: signal.signal(s, handler) for s in signals}
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        for s, old in saved.items():
            signal.signal(s, old)
