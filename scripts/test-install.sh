#!/bin/bash
# The production install test (`npm run test:install`; slow, not in `npm test`): a fresh Debian
# bookworm, made by debootstrap (cached in $NEBULA_INSTALL_CACHE, default
# /var/cache/nebula-ts-install), booted with systemd as PID 1 in systemd-nspawn; the .deb
# installed in it with apt as an administrator would. It asserts that:
#   - opennebula.service and opennebula-scheduler.service are active after the install;
#   - oned answers one.system.version and `onehost list` (as oneadmin, with the package's one_auth);
#   - the scheduler deploys a VM on a dummy host;
#   - `systemctl restart opennebula` brings both back with the VM still RUNNING, and
#     `systemctl stop opennebula` stops the scheduler too;
#   - the sunstone, econe, occi and flow units are installed disabled, start, and stay up;
#   - nebula-node-setup --no-install makes a working oneadmin with the front-end key authorized;
#   - `apt-get remove` stops the daemons and keeps the database.
#
#   scripts/test-install.sh [--deb FILE] [--keep] [--node-packages]
#     --deb FILE        the package to test (default: build one with scripts/build-deb.sh --no-build)
#     --keep            leave the container's directory (its path is printed) for a look afterwards
#     --node-packages   also run nebula-node-setup for real on the front-end (it becomes a KVM node
#                       too): QEMU and libvirt installed from Debian's mirror, oneadmin in the
#                       libvirt group and able to use qemu:///system (several minutes more)
# Needs root, debootstrap and systemd-container (installed when missing) and Debian's mirror.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NEBULA_INSTALL_CACHE:-/var/cache/nebula-ts-install}
MIRROR=${NEBULA_INSTALL_MIRROR:-http://deb.debian.org/debian}
DEB=""
KEEP=0
NODE_PACKAGES=0
while [ $# -gt 0 ]; do
    case "$1" in
        --deb) DEB=$(readlink -f "$2"); shift ;;
        --keep) KEEP=1 ;;
        --node-packages) NODE_PACKAGES=1 ;;
        *) echo "test-install.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "test-install.sh: needs root (debootstrap, systemd-nspawn)" >&2; exit 1; }
T0=$(date +%s)
step() { echo "[$(($(date +%s) - T0)) s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

if [ -z "$DEB" ]; then
    step "building the package"
    "$ROOT/scripts/build-deb.sh" --no-build --out "$ROOT/pkg"
    DEB="$ROOT/pkg/nebula-ts_$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")_$(dpkg --print-architecture).deb"
fi
[ -f "$DEB" ] || fail "no package $DEB"

if [ ! -d "$CACHE/bookworm-rootfs" ]; then
    step "debootstrap bookworm into $CACHE (once; cached for later runs)"
    mkdir -p "$CACHE"
    rm -rf "$CACHE/rootfs.tmp"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates,openssh-client,adduser \
        bookworm "$CACHE/rootfs.tmp" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 || fail "debootstrap failed: see $CACHE/debootstrap.log"
    mv "$CACHE/rootfs.tmp" "$CACHE/bookworm-rootfs"
fi

WORK=$(mktemp -d /var/tmp/nebula-ts-install.XXXXXX)
MACHINE=nebts$$
NSPAWN=""
cleanup() {
    if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
        kill "$NSPAWN" 2>/dev/null || true   # nspawn powers the container off on SIGTERM
        for _ in $(seq 60); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$NSPAWN" 2>/dev/null || true
    fi
    if [ "$KEEP" = 1 ]; then echo "container directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
step "copying the fresh system to $WORK/root"
cp -a "$CACHE/bookworm-rootfs" "$WORK/root"
cp "$DEB" "$WORK/root/var/tmp/nebula-ts.deb"
echo "$MACHINE" > "$WORK/root/etc/hostname"
# What Debian's installer writes and debootstrap does not.
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$MACHINE" > "$WORK/root/etc/hosts"

step "booting it: systemd-nspawn -b (log: $WORK/console.log)"
systemd-nspawn -q -D "$WORK/root" -b --register=no --keep-unit --machine="$MACHINE" > "$WORK/console.log" 2>&1 < /dev/null &
NSPAWN=$!
LEADER=""
for _ in $(seq 100); do
    LEADER=$(pgrep -P "$NSPAWN" | head -1 || true)
    [ -n "$LEADER" ] && [ "$(cat "/proc/$LEADER/comm" 2>/dev/null)" = systemd ] && break
    sleep 0.2
done
[ -n "$LEADER" ] || fail "the container's systemd did not start: $(tail -5 "$WORK/console.log")"
# inside CMD...: runs CMD inside the container (all its namespaces: it sees its own systemd).
inside() { nsenter -t "$LEADER" -a -- "$@"; }
as_oneadmin() { inside su - oneadmin -c "$1"; }
state=""
for _ in $(seq 120); do
    state=$(inside systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) break ;; esac
    sleep 0.5
done
case "$state" in running|degraded) ;; *) fail "the container did not boot: $state" ;; esac
[ "$(inside readlink /proc/1/exe)" = /usr/lib/systemd/systemd ] || [ "$(inside readlink /proc/1/exe)" = /lib/systemd/systemd ] || fail "PID 1 is not systemd"
step "booted ($state), PID 1 is systemd"

