#!/usr/bin/perl
# Only the new lines of a growing log, in Perl: mirrors
# bench/logfile/logfile.pikt. STATE holds `DEVICE INODE OFFSET` of the last
# run; when the log is the same file and not shorter, reading starts there
# (seek), otherwise at the beginning. A last line without its newline is left
# for the next run, as Pikt does.
#
# usage: perl logfile.pl LOG STATE
use strict;
use warnings;

my ($log, $state) = @ARGV;
open(my $in, '<', $log) or die "cannot open $log: $!";
my ($dev, $inode, $size) = (stat($in))[0, 1, 7];
my $offset = 0;
if (open(my $old, '<', $state)) {
    my ($last_dev, $last_inode, $last_offset) = split ' ', scalar <$old>;
    close($old);
    $offset = $last_offset if $last_dev == $dev && $last_inode == $inode && $last_offset <= $size;
}
seek($in, $offset, 0) or die "cannot seek $log: $!";

my (%fails, @order);
my $lines = 0;
while (my $line = <$in>) {
    last unless $line =~ /\n\z/;
    $offset += length($line);
    $lines++;
    next unless $line =~ /sshd\[[0-9]+\]: Failed password for/;
    my $source = (split ' ', $line)[10];
    push @order, $source unless exists $fails{$source};
    $fails{$source}++;
}
close($in);

print "$lines new lines\n";
for my $source (@order) {
    print "$fails{$source} $source\n" if $fails{$source} >= 10;
}
open(my $new, '>', "$state.tmp") or die "cannot write $state.tmp: $!";
print $new "$dev $inode $offset\n";
close($new) or die "cannot write $state.tmp: $!";
rename("$state.tmp", $state) or die "cannot rename $state.tmp: $!";
