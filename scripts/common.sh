# Shared set-up for scripts/demo and scripts/test: Debian packages, the virtualenv, translations.
# Sourced, not run. Idempotent: a second run installs nothing new.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COIN_VENV:-$ROOT/.venv}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_debian_packages PKG...: install the missing ones (apt-get update first).
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== Installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

BASE_PACKAGES=(python3 python3-venv python3-dev gcc gettext libpq-dev)

# ensure_venv [EXTRAS]: the project and its Python dependencies in $VENV.
ensure_venv() {
  local extras="${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== Creating the virtualenv in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  echo "== Installing coin${extras:+[$extras]} and its dependencies"
  mkdir -p "$ROOT/var"
  # The build backend is chatty: keep its output for when something fails.
  if ! "$VENV/bin/pip" install -q -e "$ROOT${extras:+[$extras]}" >"$ROOT/var/pip.log" 2>&1; then
    cat "$ROOT/var/pip.log"
    return 1
  fi
  export PATH="$VENV/bin:$PATH"
  (cd "$ROOT/coin" && "$VENV/bin/coin" compilemessages -v 0)
}
