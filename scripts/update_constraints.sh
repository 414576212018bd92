#!/usr/bin/env bash
# Regenerate constraints.txt: resolve geomap's declared ranges afresh in a throwaway virtual
# environment, without pip's cache, and pin what was installed. Run it after changing a
# dependency in pyproject.toml, then run the tests and commit both files together.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-cache-dir --upgrade pip
"$venv/bin/python" -m pip install --quiet --no-cache-dir -e ".[test,bench]"
{
  echo "# Pinned versions for 'pip install -c constraints.txt'; made by scripts/update_constraints.sh"
  "$venv/bin/python" -m pip freeze --exclude-editable --exclude pip --exclude setuptools
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages pinned"
