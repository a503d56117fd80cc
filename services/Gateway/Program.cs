using SaliencySlider.Gateway;

await GatewayApplication.Build(args).RunAsync();
