#!/bin/sh
# gmetric_vms.sh [-c GMOND_CONF] [-i SECONDS] [-- POLL_COMMAND ARGS...]
#
# Publishes this host's VMs in Ganglia for the ganglia IM driver (docs/monitoring.md): runs the
# VM poll (by default the kvm probe poll.sh beside it in the remotes, which lists the libvirt
# domains as VM = [ ID, DEPLOY_ID, POLL ] after VM_POLL=YES), gzips and base64-encodes its
# output and sends it with gmetric as the string metric OPENNEBULA_VMS_INFORMATION. gmond cuts
# a METRIC line of its XML at 1,024 bytes (and its XML is then broken), so output over 700
# characters is sent in parts "<stamp>:<i>/<n>:<data>", part i > 1 as
# OPENNEBULA_VMS_INFORMATION_<i>, part 1 last. Run it from cron (every minute) or
# in a loop, as the user that may read libvirt. -i is how often it runs (gmetric's TMAX: the
# driver ignores a publication older than 4 times that); -c the gmond.conf whose
# udp_send_channel gmetric uses (gmetric's default otherwise).
set -eu

conf=""
every=60
while [ $# -gt 0 ]; do
    case "$1" in
        -c) conf="$2"; shift 2 ;;
        -i) every="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: $0 [-c GMOND_CONF] [-i SECONDS] [-- POLL_COMMAND ARGS...]" >&2; exit 2 ;;
    esac
done
if [ $# -eq 0 ]; then
    set -- "$(dirname "$0")/../kvm-probes.d/poll.sh"
fi

CHUNK=700
name=OPENNEBULA_VMS_INFORMATION

send() { # send NAME VALUE
    if [ -n "$conf" ]; then
        gmetric -c "$conf" -n "$1" -t string -v "$2" -x "$every" -d 0
    else
        gmetric -n "$1" -t string -v "$2" -x "$every" -d 0
    fi
}

data=$("$@" | gzip -9n | base64 | tr -d '\n')
len=${#data}
if [ "$len" -le "$CHUNK" ]; then
    send "$name" "$data"
    exit 0
fi
n=$(( (len + CHUNK - 1) / CHUNK ))
stamp=$(date +%s)$$
i=$n
while [ "$i" -ge 1 ]; do
    part=$(printf '%s' "$data" | cut -c $(( (i - 1) * CHUNK + 1 ))-$(( i * CHUNK )))
    if [ "$i" -eq 1 ]; then send "$name" "$stamp:1/$n:$part"; else send "${name}_$i" "$stamp:$i/$n:$part"; fi
    i=$((i - 1))
done
