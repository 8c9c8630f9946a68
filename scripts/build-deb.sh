#!/bin/bash
# Builds the nebula-ts Debian package with the system's own tools (dpkg-deb, npm prune):
#
#   scripts/build-deb.sh [--no-build] [--out DIR]
#
# The package holds the compiled server and UI (dist/src, dist/ui), share/ and remotes/, the
# production node_modules (better-sqlite3's native addon included) and the Node.js runtime that
# runs this script (>= 20), all in /usr/lib/nebula-ts; wrappers in /usr/bin; systemd units in
# /lib/systemd/system; the site's settings in /etc/one (conffiles). See docs/install.md.
#   --no-build  package the dist/ already built (else `npm run build` first)
#   --out DIR   where the .deb goes (default: pkg/ in the checkout)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/pkg"
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) BUILD=0 ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
for tool in dpkg-deb dpkg npm node; do
    command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is needed" >&2; exit 1; }
done

NODE=$(readlink -f "$(command -v node)")
NODE_MAJOR=$("$NODE" -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 20 ]; then
    echo "build-deb.sh: Node.js >= 20 is needed (this one is $("$NODE" --version)): it is the runtime the package ships" >&2
    exit 1
fi
cd "$ROOT"
if [ "$BUILD" = 1 ]; then npm run build; fi
[ -f dist/src/oned/main.js ] || { echo "build-deb.sh: dist/src is missing: run npm run build (or drop --no-build)" >&2; exit 1; }
[ -f dist/ui/app/index.html ] || echo "build-deb.sh: warning: dist/ui/app is missing: the web interface will have no pages (npm run build makes them)" >&2

VERSION=$("$NODE" -p 'require("./package.json").version')
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/nebula-ts-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
LIB="$STAGE/usr/lib/nebula-ts"
PKG="$ROOT/share/pkg"

echo "build-deb.sh: staging nebula-ts $VERSION ($ARCH) in $STAGE"
install -d "$LIB/dist" "$LIB/bin" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" "$STAGE/etc/one" \
    "$STAGE/etc/logrotate.d" "$STAGE/usr/share/doc/nebula-ts" "$STAGE/usr/sbin" "$STAGE/DEBIAN"
cp -a dist/src "$LIB/dist/src"
# Compiled unit tests are not part of the product.
find "$LIB/dist/src" -name '*.test.js' -delete -o -name '*.test.d.ts' -delete -o -name '*.test.js.map' -delete
[ -d dist/ui ] && cp -a dist/ui "$LIB/dist/ui"
cp -a share remotes package.json package-lock.json "$LIB/"
rm -rf "$LIB/share/pkg"
# Production dependencies: a copy of the installed tree, pruned offline (no registry download).
cp -a "$(readlink -f node_modules)" "$LIB/node_modules"
(cd "$LIB" && npm prune --omit=dev --offline --no-audit --no-fund --ignore-scripts >/dev/null)
# better-sqlite3's sources and objects stay behind: only the addon is loaded.
B="$LIB/node_modules/better-sqlite3"
rm -rf "$B/deps" "$B/src" "$B/build/Release/obj" "$B/build/Release/obj.target" "$B/build/Release/.deps" "$B/build/deps"
cp "$NODE" "$LIB/bin/node"
strip --strip-unneeded "$LIB/bin/node" 2>/dev/null || true
# The runtime and the native addon must agree: load it with the runtime shipped.
(cd "$LIB" && ./bin/node -e 'const D = require("better-sqlite3"); new D(":memory:").close()') ||
    { echo "build-deb.sh: better-sqlite3 does not load with $NODE" >&2; exit 1; }

# /usr/bin wrappers, one per package.json bin: the shipped runtime, ONE_LOCATION=/var/lib/one.
"$NODE" -e '
  const bins = require("./package.json").bin;
  for (const [name, file] of Object.entries(bins)) console.log(name + " " + file);
' | while read -r name file; do
    # shellcheck disable=SC2016 # the wrapper expands them, not this script
    printf '#!/bin/sh\n# nebula-ts %s\n: "${ONE_LOCATION:=/var/lib/one}"\nexport ONE_LOCATION\nexec /usr/lib/nebula-ts/bin/node /usr/lib/nebula-ts/%s "$@"\n' "$name" "$file" > "$STAGE/usr/bin/$name"
    chmod 755 "$STAGE/usr/bin/$name"
done
install -m 755 share/node/nebula-node-setup "$STAGE/usr/sbin/nebula-node-setup"

install -m 644 "$PKG"/systemd/*.service "$STAGE/lib/systemd/system/"
install -m 644 "$PKG/etc/oned.conf" "$STAGE/etc/one/oned.conf"
for f in sched.conf sunstone-server.conf econe.conf opennebula-exporter.conf; do install -m 644 "share/etc/$f" "$STAGE/etc/one/$f"; done
install -D -m 644 share/prometheus/rules.yml "$STAGE/usr/share/one/prometheus/rules.yml"
install -m 644 "$PKG/etc/logrotate" "$STAGE/etc/logrotate.d/nebula-ts"
install -m 644 docs/*.md README.md "$STAGE/usr/share/doc/nebula-ts/"
printf 'nebula-ts\nLicense: Apache-2.0 (see /usr/share/common-licenses/Apache-2.0)\n' > "$STAGE/usr/share/doc/nebula-ts/copyright"

(cd "$STAGE" && find etc -type f | sort | sed 's|^|/|') > "$STAGE/DEBIAN/conffiles"
install -m 755 "$PKG"/debian/postinst "$PKG"/debian/prerm "$PKG"/debian/postrm "$STAGE/DEBIAN/"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" "$PKG/debian/control.in" > "$STAGE/DEBIAN/control"

mkdir -p "$OUT"
DEB="$OUT/nebula-ts_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$STAGE" "$DEB" >/dev/null
echo "build-deb.sh: $DEB ($(du -h "$DEB" | cut -f1))"
