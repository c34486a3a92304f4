"""Output safety (#25): a run only replaces folders it created, holds a lock, swaps atomically, cleans up.

Each probe of the reliability report that concerned output folders is a test here: a folder of the
user's own files, the inputs' folder, ``~``, ``.``, ``/`` and a mount point are refused before any work;
demo data never replaces a real register; two runs to one folder cannot both succeed; a signal removes
unprotected partial output; stale partial folders are cleaned; a full disk leaves nothing behind.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ipstats.bulletin import BulletinError, folders, run_bulletin
from ipstats.register.demo import DemoFolderError, check_demo_folder, write_demo_data

from test_bulletin_run import DATA, _write


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _refused(params: Path, match: str, **kwargs) -> str:
    with pytest.raises(BulletinError, match=match) as info:
        run_bulletin(params, progress=None, **kwargs)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_folder_of_user_files_is_refused_before_any_work(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    params = _write(tmp_path / "run", output=str(out))
    _refused(params, r"holds files ipstats did not write \(thesis.docx; no \.ipstats-output\.json\)")
    assert _tree(out) == {"thesis.docx": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "run"]  # no partial, lock or failed folder


@pytest.mark.parametrize("where", ["inputs", "parent_of_inputs"])
def test_folder_holding_the_inputs_is_refused(tmp_path, where):
    run = tmp_path / "run"
    params = _write(run)
    out = run if where == "inputs" else tmp_path
    before = _tree(tmp_path)
    message = _refused(params, "holds the (parameter file|notebook folder|input)", out=out)
    assert str(out) in message
    assert _tree(tmp_path) == before


def test_home_current_root_and_mount_point_are_refused(tmp_path, monkeypatch):
    params = _write(tmp_path / "run")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    _refused(params, "is your home folder", out=home)
    _refused(params, "is your home folder or holds it", out=tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _refused(params, "is the current folder", out=Path("."))
    _refused(params, "root of the file system", out=Path("/"))
    assert os.path.ismount("/proc")
    _refused(params, "is a mount point", out=Path("/proc"))


def test_symlinked_folder_and_file_are_refused(tmp_path):
    params = _write(tmp_path / "run")
    real = tmp_path / "real"
    real.mkdir()
    (real / "photo.jpg").write_bytes(b"\xff\xd8")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    _refused(params, rf"output {real} holds files ipstats did not write", out=link)  # judged where it points
    assert folders.is_ours(link, "bulletin") is False
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    _refused(params, "exists and is not a folder", out=afile)


def test_empty_folder_marker_and_older_bulletin_are_replaced(tmp_path):
    params = _write(tmp_path / "run")
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run_bulletin(params, out=empty, progress=None)
    marker = json.loads((out / folders.MARKER).read_text(encoding="utf-8"))
    assert marker["kind"] == "bulletin" and marker["written_by"].startswith("ipstats ")
    (out / "index.html").write_text("old page", encoding="utf-8")
    run_bulletin(params, out=empty, progress=None)  # its own folder: replaced
    assert (out / "index.html").read_text(encoding="utf-8") != "old page"
    # a bulletin written before markers existed (manifest by ipstats, bulletin entries only) is replaced too
    (out / folders.MARKER).unlink()
    (out / "bulletin.pdf").unlink(missing_ok=True)  # nor a PDF then
    assert folders.is_ours(out, "bulletin")
    run_bulletin(params, out=empty, progress=None)
    assert (out / folders.MARKER).is_file()
    # ... but not once a file of the user's own lies in it
    (out / folders.MARKER).unlink()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert not folders.is_ours(out, "bulletin")
    _refused(params, "holds files ipstats did not write", out=empty)


def test_internal_output_is_guarded_and_private(tmp_path):
    internal = tmp_path / "internal"
    internal.mkdir()
    (internal / "ledger.xlsx").write_bytes(b"confidential")
    params = _write(tmp_path / "run", internal_output=str(internal), notebooks=["slow"])
    _refused(params, r"internal_output .* holds files ipstats did not write")
    assert _tree(internal) == {"ledger.xlsx": b"confidential"}
    (internal / "ledger.xlsx").unlink()
    run_bulletin(params, progress=None)
    assert stat.S_IMODE(internal.stat().st_mode) == 0o700
    assert (internal / "tables" / "detail.csv").is_file()
    assert json.loads((internal / folders.MARKER).read_text(encoding="utf-8"))["kind"] == "internal"


def test_demo_data_never_replaces_a_real_register(tmp_path):
    real = tmp_path / "data_demo"
    real.mkdir()
    (real / "register.parquet").write_bytes(b"PAR1 a real register")
    with pytest.raises(DemoFolderError, match=r"holds register\.parquet, which ipstats demo-data did not write"):
        write_demo_data(real, patents=50, domains=False)
    assert (real / "register.parquet").read_bytes() == b"PAR1 a real register"
    params = _write(tmp_path / "run", demo_data={"out": str(real), "patents": 50})
    _refused(params, r"demo_data: .* holds register\.parquet")
    assert (real / "register.parquet").read_bytes() == b"PAR1 a real register"
    # an earlier demo folder is the generator's own: rewritten without complaint
    demo = tmp_path / "demo"
    write_demo_data(demo, patents=50, domains=False)
    check_demo_folder(demo)
    write_demo_data(demo, patents=60, domains=False)


def test_domain_demo_is_not_written_into_a_real_folder(tmp_path):
    from ipstats.pii.demo import demo_if_missing

    real = tmp_path / "demo_province"  # named like a demo folder, but holds real data
    real.mkdir()
    (real / "register.parquet").write_bytes(b"PAR1 real")
    with pytest.raises(FileNotFoundError, match="employment file not found"):
        demo_if_missing(real / "employment_by_industry.csv", real / "register.parquet")
    assert sorted(p.name for p in real.iterdir()) == ["register.parquet"]


def test_second_run_to_the_same_folder_is_refused(tmp_path):
    params = _write(tmp_path / "run")
    target = (tmp_path / "run" / "out" / "bulletin").resolve()
    with folders.run_lock(target):
        message = _refused(params, rf"another ipstats run \(pid {os.getpid()}\) is writing")
        assert str(target) in message
    run_bulletin(params, progress=None)  # released: the next run goes through


def test_stale_partial_folders_are_cleaned_but_not_the_users(tmp_path):
    params = _write(tmp_path / "run")
    parent = tmp_path / "run" / "out"
    stale = folders.make_folder(parent / "bulletin.partial-999999", "bulletin")
    stale_internal = folders.make_folder(parent / "bulletin.previous-999998", "bulletin")
    users = parent / "bulletin.partial-1"
    users.mkdir()
    (users / "keep.txt").write_text("mine", encoding="utf-8")
    run_bulletin(params, progress=None)
    names = sorted(p.name for p in parent.iterdir())
    assert names == [".bulletin.lock", "bulletin", "bulletin.partial-1"]
    assert not stale.exists() and not stale_internal.exists()


def test_killed_between_two_renames_is_restored(tmp_path):
    target = tmp_path / "bulletin"
    previous = folders.make_folder(tmp_path / "bulletin.previous-4242", "bulletin")
    (previous / "index.html").write_text("the good bulletin", encoding="utf-8")
    folders.clean_stale(target, "bulletin")
    assert (target / "index.html").read_text(encoding="utf-8") == "the good bulletin"
    assert not previous.exists()


def test_swap_is_one_atomic_exchange(tmp_path, monkeypatch):
    target = folders.make_folder(tmp_path / "bulletin", "bulletin")
    (target / "index.html").write_text("old", encoding="utf-8")
    partial = folders.make_folder(tmp_path / "bulletin.partial-1", "bulletin")
    (partial / "index.html").write_text("new", encoding="utf-8")
    inode = partial.stat().st_ino
    assert folders._exchange(partial, target)  # the kernel swaps both names at once …
    assert target.stat().st_ino == inode and (partial / "index.html").read_text(encoding="utf-8") == "old"
    folders._exchange(partial, target)  # (back)
    folders.swap_in(partial, target, "bulletin")  # … and swap_in uses it
    assert (target / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulletin"]
    # where the file system cannot exchange, two renames; a failure of the second puts the old folder back
    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    again = folders.make_folder(tmp_path / "bulletin.partial-2", "bulletin")
    real_rename = Path.rename

    def failing_rename(self, dest):
        if self == again:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        folders.swap_in(again, target, "bulletin")
    assert (target / "index.html").read_text(encoding="utf-8") == "new"


def test_full_disk_leaves_no_failed_folder(tmp_path, monkeypatch):
    import ipstats.bulletin.run as run_module

    def no_space(plan, target, params):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(run_module, "_execute", no_space)
    params = _write(tmp_path / "run")
    message = _refused(params, "the disk is full: partial output removed")
    assert "No space left on device" in message
    assert not (tmp_path / "run" / "out").exists()  # no failed folder, no partial, no lock left


def test_sigterm_removes_unprotected_partial_output(tmp_path):
    internal = tmp_path / "internal"
    params = _write(
        tmp_path / "run", internal_output=str(internal), notebooks=[{"name": "slow", "parameters": {"seconds": 120}}]
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "ipstats.cli", "bulletin", str(params)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    detail = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and detail is None:
        found = list(tmp_path.glob("internal.partial-*/tables/detail.csv"))
        detail = found[0] if found else None
        time.sleep(0.2)
    assert detail is not None, "the notebook never wrote its internal table"
    partial = detail.parent.parent
    assert stat.S_IMODE(partial.stat().st_mode) == 0o700  # never readable by others, even while it lives
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.count("\n") == 1 and "stopped by SIGTERM" in err and "Traceback" not in err
    assert not partial.exists() and not internal.exists()
    assert not list((tmp_path / "run" / "out").glob("bulletin.partial-*"))
    assert (tmp_path / "run" / "out" / "bulletin.failed" / folders.MARKER).is_file()


def test_parameter_file_is_never_replaced(tmp_path):
    run = tmp_path / "run"
    params = _write(run)
    content = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert content["output"] == "out/bulletin"
    _refused(params, "holds the parameter file", out=run)
    assert params.is_file() and (run / "register.csv").is_file()
    assert DATA.is_dir()


def test_tasks_left_by_a_signal_do_not_report_themselves(caplog):
    # the CI run once printed asyncio's "Task exception was never retrieved … DeadKernelError" after the one
    # line: the notebook client's tasks, abandoned when the signal's exception unwound the event loop,
    # report themselves when the garbage collector takes them
    import asyncio
    import gc

    async def dies():
        raise RuntimeError("Kernel died")

    with pytest.raises(folders.RunInterrupted, match="stopped by SIGTERM"):
        with folders.raise_on_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises here
    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(dies())
        loop.run_until_complete(asyncio.sleep(0.01))
        assert task.done()
    finally:
        loop.close()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        del task
        gc.collect()
    assert not [r for r in caplog.records if r.name == "asyncio"]
    logging.getLogger("asyncio").removeFilter(folders._orphaned_task)
