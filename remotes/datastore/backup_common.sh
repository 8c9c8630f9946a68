# Helpers shared by the backup datastore drivers (rsync, restic): source it after libfs.sh and
# tm/tm_common.sh. Backup ids, the backups of a backup image, and restores. A driver's restore
# reads the request, then:
#   restore_begin TMP_ATTR        WORK, SOURCES ("<inc>=<source> ..." up to INCREMENT_ID), DISK,
#                                 DEST (TMP_ATTR: the datastore attribute naming the work dir's parent)
#   <fetch each source into "$WORK/<inc>/": disk.<id>.<inc> files and vm.xml>
#   restore_finish                prints "<vm.xml base64> <disk id>:<file>:<size MB>:qcow2 ..."
# restore_fail MESSAGE removes what was made and fails the action.

# check_id NAME VALUE: VALUE is a number.
check_id() {
    case "$2" in ""|*[!0-9]*) error_message "Bad $1 '$2'"; exit 1 ;; esac
}

# check_backup_id ID: as made by new_backup_id.
check_backup_id() {
    if ! printf '%s' "$1" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9_-]*$'; then
        error_message "Bad backup id '$1'"; exit 1
    fi
}

# new_backup_id: <epoch>-<6 hex digits>.
new_backup_id() {
    printf '%s-%s' "$(date +%s)" "$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
}

# backup_sources: "<increment id> <source>" lines of the backup IMAGE in the request, in order
# (one line "0 <SOURCE>" for a backup that is not an incremental chain).
backup_sources() {
    _incs=$(printf '%s' "$DRV_XML" | sed -n 's:.*<BACKUP_INCREMENTS>\(.*\)</BACKUP_INCREMENTS>.*:\1:p' |
        sed 's:</INCREMENT>:&\n:g' | sed -n 's:.*<ID>\([0-9]*\)</ID>.*<SOURCE>\([^<]*\)</SOURCE>.*:\1 \2:p')
    if [ -n "$_incs" ]; then printf '%s\n' "$_incs"; else printf '0 %s\n' "$(xml_value IMAGE SOURCE)"; fi
}

# backup_vm_id: the VM of the backup IMAGE in the request (its VMS).
backup_vm_id() {
    printf '%s' "$DRV_XML" | sed -n 's:.*<IMAGE>.*<VMS><ID>\([0-9]*\)</ID>.*</IMAGE>.*:\1:p'
}

restore_fail() {
    rm -rf "$WORK"
    # shellcheck disable=SC2086 # MADE: files this restore made (no blanks: new_source names)
    [ -n "$MADE" ] && rm -f $MADE
    error_message "$1"
    exit 1
}

restore_begin() {
    INC=$(xml_value RESTORE INCREMENT_ID)
    check_id "INCREMENT_ID" "$INC"
    DISK=$(xml_value RESTORE DISK_ID)
    DEST=$(xml_value RESTORE DESTINATION_BASE_PATH)
    check_path "$DEST"
    MADE=""
    _tmp=$(xml_template_value DATASTORE "$1")
    WORK=$(mktemp -d "${_tmp:-/var/tmp}/one-restore.XXXXXX") || { error_message "Cannot make a work directory"; exit 1; }
    SOURCES=""
    for _line in $(backup_sources | tr ' ' '='); do
        _id=${_line%%=*}; _src=${_line#*=}
        [ "$_id" -le "$INC" ] || continue
        check_backup_id "$_src"
        SOURCES="$SOURCES $_id=$_src"
    done
    [ -n "$SOURCES" ] || restore_fail "The backup has no increment $INC"
}

restore_finish() {
    _last=""
    for _s in $SOURCES; do _last=${_s%%=*}; done
    [ -f "$WORK/$_last/vm.xml" ] || restore_fail "The backup has no vm.xml"
    mkdir -p "$DEST" || restore_fail "Cannot write to $DEST"
    _answer=$(base64 -w0 < "$WORK/$_last/vm.xml")
    for _f in "$WORK/$_last"/disk.*."$_last"; do
        [ -f "$_f" ] || restore_fail "The backup has no disks"
        _d=${_f##*/disk.}; _d=${_d%%.*}
        [ -z "$DISK" ] || [ "$DISK" = -1 ] || [ "$DISK" = "$_d" ] || continue
        _prev=""
        for _s in $SOURCES; do
            _id=${_s%%=*}
            _cur="$WORK/$_id/disk.$_d.$_id"
            [ -f "$_cur" ] || restore_fail "Increment $_id has no disk $_d"
            if [ -n "$_prev" ]; then
                _out=$(qemu-img rebase -u -f qcow2 -F qcow2 -b "$_prev" "$_cur" 2>&1) || restore_fail "Cannot rebuild disk $_d: $_out"
            fi
            _prev=$_cur
        done
        _dst=$(new_source "$DEST")
        MADE="$MADE $_dst"
        _out=$(qemu-img convert -O qcow2 "$_prev" "$_dst" 2>&1) || restore_fail "Cannot rebuild disk $_d: $_out"
        _bytes=$(qemu-img info --output=json "$_dst" | sed -n 's/.*"virtual-size": *\([0-9]*\).*/\1/p' | head -n 1)
        _answer="$_answer $_d:$_dst:$(( (${_bytes:-0} + 1048575) / 1048576 )):qcow2"
    done
    rm -rf "$WORK"
    echo "$_answer"
}

# monitor_server USER@HOST DIR: USED_MB, TOTAL_MB and FREE_MB of DIR's file system on the server.
monitor_server() {
    _out=$(from_host "$1" "mkdir -p $(q "$2") && df -P -m $(q "$2") | tail -n 1" 2>&1) ||
        { error_message "Cannot monitor the backup server $1: $_out"; exit 1; }
    printf '%s\n' "$_out" | awk '{ printf "USED_MB=%d\nTOTAL_MB=%d\nFREE_MB=%d\n", $3, $2, $4 }'
}
