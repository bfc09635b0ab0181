"""``python -m videofill``: the ``videofill`` command (as ``python -m videofill.cli``)."""

import sys

from videofill.cli import main

sys.exit(main())
