/** The message of a thrown value, for wrapping it in a `CodecError`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
