#!/usr/bin/env bash
# Create .venv and install videofill into it. Torch goes first, pinned, so pip keeps the CPU build this project's
# machines carry instead of pulling a multi-GB CUDA build; on a machine with a GPU, install the torch build you
# want first and this script keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    .venv/bin/python -m pip install --quiet "torch==${VIDEOFILL_TORCH_VERSION:-2.13.0}"
fi
.venv/bin/python -m pip install --quiet -e ".[test,app,batch]"
# Headless Chromium for the app's browser test (tests/app/test_app_browser.py skips without it): Debian's packages,
# installed only when missing, as root, where apt-get exists (CI runs this script as root on a fresh Debian machine).
if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi
.venv/bin/python -c "import videofill, torch; print(f'videofill {videofill.__version__} with torch {torch.__version__}')"
