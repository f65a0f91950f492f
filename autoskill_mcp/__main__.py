"""`python -m autoskill_mcp` runs the CLI (tests use it to run the working copy)."""

from .entry import main

raise SystemExit(main())
