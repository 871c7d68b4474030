"""Deployment defaults (README "Security", "Quick start"): the Docker entrypoint
turns the database manager off and takes its passwords from secrets, the compose
file holds no password and publishes on 127.0.0.1 only, and the throwaway test
cluster is private to its owner."""

import os
import stat
import subprocess
from pathlib import Path

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def entrypoint(tmp_path, secrets, **env):
    (tmp_path / "secrets").mkdir()
    for name, value in secrets.items():
        (tmp_path / "secrets" / name).write_text(value + "\n")
    official = tmp_path / "official-entrypoint"
    official.write_text('#!/bin/sh\necho "official: $*"\n')
    official.chmod(0o755)
    done = subprocess.run(
        ["bash", str(DOCKER / "entrypoint.sh"), "true"],
        env={
            "PATH": "/usr/bin:/bin",
            "ODOO_RC": str(tmp_path / "odoo.conf"),
            "ECRM_SECRETS": str(tmp_path / "secrets"),
            "ODOO_ENTRYPOINT": str(official),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    conf = tmp_path / "odoo.conf"
    return done, conf.read_text() if conf.exists() else ""


def test_entrypoint_configures_a_closed_odoo(tmp_path):
    done, conf = entrypoint(
        tmp_path,
        {"db_password": "db-secret", "admin_passwd": "master-secret"},
        ECRM_DB_REPLICA_HOST="db-replica",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "official: true"
    lines = set(conf.splitlines())
    assert "list_db = False" in lines
    assert "admin_passwd = master-secret" in lines
    assert "db_name = ecrm" in lines
    assert not any(line.startswith("dbfilter") for line in lines)
    assert "db_replica_host = db-replica" in lines
    assert "db-secret" not in conf  # PostgreSQL's password stays in the environment


def test_entrypoint_refuses_to_start_without_passwords(tmp_path):
    done, conf = entrypoint(tmp_path, {"db_password": "db-secret"})
    assert done.returncode == 3
    assert "master password" in done.stderr
    assert not conf


def test_compose_file_holds_no_password_and_stays_local():
    compose = (DOCKER / "compose.yaml").read_text()
    assert "PASSWORD:" not in compose  # only *_PASSWORD_FILE, from the secrets volume
    assert "POSTGRES_PASSWORD_FILE: /run/ecrm-secrets/db_password" in compose
    assert "ECRM_DEMO: ${ECRM_DEMO:-0}" in compose
    published = [
        line.strip()
        for line in compose.splitlines()
        if line.strip().startswith('- "') and ":80" in line
    ]
    assert published and all(p.startswith('- "127.0.0.1:') for p in published)


def test_throwaway_cluster_is_private(env):
    host = os.environ.get("PGHOST", "")
    if not host.startswith("/tmp/ecrm-pg."):
        return  # PostgreSQL given by the caller (compose service, CI server): not ours
    assert stat.S_IMODE(os.stat(host).st_mode) == 0o700
    env.cr.execute("SHOW unix_socket_permissions")
    assert env.cr.fetchone()[0] == "0700"
