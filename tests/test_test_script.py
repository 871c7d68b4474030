"""`make test` (scripts/test) without a local Odoo: it runs the compose test
service when Docker with compose is there, and otherwise says both ways to get
Odoo. A stand-in `docker` on PATH records what it is asked to do."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "test"

FAKE_DOCKER = """#!/bin/sh
echo "$@" >> "$DOCKER_CALLS"
case "$1 $2" in
"compose version"|"info "*) exit 0 ;;
esac
case " $* " in
*" run --rm test "*) echo "289 passed, 0 failed" ;;
esac
"""


def run(tmp_path, with_docker):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if with_docker:
        docker = bin_dir / "docker"
        docker.write_text(FAKE_DOCKER)
        docker.chmod(0o755)
    calls = tmp_path / "calls"
    done = subprocess.run(
        [str(SCRIPT)],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "ODOO_PYTHON": str(tmp_path / "no-odoo" / "python"),
            "DOCKER_CALLS": str(calls),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_runs_the_compose_test_service_without_a_local_odoo(tmp_path):
    done, calls = run(tmp_path, with_docker=True)
    assert done.returncode == 0, done.stderr
    compose = f"compose -f {SCRIPT.parent.parent}/docker/compose.yaml"
    assert f"{compose} build test" in calls
    assert f"{compose} run --rm test" in calls
    assert done.stdout.strip().endswith("289 passed, 0 failed")


def test_says_both_ways_without_odoo_or_docker(tmp_path):
    done, calls = run(tmp_path, with_docker=False)
    assert done.returncode == 3
    assert not calls
    assert "make odoo" in done.stderr
    assert "compose test service" in done.stderr
