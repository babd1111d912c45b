"""`python -m bankapp.bench` (what `make bench` runs)."""

from __future__ import annotations

import sys

from bankapp.bench.runner import main

sys.exit(main())
