# Package of the stubs written by clients/python/generate_stubs.py from protos/saliency/v1/saliency.proto; do not edit.
