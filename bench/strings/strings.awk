# String building in awk: mirrors bench/strings/strings.pikt.
#
# usage: awk -v n=ITERATIONS -f strings.awk
BEGIN {
	total = 0
	found = 0
	picks = ""
	report = ""
	for (i = 1; i <= n; i++) {
		line = "host" (i % 97) ":"
		for (j = 1; j <= 8; j++)
			line = line " f" j "=" (i * j % 1000)
		total += length(line)
		if (index(line, "=999") > 0)
			found++
		if (i % 100 == 0)
			report = report line ";"
		if (i % 9973 == 0)
			picks = picks substr(line, i % 40 + 1, 6) "|"
	}
	half = int(length(report) / 2)
	print total, found, picks
	print length(report), substr(report, half, 24)
}
