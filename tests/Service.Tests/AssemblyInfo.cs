// The end-to-end tests run ONNX models on a 2-core machine: one class at a time keeps them from starving each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
