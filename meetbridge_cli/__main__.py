"""`python -m meetbridge_cli ...`: the `meetbridge` command (how the local stack starts
its API and workers as child processes)."""

import sys

from meetbridge_cli.main import main

sys.exit(main())
