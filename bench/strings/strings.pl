#!/usr/bin/perl
# String building in Perl: mirrors bench/strings/strings.pikt. Perl's substr
# counts from 0 where awk's and Pikt's count from 1.
#
# usage: perl strings.pl ITERATIONS
use strict;
use warnings;

my $n = shift;
my ($total, $found, $picks, $report) = (0, 0, "", "");
for (my $i = 1; $i <= $n; $i++) {
    my $line = "host" . ($i % 97) . ":";
    for (my $j = 1; $j <= 8; $j++) {
        $line = $line . " f" . $j . "=" . ($i * $j % 1000);
    }
    $total += length($line);
    $found++ if index($line, "=999") >= 0;
    $report = $report . $line . ";" if $i % 100 == 0;
    $picks = $picks . substr($line, $i % 40, 6) . "|" if $i % 9973 == 0;
}
my $half = int(length($report) / 2);
print "$total $found $picks\n";
print length($report), " ", substr($report, $half - 1, 24), "\n";
