"""The progress bar every long ``mgr`` operation shows (rich), on stderr so ``--json`` output stays clean.

    with step_bar() as bar:
        task = bar.add_task("Provisioning", total=4)
        bar.update(task, description="Java >= 21", completed=1)

``transient`` bars disappear once done; the command prints its own summary after.
"""

from __future__ import annotations

from typing import Any


def step_bar(console: Any = None, *, transient: bool = False) -> Any:
    """A rich ``Progress``: spinner, description, bar, done/total, elapsed time."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console or Console(stderr=True), transient=transient)
