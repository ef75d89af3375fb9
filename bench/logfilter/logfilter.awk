# Log filter in awk: count sshd "Failed password" lines per source address and
# report the addresses with at least 10 failures, in first-seen order.
# Mirrors bench/logfilter/logfilter.pikt.
#
# usage: awk -f logfilter.awk INPUT
/sshd\[[0-9]+\]: Failed password for/ {
	if (!($11 in fails))
		order[++sources] = $11
	fails[$11]++
}
END {
	for (i = 1; i <= sources; i++)
		if (fails[order[i]] >= 10)
			print fails[order[i]], order[i]
}
