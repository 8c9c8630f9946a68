# Helpers of the network drivers (remotes/vnm/<driver>/{pre,post,clean}), run on the VM's host:
#   . "$(dirname "$0")/../vnm_common.sh"
# one_vmm_exec hands every step the VM XML in base64 on stdin (pre: no arguments; post:
# <deploy_id> <host>; clean: <host>). A driver acts on the NICs whose VN_MAD is its folder name.
# Values from the XML only ever become arguments of ip/ebtables, after a check of their form.
#
# Which NIC uses which bridge is kept in $ONE_VNM_STATE (default /run/one-vnm, gone on reboot
# with the links themselves): <bridge>/nic-<tap> per user, <bridge>/created and
# <bridge>/uplink-created when this driver made the bridge or its uplink. clean removes only
# what a driver made, and only when no other NIC's marker or port is left on the bridge.

. "$(dirname "$0")/../../scripts_common.sh"

VNM_DRIVER=$(basename "$(dirname "$0")")
VNM_STATE=${ONE_VNM_STATE:-/run/one-vnm}

# Fails the step: one line naming the object and the reason.
vnm_fail() {
    error_message "$*"
    exit 1
}

# Fields of a VM_NICS line: the unit separator, which XML text cannot hold.
VNM_FS=$(printf '\037')

# Reads the VM XML from stdin; sets VM_ID, VM_XML (the XML on one line) and VM_NICS (one line
# per NIC of this driver: NIC_ID BRIDGE PHYDEV VLAN_ID MAC IP TARGET SECURITY_GROUPS, taken from
# the VM's TEMPLATE only). While a NIC is
# being attached or detached (ATTACH = YES), the steps are about that NIC only, as OpenNebula's
# drivers filter them: the VM's other NICs stay as they are.
# awk's val(block, KEY): the text of <KEY> in an XML block, CDATA unwrapped and entities decoded.
# Shared by the awk programs that read the VM's XML (read_vm, security_groups.sh).
VNM_AWK_VAL='
        function val(block, key,   s, e, v) {
            s = index(block, "<" key ">"); if (s == 0) return ""
            v = substr(block, s + length(key) + 2)
            e = index(v, "</" key ">"); if (e == 0) return ""
            v = substr(v, 1, e - 1)
            if (substr(v, 1, 9) == "<![CDATA[" && substr(v, length(v) - 2) == "]]>") return substr(v, 10, length(v) - 12)
            gsub(/&lt;/, "<", v); gsub(/&gt;/, ">", v); gsub(/&quot;/, "\"", v); gsub(/&apos;/, "\047", v); gsub(/&amp;/, "\\&", v)
            return v
        }
'

read_vm() {
    _xml=$(base64 -d 2>/dev/null | tr -d '\n\r')
    VM_XML=$_xml
    VM_ID=$(printf '%s' "$_xml" | sed -n 's:^<VM><ID>\([0-9][0-9]*\)</ID>.*:\1:p')
    [ -n "$VM_ID" ] || vnm_fail "$VNM_DRIVER: no VM XML (<VM><ID>...) on stdin"
    VM_NICS=$(printf '%s\n' "$_xml" | awk -v driver="$VNM_DRIVER" -v fs="$VNM_FS" "$VNM_AWK_VAL"'
        {
            s = index($0, "<TEMPLATE>"); if (s == 0) exit
            t = substr($0, s + 10); e = index(t, "</TEMPLATE>"); if (e > 0) t = substr(t, 1, e - 1)
            while ((s = index(t, "<NIC>")) > 0) {
                t = substr(t, s + 5); e = index(t, "</NIC>"); if (e == 0) break
                n = substr(t, 1, e - 1); t = substr(t, e + 6)
                line = val(n, "NIC_ID") fs val(n, "BRIDGE") fs val(n, "PHYDEV") fs val(n, "VLAN_ID") fs val(n, "MAC") fs val(n, "IP") fs val(n, "TARGET") fs val(n, "SECURITY_GROUPS")
                if (toupper(val(n, "ATTACH")) == "YES") { attached = 1; if (val(n, "VN_MAD") == driver) mine_attached = mine_attached line "\n" }
                if (val(n, "VN_MAD") == driver) mine = mine line "\n"
            }
        }
        END { printf "%s", attached ? mine_attached : mine }')
}

# Calls `fn NIC_ID BRIDGE PHYDEV VLAN_ID MAC IP TAP SECURITY_GROUPS` for each NIC of this
# driver; TAP is the NIC's TARGET, else one-<vm id>-<nic id> as the VMM names it.
each_nic() {
    _fn=$1
    printf '%s\n' "$VM_NICS" | while IFS=$VNM_FS read -r _id _br _dev _vlan _mac _ip _tap _sgs; do
        [ -z "$_id$_br" ] && continue
        [ -n "$_tap" ] || _tap="one-$VM_ID-$_id"
        "$_fn" "$_id" "$_br" "$_dev" "$_vlan" "$_mac" "$_ip" "$_tap" "$_sgs" || exit 1
    done || exit 1
}

# Whether $2 is a Linux interface name (1-15 characters of [A-Za-z0-9_.-], not an option, not
# . or ..): it also names a directory of $VNM_STATE.
check_ifname() {
    case "$2" in
        ""|.|..|-*|*[!A-Za-z0-9_.-]*) vnm_fail "$1: '$2' is not a valid interface name" ;;
    esac
    [ ${#2} -le 15 ] || vnm_fail "$1: '$2' is not a valid interface name (more than 15 characters)"
}

check_vlan_id() {
    case "$2" in
        ""|*[!0-9]*) vnm_fail "$1: VLAN_ID '$2' is not a number" ;;
    esac
    [ "$2" -ge 1 ] && [ "$2" -le 4094 ] || vnm_fail "$1: VLAN_ID $2 is out of 1..4094"
}

check_mac() {
    _h='[0-9a-fA-F][0-9a-fA-F]'
    case "$2" in
        $_h:$_h:$_h:$_h:$_h:$_h) ;;
        *) vnm_fail "$1: '$2' is not a MAC address" ;;
    esac
}

