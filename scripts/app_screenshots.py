"""Make the web app's screenshots for the docs: runs the browser test with its screenshots going to docs/app/.

    .venv/bin/python scripts/app_screenshots.py            # writes docs/app/1_page.png ... 5_result.png

Needs Chromium and chromedriver (scripts/setup.sh installs them as root) and the app extra (pip install '.[app]').
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    env = dict(os.environ, VIDEOFILL_SCREENSHOTS=str(ROOT / "docs" / "app"))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    test = ROOT / "tests" / "app" / "test_app_browser.py"
    return subprocess.call([sys.executable, "-m", "pytest", str(test), "-q", "-rs"], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
