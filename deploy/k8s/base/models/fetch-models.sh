#!/bin/sh
# fetch-models [DEST] — puts the default model set into DEST, verified by sha256.
#
# DEST defaults to $SALIENCY_MODELS_DIR, else ./.data/models. For each file of the set below:
#   1. a copy already in DEST whose sha256 matches is kept;
#   2. else a matching copy in the local model directory ($SALIENCY_MODELS_SOURCE, default
#      ../shared/models beside the repository) is copied;
#   3. else the file is downloaded from $SALIENCY_MODELS_URL/<file> (curl or wget) and kept only
#      if its sha256 matches.
# Nothing else is trusted: a file whose sha256 differs is never left in DEST.
# POSIX sh with busybox's wget and sha256sum are enough, so the docker-compose `models` service and
# the Kubernetes init container run this same file (deploy/k8s/base/models/fetch-models.sh is a copy
# that tests/Deploy.Tests keeps identical).
#
# The model files and their provenance: ../shared/models/MODEL_CARD.md. The ONNX file is a
# conversion of Google's MobileNetV2 (Apache-2.0); a deployment publishes the set once (a release
# asset, a bucket) and points SALIENCY_MODELS_URL at it.
set -eu

MODEL_SET='
987a6550d75bdc0aae852b37c56434b55606d6054ea0b610d96538235ea9860c mobilenet_v2_1.0_224.onnx
4eb3da435cf544e4a6f390f62c84cb9c9bb68cf8b14e97f8a063452382e5efd2 imagenet_labels.txt
'

script_dir=$(cd "$(dirname "$0")" && pwd)
dest=${1:-${SALIENCY_MODELS_DIR:-./.data/models}}
source_dir=${SALIENCY_MODELS_SOURCE:-$script_dir/../../shared/models}
base_url=${SALIENCY_MODELS_URL:-}

say() { printf 'fetch-models: %s\n' "$*" >&2; }

sha256_of() { sha256sum "$1" | cut -d ' ' -f 1; }

has_sha256() { [ -f "$1" ] && [ "$(sha256_of "$1")" = "$2" ]; }

download() {
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    say "neither curl nor wget is installed"; return 1
  fi
}

mkdir -p "$dest"
failed=0
echo "$MODEL_SET" | while read -r sha file; do
  [ -n "$sha" ] || continue
  target="$dest/$file"
  if has_sha256 "$target" "$sha"; then
    say "$file: present"
    continue
  fi
  partial="$target.partial"
  rm -f "$partial"
  if has_sha256 "$source_dir/$file" "$sha"; then
    cat "$source_dir/$file" >"$partial"
    say "$file: copied from $source_dir"
  elif [ -n "$base_url" ]; then
    say "$file: downloading from $base_url"
    download "${base_url%/}/$file" "$partial" || { rm -f "$partial"; exit 1; }
  else
    say "$file: not in $dest nor $source_dir, and SALIENCY_MODELS_URL is not set"
    exit 1
  fi
  if ! has_sha256 "$partial" "$sha"; then
    say "$file: sha256 mismatch (expected $sha), discarded"
    rm -f "$partial"; exit 1
  fi
  mv "$partial" "$target"
done || failed=1
[ "$failed" -eq 0 ] || exit 1
say "model set complete in $dest"
