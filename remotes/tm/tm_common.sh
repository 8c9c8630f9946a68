# Helpers of the transfer driver scripts (remotes/tm/<driver>/<action>): source it with
#   . "$(dirname "$0")/../tm_common.sh"
# Arguments come as `host:path`. Commands run on a host over ssh (BatchMode: keys only) are
# built from single-quoted words, so a path can never become shell syntax there; a host that is
# this front-end runs them locally.

. "$(dirname "$0")/../../scripts_common.sh"

# Host and path of a host:path argument.
arg_host() { printf '%s' "${1%%:*}"; }
arg_path() { printf '%s' "${1#*:}"; }

# One word for a POSIX shell, whatever it contains: it's -> 'it'\''s'.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# Whether HOST is this machine (then no ssh is needed).
is_local() {
    [ "$1" = "localhost" ] || [ "$1" = "$(hostname)" ] || [ "$1" = "$(hostname -f 2>/dev/null)" ]
}

# on_host HOST 'shell command': runs it there (with this script's stdin), or fails the action
# with its output as the error message.
on_host() {
    _h=$1; shift
    if is_local "$_h"; then
        _out=$(/bin/sh -c "$1" 2>&1)
    else
        _out=$(ssh -o BatchMode=yes "$_h" "$1" 2>&1)
    fi
    check_result $? "$_out" "Command failed on $_h: $1: $_out" "$_h: $_out"
}

# Output of a command run on HOST (for streaming a file out of it).
from_host() {
    if is_local "$1"; then /bin/sh -c "$2"; else ssh -o BatchMode=yes "$1" "$2"; fi
}

# Refuses to touch paths that are not a VM's files (empty, /, relative, with a .. step).
check_path() {
    case "$1" in
        ""|/|.|..|[!/]*|*/../*|*/..) error_message "Refusing to operate on path '$1'"; exit 1 ;;
    esac
}

# mkimage SIZE_MB FORMAT|FSTYPE host:path: an empty disk. raw/qcow2 (HEAD) with qemu-img when
# the host has it; a file system type (3.x: ext4, xfs...) formats a raw file.
tm_mkimage() {
    _size=$1; _fmt=$2; _h=$(arg_host "$3"); _p=$(arg_path "$3")
    check_path "$_p"
    _dir=$(dirname "$_p")
    case "$_fmt" in
        qcow2)
            on_host "$_h" "mkdir -p $(q "$_dir") && qemu-img create -f qcow2 $(q "$_p") $(q "${_size}M")" ;;
        raw|"")
            on_host "$_h" "mkdir -p $(q "$_dir") && truncate -s $(q "${_size}M") $(q "$_p")" ;;
        swap)
            on_host "$_h" "mkdir -p $(q "$_dir") && truncate -s $(q "${_size}M") $(q "$_p") && mkswap $(q "$_p")" ;;
        *)
            on_host "$_h" "mkdir -p $(q "$_dir") && truncate -s $(q "${_size}M") $(q "$_p") && mkfs -t $(q "$_fmt") $(q "$_p") >/dev/null" ;;
    esac
}

# mkswap SIZE_MB host:path
tm_mkswap() { tm_mkimage "$1" swap "$2"; }

# context CONTEXT_FILE [FILE...] host:path: an ISO 9660 image labelled CONTEXT with
# context.sh (the context file) and the extra files at its root, written to the host.
tm_context() {
    _dst=""; _files=""
    _ctx=$1; shift
    while [ $# -gt 0 ]; do
        case "$1" in
            *:/*) _dst=$1; break ;;
            *) _files="$_files
$1" ;;
        esac
        shift
    done
    [ -n "$_dst" ] || { error_message "CONTEXT: no host:path destination"; exit 1; }
    _h=$(arg_host "$_dst"); _p=$(arg_path "$_dst")
    check_path "$_p"
    [ -f "$_ctx" ] || { error_message "CONTEXT: context file $_ctx does not exist"; exit 1; }
    _iso_dir=$(mktemp -d "${TMPDIR:-/tmp}/one-context.XXXXXX")
    trap 'rm -rf "$_iso_dir"' EXIT
    cp "$_ctx" "$_iso_dir/context.sh"
    printf '%s\n' "$_files" | while IFS= read -r _f; do
        [ -z "$_f" ] && continue
        [ -f "$_f" ] || { error_message "CONTEXT: file $_f does not exist"; exit 1; }
        cp "$_f" "$_iso_dir/"
    done || exit 1
    if command -v genisoimage >/dev/null 2>&1; then
        _mk="genisoimage"
    elif command -v mkisofs >/dev/null 2>&1; then
        _mk="mkisofs"
    elif command -v xorriso >/dev/null 2>&1; then
        _mk="xorriso -as mkisofs"
    else
        error_message "CONTEXT: no genisoimage, mkisofs or xorriso on the front-end"; exit 1
    fi
    exec_and_log $_mk -quiet -V CONTEXT -J -R -o "$_iso_dir.iso" "$_iso_dir"
    trap 'rm -rf "$_iso_dir" "$_iso_dir.iso"' EXIT
    on_host "$_h" "mkdir -p $(q "$(dirname "$_p")") && cat > $(q "$_p")" < "$_iso_dir.iso"
}

# delete host:path: removes a disk or a VM's directory.
tm_delete() {
    _h=$(arg_host "$1"); _p=$(arg_path "$1")
    check_path "$_p"
    on_host "$_h" "rm -rf $(q "$_p")"
}

# Shell command (for on_host) that prints the format qemu-img reads in image file $1, and fails
# when it cannot read it.
image_format_cmd() {
    printf "qemu-img info -U %s | sed -n 's/^file format: //p' | grep . || { echo %s >&2; false; }" "$(q "$1")" "$(q "cannot read the format of $1")"
}

# resize host:path SIZE_MB: grows a VM disk file with qemu-img (qcow2 or raw, as it reads it).
# A disk a running QEMU holds (its write lock taken) is left to the hypervisor: the VMM driver's
# resize_disk (virsh blockresize) grows it, as OpenNebula leaves running VMs' disks alone here.
tm_resize() {
    _h=$(arg_host "$1"); _p=$(arg_path "$1"); _size=$2
    check_path "$_p"
    case "$_size" in
        ""|*[!0-9]*) error_message "RESIZE: size '$_size' is not a number of MB"; exit 1 ;;
    esac
    on_host "$_h" "if ! qemu-img info $(q "$_p") >/dev/null 2>&1 && qemu-img info -U $(q "$_p") >/dev/null 2>&1; then echo 'in use: left to the hypervisor'; else f=\$($(image_format_cmd "$_p")) && qemu-img resize -q -f \"\$f\" $(q "$_p") $(q "${_size}M"); fi"
}
