#!/usr/bin/env bash
# The Python package's tests: installs python/ into the environment of $RENOWN_PYTHON (default
# python3; .ci/run makes a virtual environment from .ci/requirements.txt, which holds maturin,
# pytest and the libraries the tests read with) as an editable dev build, then runs pytest
# against the debug `renown` binary. A missing package fails; nothing is skipped.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
python="${RENOWN_PYTHON:-python3}"
env_dir="$("$python" -c 'import sys; print(sys.prefix)')"

cargo build --locked -p renown
# maturin develop builds in the dev profile on the same target folder as the workspace, so only
# the extension itself is compiled here.
(cd python && VIRTUAL_ENV="$env_dir" CARGO_TARGET_DIR="$target" "$python" -m maturin develop --locked -q)
RENOWN_BIN="$target/debug/renown" "$python" -m pytest -q python/tests