check_ip4() {
    case "$2" in
        ""|*[!0-9.]*|.*|*.|*..*) vnm_fail "$1: '$2' is not an IPv4 address" ;;
    esac
    _old_ifs=$IFS; IFS=.; set -- "$1" $2; IFS=$_old_ifs
    [ $# -eq 5 ] || vnm_fail "$1: not an IPv4 address"
    for _o in "$2" "$3" "$4" "$5"; do
        [ "$_o" -le 255 ] || vnm_fail "$1: not an IPv4 address"
    done
}

# Runs a command; on failure fails the step with "STEP: <its output>".
step() {
    _what=$1; shift
    _out=$("$@" 2>&1) || vnm_fail "$_what: $(printf '%s' "$_out" | tr '\n' ' ')"
    return 0
}

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# Serializes the network steps of one host: a bridge is never removed while a NIC takes it.
vnm_lock() {
    mkdir -p "$VNM_STATE" || vnm_fail "$VNM_DRIVER: cannot create $VNM_STATE"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$VNM_STATE/.lock"
        flock -w 60 9 || vnm_fail "$VNM_DRIVER: another network step holds $VNM_STATE/.lock"
    fi
}

# take_bridge TAP BRIDGE [UPLINK]: the bridge exists and is up (made when missing), with UPLINK
# (a PHYDEV or a VLAN link) as a port, and the NIC of TAP is one of its users.
take_bridge() {
    _tap=$1; shift
    check_ifname "$VNM_DRIVER" "$1"
    _dir=$VNM_STATE/$1
    mkdir -p "$_dir" || vnm_fail "bridge $1: cannot create $_dir"
    if ! link_exists "$1"; then
        step "bridge $1: cannot create" ip link add name "$1" type bridge
        : > "$_dir/created"
    fi
    step "bridge $1: cannot set up" ip link set dev "$1" up
    if [ -n "${2:-}" ]; then
        link_exists "$2" || vnm_fail "bridge $1: uplink $2 does not exist"
        if [ "$(basename "$(readlink "/sys/class/net/$2/master" 2>/dev/null)")" != "$1" ]; then
            step "bridge $1: cannot add $2" ip link set dev "$2" master "$1"
        fi
        step "bridge $1: cannot set $2 up" ip link set dev "$2" up
    fi
    : > "$_dir/nic-$_tap"
}

# release_bridge TAP BRIDGE [UPLINK]: the NIC of TAP stops using the bridge. When no other NIC
# does (no marker, no port but the uplink and TAP), what a driver made is deleted.
release_bridge() {
    _tap=$1; shift
    check_ifname "$VNM_DRIVER" "$1"
    _dir=$VNM_STATE/$1
    rm -f "$_dir/nic-$_tap"
    for _m in "$_dir"/nic-*; do
        [ -e "$_m" ] && return 0
    done
    if link_exists "$1"; then
        for _p in /sys/class/net/"$1"/brif/*; do
            [ -e "$_p" ] || continue
            _p=$(basename "$_p")
            [ "$_p" = "${2:-}" ] || [ "$_p" = "$_tap" ] || return 0
        done
    fi
    if [ -n "${2:-}" ] && [ -e "$_dir/uplink-created" ] && link_exists "$2"; then
        step "bridge $1: cannot delete $2" ip link delete dev "$2"
    fi
    if [ -e "$_dir/created" ] && link_exists "$1"; then
        step "bridge $1: cannot delete" ip link delete dev "$1" type bridge
    fi
    rm -rf "$_dir"
}

# each_nic callbacks of the drivers that put a NIC on a plain bridge (bridge, ebtables): the
# network's PHYDEV, when it names one, is the bridge's uplink.
nic_take_bridge() {
    [ -n "$2" ] || vnm_fail "$VNM_DRIVER: NIC $1 has no BRIDGE"
    [ -z "$3" ] || check_ifname "bridge $2" "$3"
    check_ifname "$VNM_DRIVER NIC $1" "$7"
    take_bridge "$7" "$2" "$3"
}

nic_release_bridge() {
    [ -n "$2" ] || return 0
    check_ifname "$VNM_DRIVER NIC $1" "$7"
    release_bridge "$7" "$2" "$3"
}

# drop_chain TAP: no ebtables rule of that tap is left (its FORWARD jumps, its chain).
drop_chain() {
    while ebtables -D FORWARD -i "$1" -j "$1" >/dev/null 2>&1; do :; done
    if ebtables -L "$1" >/dev/null 2>&1; then
        step "ebtables $1: cannot flush its chain" ebtables -F "$1"
        step "ebtables $1: cannot delete its chain" ebtables -X "$1"
    fi
}
