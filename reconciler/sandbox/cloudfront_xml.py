"""Translate CloudFront XML to and from dicts with botocore's service model.

Parsing and serializing against the model's shapes (``DistributionConfig``,
``Distribution``, ``DistributionList``, ``Tags``) means every field the model
knows round-trips without hand-written XML.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any
from xml.etree import ElementTree

import botocore.session
from botocore.model import ServiceModel, Shape
from botocore.parsers import RestXMLParser
from botocore.serialize import RestXMLSerializer

NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"


@functools.cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("cloudfront")


def shape(name: str) -> Shape:
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


def serialize(value: dict[str, Any], shape_name: str) -> bytes:
    """Serialize a dict of shape ``shape_name`` into a namespaced XML document."""
    serializer: Any = RestXMLSerializer()
    pseudo_root = ElementTree.Element("")
    serializer._serialize(shape(shape_name), value, pseudo_root, shape_name)
    root = next(iter(pseudo_root))
    root.set("xmlns", NAMESPACE)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)


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
