"""`make odoo` (scripts/odoo) takes Odoo 18.0 from ODOO_SOURCE — a directory, a
git checkout or an archive — and refuses anything that is not Odoo 18.0. These
tests run its source step (--source-only) on small stand-in trees, offline."""

import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "odoo"


def make_tree(path, version="18, 0"):
    (path / "odoo").mkdir(parents=True)
    (path / "odoo" / "release.py").write_text(
        f"version_info = ({version}, 0, FINAL, 0, '')\n"
    )
    (path / "requirements.txt").write_text("")
    (path / "odoo-bin").write_text("#!/usr/bin/env python3\n")
    return path


def run(tmp_path, source):
    target = tmp_path / "installed"
    return target, subprocess.run(
        [str(SCRIPT), "--source-only"],
        env={
            "PATH": "/usr/bin:/bin",
            "ODOO_SOURCE": str(source),
            "ODOO_DIR": str(target),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_from_a_directory(tmp_path):
    target, done = run(tmp_path, make_tree(tmp_path / "src"))
    assert done.returncode == 0, done.stderr
    assert (target / "odoo-bin").exists()


def test_from_a_git_checkout_takes_only_tracked_files(tmp_path):
    if not shutil.which("git"):
        pytest.fail("git is needed")
    src = make_tree(tmp_path / "src")
    git = ["git", "-C", str(src), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "odoo"], check=True)
    (src / "untracked.txt").write_text("local change")
    target, done = run(tmp_path, src)
    assert done.returncode == 0, done.stderr
    assert (target / "odoo" / "release.py").exists()
    assert not (target / "untracked.txt").exists()


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_from_an_archive_with_a_top_directory(tmp_path, kind):
    src = make_tree(tmp_path / "odoo-18.0")
    archive = tmp_path / f"odoo.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for path in src.rglob("*"):
                zf.write(path, path.relative_to(tmp_path))
    else:
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(src, arcname="odoo-18.0")
    target, done = run(tmp_path, archive)
    assert done.returncode == 0, done.stderr
    assert (target / "odoo" / "release.py").exists()


@pytest.mark.parametrize("bad", ["17, 0", None])
def test_refuses_what_is_not_odoo_18(tmp_path, bad):
    source = make_tree(tmp_path / "src", bad) if bad else tmp_path / "missing"
    target, done = run(tmp_path, source)
    assert done.returncode == 3
    assert "ERROR" in done.stderr
    assert not (target / "odoo" / "release.py").exists()
