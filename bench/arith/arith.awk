# Arithmetic loop in awk: mirrors bench/arith/arith.pikt.
#
# usage: awk -v n=ITERATIONS -f arith.awk
BEGIN {
	total = 0
	acc = 0
	for (i = 1; i <= n; i++) {
		total += (i % 7) * 3 - i % 5
		acc = acc * 0.999 + i / 7
	}
	printf "%d %.6f\n", total, acc
}
