"""``python -m execverify``: the same as the ``execverify`` command."""

import sys

from execverify.cli import main

sys.exit(main())
