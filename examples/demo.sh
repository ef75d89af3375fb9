#!/usr/bin/env bash
# The seed's story, the "imapd storm", told on this host with the example
# site (examples/pikt) installed in a scratch PIKT_DIR as host `demo`.
#
#   examples/demo.sh            test mode: nothing is killed, run or mailed
#   examples/demo.sh --real     as root: a real storm of a throw-away user,
#                               really killed; mail goes to a file of the demo
#   examples/demo.sh --keep     keep the scratch directory (removed otherwise)
#
# 1. build pikt, piktc and piktd (release; cargo shows its progress;
#    CARGO_TARGET_DIR is honoured);
# 2. copy examples/pikt into a new scratch PIKT_DIR and the binaries into
#    its bin/; piktc -c (check), piktc -iev +A all +O all (install the alert
#    Urgent with ProcCountsChk and the thresholds ProcCounts, write
#    piktd.conf) as host `demo`, whose thresholds for imapd are the seed's
#    mail server's scaled down to a small storm (objects.cfg) and whose
#    users' mail files live in the scratch directory (macros.cfg);
# 3. start 25 processes named imapd (copies of sleep) and give their user a
#    mail file, =mailspooldir/USER;
# 4. run the alert Urgent: `pikt -T +A Urgent` (test mode: the commands the
#    script would run are printed as `exec: ...`, the mail is printed, not
#    sent) or, with --real, `pikt +A Urgent`;
# 5. show each part of the story, labelled: [count] [log] [mail] [page]
#    [save] [kill]; a part that did not happen is reported MISSING and the
#    demo fails.
#
# Test mode needs no root: the storm is the caller's, everything is written
# under the scratch directory. Needs a Rust toolchain, ps, pgrep (procps)
# and awk.
#
# --real needs root and useradd, userdel and setpriv. It creates a system
# user `stormNNN`, starts the storm as that user and lets ProcCountsChk kill
# it for real: the processes are shown gone, the mail file really saved.
# Mail (the alert and the page) goes through a `mailx` of the demo's own,
# first on PATH, that appends each message to a mailbox file in the scratch
# directory, which is shown. Nothing else on the host is touched: before the
# storm, a test-mode run must find nothing else to kill here (otherwise the
# demo refuses to go on). When the demo ends, also on Ctrl-C or failure, the
# storm is stopped, the user and its group are deleted and the scratch
# directory removed (unless --keep). useradd and userdel log to the system
# log as they always do.
set -euo pipefail

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

real=0
keep=0
for arg in "$@"; do
    case $arg in
        --real) real=1 ;;
        --keep) keep=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "demo.sh: unknown argument \`$arg\`" >&2
            usage >&2
            exit 2
            ;;
    esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
storm_size=25
storm_name=imapd

step() {
    printf '\n==> %s\n' "$*"
}

