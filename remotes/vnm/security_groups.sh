# Security group filters of the network drivers (bridge, 802.1Q, ebtables), sourced after
# vnm_common.sh and read_vm. The rules are the VM's TEMPLATE/SECURITY_GROUP_RULE elements
# (oned writes them from the groups each NIC names in SECURITY_GROUPS).
#
# Each filtered NIC (tap T) gets two iptables chains: T-i (traffic to the VM: INBOUND rules) and
# T-o (traffic from the VM: OUTBOUND rules), jumped to from FORWARD by physdev matches on the
# tap, so the frames the bridge forwards pass them (bridge-nf-call-iptables is turned on). A
# chain lets through (RETURN) replies of allowed connections and what a rule allows, and drops
# the rest: a frame from one VM to another passes the sender's T-o and the receiver's T-i.
# A NIC whose groups allow all traffic both ways (the default group 0) gets no chain.
# IP ranges (IP + SIZE, a NETWORK_ID's address ranges) are iprange matches; IPv6 traffic and
# ICMPv6 rules are not filtered. Every value from the XML is checked before it becomes an
# argument of iptables.

# The rules of the VM, one line each: SECURITY_GROUP_ID PROTOCOL RULE_TYPE RANGE ICMP_TYPE IP SIZE.
sg_rules() {
    printf '%s\n' "$VM_XML" | awk -v fs="$VNM_FS" "$VNM_AWK_VAL"'
        {
            s = index($0, "<TEMPLATE>"); if (s == 0) exit
            t = substr($0, s + 10); e = index(t, "</TEMPLATE>"); if (e > 0) t = substr(t, 1, e - 1)
            while ((s = index(t, "<SECURITY_GROUP_RULE>")) > 0) {
                t = substr(t, s + 21); e = index(t, "</SECURITY_GROUP_RULE>"); if (e == 0) break
                r = substr(t, 1, e - 1); t = substr(t, e + 22)
                print val(r, "SECURITY_GROUP_ID") fs toupper(val(r, "PROTOCOL")) fs toupper(val(r, "RULE_TYPE")) fs val(r, "RANGE") fs val(r, "ICMP_TYPE") fs val(r, "IP") fs val(r, "SIZE")
            }
        }'
}

# Whether group id $1 is in the SECURITY_GROUPS list $2.
sg_in_list() {
    case ",$(printf '%s' "$2" | tr -d ' ')," in *",$1,"*) return 0 ;; esac
    return 1
}

# The rules of the groups in list $1 (lines as sg_rules).
sg_nic_rules() {
    sg_rules | while IFS=$VNM_FS read -r _g _rest; do
        [ -n "$_g" ] && sg_in_list "$_g" "$1" && printf '%s%s%s\n' "$_g" "$VNM_FS" "$_rest"
    done
}

# Whether rules ($1, lines) allow everything both ways: nothing to filter.
sg_allows_all() {
    _in=0; _out=0
    while IFS=$VNM_FS read -r _g _p _t _r _i _ip _s; do
        [ "$_p" = ALL ] && [ -z "$_ip" ] || continue
        [ "$_t" = INBOUND ] && _in=1
        [ "$_t" = OUTBOUND ] && _out=1
    done <<EOF
$1
EOF
    [ "$_in" = 1 ] && [ "$_out" = 1 ]
}

ipt() { iptables -w 10 "$@"; }

# The last address of $2 addresses from IPv4 $1.
sg_ip_last() {
    _o=$IFS; IFS=.; set -- $1 "$2"; IFS=$_o
    _n=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 + $5 - 1 ))
    echo "$(( (_n >> 24) & 255 )).$(( (_n >> 16) & 255 )).$(( (_n >> 8) & 255 )).$(( _n & 255 ))"
}

# sg_remove TAP: no chain or FORWARD jump of the tap is left.
sg_remove() {
    command -v iptables >/dev/null 2>&1 || return 0
    while ipt -D FORWARD -m physdev --physdev-out "$1" --physdev-is-bridged -j "$1-i" >/dev/null 2>&1; do :; done
    while ipt -D FORWARD -m physdev --physdev-in "$1" --physdev-is-bridged -j "$1-o" >/dev/null 2>&1; do :; done
    for _c in "$1-i" "$1-o"; do
        if ipt -n -L "$_c" >/dev/null 2>&1; then
            step "security groups $1: cannot flush $_c" ipt -F "$_c"
            step "security groups $1: cannot delete $_c" ipt -X "$_c"
        fi
    done
}

# Bridged frames pass iptables (br_netfilter, per network namespace).
sg_bridge_nf() {
    _f=${ONE_SG_BRIDGE_NF:-/proc/sys/net/bridge/bridge-nf-call-iptables}
    [ -e "$_f" ] || modprobe br_netfilter >/dev/null 2>&1 || true
    [ -e "$_f" ] || vnm_fail "security groups: bridge netfilter (br_netfilter) is not available on $(hostname)"
    [ "$(cat "$_f")" = 1 ] || echo 1 > "$_f" || vnm_fail "security groups: cannot turn on $_f"
}

