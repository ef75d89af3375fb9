# The awk half of logfile.sh: counts sshd password failures per address in
# the new lines and records the offset just past them.
#
# usage: tail -c +OFFSET LOG | LC_ALL=C awk -v start=OFFSET -v id="DEV INODE" -v state=STATE -f logfile.awk
{
	bytes += length($0) + 1
}
/sshd\[[0-9]+\]: Failed password for/ {
	if (!($11 in fails))
		order[++sources] = $11
	fails[$11]++
}
END {
	print NR, "new lines"
	for (i = 1; i <= sources; i++)
		if (fails[order[i]] >= 10)
			print fails[order[i]], order[i]
	print id, start + bytes > state
	close(state)
}
