#!/usr/bin/perl
# Log filter in Perl: count sshd "Failed password" lines per source address and
# report the addresses with at least 10 failures, in first-seen order.
# Mirrors bench/logfilter/logfilter.pikt.
#
# usage: perl logfilter.pl INPUT
use strict;
use warnings;

my (%fails, @order);
while (<>) {
    next unless /sshd\[[0-9]+\]: Failed password for/;
    my $source = (split ' ')[10];
    push @order, $source unless exists $fails{$source};
    $fails{$source}++;
}
for my $source (@order) {
    print "$fails{$source} $source\n" if $fails{$source} >= 10;
}