# sg_rule TAP PROTOCOL RULE_TYPE RANGE ICMP_TYPE IP SIZE: the rule's RETURN lines in the tap's chain.
sg_rule() {
    _tap=$1 _p=$2 _t=$3 _range=$4 _icmp=$5 _ip=$6 _size=$7
    case "$_t" in
        INBOUND) _ch=$_tap-i; _dir=src ;;
        OUTBOUND) _ch=$_tap-o; _dir=dst ;;
        *) vnm_fail "security groups $_tap: RULE_TYPE '$_t' is not INBOUND or OUTBOUND" ;;
    esac
    case "$_ip" in *:*) return 0 ;; esac      # IPv6: not filtered
    _addr=""
    if [ -n "$_ip" ]; then
        check_ip4 "security groups $_tap" "$_ip"
        case "$_size" in ""|*[!0-9]*) vnm_fail "security groups $_tap: SIZE '$_size' is not a number" ;; esac
        [ "$_size" -ge 1 ] || vnm_fail "security groups $_tap: SIZE must be at least 1"
        _addr="$_ip-$(sg_ip_last "$_ip" "$_size")"
    fi
    case "$_p" in
        TCP|UDP)
            _proto=$(printf '%s' "$_p" | tr 'A-Z' 'a-z')
            case "$_range" in *[!0-9:,]*) vnm_fail "security groups $_tap: RANGE '$_range' is not ports and port ranges" ;; esac
            if [ -z "$_range" ]; then
                sg_line "$_ch" "$_dir" "$_addr" -p "$_proto"
            else
                _o=$IFS; IFS=,; set -- $_range; IFS=$_o
                for _port in "$@"; do
                    [ -n "$_port" ] || continue
                    sg_line "$_ch" "$_dir" "$_addr" -p "$_proto" --dport "$_port"
                done
            fi ;;
        ICMP)
            case "$_icmp" in *[!0-9]*) vnm_fail "security groups $_tap: ICMP_TYPE '$_icmp' is not a number" ;; esac
            if [ -n "$_icmp" ]; then sg_line "$_ch" "$_dir" "$_addr" -p icmp --icmp-type "$_icmp"; else sg_line "$_ch" "$_dir" "$_addr" -p icmp; fi ;;
        IPSEC) sg_line "$_ch" "$_dir" "$_addr" -p esp ;;
        ALL) sg_line "$_ch" "$_dir" "$_addr" ;;
        ICMPV6) ;;
        *) vnm_fail "security groups $_tap: PROTOCOL '$_p' is not TCP, UDP, ICMP, ICMPv6, IPSEC or ALL" ;;
    esac
}

# sg_line CHAIN src|dst ADDRESS_RANGE MATCH...: one RETURN line.
sg_line() {
    _c=$1 _d=$2 _a=$3; shift 3
    if [ -n "$_a" ]; then
        step "security groups: cannot add a rule to $_c" ipt -A "$_c" -m iprange "--$_d-range" "$_a" "$@" -j RETURN
    else
        step "security groups: cannot add a rule to $_c" ipt -A "$_c" "$@" -j RETURN
    fi
}

# sg_apply TAP SECURITY_GROUPS: the tap's chains, made anew from the VM's rules.
sg_apply() {
    check_ifname "security groups" "$1"
    case "$2" in *[!0-9,\ ]*) vnm_fail "security groups $1: SECURITY_GROUPS '$2' is not a list of ids" ;; esac
    _rules=$(sg_nic_rules "$2")
    if [ -z "$(printf '%s' "$2" | tr -d ' ,')" ] || sg_allows_all "$_rules"; then
        sg_remove "$1"
        return 0
    fi
    command -v iptables >/dev/null 2>&1 || vnm_fail "security groups $1: iptables is not installed on $(hostname)"
    sg_bridge_nf
    sg_remove "$1"
    for _c in "$1-i" "$1-o"; do
        step "security groups $1: cannot create $_c" ipt -N "$_c"
        step "security groups $1: cannot add the reply rule to $_c" ipt -A "$_c" -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
    done
    printf '%s\n' "$_rules" | while IFS=$VNM_FS read -r _g _p _t _r _i _ip _s; do
        [ -n "$_g" ] || continue
        sg_rule "$1" "$_p" "$_t" "$_r" "$_i" "$_ip" "$_s" || exit 1
    done || exit 1
    for _c in "$1-i" "$1-o"; do
        step "security groups $1: cannot end $_c" ipt -A "$_c" -j DROP
    done
    step "security groups $1: cannot add the FORWARD jump" ipt -I FORWARD 1 -m physdev --physdev-out "$1" --physdev-is-bridged -j "$1-i"
    step "security groups $1: cannot add the FORWARD jump" ipt -I FORWARD 1 -m physdev --physdev-in "$1" --physdev-is-bridged -j "$1-o"
}

# each_nic callbacks: the NIC's filters (post, update_sg) and their removal (clean).
nic_sg_apply() {
    check_ifname "$VNM_DRIVER NIC $1" "$7"
    sg_apply "$7" "$8"
}

nic_sg_remove() {
    check_ifname "$VNM_DRIVER NIC $1" "$7"
    sg_remove "$7"
}
