// Saves a Blob as a file the browser downloads, through a short-lived object URL.

/** Downloads `blob` as `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // after the click has started the download
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
