#!/bin/sh
# PCI: the host's PCI devices for passthrough, those pci.conf's PCI_FILTER (lspci -d filters)
# and PCI_SHORT_ADDRESS select, one PCI = [ ... ] vector each, as OpenNebula's pci probe
# reports them. Reads `lspci -mmnn -D` (machine-readable, with numeric ids and the domain).

conf="${PCI_PROBE_CONF:-$(dirname "$0")/pci.conf}"
PCI_FILTER="0:0"
PCI_SHORT_ADDRESS=""
# shellcheck disable=SC1090
[ -f "$conf" ] && . "$conf"

set -f # filters such as *:* are words, not file patterns
# shellcheck disable=SC2046
set -- $(printf '%s' "$PCI_FILTER" | tr ',' ' ')
if [ $# -eq 0 ] || [ "$*" = "0:0" ]; then exit 0; fi
command -v lspci >/dev/null 2>&1 || { echo "pci.sh: lspci is not installed (pciutils)" >&2; exit 0; }

for f in "$@"; do
    case "$f" in
        *[!0-9a-fA-F:*]*) echo "pci.sh: ignoring filter '$f' (vendor:device[:class] in hex)" >&2; continue ;;
    esac
    lspci -mmnn -D -d "$f" 2>/dev/null
done | sort -u | awk -F'"' -v only="$(printf '%s' "$PCI_SHORT_ADDRESS" | tr ',' ' ')" '
    # "Name [id]" -> name and id
    function id(s) { return (match(s, /\[[0-9a-fA-F]+\]$/) ? substr(s, RSTART + 1, RLENGTH - 2) : "") }
    # A name holds no double quote (the field separator); a trailing backslash would escape the closing one.
    function name(s) { sub(/ *\[[0-9a-fA-F]+\]$/, "", s); sub(/\\+$/, "", s); return s }
    BEGIN { n = split(only, keep, " "); for (i = 1; i <= n; i++) wanted[keep[i]] = 1 }
    {
        addr = $1; gsub(/ /, "", addr)                  # 0000:02:00.0
        if (addr !~ /^[0-9a-fA-F]+:[0-9a-fA-F]+:[0-9a-fA-F]+\.[0-7]$/) next
        split(addr, p, /[:.]/)
        short = p[2] ":" p[3] "." p[4]
        if (n > 0 && !(short in wanted)) next
        numa = 0
        file = "/sys/bus/pci/devices/" addr "/numa_node"
        if ((getline v < file) > 0 && v >= 0) numa = v
        close(file)
        cls = id($2); ven = id($4); dev = id($6)
        printf "PCI = [ ADDRESS = \"%s:%s:%s:%s\", BUS = \"%s\", CLASS = \"%s\", CLASS_NAME = \"%s\", DEVICE = \"%s\", DEVICE_NAME = \"%s\", DOMAIN = \"%s\", FUNCTION = \"%s\", SHORT_ADDRESS = \"%s\", SLOT = \"%s\", TYPE = \"%s:%s:%s\", VENDOR = \"%s\", VENDOR_NAME = \"%s\", NUMA_NODE = \"%s\" ]\n",
            p[1], p[2], p[3], p[4], p[2], cls, name($2), dev, name($6), p[1], p[4], short, p[3], ven, dev, cls, ven, name($4), numa
    }'
