#!/bin/sh
# Installs requirements.txt into the image's Python (docker/Dockerfile), in two
# parts:
#   - the OCA addons (odoo-addon-*) without their dependencies: they require the
#     "odoo" distribution, which pip does not see here (Odoo comes from its Debian
#     package), and other OCA addons, which requirements.txt lists too;
#   - every other package with its dependencies (scipy needs numpy), which pip
#     resolves against what Odoo's Debian package brought.
# tests/test_deployment.py runs it with a pip that records what it is asked.
set -eu
requirements=$1
pip=${PIP:-pip3}
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
grep -E '^[[:space:]]*odoo-addon-' "$requirements" >"$parts/addons.txt" || true
grep -vE '^[[:space:]]*(#|$|odoo-addon-)' "$requirements" >"$parts/libraries.txt" || true
if [ -s "$parts/addons.txt" ]; then
    $pip install --no-cache-dir --break-system-packages --no-deps -r "$parts/addons.txt"
fi
if [ -s "$parts/libraries.txt" ]; then
    $pip install --no-cache-dir --break-system-packages -r "$parts/libraries.txt"
fi
