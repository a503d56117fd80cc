import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { SaliencySliderService } from "./gen/saliency/v1/saliency_pb";

/**
 * The gateway the page talks to: the origin that served it, unless VITE_GATEWAY_URL names
 * another (e.g. `VITE_GATEWAY_URL=http://localhost:8080 npm run dev`).
 */
export function gatewayUrl(): string {
  const configured = import.meta.env.VITE_GATEWAY_URL as string | undefined;
  return configured !== undefined && configured !== "" ? configured : window.location.origin;
}

export function createGatewayClient(baseUrl: string = gatewayUrl()): Client<typeof SaliencySliderService> {
  return createClient(SaliencySliderService, createGrpcWebTransport({ baseUrl, useBinaryFormat: true }));
}
