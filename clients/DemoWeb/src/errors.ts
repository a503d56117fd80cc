import { Code, ConnectError } from "@connectrpc/connect";

/** A message a visitor can act on, for an error from a gateway call. */
export function describeError(error: unknown): string {
  const connectError = ConnectError.from(error);
  const detail = connectError.rawMessage.trim();
  switch (connectError.code) {
    case Code.InvalidArgument:
      return detail !== "" ? `The server refused the image: ${detail}` : "The server refused the image.";
    case Code.ResourceExhausted:
      return detail !== "" ? `The server is busy or the image is too large: ${detail}` : "The server is busy; try again shortly.";
    case Code.NotFound:
      return "The job has expired or is unknown; explain the image again.";
    case Code.Unavailable:
      return "The server cannot be reached. Check that the gateway is running, then try again.";
    case Code.DeadlineExceeded:
      return "The server took too long to answer; try again.";
    case Code.Canceled:
      return "Cancelled.";
    default:
      return detail !== "" ? `Something went wrong: ${detail}` : "Something went wrong; try again.";
  }
}
