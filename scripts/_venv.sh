# Shared by scripts/demo and scripts/test: create .venv if absent and install the package.
# Usage: source scripts/_venv.sh [extras]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "Creating virtual environment in $ROOT/.venv ..." >&2
  "$PYTHON" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
fi
EXTRAS="${1:-}"
TARGET="$ROOT"
[ -n "$EXTRAS" ] && TARGET="$ROOT[$EXTRAS]"
echo "Installing rollout${EXTRAS:+ with [$EXTRAS]} ..." >&2
"$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$TARGET"
