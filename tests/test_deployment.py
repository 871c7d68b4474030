"""Deployment defaults (README "Security", "Quick start"): the Docker entrypoint
turns the database manager off and takes its passwords from secrets, the compose
file holds no password and publishes on 127.0.0.1 only, the throwaway test
cluster is private to its owner, and the image installs every Python package
the addons need."""

import ast
import json
import os
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import odoo
from odoo.modules.module import get_manifest

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"


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


# A pip that records what it is asked to install (pip.log: one JSON line a call).
RECORDING_PIP = """
import json, sys
args = sys.argv[1:]
with open(args[args.index("-r") + 1]) as requirements:
    lines = requirements.read().splitlines()
with open(sys.argv[0] + ".log", "a") as log:
    log.write(json.dumps({"args": args, "lines": lines}) + "\\n")
"""


def image_install(tmp_path):
    """What the image's install step (docker/install-requirements.sh) installs
    from requirements.txt: {distribution: with its dependencies?}."""
    pip = tmp_path / "pip"
    pip.write_text(f"#!{sys.executable}\n{RECORDING_PIP}")
    pip.chmod(0o755)
    subprocess.run(
        ["sh", str(DOCKER / "install-requirements.sh"), str(ROOT / "requirements.txt")],
        env={"PATH": "/usr/bin:/bin", "PIP": str(pip)},
        check=True,
    )
    installed = {}
    for line in Path(f"{pip}.log").read_text().splitlines():
        call = json.loads(line)
        for text in call["lines"]:
            text = text.split("#", 1)[0].strip()
            if text:
                name = canonicalize_name(Requirement(text).name)
                installed[name] = "--no-deps" not in call["args"]
    return installed


def requires(text_lines):
    """The distributions of requirement lines that apply here (no extras)."""
    found = set()
    for text in text_lines:
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found.add(canonicalize_name(requirement.name))
    return found


def requirements_of(name):
    """What the distribution ``name`` requires, from its installed metadata:
    requirements.txt is installed here (scripts/lib.sh does it)."""
    try:
        return requires(metadata.distribution(name).requires or [])
    except metadata.PackageNotFoundError:
        pytest.fail(f"{name} is not installed here: install requirements.txt")


def closure(names, known_only=False):
    """``names`` and everything they require, recursively."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if known_only:
            try:
                metadata.distribution(name)
            except metadata.PackageNotFoundError:
                continue
        todo.extend(requirements_of(name))
    return seen


def odoo_dependencies():
    """What the odoo image brings: Odoo's own dependencies (its requirements.txt
    in a source checkout; where Odoo is the Debian package, what Debian
    installed beside it) and theirs."""
    root = Path(odoo.__file__).resolve().parent.parent
    listed = root / "requirements.txt"
    if listed.exists():
        names = requires(listed.read_text().splitlines())
    else:
        names = {
            canonicalize_name(dist.metadata["Name"])
            for dist in metadata.distributions(path=[str(root)])
        }
    return {"odoo"} | closure(names, known_only=True)


def external_dependencies(installed):
    """{import name: addon} of the Python libraries the manifests declare:
    the suite's addons' and the OCA addons' requirements.txt installs."""
    manifests = {
        path.parent.name: ast.literal_eval(path.read_text())
        for path in (ROOT / "addons").glob("*/__manifest__.py")
    }
    for name in installed:
        if name.startswith("odoo-addon-"):
            addon = name.removeprefix("odoo-addon-").replace("-", "_")
            manifests[addon] = get_manifest(addon)
            assert manifests[addon], f"{addon} is not installed here"
    return {
        module: addon
        for addon, manifest in manifests.items()
        for module in manifest.get("external_dependencies", {}).get("python", [])
    }


def test_image_installs_what_the_addons_import(tmp_path):
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "install-requirements.sh /tmp/ecrm-install/requirements.txt" in dockerfile
    installed = image_install(tmp_path)
    image = odoo_dependencies()
    for name, with_dependencies in installed.items():
        image |= closure({name}) if with_dependencies else {name}
    missing = {}
    # what a package installed without its dependencies (OCA addons) requires
    # must come from elsewhere: Odoo, or requirements.txt
    for name in installed:
        for needed in requirements_of(name) - image:
            missing[needed] = f"required by {name}"
    # every library an addon declares, and what it imports
    distributions = metadata.packages_distributions()
    for module, addon in external_dependencies(installed).items():
        top = module.split(".", 1)[0]
        assert top in distributions, f"{module} ({addon}) is not installed here"
        for dist in distributions[top]:
            for needed in closure({canonicalize_name(dist)}) - image:
                missing[needed] = f"imported with {module} ({addon})"
    assert not missing, f"missing from the image: {missing}"
