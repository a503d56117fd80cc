"""The stubs built into the package are what generate_stubs.py makes from protos/ today."""
from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

from support import REPO_ROOT

PACKAGE = REPO_ROOT / "clients" / "python"


def test_the_checked_in_stubs_match_the_contract_in_protos(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(PACKAGE / "generate_stubs.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)

    checked_in = PACKAGE / "src" / "saliency_slider" / "_proto"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in checked_in.iterdir() if p.name != "__pycache__")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, checked_in, names, shallow=False)
    assert not mismatch and not errors, (
        f"{mismatch + errors} differ from protos/: run `python3 clients/python/generate_stubs.py` and commit")


def test_the_installed_stubs_are_the_checked_in_ones() -> None:
    from saliency_slider._proto import saliency_pb2

    installed = Path(saliency_pb2.__file__).read_bytes()
    assert installed == (PACKAGE / "src" / "saliency_slider" / "_proto" / "saliency_pb2.py").read_bytes()


def test_the_google_api_http_annotations_for_rest_transcoding_change_nothing_in_the_stubs(tmp_path: Path) -> None:
    protos = tmp_path / "protos"
    shutil.copytree(REPO_ROOT / "protos", protos)
    annotations = protos / "google" / "api" / "annotations.proto"
    if not annotations.exists():
        annotations.parent.mkdir(parents=True)
        (annotations.parent / "http.proto").write_text(
            'syntax = "proto3";\npackage google.api;\n'
            'message HttpRule { oneof pattern { string get = 2; string post = 4; } string body = 7; }\n')
        annotations.write_text(
            'syntax = "proto3";\npackage google.api;\nimport "google/api/http.proto";\n'
            'import "google/protobuf/descriptor.proto";\n'
            'extend google.protobuf.MethodOptions { HttpRule http = 72295728; }\n')
    contract = protos / "saliency" / "v1" / "saliency.proto"
    text = contract.read_text()
    if "google/api/annotations.proto" not in text:
        text = text.replace("package saliency.v1;", 'package saliency.v1;\n\nimport "google/api/annotations.proto";')
        text = text.replace("rpc ListModels(ListModelsRequest) returns (ListModelsResponse);",
                            'rpc ListModels(ListModelsRequest) returns (ListModelsResponse) {\n'
                            '    option (google.api.http) = {get: "/v1/models"};\n  }')
        contract.write_text(text)
    out = tmp_path / "out"

    subprocess.run([sys.executable, str(PACKAGE / "generate_stubs.py"), "--protos", str(protos), "--out", str(out)],
                   check=True, capture_output=True)

    checked_in = PACKAGE / "src" / "saliency_slider" / "_proto"
    for generated in out.iterdir():
        assert generated.read_bytes() == (checked_in / generated.name).read_bytes(), generated.name
