"""One module per subcommand. Each defines `add_parser(sub)` and `run(args) -> int`.

`rehearse.cli` registers every module listed in COMMANDS, in this order.
"""

COMMANDS = (
    "analyze",
    "practice",
    "questions",
    "devices",
    "doctor",
)
