"""Learning: transcripts -> redacted evidence -> skill candidates -> maintenance, via a durable queue."""
