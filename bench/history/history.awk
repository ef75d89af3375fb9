# New and grown files since the last run, in awk: mirrors
# bench/history/history.pikt. What Pikt keeps in its history store (%size per
# path, %files) this program keeps in a state file of its own: `path size`
# for every file of the run, then `files N`; it is read in BEGIN and written
# anew as the lines go by.
#
# usage: awk -v state=STATE -f history.awk INPUT
BEGIN {
	firstrun = 1
	while ((getline row < state) > 0) {
		split(row, f, " ")
		if (f[1] == "files") {
			lastfiles = f[2]
			firstrun = 0
		} else {
			last[f[1]] = f[2] + 0
		}
	}
	close(state)
}
{
	file = $1
	size = $2 + 0
	print file, size > state
	dir = file
	sub(/\/[^\/]*$/, "", dir)
	if (NR == 1 || dir != lastdir)
		dirs++
	lastdir = dir
	if (firstrun)
		next
	if (!(file in last))
		print "new", file, size
	else if (size > last[file] * 1.5 && size - last[file] > 1000)
		print "grew", file, last[file], "->", size
}
END {
	if (firstrun)
		print "first run:", NR, "files in", dirs, "directories"
	else
		print NR, "files in", dirs, "directories,", lastfiles, "files last time"
	print "files", NR > state
	close(state)
}
