"""`rushes attribute`: propose the stage to fix for a review note, or for a file of notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rushes.domain.issues import IssueCategory
from rushes.providers.attribution.base import AttributionRequest, Attributor

CATEGORY_CHOICES = ", ".join(c.value for c in IssueCategory)


def _category(value: str | None) -> str | None:
    """Accept a category value ("timing") or its label ("Dialogue / audio"); None when absent."""
    if value is None or not value.strip():
        return None
    wanted = value.strip().lower()
    for category in IssueCategory:
        if wanted in (category.value, category.label.lower(), category.label.lower().replace(" / ", "/")):
            return category.value
    raise ValueError(f"unknown category {value!r}; use one of: {CATEGORY_CHOICES}")


def _one(attributor: Attributor, description: str, category: str | None) -> dict[str, Any]:
    return attributor.attribute(AttributionRequest(description=description, category=category)).as_dict()


def _lines(attributor: Attributor, path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                description = row["description"]
                if not isinstance(description, str) or not description.strip():
                    raise ValueError("description must be non-empty text")
                out = _one(attributor, description, _category(row.get("category")))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                typer.echo(f"{path}:{number}: {exc}", err=True)
                raise typer.Exit(code=2) from exc
            typer.echo(json.dumps(out, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add the `attribute` command to the rushes CLI."""

    @app.command("attribute")
    def attribute(
        text: Annotated[str | None, typer.Argument(help="The review note, in the filmmaker's words.")] = None,
        category: Annotated[
            str | None, typer.Option("--category", "-c", help=f"The picked category: {CATEGORY_CHOICES}.")
        ] = None,
        jsonl: Annotated[
            Path | None,
            typer.Option("--jsonl", exists=True, dir_okay=False, readable=True,
                         help='File of {"description": ..., "category"?: ...} lines; one JSON answer per line.'),
        ] = None,
    ) -> None:
        """Propose where to fix a review note: stage, category, shots, fields, confidence, reason."""
        if (text is None) == (jsonl is None):
            typer.echo("give either a TEXT note or --jsonl FILE", err=True)
            raise typer.Exit(code=2)
        try:
            picked = _category(category)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=2) from exc
        from rushes.bootstrap import bootstrap

        attributor = bootstrap().attributor
        if jsonl is not None:
            if picked is not None:
                typer.echo("--category applies to a single TEXT note; put categories in the file", err=True)
                raise typer.Exit(code=2)
            _lines(attributor, jsonl)
            return
        assert text is not None
        if not text.strip():
            typer.echo("the note is empty", err=True)
            raise typer.Exit(code=2)
        typer.echo(json.dumps(_one(attributor, text, picked), ensure_ascii=False))
