# Helpers for driver action scripts: source it with
#   . "$(dirname "$0")/../../scripts_common.sh"
#
# Log lines go to stderr with a severity prefix; the driver forwards them to the log of the
# object (the VM log for VM actions). error_message marks the text that becomes the failure
# message oned stores when the script exits with a non-zero code.

log_info()    { echo "INFO: $*" >&2; }
log_warning() { echo "WARNING: $*" >&2; }
log_error()   { echo "ERROR: $*" >&2; }
log_debug()   { echo "DEBUG: $*" >&2; }

error_message() {
    echo "ERROR MESSAGE --8<------" >&2
    echo "$*" >&2
    echo "ERROR MESSAGE ------>8--" >&2
}

# Runs a command; on failure reports its output as the error message and exits with its code.
exec_and_log() {
    _out=$("$@" 2>&1)
    _rc=$?
    if [ $_rc -ne 0 ]; then
        log_error "Command \"$*\" failed: $_out"
        error_message "$_out"
        exit $_rc
    fi
    [ -n "$_out" ] && log_debug "$_out"
    return 0
}
