"""POST /test/schema body: BEM's schema showcase, one field per schema option, in pydantic.

Static and computed defaults, a user-based default, a forced value, required and plan-dependent
required fields, clamped numbers, truncated strings and lists (BEM's softer ``min``/``max``), a
plan-dependent limit, several types, any type, cleaning, a nested object and a premium-only field
(dropped for basic users like every unknown key).
"""

import re
import time
from typing import Annotated, Any

from pydantic import AfterValidator, Field, create_model, field_validator

from functions.schemas import BaseModel, Clamp

FORCED = "always-this-value"


def _alphanumeric(value: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]", "", value)


class Nested(BaseModel):
    level1: str = "nested-default"


class Showcase(BaseModel):
    string_field: str = Field(default="default-string", alias="stringField")
    number_field: int | float = Field(default=42, alias="numberField")
    boolean_field: bool = Field(default=False, alias="booleanField")
    array_field: list[Any] = Field(default_factory=lambda: ["a", "b", "c"], alias="arrayField")
    object_field: dict[str, Any] = Field(default_factory=lambda: {"key": "value"}, alias="objectField")
    required_field: str = Field(alias="requiredField")
    function_default: str = Field(default_factory=lambda: f"generated-{int(time.time() * 1000)}", alias="functionDefault")
    forced_value: str = Field(default=FORCED, alias="forcedValue", validate_default=True)
    min_number: Annotated[int | float, Clamp(lo=1)] = Field(default=5, alias="minNumber")
    max_number: Annotated[int | float, Clamp(hi=100)] = Field(default=50, alias="maxNumber")
    clamped_number: Annotated[int | float, Clamp(10, 100)] = Field(default=50, alias="clampedNumber")
    max_length_string: Annotated[str, Clamp(hi=10)] = Field(default="", alias="maxLengthString")
    max_length_array: Annotated[list[Any], Clamp(hi=3)] = Field(default_factory=list, alias="maxLengthArray")
    multi_type: str | int | float = Field(default="default", alias="multiType")
    any_type: Any = Field(default=None, alias="anyType")
    cleaned_string: Annotated[str, AfterValidator(_alphanumeric)] = Field(default="", alias="cleanedString")
    cleaned_function: Annotated[str, AfterValidator(lambda v: v.lower().strip())] = Field(default="", alias="cleanedFunction")
    nested: Nested = Field(default_factory=Nested)

    @field_validator("forced_value", mode="before")
    @classmethod
    def _forced(cls, _value: object) -> str:
        return FORCED


def schema(user):
    """The showcase for this caller: premium plans require one more field and may set another."""
    plan = user.doc.subscription.product.id or "basic"
    premium = plan != "basic"
    fields: dict[str, Any] = {
        "user_based_default": (str, Field(default=user.uid or "anonymous", alias="userBasedDefault")),
        "plan_based_limit": (Annotated[int | float, Clamp(1, 1000 if premium else 100)], Field(default=10, alias="planBasedLimit")),
        "conditional_required": (str, Field(alias="conditionalRequired")) if premium
        else (str | None, Field(default=None, alias="conditionalRequired")),
    }
    if premium:
        fields["premium_only_field"] = (str, Field(default="premium-feature", alias="premiumOnlyField"))
    return create_model("Schema", __base__=Showcase, **fields)
