# Disk snapshots of the qcow2 transfer driver: qcow2 INTERNAL snapshots (`qemu-img snapshot`),
# one per OpenNebula snapshot id, tagged `snap-<id>`, kept inside the disk file itself: the VM's
# overlay for a cloned disk, the image file for a persistent (linked) one, so a persistent
# image's snapshots go wherever the image goes. Source it from snap_create, snap_revert,
# snap_delete after tm_common.sh.

# snap_args host:VM_DIR/disk.N SNAP_ID: sets h, disk and tag; refuses paths that are not a VM's
# files and ids that are not numbers.
snap_args() {
    h=$(arg_host "$1"); disk=$(arg_path "$1")
    check_path "$disk"
    case "$2" in
        ""|*[!0-9]*) error_message "Invalid snapshot id '$2': a number is expected"; exit 1 ;;
    esac
    tag="snap-$2"
    id=$2
}

# Shell command (for on_host) that fails with a clear message unless the disk is a qcow2 file
# and does (want=yes) or does not (want=no) have the snapshot.
snap_check() {
    _want=$1
    printf '%s' "f=\$(qemu-img info -U $(q "$disk") 2>&1 | sed -n 's/^file format: //p'); "
    printf '%s' "[ -n \"\$f\" ] || { echo $(q "cannot read disk $disk"); exit 1; }; "
    printf '%s' "[ \"\$f\" = qcow2 ] || { echo \"disk $(basename "$disk") is a \$f disk: the qcow2 driver takes snapshots of qcow2 disks only\"; exit 1; }; "
    printf '%s' "has=\$(qemu-img snapshot -U -l $(q "$disk") | awk -v t=$(q "$tag") '\$2 == t { print \"yes\" }'); "
    if [ "$_want" = yes ]; then
        printf '%s' "[ \"\$has\" = yes ] || { echo $(q "disk $(basename "$disk") has no snapshot $id"); exit 1; }; "
    else
        printf '%s' "[ -z \"\$has\" ] || { echo $(q "disk $(basename "$disk") already has a snapshot $id"); exit 1; }; "
    fi
}
