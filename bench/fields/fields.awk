# Per-user memory from a `ps aux` listing in awk, the columns found by their
# header names: mirrors bench/fields/fields.pikt. The numbers are printed with
# %.0f: mawk's print shows large whole numbers in %.6g and its %d stops at
# 2^31 - 1.
#
# usage: awk -f fields.awk INPUT
NR == 1 {
	for (c = 1; c <= NF; c++) {
		if ($c == "USER")
			ucol = c
		else if ($c == "RSS")
			rcol = c
		else if ($c == "COMMAND")
			ccol = c
	}
	next
}
{
	user = $ucol
	rss = $rcol + 0
	if (!(user in mem))
		order[++users] = user	# first-seen order, as Pikt's #keys
	procs[user]++
	mem[user] += rss
	if (rss > big[user]) {
		big[user] = rss
		bigcmd[user] = $ccol
	}
}
END {
	for (i = 1; i <= users; i++) {
		user = order[i]
		printf "%s %.0f %.0f %.0f %s\n", user, procs[user], mem[user], big[user], bigcmd[user]
	}
}
