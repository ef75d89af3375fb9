# Failed logins to watched accounts in awk, with dynamic regexes built from
# variables: mirrors bench/regex/regex.pikt. mawk has no case-insensitive
# match, so the line and the pattern are lower-cased for Pikt's =~~.
#
# usage: awk -v obj=WatchedLogins.obj -f regex.awk INPUT
BEGIN {
	daemon = "sshd"
	event = "Failed password"
	while ((getline row < obj) > 0) {
		if (split(row, f) == 2) {
			account[++accounts] = f[1]
			limit[accounts] = f[2] + 0
			fails[accounts] = 0
		}
	}
	close(obj)
}
$0 ~ (daemon "\\[[0-9]+\\]: " event " for ") {
	line = tolower($0)
	for (a = 1; a <= accounts; a++) {
		if (line ~ tolower(daemon "\\[[0-9]+\\]: " event " for " account[a] " from")) {
			fails[a]++
			break
		}
	}
}
END {
	for (a = 1; a <= accounts; a++) {
		if (fails[a] >= limit[a])
			print account[a], fails[a], "(limit " limit[a] ")"
		else
			print account[a], fails[a]
	}
}
