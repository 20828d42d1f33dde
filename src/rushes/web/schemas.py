"""What the API accepts and what its errors look like, as documented models in the OpenAPI.

Inputs are strict: a number is a JSON number (not `"8"`, not `true`), finite (no NaN/Infinity),
ids fit a 64-bit integer, and text has no NUL or lone surrogate, so nothing the database would
refuse gets past validation to become a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from rushes.domain.text import MAX_ID, unstorable

EntityId = Annotated[int, Path(ge=1, le=MAX_ID, description="an id (1 to 2^63-1)")]
OptionalQueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


def _check_text(value: Any) -> Any:
    if isinstance(value, str):
        reason = unstorable(value)
        if reason:
            raise ValueError(reason)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_text(item)
    return value


class ApiModel(BaseModel):
    """Base of every JSON body: strict scalars, finite numbers, storable text, no unknown fields."""

    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _check_text(value)


# ---- error bodies -------------------------------------------------------------------------------

class ErrorBody(BaseModel):
    """A refusal with a short reason; 409s may add the ids they refer to (take_id, job_id, shots)."""

    model_config = ConfigDict(extra="allow")
    detail: str


class CreditsErrorBody(BaseModel):
    detail: str
    needed: int
    balance: int
    shortfall: int


class FieldError(BaseModel):
    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """Which field is wrong and why; the input is echoed only when short."""

    detail: list[FieldError] | str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body could not be parsed"},
    402: {"model": CreditsErrorBody, "description": "Not enough credits: what it needs, the balance, the shortfall"},
    404: {"model": ErrorBody, "description": "Unknown id"},
    409: {"model": ErrorBody, "description": "Valid, but the scene, take or job is not in a state that allows it"},
    413: {"model": ErrorBody, "description": "The body is larger than the limit"},
    422: {"model": ValidationErrorBody, "description": "A field is missing, of the wrong type or out of range"},
}


# ---- answers ------------------------------------------------------------------------------------

class Answer(BaseModel):
    """Base of every JSON answer's model: the fields it documents, passed through as the service built them.

    The services build plain dicts; a route's `response_model` validates and documents them. Two rules
    keep that from changing an answer: a key the dict left out stays out (not a null in its place),
    and a key the model does not name still goes through (extra="allow"), so a field added to a
    service without its model reaches the browser all the same (the model is then merely incomplete).
    """

    model_config = ConfigDict(extra="allow")

    # No return annotation: pydantic would document the answer as that type instead of the fields.
    @model_serializer(mode="wrap")
    def _as_built(self, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        for name in type(self).model_fields.keys() - self.model_fields_set:
            data.pop(name, None)
        return data


# A count or a length that is an int or a float depending on its inputs, passed through as it is.
Number = int | float
