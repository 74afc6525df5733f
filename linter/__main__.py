"""``python -m cfn_trailwatch``: the same as the ``cfn-trailwatch`` command."""

import sys

from .cli import main

sys.exit(main())
