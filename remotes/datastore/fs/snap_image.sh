#!/bin/sh
# snap_image.sh ACTION <image_id> (ACTION: delete, revert, flatten), action data on stdin: the
# snapshot IMAGE/TARGET_SNAPSHOT of an image not in use. Snapshots are qcow2 internal ones tagged
# snap-<id> (the qcow2 transfer driver takes them in the image file of a persistent disk):
#   delete  removes it; revert puts the image back to it;
#   flatten puts the image back to it and removes every snapshot (the image keeps that content).
DRIVER_DIR=$(dirname "$0")
. "$DRIVER_DIR/../../scripts_common.sh"
. "$DRIVER_DIR/../libfs.sh"

ACTION=$1
read_action_data
SRC=$(xml_value IMAGE SOURCE)
SNAP=$(xml_value IMAGE TARGET_SNAPSHOT)
BASE_PATH=$(xml_value DATASTORE BASE_PATH)

case "$SNAP" in
    ""|*[!0-9]*) error_message "Invalid snapshot id '$SNAP': a number is expected"; exit 1 ;;
esac
case "$SRC" in
    "$BASE_PATH"/*) ;;
    *) error_message "Refusing to change $SRC: it is not in the datastore ($BASE_PATH)"; exit 1 ;;
esac
FMT=$(image_format "$SRC")
if [ "$FMT" != qcow2 ]; then
    error_message "Image $SRC is a $FMT image: only qcow2 images have snapshots"
    exit 1
fi
if ! qemu-img snapshot -l "$SRC" | awk -v t="snap-$SNAP" '$2 == t { f = 1 } END { exit !f }'; then
    error_message "Image $SRC has no snapshot $SNAP"
    exit 1
fi
case "$ACTION" in
    delete) exec_and_log qemu-img snapshot -d "snap-$SNAP" "$SRC" ;;
    revert) exec_and_log qemu-img snapshot -a "snap-$SNAP" "$SRC" ;;
    flatten)
        exec_and_log qemu-img snapshot -a "snap-$SNAP" "$SRC"
        for t in $(qemu-img snapshot -l "$SRC" | awk '$2 ~ /^snap-[0-9]+$/ { print $2 }'); do
            exec_and_log qemu-img snapshot -d "$t" "$SRC"
        done ;;
    *) error_message "Unknown snapshot action '$ACTION'"; exit 1 ;;
esac
