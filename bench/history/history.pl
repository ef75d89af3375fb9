#!/usr/bin/perl
# New and grown files since the last run, in Perl: mirrors
# bench/history/history.pikt. What Pikt keeps in its history store (%size per
# path, %files) this program keeps in a state file of its own: `path size`
# for every file of the run, then `files N`, written to a temporary file as
# the lines go by and renamed into place at the end.
#
# usage: perl history.pl STATE INPUT
use strict;
use warnings;

my ($state, $input) = @ARGV;
my (%last, $lastfiles);
if (open(my $old, '<', $state)) {
    while (my $row = <$old>) {
        my ($file, $size) = split ' ', $row;
        if ($file eq 'files') {
            $lastfiles = $size;
        } else {
            $last{$file} = $size;
        }
    }
    close($old);
}
my $firstrun = !defined $lastfiles;

open(my $new, '>', "$state.tmp") or die "cannot write $state.tmp: $!";
open(my $in, '<', $input) or die "cannot open $input: $!";
my ($count, $dirs, $lastdir) = (0, 0);
while (my $line = <$in>) {
    my ($file, $size) = split ' ', $line;
    $count++;
    print $new "$file $size\n";
    (my $dir = $file) =~ s{/[^/]*$}{};
    $dirs++ if !defined $lastdir || $dir ne $lastdir;
    $lastdir = $dir;
    next if $firstrun;
    if (!exists $last{$file}) {
        print "new $file $size\n";
    } elsif ($size > $last{$file} * 1.5 && $size - $last{$file} > 1000) {
        print "grew $file $last{$file} -> $size\n";
    }
}
close($in);

if ($firstrun) {
    print "first run: $count files in $dirs directories\n";
} else {
    print "$count files in $dirs directories, $lastfiles files last time\n";
}
print $new "files $count\n";
close($new) or die "cannot write $state.tmp: $!";
rename("$state.tmp", $state) or die "cannot rename $state.tmp: $!";
