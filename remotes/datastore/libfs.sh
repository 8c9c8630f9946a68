# Helpers of the file-based datastore drivers (datastore/fs): reading the request and measuring
# files. Source it after scripts_common.sh:
#   . "$(dirname "$0")/../libfs.sh"
#
# The request is the base64 DS_DRIVER_ACTION_DATA oned writes on stdin:
#   <DS_DRIVER_ACTION_DATA><IMAGE>...</IMAGE><DATASTORE>...</DATASTORE></DS_DRIVER_ACTION_DATA>

# Reads the request into DRV_XML (one line).
read_action_data() {
    DRV_XML=$(base64 -d | tr -d '\n')
}

# xml_value ELEMENT NAME: the text of the first <NAME> inside <ELEMENT> (the object's own
# fields come before its TEMPLATE, so this is the field, not a template attribute).
xml_value() {
    printf '%s' "$DRV_XML" |
        sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" |
        grep -o "<$2>[^<]*</$2>" | head -n 1 |
        sed -e "s:^<$2>::" -e "s:</$2>\$::" \
            -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
}

# xml_template_value ELEMENT NAME: a template attribute of <ELEMENT> (MD5, SHA1...).
xml_template_value() {
    printf '%s' "$DRV_XML" |
        sed -n "s:.*<$1>.*<TEMPLATE>\(.*\)</TEMPLATE>.*</$1>.*:\1:p" |
        grep -o "<$2>[^<]*</$2>" | head -n 1 |
        sed -e "s:^<$2>::" -e "s:</$2>\$::"
}

# check_restricted FILE: refuses (exits with the error message) a file in one of the
# datastore's RESTRICTED_DIRS that is not in one of its SAFE_DIRS (blank-separated lists in the
# datastore template), so users cannot register files of the front-end they should not read.
# The file and the directories are compared by their real paths (symbolic links followed, `.`
# and `..` resolved), so neither a link in a safe directory nor `/var/tmp/../etc/passwd`
# escapes. Sets REAL_PATH to the file's real path: callers copy that, not what the user wrote,
# so a link changed after the check is not followed again.
check_restricted() {
    REAL_PATH=$(readlink -f -- "$1") || REAL_PATH=$1
    for _dir in $(xml_template_value DATASTORE SAFE_DIRS); do
        _real_dir=$(readlink -f -- "$_dir") || _real_dir=$_dir
        case "$REAL_PATH/" in "${_real_dir%/}"/*) return 0 ;; esac
    done
    for _dir in $(xml_template_value DATASTORE RESTRICTED_DIRS); do
        _real_dir=$(readlink -f -- "$_dir") || _real_dir=$_dir
        case "$REAL_PATH/" in
            "${_real_dir%/}"/*)
                error_message "Not allowed to copy image file $1: it is in a restricted directory ($_dir); files can be registered from the datastore's SAFE_DIRS ($(xml_template_value DATASTORE SAFE_DIRS))"
                exit 1 ;;
        esac
    done
}

# size_mb FILE: the size of the disk it holds in MB, rounded up: the virtual size qemu-img reads
# (a qcow2 file is smaller than its disk), else the file's size; 0 when it cannot be read.
size_mb() {
    _bytes=""
    if command -v qemu-img >/dev/null 2>&1; then
        _bytes=$(qemu-img info -U --output=json -- "$1" 2>/dev/null | sed -n 's/^ *"virtual-size": *\([0-9][0-9]*\).*/\1/p' | head -n 1)
    fi
    [ -n "$_bytes" ] || _bytes=$(stat -L -c %s "$1" 2>/dev/null) || { echo 0; return; }
    echo $(( (_bytes + 1048575) / 1048576 ))
}

# image_format FILE: the format qemu-img reports, raw without qemu-img.
image_format() {
    if command -v qemu-img >/dev/null 2>&1; then
        _fmt=$(qemu-img info "$1" 2>/dev/null | sed -n 's/^file format: *//p')
        echo "${_fmt:-raw}"
    else
        echo raw
    fi
}

# new_source BASE_PATH: a fresh file name in the datastore (md5 of the request and the time).
new_source() {
    _name=$(printf '%s %s %s' "$DRV_XML" "$(date +%s%N)" "$$" | md5sum | cut -d' ' -f1)
    echo "$1/$_name"
}

# checksums FILE: MD5=... SHA1=... of the file, verified against the image's own MD5/SHA1
# attributes when it has them (exits with the error message on a mismatch).
checksums() {
    _md5=$(md5sum "$1" | cut -d' ' -f1)
    _sha1=$(sha1sum "$1" | cut -d' ' -f1)
    _want_md5=$(xml_template_value IMAGE MD5)
    _want_sha1=$(xml_template_value IMAGE SHA1)
    if [ -n "$_want_md5" ] && [ "$_want_md5" != "$_md5" ]; then
        rm -f "$1"
        error_message "MD5 of the copy is $_md5, the image says $_want_md5"
        exit 1
    fi
    if [ -n "$_want_sha1" ] && [ "$_want_sha1" != "$_sha1" ]; then
        rm -f "$1"
        error_message "SHA1 of the copy is $_sha1, the image says $_want_sha1"
        exit 1
    fi
    echo "MD5=$_md5 SHA1=$_sha1"
}

# monitor_dir DIR: USED_MB, TOTAL_MB and FREE_MB of the filesystem holding DIR.
monitor_dir() {
    mkdir -p "$1" || exit 1
    df -P -m "$1" | tail -n 1 | awk '{ printf "USED_MB=%d\nTOTAL_MB=%d\nFREE_MB=%d\n", $3, $2, $4 }'
}
