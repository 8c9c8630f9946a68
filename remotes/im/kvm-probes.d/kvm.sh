#!/bin/sh
# Host capacity and usage of a KVM host: HYPERVISOR, TOTALCPU and CPUSPEED (libvirt's node
# info), memory from /proc/meminfo (KB), CPU usage from /proc/stat (100 per core) averaged since
# the previous probe, and the bytes through the physical NICs. Fails when libvirt does not
# answer: a host without a working libvirtd cannot run VMs.
. "$(dirname "$0")/../../scripts_common.sh"

uri=${LIBVIRT_URI:-qemu:///system}
if ! nodeinfo=$(LANG=C virsh -c "$uri" nodeinfo 2>&1); then
    error_message "Cannot get the node info from libvirt ($uri) on $(uname -n): $nodeinfo"
    exit 1
fi

cores=$(echo "$nodeinfo" | awk -F: '/^CPU\(s\)/ { gsub(/ /, "", $2); print $2 }')
mhz=$(echo "$nodeinfo" | awk -F: '/^CPU frequency/ { split($2, a, " "); print a[1] }')
# Virtual machines often report no frequency to libvirt: /proc/cpuinfo still has it.
if [ -z "$mhz" ] || [ "$mhz" = 0 ]; then
    mhz=$(awk -F: '/^cpu MHz/ { printf "%d\n", $2; exit }' /proc/cpuinfo)
fi

echo "HYPERVISOR=kvm"
echo "TOTALCPU=$((${cores:-0} * 100))"
echo "CPUSPEED=${mhz:-0}"

awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } /^Buffers:/ { b = $2 } /^Cached:/ { c = $2 }
     END { u = t - f - b - c; print "TOTALMEMORY=" t; print "USEDMEMORY=" u; print "FREEMEMORY=" t - u }' /proc/meminfo

# CPU usage over the time since the last probe (since boot the first time): the busy share of
# the jiffies counted in /proc/stat, scaled to TOTALCPU.
state="$(dirname "$0")/../../.state"
mkdir -p "$state"
now=$(awk '/^cpu / { idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print total, idle; exit }' /proc/stat)
prev=$(cat "$state/host-cpu" 2>/dev/null || echo "0 0")
echo "$now" > "$state/host-cpu"
echo "$now $prev" | awk -v max="$((${cores:-0} * 100))" '{
    dt = $1 - $3; di = $2 - $4
    if (dt <= 0) { dt = $1; di = $2 }
    used = dt > 0 ? int(max * (dt - di) / dt) : 0
    printf "USEDCPU=%d\nFREECPU=%d\n", used, max - used }'

# Bytes through the physical interfaces (OpenNebula's names), not bridges or VM taps.
awk -F: '$1 ~ /^ *(eth|bond|em|en|p[0-9]+p[0-9]+)/ { split($2, a, " "); rx += a[1]; tx += a[9] }
         END { printf "NETRX=%d\nNETTX=%d\n", rx, tx }' /proc/net/dev
