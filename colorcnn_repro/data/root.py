"""Where datasets live, and the error raised when they are not there."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..paths import DATA_ENV as ENV_VAR
from ..paths import DATA_README as README


class MissingDataError(FileNotFoundError):
    """A dataset's files are not where the loader looked.

    The message lists the absolute paths searched, the files expected there and how to get them.
    """

    def __init__(
        self,
        dataset: str,
        looked_in: Iterable[Path],
        expected: Iterable[str],
        how: str,
        section: str,
    ) -> None:
        self.dataset = dataset
        self.looked_in = [Path(p).absolute() for p in looked_in]
        self.expected = list(expected)
        self.how = how
        self.section = section
        super().__init__(
            f"{dataset} data not found.\n"
            f"  Looked in: {', '.join(str(p) for p in self.looked_in)}\n"
            f"  Expected: {', '.join(self.expected)}\n"
            f"  To get it: {how}\n"
            f"  See {README}, section '{section}'. Set ${ENV_VAR} or pass root= to point elsewhere."
        )

    def with_hint(self, hint: str) -> MissingDataError:
        """The same error with ``hint`` added to its how-to line."""
        return MissingDataError(self.dataset, self.looked_in, self.expected, f"{self.how} {hint}", self.section)


def torchvision_hint(root: Path) -> str:
    """How-to line for datasets that torchvision can download."""
    return (
        f"call load_dataset(..., download=True) on a machine with internet access "
        f"(torchvision downloads and extracts the official archive into {root})."
    )


def require(
    dataset: str,
    section: str,
    candidates: Sequence[Path],
    expected: Sequence[str],
    how: str,
    fetch: Callable[[], None] | None = None,
) -> Path:
    """The first of ``candidates`` holding every ``expected`` relative path.

    If none does and ``fetch`` is given (``download=True``), run it once and look again; otherwise raise
    :class:`MissingDataError`.
    """
    def found() -> Path | None:
        return next((c for c in candidates if all((c / e).exists() for e in expected)), None)

    folder = found()
    if folder is None and fetch is not None:
        fetch()
        folder = found()
    if folder is None:
        raise MissingDataError(dataset, candidates, expected, how, section)
    return folder


def torchvision_fetcher(
    dataset_class: str, root: Path, download: bool, **kwargs: Any
) -> Callable[[], None] | None:
    """If ``download``, a callable that downloads ``torchvision.datasets.<dataset_class>`` into ``root``."""
    if not download:
        return None

    def fetch() -> None:
        import torchvision.datasets

        getattr(torchvision.datasets, dataset_class)(str(root), download=True, **kwargs)

    return fetch
