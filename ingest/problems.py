class IngestProblem(Exception):
    """A page, file or text that cannot become an article; the message is shown to the user as is."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.code = code
