"""The SKILL.md checks, one module per concept, in the order ``validate`` runs them.

* ``frontmatter``: the file itself and its frontmatter block (SKL001-SKL009).
* ``unknown_keys``: top-level keys the profile does not know (SKL010, SKL011).
* ``name``, ``description``: the two required keys (SKL012-SKL027).
* ``optional_fields``: compatibility, allowed-tools and license (SKL030, SKL031, SKL050, SKL051).
* ``metadata``: the string-to-string map (SKL040-SKL042).
* ``skill_type``: EvoMaster's ``knowledge`` or ``operator`` (SKL043, SKL044).
* ``claude_code``: values of Claude Code's extension keys (SKL052-SKL054).
* ``body``: the instructions and their substitutions (SKL060-SKL062, SKL068).
* ``referenced_files``: files the body links to (SKL063-SKL067).
* ``folder``: where the skill folder sits and how big it is (SKL071, SKL072).
* ``workspace``: checks across many skills (SKL070).

Each check is a function of a ``CheckContext`` (``context``), which holds the parsed file and
collects the diagnostics; ``edits`` builds the frontmatter edits the quick fixes share.
"""
