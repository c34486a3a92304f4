"""``python -m ipstats`` runs the command line."""

import sys

from ipstats.cli import main

sys.exit(main())
