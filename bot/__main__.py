"""``python -m bot``: the same as the ``crosscheck`` command."""

import sys

from bot.cli import main

sys.exit(main())
