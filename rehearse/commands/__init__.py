"""One module per subcommand. Each defines `add_parser(sub)` and `run(args) -> int`.

`rehearse.cli` registers every module listed in COMMANDS, in this order. (`filters.py` is a helper
for the history commands, not a command.)
"""

COMMANDS = (
    "analyze",
    "progress",
    "history",
    "show",
    "compare",
    "export",
    "delete",
    "practice",
    "serve",
    "questions",
    "devices",
    "doctor",
)
