using SaliencySlider.ExplainerWorker;

await WorkerApplication.Build(args).RunAsync();
