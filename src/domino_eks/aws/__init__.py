"""The one AWS layer shared by `collect` and `provision`: sessions and clients, error descriptions,
pagination, and the embedded emulator."""
