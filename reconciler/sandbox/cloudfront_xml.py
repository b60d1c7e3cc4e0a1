"""Translate CloudFront XML to and from dicts with botocore's service model.

Parsing and serializing against the model's shapes (``DistributionConfig``,
``Distribution``, ``DistributionList``, ``Tags``) means every field the model
defines round-trips without hand-written XML.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import ListShape, ServiceModel, Shape, StructureShape
from botocore.parsers import RestXMLParser

NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
# botocore's rest-xml timestamp formats.
_ISO8601 = "%Y-%m-%dT%H:%M:%SZ"
_ISO8601_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("cloudfront")


@functools.cache
def shape(name: str) -> Shape:
    # Cached so that each shape resolves its members only once.
    return service_model().shape_for(name)


class MalformedXML(ValueError):
    """The request body is not XML of the expected shape."""


def parse(body: bytes, shape_name: str) -> dict[str, Any]:
    """Parse an XML request body into the dict that boto3 would have sent."""
    # botocore parses responses, not requests, so the shape-level entry points
    # are private; they are stable across the pinned botocore version.
    parser: Any = RestXMLParser()
    try:
        # The server binds 127.0.0.1 and parses requests of local clients only.
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise MalformedXML(f"request body is not well-formed XML: {exc}") from exc
    if parser._node_tag(root) != shape_name:
        raise MalformedXML(f"expected a {shape_name} element, got {root.tag}")
    parsed: dict[str, Any] = parser._parse_shape(shape(shape_name), root)
    return parsed


def _write(shape: Shape, value: Any, name: str, out: list[str]) -> None:
    """Append ``value`` as XML element ``name``, following botocore's rest-xml rules.

    A string builder instead of botocore's ElementTree serializer, because
    listing thousands of distributions spends most of its time here.
    """
    if isinstance(shape, StructureShape):
        out.append(f"<{name}>")
        for member_name, member_shape in shape.members.items():
            member_value = value.get(member_name)
            if member_value is not None:
                tag = member_shape.serialization.get("name", member_name)
                _write(member_shape, member_value, tag, out)
        out.append(f"</{name}>")
    elif isinstance(shape, ListShape):
        member_tag = shape.member.serialization.get("name", "member")
        out.append(f"<{name}>")
        for item in value:
            _write(shape.member, item, member_tag, out)
        out.append(f"</{name}>")
    elif shape.type_name == "boolean":
        out.append(f"<{name}>{'true' if value else 'false'}</{name}>")
    elif shape.type_name == "timestamp":
        text = value.strftime(_ISO8601_MICRO if value.microsecond else _ISO8601)
        out.append(f"<{name}>{text}</{name}>")
    else:
        out.append(f"<{name}>{escape(str(value))}</{name}>")


def fragment(value: dict[str, Any], shape_name: str, element: str) -> str:
    """Serialize ``value`` as an element without namespace or XML declaration."""
    out: list[str] = []
    _write(shape(shape_name), value, element, out)
    return "".join(out)


def document(body: str) -> bytes:
    """Wrap a serialized root element into a namespaced XML document."""
    root_end = body.index(">")
    namespaced = f'{body[:root_end]} xmlns="{NAMESPACE}"{body[root_end:]}'
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{namespaced}'.encode()


def serialize(value: dict[str, Any], shape_name: str) -> bytes:
    """Serialize a dict of shape ``shape_name`` into a namespaced XML document."""
    return document(fragment(value, shape_name, shape_name))


def error_body(code: str, message: str, sender_fault: bool = True) -> bytes:
    """Build CloudFront's ``ErrorResponse`` document."""
    root = ElementTree.Element("ErrorResponse", xmlns=NAMESPACE)
    error = ElementTree.SubElement(root, "Error")
    ElementTree.SubElement(error, "Type").text = (
        "Sender" if sender_fault else "Receiver"
    )
    ElementTree.SubElement(error, "Code").text = code
    ElementTree.SubElement(error, "Message").text = message
    ElementTree.SubElement(root, "RequestId").text = str(uuid.uuid4())
    return b'<?xml version="1.0"?>\n' + ElementTree.tostring(root)
