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

# check_result RC OUTPUT LOG MESSAGE: after a command, fails the action with MESSAGE (LOG in the
# driver's log) and the command's code when RC is not 0; otherwise logs its OUTPUT.
check_result() {
    if [ "$1" -ne 0 ]; then
        log_error "$3"
        error_message "$4"
        exit "$1"
    fi
    [ -n "$2" ] && log_debug "$2"
    return 0
}

# Runs a command; on failure reports its output as the error message and exits with its code.
exec_and_log() {
    _out=$("$@" 2>&1)
    check_result $? "$_out" "Command \"$*\" failed: $_out" "$_out"
}
