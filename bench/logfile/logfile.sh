#!/bin/sh
# Only the new lines of a growing log, with awk: mirrors
# bench/logfile/logfile.pikt. STATE holds `DEVICE INODE OFFSET` of the last
# run; when the log is the same file and not shorter, `tail -c` starts at the
# offset, otherwise at the beginning (a rotated or truncated log). The awk
# program counts the bytes it reads and writes the new offset.
#
# usage: sh logfile.sh AWK LOG STATE
set -eu
awk=$1 log=$2 state=$3
set -- $(stat -c '%d %i %s' "$log")
dev=$1 inode=$2 size=$3
offset=0
if [ -r "$state" ]; then
	read -r last_dev last_inode last_offset <"$state"
	if [ "$last_dev $last_inode" = "$dev $inode" ] && [ "$last_offset" -le "$size" ]; then
		offset=$last_offset
	fi
fi
tail -c +$((offset + 1)) "$log" |
	LC_ALL=C "$awk" -v start="$offset" -v id="$dev $inode" -v state="$state" \
		-f "$(dirname "$0")/logfile.awk"
