# Backup steps of the file-based transfer drivers (qcow2, shared, ssh): source it after
# tm_common.sh. A backup is prepared in the VM directory on the host:
#   backup/disk.<id>.<increment>  what the datastore driver ships (FULL: a standalone qcow2 copy;
#                                 INCREMENT: a qcow2 holding only the clusters changed since the
#                                 last backup, its backing file the host's reference copy)
#   backup.next/disk.<id>         the disk as it is now: the reference of the next increment
#   backup.ref/disk.<id>          the reference of the last successful backup
# Disks are read with plain qemu-img: the VM is powered off.

# check_disk_list DISKS: ids separated by ':'.
check_disk_list() {
    case "$1" in
        ""|*[!0-9:]*|:*|*:|*::*) error_message "Bad list of disks to back up: '$1'"; exit 1 ;;
    esac
}

# tm_prebackup host:VM_DIR DISKS DEPLOY_ID BJ_ID VM_ID DS_ID MODE INCREMENT_ID
tm_prebackup() {
    _h=$(arg_host "$1"); _dir=$(arg_path "$1"); _disks=$2; _mode=$7; _inc=$8
    check_path "$_dir"
    check_disk_list "$_disks"
    case "$_inc" in ""|*[!0-9]*) error_message "Bad increment id '$_inc'"; exit 1 ;; esac
    case "$_mode" in FULL|INCREMENT) ;; *) error_message "Bad backup mode '$_mode': FULL or INCREMENT"; exit 1 ;; esac
    _cmd="set -e; cd $(q "$_dir"); rm -rf backup backup.next; mkdir backup backup.next"
    for _id in $(printf '%s' "$_disks" | tr ':' ' '); do
        _cmd="$_cmd; [ -e disk.$_id ] || { echo 'disk.$_id of the VM is missing on this host' >&2; exit 1; }"
        _cmd="$_cmd; qemu-img convert -U -O qcow2 disk.$_id backup.next/disk.$_id"
        if [ "$_mode" = FULL ]; then
            _cmd="$_cmd; ln backup.next/disk.$_id backup/disk.$_id.$_inc"
        else
            _cmd="$_cmd; [ -f backup.ref/disk.$_id ] || { echo 'no copy of disk $_id as of the last backup on this host: back up again with reset' >&2; exit 1; }"
            _cmd="$_cmd; qemu-img create -q -f qcow2 -F qcow2 -b \"\$PWD/backup.next/disk.$_id\" backup/disk.$_id.$_inc"
            _cmd="$_cmd; qemu-img rebase -q -f qcow2 -F qcow2 -b \"\$PWD/backup.ref/disk.$_id\" backup/disk.$_id.$_inc"
        fi
    done
    log_info "Preparing disks $_disks of VM $5 for a $_mode backup on $_h"
    on_host "$_h" "$_cmd"
}

# tm_postbackup host:VM_DIR DISKS DEPLOY_ID BJ_ID VM_ID DS_ID OK|FAIL: the prepared copies go; on
# success the current disks become the reference of the next increment.
tm_postbackup() {
    _h=$(arg_host "$1"); _dir=$(arg_path "$1")
    check_path "$_dir"
    case "$7" in
        OK) on_host "$_h" "cd $(q "$_dir") && rm -rf backup backup.ref && mv backup.next backup.ref" ;;
        FAIL) on_host "$_h" "cd $(q "$_dir") && rm -rf backup backup.next" ;;
        *) error_message "Bad backup outcome '$7': OK or FAIL"; exit 1 ;;
    esac
}
