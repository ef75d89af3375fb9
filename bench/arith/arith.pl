#!/usr/bin/perl
# Arithmetic loop in Perl: mirrors bench/arith/arith.pikt.
#
# usage: perl arith.pl ITERATIONS
use strict;
use warnings;

my $n = shift;
my ($total, $acc) = (0, 0);
for (my $i = 1; $i <= $n; $i++) {
    $total += ($i % 7) * 3 - $i % 5;
    $acc = $acc * 0.999 + $i / 7;
}
printf "%d %.6f\n", $total, $acc;
