# Helpers of the kvm driver scripts: source it with . "$(dirname "$0")/kvm_common.sh"

DRIVER_DIR=$(dirname "$0")
. "$DRIVER_DIR/../../scripts_common.sh"
. "$DRIVER_DIR/kvmrc"

# virsh on the host's libvirtd.
virsh_cmd() { virsh --connect "$LIBVIRT_URI" "$@"; }

# virsh_or_fail STEP virsh-args...: runs virsh; on failure fails the action with a one-line
# message naming the step and virsh's reason. Leaves virsh's output in $_out.
virsh_or_fail() {
    _step=$1; shift
    _out=$(virsh_cmd "$@" 2>&1)
    _rc=$?
    # The last error line is the specific one ("Failed to create domain" comes before it).
    _reason=$(printf '%s\n' "$_out" | sed -n 's/^error: //p' | tail -n 1)
    [ -n "$_reason" ] || _reason=$(printf '%s\n' "$_out" | grep . | tail -n 1)
    check_result $_rc "$_out" "virsh $*: $_out" "$_step: $_reason"
}

# Whether libvirt knows the domain (running or not). Fails the action when libvirtd cannot be asked.
domain_exists() {
    _list=$(virsh_cmd list --all --name 2>&1) || {
        error_message "$1: cannot list the domains of $LIBVIRT_URI: $(printf '%s\n' "$_list" | sed 's/^error: //' | tail -n 1)"
        exit 1
    }
    printf '%s\n' "$_list" | grep -qxF "$2"
}

# A deploy id safe to hand to virsh: libvirt names only (never an option).
check_deploy_id() {
    case "$2" in
        ""|-*|*[!A-Za-z0-9_.:-]*) error_message "$1: invalid deploy id '$2'"; exit 1 ;;
    esac
}

# attached_attr ELEMENT KEY < action data: KEY of the DISK or NIC with ATTACH=YES in the VM XML.
attached_attr() {
    # One element per line (what came before it cut off), then the one being attached.
    tr -d '\n' | sed "s:</$1>:</$1>\n:g" | grep "</$1>$" | sed "s:.*<$1>::" | grep "<ATTACH>\(<!\[CDATA\[\)\{0,1\}YES" |
        sed -n "s:.*<$2>\(<!\[CDATA\[\)\{0,1\}\([^]<]*\).*:\2:p" | head -n 1
}
