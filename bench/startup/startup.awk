# Start-up cost: the smallest program that does something visible.
BEGIN { print "hi" }
