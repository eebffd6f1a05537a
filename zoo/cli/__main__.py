"""`python -m zoo.cli`: the `classiczoo` command without its installed script."""

import sys

from zoo.cli import main

sys.exit(main())
