#!/usr/bin/env bash
# Installs what Cruddur needs on a fresh machine, redoing nothing that is already in place.
#   scripts/setup.sh          app: Python deps, bun + Node 22, database migrated and seeded
#   scripts/setup.sh --test   the same plus test deps and Debian's Chromium
# Source it (`. scripts/setup.sh`) to keep its PATH; the Makefile does that.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_tests=${1:-}
stamp_dir=.venv/.stamps

say() { printf '\033[35m==>\033[0m %s\n' "$*"; }

# Python: a venv, refilled only when a requirements file changes.
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
mkdir -p "$stamp_dir"
install_requirements() {
  local file=$1 stamp="$stamp_dir/$(basename "$1").sha"
  local sum; sum=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    say "installing $file"
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$file"
    echo "$sum" > "$stamp"
  fi
}
install_requirements requirements.txt
[ "$want_tests" = "--test" ] && install_requirements requirements-dev.txt

# bun and Node 22 from the npm registry: Reflex's own bun installer downloads from the internet.
# oidc-provider (a certified OpenID provider) plays the external identity provider in federation
# tests and dev (tests/support/dev_oidc/server.mjs).
tools_stamp=.tools/.versions
tools_want="bun@1.4.5 node@22 oidc-provider@9.13.3"
if [ "$(cat "$tools_stamp" 2>/dev/null)" != "$tools_want" ]; then
  say "installing $tools_want into .tools"
  npm install --prefix .tools --no-audit --no-fund --loglevel=error $tools_want
  echo "$tools_want" > "$tools_stamp"
fi
export PATH="$PWD/.tools/node_modules/.bin:$PWD/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1
# Reflex otherwise races npmjs.org against a mirror to pick a registry; use the one npm is set to.
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry)}"

# Debian's Chromium for the browser tests (Playwright cannot download its own browsers here).
if [ "$want_tests" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

# axe-core for the accessibility tests, from its pinned lockfile; redone only when that changes.
axe_dir=tests/e2e/axe
if [ "$want_tests" = "--test" ]; then
  axe_lock=$(sha256sum "$axe_dir/bun.lock" | cut -d' ' -f1)
  if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ] || [ "$(cat "$axe_dir/node_modules/.lock.sha" 2>/dev/null)" != "$axe_lock" ]; then
    say "installing axe-core into $axe_dir"
    (cd "$axe_dir" && bun install --frozen-lockfile --no-progress)
    echo "$axe_lock" > "$axe_dir/node_modules/.lock.sha"
  fi
fi

say "migrating and seeding the database"
python -m cruddur.manage setup
