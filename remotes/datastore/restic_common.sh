# Helpers of the restic backup datastore driver (datastore/restic): source it after libfs.sh,
# tm/tm_common.sh and backup_common.sh. Each VM has a restic repository on the backup server,
# reached over sftp: sftp:RESTIC_SFTP_USER@RESTIC_SFTP_SERVER:<RESTIC_DIR or BASE_PATH>/<vm id>.
# A backup is a restic snapshot (its id is the backup id) of the VM directory's backup/ folder
# (disk.<disk id>.<increment id> files and vm.xml). RESTIC_PASSWORD never goes on a command
# line: restic reads it from the environment, set from stdin on the hosts.

# restic_settings: RT_SERVER (user@host), RT_DIR and RT_PASSWORD from the request's DATASTORE.
restic_settings() {
    RT_HOST=$(xml_template_value DATASTORE RESTIC_SFTP_SERVER)
    RT_USER=$(xml_template_value DATASTORE RESTIC_SFTP_USER)
    [ -n "$RT_USER" ] || RT_USER=oneadmin
    RT_DIR=$(xml_template_value DATASTORE RESTIC_DIR)
    [ -n "$RT_DIR" ] || RT_DIR=$(xml_value DATASTORE BASE_PATH)
    RT_PASSWORD=$(xml_template_value DATASTORE RESTIC_PASSWORD |
        sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g')
    if ! printf '%s' "$RT_HOST" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9.:-]*$'; then
        error_message "Bad or missing RESTIC_SFTP_SERVER '$RT_HOST' in the backup datastore"; exit 1
    fi
    if ! printf '%s' "$RT_USER" | grep -Eq '^[A-Za-z_][A-Za-z0-9_.-]*$'; then
        error_message "Bad RESTIC_SFTP_USER '$RT_USER' in the backup datastore"; exit 1
    fi
    case "$RT_DIR" in
        /*) ;;
        *) error_message "RESTIC_DIR must be an absolute path, got '$RT_DIR'"; exit 1 ;;
    esac
    case "$RT_DIR" in */../*|*/..|*/./*) error_message "RESTIC_DIR must not have . or .. steps: '$RT_DIR'"; exit 1 ;; esac
    [ -n "$RT_PASSWORD" ] || { error_message "The backup datastore has no RESTIC_PASSWORD"; exit 1; }
    RT_SERVER="$RT_USER@$RT_HOST"
}

# restic_repo VM_ID: the VM's repository.
restic_repo() {
    printf 'sftp:%s:%s/%s' "$RT_SERVER" "$RT_DIR" "$1"
}

# restic_local ARGS...: restic on this front-end with the datastore's password.
restic_local() {
    RESTIC_PASSWORD=$RT_PASSWORD restic "$@"
}
