/** One photo the gateway offers (GET /examples; Gateway:ExamplesDirectory). */
export interface ExamplePhoto {
  name: string;
  file: string;
  url: string;
  bytes: number;
}

/** The gateway's example photos; none when it offers none or cannot be asked. */
export async function fetchExamples(baseUrl: string): Promise<ExamplePhoto[]> {
  try {
    const response = await fetch(new URL("examples", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`));
    if (!response.ok) return [];
    const photos = (await response.json()) as unknown;
    return Array.isArray(photos) ? photos.filter(isExamplePhoto) : [];
  } catch {
    return [];
  }
}

function isExamplePhoto(value: unknown): value is ExamplePhoto {
  const photo = value as Partial<ExamplePhoto> | null;
  return typeof photo?.name === "string" && typeof photo.file === "string" && typeof photo.url === "string";
}

/** Fills `row` with one thumbnail button per photo; a click hands the photo's bytes to `onFile` as an upload would. */
export function renderExamples(row: HTMLElement, baseUrl: string, photos: ExamplePhoto[], onFile: (file: File) => void): void {
  row.replaceChildren(
    ...photos.map((photo) => {
      const url = new URL(photo.url, baseUrl).toString();
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.title = `Try ${photo.name}`;
      button.dataset.testid = "example";
      const thumbnail = document.createElement("img");
      thumbnail.src = url;
      thumbnail.alt = photo.name;
      const caption = document.createElement("span");
      caption.textContent = photo.name;
      button.append(thumbnail, caption);
      button.addEventListener("click", () => {
        void fetch(url)
          .then(async (response) => new File([await response.blob()], photo.file, { type: response.headers.get("content-type") ?? "" }))
          .then(onFile);
      });
      return button;
    }),
  );
  row.hidden = photos.length === 0;
}
