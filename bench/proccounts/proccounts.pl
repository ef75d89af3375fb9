#!/usr/bin/perl
# ProcCounts in Perl: count `user comm` lines per (user, comm), then report the
# pairs whose count reaches the alert threshold of the first matching row of the
# threshold table (rows `proc log alert page kill`, tried in file order; the wild
# card `\\*` is last). Mirrors bench/proccounts/proccounts.pikt.
#
# usage: perl proccounts.pl ProcCounts.obj INPUT
use strict;
use warnings;

my ($obj, $input) = @ARGV;
my (@patterns, @alerts);
open(my $rows, '<', $obj) or die "cannot open $obj: $!";
while (my $line = <$rows>) {
    my @f = split ' ', $line;
    next unless @f == 5;
    push @patterns, qr/$f[0]$/i;    # =~~ is case-insensitive
    push @alerts, $f[2] + 0;
}
close($rows);

my (%count, @order);
open(my $in, '<', $input) or die "cannot open $input: $!";
while (<$in>) {
    my ($user, $proc) = split ' ';
    my $key = "$user $proc";
    push @order, $key unless exists $count{$key};    # first-seen order, like #keys
    $count{$key}++;
}
close($in);

for my $key (@order) {
    my ($user, $proc) = split ' ', $key;
    for my $r (0 .. $#patterns) {
        next unless $proc =~ $patterns[$r];
        print "$count{$key} $user $proc\n" if $alerts[$r] && $count{$key} >= $alerts[$r];
        last;
    }
}
