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
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
  fi
}

BASE_PACKAGES=(python3 python3-venv python3-dev gcc gettext libpq-dev)
# What the tests and benchmarks start or call: databases, the 2FA code tool, named-checkzone.
TEST_PACKAGES=(postgresql redis-server oathtool bind9-utils)
# Billing: WeasyPrint renders invoice PDFs with Pango and HarfBuzz (subsetting keeps it fast), in DejaVu
# fonts; the tests read the PDFs' text with pdftotext (poppler-utils).
BASE_PACKAGES+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
TEST_PACKAGES+=(poppler-utils)
# Monitoring: a real Prometheus scrapes /metrics in the tests, promtool checks the alert rules.
TEST_PACKAGES+=(prometheus)
# The real test network of netops: SSH endpoints, WireGuard in userspace, OpenVPN, ping.
TEST_PACKAGES+=(openssh-server openssh-client wireguard-go wireguard-tools openvpn iproute2 iputils-ping)
# The browser tests (tests/browser/): Playwright drives Debian's Chromium, not a browser of its own.
TEST_PACKAGES+=(chromium)
# DSL: the RADIUS server coin provisions (FreeRADIUS) and its test clients (radclient, radmin).
TEST_PACKAGES+=(freeradius freeradius-utils)

# ensure_venv [EXTRAS]: the project and its Python dependencies in $VENV.
ensure_venv() {
  local extras="${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== Creating the virtualenv in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
  fi
  echo "== Installing coin${extras:+[$extras]} and its dependencies"
  # var/ holds the database, PDFs and keys: owner-only (coin narrows it again at start).
  mkdir -p -m 700 "$ROOT/var"
  chmod 700 "$ROOT/var"
  # The build backend is chatty: keep its output (owner-only too) for when something fails.
  install -m 600 /dev/null "$ROOT/var/pip.log"
  if ! "$VENV/bin/pip" install -q -e "$ROOT${extras:+[$extras]}" >"$ROOT/var/pip.log" 2>&1; then
    cat "$ROOT/var/pip.log"
    return 1
  fi
  export PATH="$VENV/bin:$PATH"
  (cd "$ROOT/coin" && "$VENV/bin/coin" compilemessages -v 0)
}
