"""`python -m bankapp` runs the command line."""

import sys

from bankapp.cli import main

sys.exit(main())
