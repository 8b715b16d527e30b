#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine (as root) or an existing checkout: installs the
# system packages cairn needs when they are missing, then npm ci (when the lock file changed) and
# the build. Safe to run again and again; `npm test` and `npm start` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."
# One set-up at a time per checkout: `npm start` and a first `npx cairn` (bin/cairn.js sets up an
# unbuilt checkout) may run together, and two npm ci in one directory break each other.
exec 9>node_modules.setup.lock
flock 9

# command -> Debian package that provides it
declare -A PKGS=(
  [etcd]=etcd-server
  [etcdctl]=etcd-client
  [nbdinfo]=libnbd-bin
  [nbdkit]=nbdkit
  [fio]=fio
  [qemu-img]=qemu-utils
  [fusermount3]=fuse3
  # deploy.test: `kubectl kustomize deploy/` and the guides' kubectl commands (the client only;
  # Debian's 1.20 client builds deploy/ as a newer one does)
  [kubectl]=kubernetes-client
  # metrics.test: a real Prometheus scrapes a cairn up cluster (the binary run by the test, not the service)
  [prometheus]=prometheus
  # ui.test and bench/ui.ts: the web UI in a real headless browser (driven by playwright-core)
  [chromium]=chromium
  # test/progress.test: util-linux's `script` gives the CLI a pseudo-terminal (Essential on Debian)
  [script]=bsdutils
  # (the fallocate addon's packages come last: test/image.test reads them, to the table's end, as
  # what the image's build stage must install)
  # the datapath's fallocate addon (packages/datapath/native), built by node-gyp during npm ci
  [gcc]=gcc
  # node-gyp's Makefile links with $(CXX); g++ also brings libc6-dev, which gcc only recommends
  [g++]=g++
  [make]=make
  [python3]=python3
)
missing=()
for cmd in "${!PKGS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PKGS[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "setup: missing system packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: build"
npx --no-install tsc -b
chmod +x packages/cli/dist/src/main.js
