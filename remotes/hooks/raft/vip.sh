#!/bin/sh
# RAFT_LEADER_HOOK / RAFT_FOLLOWER_HOOK of front-end HA (docs/ha.md): moves the zone's floating
# IP to the leader.
#   vip.sh leader   IFACE IP/PREFIX   adds the address to IFACE (and announces it with gratuitous
#                                     ARP when arping is installed), unless IFACE has it already
#   vip.sh follower IFACE IP/PREFIX   removes it from IFACE, if there
# Several addresses: repeat IFACE IP/PREFIX pairs. Needs CAP_NET_ADMIN (oned's service unit, or sudo).
set -eu

usage() {
    echo "usage: $0 leader|follower IFACE IP/PREFIX [IFACE IP/PREFIX ...]" >&2
    exit 2
}

[ $# -ge 3 ] || usage
role=$1
shift
case "$role" in leader|follower) ;; *) usage ;; esac
[ $(( $# % 2 )) -eq 0 ] || usage

IP=${IP_COMMAND:-ip}

has_address() {
    "$IP" -o address show dev "$1" | awk '{print $4}' | grep -qx "$2"
}

while [ $# -gt 0 ]; do
    iface=$1
    addr=$2
    shift 2
    case "$addr" in */*) ;; *) echo "$0: $addr needs a prefix length (IP/PREFIX)" >&2; exit 2 ;; esac
    if [ "$role" = leader ]; then
        if ! has_address "$iface" "$addr"; then
            "$IP" address add "$addr" dev "$iface"
        fi
        if command -v arping >/dev/null 2>&1; then
            # Gratuitous ARP: neighbours learn the address moved here. Best effort (a dummy device has no ARP).
            arping -c 3 -A -I "$iface" "${addr%/*}" >/dev/null 2>&1 || arping -c 3 -U -I "$iface" "${addr%/*}" >/dev/null 2>&1 || true
        fi
        echo "vip: $addr on $iface"
    else
        if has_address "$iface" "$addr"; then
            "$IP" address del "$addr" dev "$iface"
        fi
        echo "vip: $addr off $iface"
    fi
done
