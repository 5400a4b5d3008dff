#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run installs the tools first):
#   1. every crate's unit and integration tests (dev profile; dependencies are optimized),
#      including the ones that read ../shared/data (skipped when it is absent, unless
#      RENOWN_REQUIRE_DATA=1 as in CI) and compare against networkx run by $RENOWN_PYTHON
#      (default python3; .ci/run makes a virtual environment from .ci/requirements.txt);
#   2. the Python package (python/): built into $RENOWN_PYTHON's environment by maturin (dev
#      profile, on the workspace's own build) and tested by pytest against the CLI;
#   3. the dashboard's end-to-end tests in headless Chromium (scripts/e2e.sh).
# Formatting and clippy come first: they fail in seconds where the tests take minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
scripts/python-test.sh
scripts/e2e.sh
