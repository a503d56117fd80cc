/** Collects an image from the file picker, a drop on the drop zone (or page), or the clipboard. */
export function listenForImages(dropzone: HTMLElement, fileInput: HTMLInputElement, onFile: (file: File) => void): void {
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    // Cleared so that picking the same file again fires another change.
    fileInput.value = "";
    if (file !== undefined) onFile(file);
  });

  const hasFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes("Files") === true;
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dropzone.classList.add("is-dragging");
  });
  document.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) dropzone.classList.remove("is-dragging");
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dropzone.classList.remove("is-dragging");
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) onFile(file);
  });

  document.addEventListener("paste", (event) => {
    const file = Array.from(event.clipboardData?.files ?? [])[0];
    if (file === undefined) return;
    event.preventDefault();
    onFile(file);
  });
}
