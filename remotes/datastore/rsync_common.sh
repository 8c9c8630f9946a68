# Helpers of the rsync backup datastore driver (datastore/rsync): source it after
# libfs.sh, tm/tm_common.sh (q, on_host, from_host) and backup_common.sh. Backups live on
# the backup server (RSYNC_USER@RSYNC_HOST) in RSYNC_DIR (default: the datastore's BASE_PATH)
# as <dir>/<vm id>/<backup id>/{disk.<disk id>.<increment id>, vm.xml}; a backup being copied
# is in <dir>/<vm id>/.partial-<backup id> until it is complete.

# rsync_settings: RS_SERVER (user@host), RS_DIR and RS_ARGS from the DATASTORE of the request,
# their forms checked (they end up in commands run over ssh).
rsync_settings() {
    RS_HOST=$(xml_template_value DATASTORE RSYNC_HOST)
    RS_USER=$(xml_template_value DATASTORE RSYNC_USER)
    RS_DIR=$(xml_template_value DATASTORE RSYNC_DIR)
    [ -n "$RS_DIR" ] || RS_DIR=$(xml_value DATASTORE BASE_PATH)
    RS_ARGS=$(xml_template_value DATASTORE RSYNC_ARGS)
    [ -n "$RS_ARGS" ] || RS_ARGS="-aS"
    if ! printf '%s' "$RS_HOST" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9.:-]*$'; then
        error_message "Bad or missing RSYNC_HOST '$RS_HOST' in the backup datastore"; exit 1
    fi
    if ! printf '%s' "$RS_USER" | grep -Eq '^[A-Za-z_][A-Za-z0-9_.-]*$'; then
        error_message "Bad or missing RSYNC_USER '$RS_USER' in the backup datastore"; exit 1
    fi
    case "$RS_DIR" in
        /*) ;;
        *) error_message "RSYNC_DIR must be an absolute path, got '$RS_DIR'"; exit 1 ;;
    esac
    case "$RS_DIR" in */../*|*/..|*/./*) error_message "RSYNC_DIR must not have . or .. steps: '$RS_DIR'"; exit 1 ;; esac
    for _w in $RS_ARGS; do
        if ! printf '%s' "$_w" | grep -Eq '^-[A-Za-z0-9][A-Za-z0-9=_.,-]*$'; then
            error_message "Bad RSYNC_ARGS word '$_w': only rsync options (-aS, --bwlimit=1000...)"; exit 1
        fi
    done
    RS_SERVER="$RS_USER@$RS_HOST"
}

# on_server 'shell command': runs it on the backup server (fails the action otherwise).
on_server() {
    on_host "$RS_SERVER" "$1"
}
