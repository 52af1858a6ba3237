"""A compiled check that can only say "valid", so openapi-core's interpreter runs on the rest.

jsonschema, under openapi-core, builds a validator object for every (subschema, value) it visits:
about 5 us each, 200 us for a batch-check of 10. fastjsonschema compiles a schema to Python code
once. Its answer is used one way only: a value it accepts skips openapi-core; a value it rejects
goes to openapi-core, which decides and names every broken rule.

So it must never accept what openapi-core refuses. It is built only for OAS 3.0 schemas whose
keywords mean the same to both (draft-4 semantics), or are stricter to fastjsonschema: it knows no
`nullable`, and reads a pattern's final `$` as the end of the string where Python's `re` also
allows a newline before it. Stricter parts make a stricter whole only where every keyword is
monotone, so `not` and `oneOf` (where a stricter part accepts more) are refused, as are a `$`
anywhere but at a pattern's end (inside a lookahead it can turn the same way), `readOnly`,
`discriminator`, a recursive `$ref` and anything else. A `format` is checked by openapi-core's
own format checker, called from the compiled code; only formats of strings are taken
(fastjsonschema checks a format on strings only, where `int32` also constrains numbers). tests/http/test_validation_cache.py
checks that whatever it accepts openapi-core accepts too, on bodies generated from each schema.
"""

from __future__ import annotations

from typing import Any, Callable

import fastjsonschema

try:
    from openapi_schema_validator._regex import has_ecma_regex
except ImportError:  # another openapi-schema-validator: assume it may match patterns as ECMA regexes

    def has_ecma_regex() -> bool:
        return True

_DRAFT4 = "http://json-schema.org/draft-04/schema#"
_OAS_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
_SUBSCHEMA = {"items"}
_SUBSCHEMAS = {"allOf", "anyOf"}
# Formats whose checkers (jsonschema's, openapi-schema-validator's) accept every non-string.
_STRING_FORMATS = {
    "date-time", "date", "time", "email", "idn-email", "hostname", "idn-hostname", "uuid", "ipv4", "ipv6",
    "uri", "uri-reference", "iri", "iri-reference",
}
_ANNOTATIONS = {"description", "title", "example", "default", "deprecated", "externalDocs", "nullable"}
_CONSTRAINTS = {
    "type", "properties", "required", "additionalProperties", "minItems", "maxItems", "minLength", "maxLength",
    "pattern", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties",
    "format",
} | _SUBSCHEMA | _SUBSCHEMAS


def _understood(schema: Any, formats: set[str]) -> bool:
    """Whether every keyword, all the way down, means the same (or stricter) to fastjsonschema.

    The formats met are added to `formats`.
    """
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key.startswith("x-") or key in _ANNOTATIONS:
            continue
        if key not in _CONSTRAINTS:
            return False
        if key == "type" and not (isinstance(value, str) and value in _OAS_TYPES):
            return False
        if key == "enum" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return False  # jsonschema and fastjsonschema compare 1, 1.0 and True differently
        if key == "pattern" and (has_ecma_regex() or not isinstance(value, str) or "$" in value.removesuffix("$")):
            return False  # ECMA regexes in openapi-core; or a `$` whose rewriting is not plainly stricter
        if key == "format":
            if value not in _STRING_FORMATS:
                return False
            formats.add(value)
        if key == "properties" and not (isinstance(value, dict) and all(_understood(s, formats) for s in value.values())):
            return False
        if key == "additionalProperties" and not isinstance(value, bool) and not _understood(value, formats):
            return False
        if key in _SUBSCHEMA and not _understood(value, formats):
            return False
        if key in _SUBSCHEMAS and not (isinstance(value, list) and all(_understood(s, formats) for s in value)):
            return False
    return True


def _always(value: Any) -> bool:
    return True


def accepter(
    schema: dict[str, Any], openapi_version: str = "3.0", format_checker: Any = None
) -> Callable[[Any], bool] | None:
    """A function saying True only for values `schema` accepts; None when it cannot be built safely.

    `format_checker` is the jsonschema FormatChecker openapi-core validates with (None: formats
    are not checked).
    """
    formats: set[str] = set()
    if not openapi_version.startswith("3.0") or not _understood(schema, formats):
        return None  # 3.1 schemas are JSON Schema 2020-12 (numeric exclusiveMinimum, type lists...)
    checked = set(format_checker.checkers) if format_checker is not None else set()
    custom = {
        name: (lambda value, name=name: format_checker.conforms(value, name)) if name in checked else _always
        for name in formats
    }
    try:
        check = fastjsonschema.compile(
            {**schema, "$schema": _DRAFT4}, formats=custom, use_default=False, use_formats=bool(custom)
        )
    except Exception:  # noqa: BLE001 - a schema it cannot compile (a pattern it rewrites badly): the slow road
        return None

    def accepts(value: Any) -> bool:
        try:
            check(value)
        except Exception:  # noqa: BLE001 - a refusal of any kind: openapi-core decides
            return False
        return True

    return accepts
