"""Source formats and file discovery: what a load step needs to know about its input."""