step "apt-get install /var/tmp/nebula-ts.deb"
if ! inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /var/tmp/nebula-ts.deb > "$WORK/apt.log" 2>&1; then
    inside apt-get update -qq > /dev/null 2>&1
    inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /var/tmp/nebula-ts.deb > "$WORK/apt.log" 2>&1 ||
        fail "the package did not install: $(tail -20 "$WORK/apt.log")"
fi

# wait_active UNIT...: every unit active within 60 s.
wait_active() {
    local u
    for u in "$@"; do
        for _ in $(seq 120); do inside systemctl is-active --quiet "$u" && break; sleep 0.5; done
        inside systemctl is-active --quiet "$u" || fail "$u is not active: $(inside systemctl status --no-pager -n 20 "$u" || true)"
    done
}
wait_active opennebula.service opennebula-scheduler.service
for u in opennebula.service opennebula-scheduler.service; do
    [ "$(inside systemctl is-enabled "$u")" = enabled ] || fail "$u is not enabled"
    [ "$(inside systemctl show -p User --value "$u")" = oneadmin ] || fail "$u does not run as oneadmin"
done
step "opennebula and opennebula-scheduler are active and enabled"

# An XML-RPC call from inside, with oneadmin's credentials: prints the answer's XML.
cat > "$WORK/root/var/tmp/rpc.mjs" <<'JS'
import { readFileSync } from 'node:fs';
const [method, ...args] = process.argv.slice(2);
const session = readFileSync('/var/lib/one/.one/one_auth', 'utf8').trim();
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const param = (a) => (/^-?\d+$/.test(a) ? `<int>${a}</int>` : a === 'true' || a === 'false' ? `<boolean>${a === 'true' ? 1 : 0}</boolean>` : `<string>${esc(a)}</string>`);
const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${[session, ...args].map((a) => `<param><value>${param(a)}</value></param>`).join('')}</params></methodCall>`;
for (let i = 0; ; i++) {
  try {
    const res = await fetch('http://127.0.0.1:2633/RPC2', { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    console.log(await res.text());
    break;
  } catch (e) {
    if (i > 60) throw e;
    await new Promise((r) => setTimeout(r, 500));
  }
}
JS
rpc() { inside /usr/lib/nebula-ts/bin/node /var/tmp/rpc.mjs "$@"; }
rpc_ok() {
    local out
    out=$(rpc "$@")
    grep -q '<boolean>1</boolean>' <<< "$out" || fail "$1 failed: $out"
    printf '%s' "$out"
}

version=$(rpc_ok one.system.version)
grep -q '<string>6\.' <<< "$version" || fail "one.system.version: $version"
as_oneadmin 'onehost list' > /dev/null || fail "onehost list failed as oneadmin"
step "oned answers one.system.version ($(grep -o '<string>[0-9.]*</string>' <<< "$version" | head -1)) and onehost list"

# The scheduler places a VM on a dummy host (the system datastore's transfers dummy too: no disks to move).
rpc_ok one.datastore.update 0 'TM_MAD = "dummy"' 1 > /dev/null
as_oneadmin 'onehost create dummy-1 -i dummy -v dummy' > /dev/null || fail "onehost create"
printf 'NAME = "installed-1"\nCPU = 0.1\nMEMORY = 64\n' > "$WORK/root/var/tmp/vm.tpl"
as_oneadmin 'onevm create /var/tmp/vm.tpl' > /dev/null || fail "onevm create"
vm_state() { as_oneadmin 'onevm show installed-1' | awk '/^LCM_STATE/ { print $3 }'; }
for _ in $(seq 120); do [ "$(vm_state)" = RUNNING ] && break; sleep 0.5; done
[ "$(vm_state)" = RUNNING ] || fail "the scheduler did not deploy the VM: $(as_oneadmin 'onevm show installed-1' | head -30)"
step "the scheduler deployed the VM on the dummy host"

inside systemctl restart opennebula.service
wait_active opennebula.service opennebula-scheduler.service
for _ in $(seq 60); do [ "$(vm_state)" = RUNNING ] && break; sleep 0.5; done
[ "$(vm_state)" = RUNNING ] || fail "the VM is not RUNNING after the restart"
step "systemctl restart opennebula: both active again, the VM still RUNNING"

inside systemctl stop opennebula.service
for _ in $(seq 40); do inside systemctl is-active --quiet opennebula-scheduler.service || break; sleep 0.5; done
inside systemctl is-active --quiet opennebula.service && fail "oned still active after stop"
inside systemctl is-active --quiet opennebula-scheduler.service && fail "the scheduler still active after oned stopped"
# shellcheck disable=SC2016 # expanded by the shell inside
left=$(inside sh -c 'for p in /proc/[0-9]*; do [ "$(stat -c %U "$p" 2>/dev/null)" = oneadmin ] && cat "$p/cmdline" | tr "\\0" " " && echo; done' || true)
[ -z "$left" ] || fail "oneadmin processes left after stop: $left"
inside systemctl start opennebula.service
wait_active opennebula.service opennebula-scheduler.service
step "systemctl stop opennebula stopped the scheduler and every oneadmin process; start brought both back"

# The servers: installed disabled; started, they stay up (their credentials come from oned's first start).
SERVERS="opennebula-sunstone.service opennebula-econe.service opennebula-occi.service opennebula-flow.service opennebula-exporter.service"
for u in $SERVERS; do [ "$(inside systemctl is-enabled "$u")" = disabled ] || fail "$u should be installed disabled"; done
# shellcheck disable=SC2086
inside systemctl start $SERVERS
# shellcheck disable=SC2086
wait_active $SERVERS
sleep 5
for u in $SERVERS; do
    if ! inside systemctl is-active --quiet "$u" || [ "$(inside systemctl show -p NRestarts --value "$u")" != 0 ]; then
        fail "$u did not stay up: $(inside journalctl --no-pager -n 20 -u "$u" || true)"
    fi
done
# The exporter reads oned as oneadmin: oned answers it (opennebula_oned_state 1 on its port 9925).
inside /usr/lib/nebula-ts/bin/node -e 'fetch("http://127.0.0.1:9925/metrics").then((r) => r.text()).then((t) => process.exit(/^opennebula_oned_state\{.*\} 1$/m.test(t) ? 0 : 1), () => process.exit(1))' ||
    fail "opennebula-exporter does not show oned up on port 9925"
step "sunstone, econe, occi, flow servers and the Prometheus exporter start and stay up"

# The node setup script, without its packages (those are for a real KVM machine): a node user on
# a machine that has none. The front-end's own oneadmin exists here, so a second name is checked
# through a copy of the script that makes "onenode" instead.
pub=$(inside cat /var/lib/one/.ssh/id_ed25519.pub) || fail "the package made no ssh key for oneadmin"
inside sed -e 's/oneadmin/onenode/g' -e 's|^HOME_DIR=.*|HOME_DIR=/var/lib/onenode|' -e 's/^ONE_UID=.*/ONE_UID=9870/' /usr/sbin/nebula-node-setup > "$WORK/root/var/tmp/node-setup"
inside bash /var/tmp/node-setup --no-install --key-text "$pub" > /dev/null || fail "nebula-node-setup failed"
again=$(inside bash /var/tmp/node-setup --no-install --key-text "$pub") || fail "nebula-node-setup failed the second time"
grep -q 'already authorized' <<< "$again" || fail "nebula-node-setup is not idempotent: $again"
[ "$(inside grep -c . /var/lib/onenode/.ssh/authorized_keys)" = 1 ] || fail "the key was authorized twice"
[ "$(inside id -u onenode)" = 9870 ] || fail "the node user has not the fixed uid"
[ "$(inside stat -c '%U %a' /var/lib/onenode/.ssh/authorized_keys)" = "onenode 600" ] || fail "authorized_keys owner/mode"
inside grep -qxF "$pub" /var/lib/onenode/.ssh/authorized_keys || fail "the key is not authorized"
step "nebula-node-setup --no-install: user, dirs and authorized key"

if [ "$NODE_PACKAGES" = 1 ]; then
    inside apt-get update -qq > /dev/null 2>&1
    inside /usr/sbin/nebula-node-setup --key-text "$pub" > "$WORK/node-setup.log" 2>&1 || fail "nebula-node-setup: $(tail -20 "$WORK/node-setup.log")"
    inside id -nG oneadmin | grep -qw libvirt || fail "oneadmin is not in the libvirt group: $(inside id oneadmin)"
    inside grep -qxF "$pub" /var/lib/one/.ssh/authorized_keys || fail "the key is not authorized for oneadmin"
    inside systemctl is-active --quiet libvirtd.service || fail "libvirtd is not active: $(inside systemctl status --no-pager -n 20 libvirtd || true)"
    as_oneadmin 'virsh -c qemu:///system list --all' > /dev/null || fail "oneadmin cannot use qemu:///system"
    step "nebula-node-setup with its packages: QEMU and libvirt installed, oneadmin uses qemu:///system"
fi

inside env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq nebula-ts > "$WORK/remove.log" 2>&1 || fail "apt-get remove: $(tail "$WORK/remove.log")"
inside systemctl is-active --quiet opennebula.service && fail "oned still active after remove"
inside test -s /var/lib/one/var/one.db || fail "the database went with the package"
step "apt-get remove stopped the daemons and kept /var/lib/one/var/one.db"
echo "PASS: the package installs, runs and stops under systemd on a fresh Debian ($(($(date +%s) - T0)) s)"
