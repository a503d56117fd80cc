namespace SaliencySlider.LoadGen;

/// <summary>A run that cannot give figures: a phase with errors, a child process that died, a service that never became ready.</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
