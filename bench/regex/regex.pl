#!/usr/bin/perl
# Failed logins to watched accounts in Perl, with regexes built from
# variables: mirrors bench/regex/regex.pikt. The patterns are compiled once
# with qr// (Perl recompiles an interpolated pattern whenever its text
# changes, which would make the loop over accounts take a minute).
#
# usage: perl regex.pl WatchedLogins.obj INPUT
use strict;
use warnings;

my ($obj, $input) = @ARGV;
my $daemon = 'sshd';
my $event = 'Failed password';
my (@accounts, @limits, @fails, @patterns);
open(my $rows, '<', $obj) or die "cannot open $obj: $!";
while (my $row = <$rows>) {
    my @f = split ' ', $row;
    next unless @f == 2;
    push @accounts, $f[0];
    push @limits, $f[1] + 0;
    push @fails, 0;
    push @patterns, qr/$daemon\[[0-9]+\]: $event for $f[0] from/i;
}
close($rows);

my $gate = qr/$daemon\[[0-9]+\]: $event for /;
open(my $in, '<', $input) or die "cannot open $input: $!";
while (my $line = <$in>) {
    next unless $line =~ $gate;
    for my $a (0 .. $#patterns) {
        if ($line =~ $patterns[$a]) {
            $fails[$a]++;
            last;
        }
    }
}
close($in);

for my $a (0 .. $#accounts) {
    if ($fails[$a] >= $limits[$a]) {
        print "$accounts[$a] $fails[$a] (limit $limits[$a])\n";
    } else {
        print "$accounts[$a] $fails[$a]\n";
    }
}
