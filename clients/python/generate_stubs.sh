#!/usr/bin/env bash
# Generates the Python gRPC stubs for protos/saliency/v1/saliency.proto into OUT_DIR (default:
# clients/python/generated, ignored by git). Needs protoc and grpc_python_plugin (Debian:
# protobuf-compiler, protobuf-compiler-grpc); with pip's grpcio-tools, use
# `python -m grpc_tools.protoc` with the same -I/--python_out/--grpc_python_out arguments instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
protos="$here/../../protos"
out="${1:-$here/generated}"
mkdir -p "$out"
protoc -I "$protos" \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  "$protos/saliency/v1/saliency.proto"
echo "$out"
