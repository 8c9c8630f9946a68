#!/bin/sh
# The VMs libvirt knows on this host, one VM = [ ID, DEPLOY_ID, VM_NAME, POLL ] each, after
# VM_POLL=YES (this report lists every VM of the host: the ones it leaves out are gone).
# Domains named one-<id> are OpenNebula's VM <id>; others are reported with ID=-1 (wild).
# POLL has OpenNebula's keys: STATE (a active, p paused, e error, d shut off), CPU (percent
# of one core since the previous probe), MEMORY (KB), NETRX/NETTX (bytes) and
# DISKRDBYTES/DISKWRBYTES/DISKRDIOPS/DISKWRIOPS, summed over NICs and disks.
. "$(dirname "$0")/../../scripts_common.sh"

uri=${LIBVIRT_URI:-qemu:///system}
if ! stats=$(LANG=C virsh -c "$uri" --readonly domstats --state --cpu-total --balloon --interface --block 2>&1); then
    error_message "Cannot list the domains of libvirt ($uri) on $(uname -n): $stats"
    exit 1
fi

# The CPU time of each domain is kept with the time it was read, one file per domain (runs of
# this probe may overlap: none overwrites what another learnt of other domains), for the next
# run's rate. Files of domains gone for an hour are dropped.
state="$(dirname "$0")/../../.state/vms"
mkdir -p "$state"
find "$state" -type f -mmin +60 -delete 2>/dev/null
now=$(date +%s%N)

echo "VM_POLL=YES"
echo "$stats" | awk -v now="$now" -v dir="$state" '
    BEGIN {
        # libvirt domain states: 1 running, 2 blocked, 3 paused, 4 shutting down, 5 shut off,
        # 6 crashed, 7 suspended by the guest (pm)
        letter[1] = "a"; letter[2] = "a"; letter[3] = "p"; letter[4] = "a"
        letter[5] = "d"; letter[6] = "e"; letter[7] = "p"
    }
    function flush(   id, poll, f, line, p) {
        if (name == "") return
        id = name ~ /^one-[0-9]+$/ ? substr(name, 5) + 0 : -1
        poll = "STATE=" (st in letter ? letter[st] : "-")
        if (cpu != "") {
            f = name
            gsub(/[^A-Za-z0-9._-]/, "_", f)
            f = dir "/cpu-" f
            if ((getline line < f) > 0) {
                split(line, p, " ")
                # + 0: compare as numbers, never as text (counters have different lengths)
                if (now + 0 > p[2] + 0 && cpu + 0 >= p[1] + 0) poll = poll sprintf(" CPU=%.2f", 100 * (cpu - p[1]) / (now - p[2]))
            }
            close(f)
            print cpu, now > f
            close(f)
        }
        poll = poll " MEMORY=" (rss != "" ? rss : mem + 0)
        poll = poll sprintf(" NETRX=%d NETTX=%d DISKRDBYTES=%d DISKWRBYTES=%d DISKRDIOPS=%d DISKWRIOPS=%d", rx, tx, rdb, wrb, rdr, wrr)
        printf "VM=[\n  ID=%d,\n  DEPLOY_ID=\"%s\",\n  VM_NAME=\"%s\",\n  POLL=\"%s\" ]\n", id, name, name, poll
    }
    /^Domain: / {
        flush()
        name = $0; sub(/^Domain: \047/, "", name); sub(/\047$/, "", name); gsub(/["\\]/, "", name)
        st = ""; cpu = ""; rss = ""; mem = ""; rx = tx = rdb = wrb = rdr = wrr = 0
        next
    }
    {
        sub(/^ +/, ""); eq = index($0, "="); k = substr($0, 1, eq - 1); v = substr($0, eq + 1)
        if (k == "state.state") st = v
        else if (k == "cpu.time") cpu = v
        else if (k == "balloon.rss") rss = v
        else if (k == "balloon.current") mem = v
        else if (k ~ /^net\.[0-9]+\.rx\.bytes$/) rx += v
        else if (k ~ /^net\.[0-9]+\.tx\.bytes$/) tx += v
        else if (k ~ /^block\.[0-9]+\.rd\.bytes$/) rdb += v
        else if (k ~ /^block\.[0-9]+\.wr\.bytes$/) wrb += v
        else if (k ~ /^block\.[0-9]+\.rd\.reqs$/) rdr += v
        else if (k ~ /^block\.[0-9]+\.wr\.reqs$/) wrr += v
    }
    END { flush() }'
