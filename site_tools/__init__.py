"""Helpers behind tasks.py: the in-process build, the livereload server, the benchmark."""
