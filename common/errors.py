"""The one base class for business-rule failures, mapped to HTTP by one handler."""

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the request. `message` is Vietnamese, for the user."""

    code: str = "domain_error"
    message: str | Promise = "Yêu cầu không hợp lệ."
    http_status: int = 400

    def __init__(self, message: str | Promise | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(str(self))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class DomainErrors(DomainError):
    """A refusal with several reasons (every bad row of a file, every problem of a definition)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors  # before super(): DomainError's __init__ formats str(self)
        super().__init__()

    def __str__(self) -> str:
        return " ".join([str(self.message), *self.errors])
