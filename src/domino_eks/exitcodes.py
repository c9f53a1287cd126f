"""Exit codes, as Replicated's preflight: scripts and CI rely on them (design.md, "Interfaces")."""

OK = 0  # everything passed (warnings alone too, unless --strict)
TOOL_FAILED = 1  # the tool itself could not finish
BAD_INPUT = 2  # unusable input: unreadable file, YAML syntax, wrong shape
FAILED = 3  # at least one error-severity finding, or a refusal to destroy data
WARNINGS = 4  # warnings only, and --strict was given
