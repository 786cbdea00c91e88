# Shared by scripts/serve and scripts/test: make sure .venv exists (Python 3.11+) and holds
# Kinema installed from this checkout with the extras named in $1 (may be empty).
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail

kinema_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "Kinema needs Python 3.11 or newer; set PYTHON=/path/to/python3.11 (or newer)." >&2
      exit 1
    fi
    echo "Creating .venv ..." >&2
    "$python" -m venv .venv
  fi
  local target="."
  [ -n "$extras" ] && target=".[$extras]"
  local stamp=".venv/.kinema-installed"
  local want have=""
  want="$(sha256sum <pyproject.toml | cut -c1-64) $target"
  [ -f "$stamp" ] && have="$(cat "$stamp")"
  # An install with the test extras also serves a plain one.
  if [ "$have" != "$want" ] && { [ -n "$extras" ] || [ "${have%% *}" != "${want%% *}" ]; }; then
    echo "Installing Kinema into .venv (first run takes a few minutes) ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    printf '%s' "$want" >"$stamp"
  fi
}
