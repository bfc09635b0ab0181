"""``python -m videofill.cli``: the ``videofill`` command."""

import sys

from videofill.cli import main

sys.exit(main())
