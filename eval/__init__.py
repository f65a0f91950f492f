"""Quality harnesses: retrieval (labelled sets) and learning (labelled scenarios). `python -m eval`."""
