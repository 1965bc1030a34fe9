#!/usr/bin/env bash
# The whole test job: set up, lint (ruff), check the layering (import-linter), run pytest under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
export KIRIE_MODEL_CACHE="${KIRIE_MODEL_CACHE:-$(cd .. && pwd)/shared/models}"
exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@"