if [ "$real" = 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "demo.sh: --real needs root (it creates a user and kills its processes)" >&2
        exit 2
    fi
    for tool in useradd userdel setpriv; do
        command -v "$tool" >/dev/null || {
            echo "demo.sh: --real needs \`$tool\`" >&2
            exit 2
        }
    done
fi

step "building pikt, piktc, piktd (cargo build --release)"
(cd "$repo" && cargo build --release --bins)

# ---- the scratch directory, and how everything is removed ----

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pikt-demo.XXXXXX")
# The storm user of --real runs the storm's program from in here.
chmod 0755 "$scratch"
storm_user=
user_comment="pikt demo storm (deleted when the demo ends)"
adding_user=0
created_user=0
storm_shell=

stop_storm() {
    [ -n "$storm_shell" ] || return 0
    # The storm's processes are the storm shell's children: it reaps each one
    # as it dies and then ends itself, so that no zombie is left for PID 1.
    for _ in $(seq 100); do
        kill -0 "$storm_shell" 2>/dev/null || break
        pkill -KILL -P "$storm_shell" 2>/dev/null || true
        sleep 0.05
    done
    kill -KILL "$storm_shell" 2>/dev/null || true
    wait "$storm_shell" 2>/dev/null || true
    storm_shell=
}

# Runs useradd or userdel, again while another program holds the lock of
# the password files.
retry_while_passwd_locked() {
    local output
    for _ in $(seq 20); do
        if output=$("$@" 2>&1); then
            return 0
        fi
        grep -q 'cannot lock' <<<"$output" || break
        sleep 0.2
    done
    printf '%s\n' "$output" >&2
    return 1
}

remove_user() {
    if [ "$adding_user" = 1 ] && [ "$created_user" = 0 ] &&
        [ "$(getent passwd "$storm_user" | cut -d: -f5)" = "$user_comment" ]; then
        created_user=1
    fi
    [ "$created_user" = 1 ] || return 0
    pkill -KILL -u "$storm_user" 2>/dev/null || true
    for _ in $(seq 100); do
        pgrep -u "$storm_user" >/dev/null || break
        sleep 0.05
    done
    retry_while_passwd_locked userdel "$storm_user" ||
        echo "demo.sh: could not delete the user $storm_user: run \`userdel $storm_user\`" >&2
    created_user=0
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_storm
    remove_user
    if [ "$keep" = 1 ]; then
        echo "(kept the scratch directory $scratch)"
    else
        rm -rf "$scratch"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the site ----

export PIKT_DIR=$scratch/pikt
export PIKT_HOST=demo
cp -r "$repo/examples/pikt/." "$PIKT_DIR/"
mkdir -p "$PIKT_DIR/bin"
for binary in pikt piktc piktd; do
    cp "$target/release/$binary" "$PIKT_DIR/bin/"
done
pikt=$PIKT_DIR/bin/pikt
piktc=$PIKT_DIR/bin/piktc
# Where host demo keeps its users' mail (=mailspooldir, =mailarcdir in
# macros.cfg), and the diagnostic log (=proccounts_log).
mailspool=$PIKT_DIR/var/demo-mail
mailarc=$mailspool/arc
proccounts_log=$PIKT_DIR/var/log/ProcCounts.log

step "scratch PIKT_DIR=$PIKT_DIR, host demo"
step "piktc -c (check the configuration for every host)"
"$piktc" -c
step "piktc -iev +A all +O all (install for host demo)"
"$piktc" -iev +A all +O all

# ---- the world of the story ----

if [ "$real" = 1 ]; then
    mailbox=$scratch/mailbox
    mkdir "$scratch/mail-bin"
    # The demo's mailx: `mailx [-s SUBJECT] RECIPIENT...` with the message on
    # standard input, appended to the mailbox instead of being sent.
    cat >"$scratch/mail-bin/mailx" <<EOF
#!/bin/sh
subject=
if [ "\$1" = -s ]; then subject=\$2; shift 2; fi
{
    printf 'From pikt-demo %s\nTo: %s\nSubject: %s\n\n' "\$(date)" "\$*" "\$subject"
    cat
    echo
} >>'$mailbox'
EOF
    chmod 0755 "$scratch/mail-bin/mailx"
    export PATH=$scratch/mail-bin:$PATH

    step "making sure the real run can only kill the demo's own storm"
    precheck=$("$pikt" -T +A Urgent 2>&1) || true
    if grep -q -e '^exec: kill' -e '^kill: would' <<<"$precheck"; then
        echo "demo.sh: on this host the example's thresholds would kill processes that are not the demo's:" >&2
        grep -e '^exec: kill' -e '^kill: would' -e ' killed all ' <<<"$precheck" >&2
        echo "demo.sh: not running the real demo here; the test mode (without --real) is safe" >&2
        exit 1
    fi

    for _ in $(seq 20); do
        candidate=$(printf 'storm%03d' $((RANDOM % 1000)))
        getent passwd "$candidate" >/dev/null || getent group "$candidate" >/dev/null || {
            storm_user=$candidate
            break
        }
    done
    [ -n "$storm_user" ] || {
        echo "demo.sh: found no free user name stormNNN" >&2
        exit 1
    }
    # An interrupted useradd may still have made the user: cleanup then
    # recognises it by its comment (the name was free just before).
    adding_user=1
    retry_while_passwd_locked useradd --system --user-group --no-create-home \
        --shell /usr/sbin/nologin --comment "$user_comment" "$storm_user"
    created_user=1
    step "created the throw-away user $storm_user (uid $(id -u "$storm_user"))"
else
    storm_user=$(id -un)
fi

mkdir -p "$mailspool"
printf 'From chico@example.org\nSubject: the storm\n\nhundreds of imapd\n' >"$mailspool/$storm_user"
chmod 0600 "$mailspool/$storm_user"
[ "$real" = 0 ] || chown "$storm_user:" "$mailspool/$storm_user"

stormdir=$scratch/storm
mkdir "$stormdir"
cp "$(command -v sleep)" "$stormdir/$storm_name"
chmod 0755 "$stormdir" "$stormdir/$storm_name"
as_storm_user=()
if [ "$real" = 1 ]; then
    as_storm_user=(setpriv --reuid="$storm_user" --regid="$storm_user" --clear-groups --)
fi
step "starting the storm: $storm_size processes named $storm_name of user $storm_user"
# One shell starts them all and stays their parent, reaping each one as it
# is killed: a killed process never lingers as a zombie that ps still lists.
# shellcheck disable=SC2016  # the inner shell expands $1 and $2
"${as_storm_user[@]}" /bin/sh -c '
    i=0
    while [ "$i" -lt "$1" ]; do "$2" 600 & i=$((i + 1)); done
    wait' storm "$storm_size" "$stormdir/$storm_name" &
storm_shell=$!
running=0
for _ in $(seq 250); do
    running=$(pgrep -c -P "$storm_shell" -x "$storm_name" || true)
    [ "$running" -eq "$storm_size" ] && break
    sleep 0.02
done
echo "ps: $running processes named $storm_name of $storm_user"

# ---- the run ----

run_out=$scratch/run.out
if [ "$real" = 1 ]; then
    step "pikt +A Urgent (for real: kills, saves, mails)"
    run=("$pikt" +A Urgent)
else
    step "pikt -T +A Urgent (test mode: nothing is killed, saved or mailed)"
    run=("$pikt" -T +A Urgent)
fi
status=0
"${run[@]}" 2>&1 | tee "$run_out" || status=${PIPESTATUS[0]}

# ---- the story, part by part ----

missing=0
part() {
    printf '  %-8s %s\n' "[$1]" "$2"
}
gone() {
    part "$1" "MISSING: $2"
    missing=$((missing + 1))
}
more() {
    printf '  %-8s %s\n' "" "$1"
}

# A line with its runs of blanks squeezed to one space, without the ends.
squeeze() {
    awk '{ $1 = $1; print }'
}

count_re="^ *[0-9]+ $storm_user $storm_name\$"
step "the story: ProcCountsChk and the $storm_name storm of $storm_user"

row=$(grep -E "^[[:space:]]*${storm_name}[[:space:]]" "$PIKT_DIR/lib/objects/ProcCounts.obj" | head -n 1 | squeeze || true)
counted=$(grep -E "$count_re" "$run_out" | head -n 1 | squeeze || true)
if [ "$real" = 1 ]; then
    counted=$(grep -E "$count_re" "$mailbox" 2>/dev/null | head -n 1 | squeeze || true)
fi
if [ -n "$counted" ]; then
    part count "$counted: ProcCountsChk's count (ps -eo user,comm | ... | uniq -c)"
    more "against the row for host demo (proc log alert page kill): $row"
else
    gone count "no count of $storm_user's $storm_name in the alert"
fi

logged=$(grep -E "$count_re" "$proccounts_log" 2>/dev/null | tail -n 1 | squeeze || true)
if [ -n "$logged" ]; then
    part log "$proccounts_log: $logged"
else
    gone log "no line for $storm_user's $storm_name in $proccounts_log"
fi

alert_subject="PIKT Alert on demo: Urgent"
if [ "$real" = 1 ]; then
    if grep -q "^Subject: $alert_subject\$" "$mailbox" 2>/dev/null; then
        part mail "delivered to root (the demo's mailbox $mailbox):"
        # The messages begin with `From pikt-demo `: print the alert's.
        awk -v subject="Subject: $alert_subject" '
            function flush() { if (index(raw, "\n" subject "\n")) printf "%s", shown }
            /^From pikt-demo / { flush(); raw = shown = "" }
            { raw = raw $0 "\n"; shown = shown "           " $0 "\n" }
            END { flush() }' "$mailbox"
    else
        gone mail "no alert mail in $mailbox"
    fi
else
    if grep -q '^--- test mode: this alert mail is not sent' "$run_out" &&
        grep -q '^PIKT ALERT ' "$run_out"; then
        part mail "printed above, after \`--- test mode: this alert mail is not sent\`"
    else
        gone mail "no alert mail in pikt's output"
    fi
fi

page_subject="demo: *[0-9]+ $storm_user $storm_name"
if [ "$real" = 1 ]; then
    page=$(grep -E "^Subject: $page_subject\$" "$mailbox" 2>/dev/null | head -n 1 || true)
    if [ -n "$page" ]; then
        part page "sent to the admins' pagers (root, the demo's mailbox): $page"
    else
        gone page "no page in $mailbox"
    fi
else
    page=$(grep -E "^exec: echo '$page_subject'" "$run_out" | head -n 1 || true)
    if [ -n "$page" ]; then
        part page "$page"
    else
        gone page "no page command in pikt's output"
    fi
fi

saved_as=$(sed -n 's/^ *saved user mail file as //p' "$run_out" "${mailbox:-/dev/null}" 2>/dev/null | head -n 1)
if [ "$real" = 1 ]; then
    if [ -n "$saved_as" ] && cmp -s "$mailspool/$storm_user" "$saved_as"; then
        part save "$saved_as: a copy of $mailspool/$storm_user"
        more "$(ls -l "$saved_as")"
    else
        gone save "no copy of $mailspool/$storm_user in $mailarc"
    fi
else
    copy=$(grep -F "arccopy '$mailarc' '$mailspool/$storm_user' '$storm_user." "$run_out" | head -n 1 || true)
    if [ -n "$copy" ] && [ -n "$saved_as" ]; then
        part save "$copy"
        more "mail: saved user mail file as $saved_as"
    else
        gone save "no copy of $mailspool/$storm_user in pikt's output"
    fi
fi

killed_line="killed all $storm_user $storm_name processes"
left=$(pgrep -c -u "$storm_user" -x "$storm_name" || true)
if [ "$real" = 1 ]; then
    # Distinct pids: a process killed in one round of kill_user_proc's loop
    # can be listed (and signalled) again by the next until it is reaped.
    kills=$(awk -v user="$storm_user" -v name="$storm_name" '
        $0 ~ "\\[KILL\\] killed pid [0-9]+ user " user " command " name " " {
            for (i = 1; i < NF; i++) if ($i == "pid") pids[$(i + 1)] = 1
        }
        END { print length(pids) }' "$PIKT_DIR/var/log/Urgent.log")
    if [ "$left" -eq 0 ] && [ "$kills" -ge "$storm_size" ] && grep -q "$killed_line" "$mailbox"; then
        part kill "$kills processes killed (each one logged in $PIKT_DIR/var/log/Urgent.log);"
        more "ps now shows $left processes named $storm_name of $storm_user; mail: $killed_line"
    else
        gone kill "$left of $storm_user's $storm_name still run ($kills kills logged)"
    fi
else
    kills=$(grep -c '^exec: kill -9 ' "$run_out" || true)
    if [ "$kills" -ge "$storm_size" ] && grep -q "$killed_line" "$run_out"; then
        part kill "$kills times \`exec: kill -9 PID\`, then mail: $killed_line"
        more "test mode: nothing was killed, ps still shows $left processes named $storm_name of $storm_user"
    else
        gone kill "no kill of $storm_user's $storm_name in pikt's output"
    fi
fi

if [ "$keep" = 1 ]; then
    cat <<EOF

==> where things are (PIKT_DIR=$PIKT_DIR, kept)
  configuration       $PIKT_DIR/lib/configs/*.cfg
  installed alert     $PIKT_DIR/lib/alerts/Urgent.alt (scripts), Urgent.cfg (settings)
  thresholds          $PIKT_DIR/lib/objects/ProcCounts.obj
  schedule            $PIKT_DIR/etc/piktd.conf
  alert log           $PIKT_DIR/var/log/Urgent.log
  diagnostic log      $proccounts_log
Run it again (test mode):  PIKT_DIR=$PIKT_DIR PIKT_HOST=demo $pikt -T +A Urgent
EOF
fi

if [ "$missing" -gt 0 ]; then
    echo "demo.sh: $missing part(s) of the story missing" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "demo.sh: pikt exited with status $status" >&2
fi
exit "$status"
