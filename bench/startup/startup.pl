#!/usr/bin/perl
# Start-up cost: the smallest program that does something visible.
print "hi\n";
