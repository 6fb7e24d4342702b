"""The one JSON reader: bounded depth and size, errors that name the input, line and column."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ticketgen.core.errors import ContentError
from ticketgen.core.jsonio import JSONInputError, loads, read_json, read_json_bytes, read_json_stream


def test_nesting_past_the_bound_is_an_error_naming_where_not_a_recursion_error() -> None:
    deep = "[\n" * 100_000 + "]\n" * 100_000
    with pytest.raises(JSONInputError) as caught:
        loads(deep, "dump.json")
    assert str(caught.value) == "dump.json:101:1: JSON nested deeper than 100 levels"
    assert loads("[" * 100 + "]" * 100, "ok.json") is not None  # at the bound: fine


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"message": "' + "[{" * 500 + '\\" still a string [[["}'
    assert loads(text, "dump.json")["message"].startswith("[{[{")


def test_numbers_and_constants_json_does_not_have_are_input_errors() -> None:
    with pytest.raises(JSONInputError, match="NaN is not JSON"):
        loads('{"a": NaN}', "dump.json")
    with pytest.raises(JSONInputError, match=r"dump\.json: not usable JSON: .*4300 digits"):
        loads('{"a": ' + "9" * 5000 + "}", "dump.json")


def test_a_syntax_error_names_line_and_column_and_yaml_is_recognised() -> None:
    with pytest.raises(JSONInputError) as caught:
        loads('{\n  "a": 1,\n}', "dump.json")
    assert (caught.value.line, caught.value.column, caught.value.yaml_like) == (3, 1, False)
    with pytest.raises(JSONInputError) as caught:
        loads("apiVersion: v1\nkind: List\nitems: []\n", "dump.yaml")
    assert caught.value.yaml_like and "YAML, not JSON" in str(caught.value)


def test_size_is_bounded_before_parsing_and_a_stream_is_never_read_whole() -> None:
    with pytest.raises(ContentError, match="over the 10-byte limit"):
        read_json_bytes(b'{"items": []}', "kubectl get", max_bytes=10)
    stream = io.BytesIO(b"[" + b"1," * 1_000_000 + b"1]")
    with pytest.raises(ContentError, match="over the 100-byte limit"):
        read_json_stream(stream, "<stdin>", max_bytes=100)
    assert stream.tell() == 101  # it stopped reading one byte past the bound


def test_files_are_read_through_the_one_file_reader(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_bytes(b'\xef\xbb\xbf{"items": []}')  # a BOM, as some editors save it
    assert read_json(path) == {"items": []}
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(ContentError, match="not UTF-8"):
        read_json(path)


def test_a_one_line_dump_over_the_markdown_line_limit_is_read(tmp_path):
    """`jq -c` writes a whole List on one line; JSON's bounds are its size and depth."""
    items = [{"kind": "ConfigMap", "metadata": {"name": f"cm-{i}", "namespace": "default"}} for i in range(5000)]
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":"))
    assert len(text) > 128 * 1024 and "\n" not in text
    path = tmp_path / "dump.json"
    path.write_text(text, encoding="utf-8")
    assert len(read_json(path)["items"]) == 5000
    assert len(read_json_bytes(text.encode(), "<stdin>")["items"]) == 5000
