#!/usr/bin/perl
# Per-user memory from a `ps aux` listing in Perl, the columns found by their
# header names: mirrors bench/fields/fields.pikt.
#
# usage: perl fields.pl INPUT
use strict;
use warnings;

my ($ucol, $rcol, $ccol);
my (%procs, %mem, %big, %bigcmd, @order);
while (<>) {
    my @f = split ' ';
    if ($. == 1) {
        for my $c (0 .. $#f) {
            if ($f[$c] eq 'USER') { $ucol = $c }
            elsif ($f[$c] eq 'RSS') { $rcol = $c }
            elsif ($f[$c] eq 'COMMAND') { $ccol = $c }
        }
        next;
    }
    my $user = $f[$ucol];
    my $rss = $f[$rcol] + 0;
    push @order, $user unless exists $mem{$user};    # first-seen order, like #keys
    $procs{$user}++;
    $mem{$user} += $rss;
    $big{$user} //= 0;
    if ($rss > $big{$user}) {
        $big{$user} = $rss;
        $bigcmd{$user} = $f[$ccol];
    }
}
for my $user (@order) {
    print "$user $procs{$user} $mem{$user} $big{$user} $bigcmd{$user}\n";
}
