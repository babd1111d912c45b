"""`python -m bankapp` runs the command line."""

import sys

from bankapp.cli.main import main

sys.exit(main())
