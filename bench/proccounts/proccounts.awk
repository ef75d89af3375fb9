# ProcCounts in awk: count `user comm` lines per (user, comm), then report the
# pairs whose count reaches the alert threshold of the first matching row of the
# threshold table (rows `proc log alert page kill`, tried in file order; the wild
# card `\\*` is last). Mirrors bench/proccounts/proccounts.pikt.
#
# usage: awk -v obj=ProcCounts.obj -f proccounts.awk INPUT
BEGIN {
	while ((getline line < obj) > 0) {
		if (split(line, f) == 5) {
			rows++
			pattern[rows] = tolower(f[1]) "$"	# =~~ is case-insensitive
			alert[rows] = f[3] + 0
		}
	}
	close(obj)
}
{
	key = $1 " " $2
	if (!(key in count))
		order[++keys] = key	# report in first-seen order, as Pikt's #keys does
	count[key]++
}
END {
	for (i = 1; i <= keys; i++) {
		key = order[i]
		split(key, f)
		proc = tolower(f[2])
		for (r = 1; r <= rows; r++) {
			if (proc ~ pattern[r]) {
				if (alert[r] && count[key] >= alert[r])
					print count[key], f[1], f[2]
				break
			}
		}
	}
}
