"""The one error type the user sees: a single line naming the file and the problem."""


class RehearseError(Exception):
    """A problem with the user's input or setup, reported as one line and exit code 2."""

    def __init__(self, subject: str, problem: str):
        super().__init__(f"{subject}: {problem}")
        self.subject = subject
        self.problem = problem
