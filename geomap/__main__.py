"""``python -m geomap`` runs the CLI."""

import sys

try:
    from geomap.cli import run
except KeyboardInterrupt:  # interrupted while starting: nothing was touched yet
    sys.exit(130)

run()
