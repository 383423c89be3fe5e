/** Injection token of a named state store. */
export function getStateStoreToken(name: string): string {
  return `samsa:state-store:${name}`;
}
