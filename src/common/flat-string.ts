/**
 * Flattens a string built by concatenation. V8 keeps `a + b` as a tree of the parts (a rope)
 * until something reads it as a whole; a rendered XML kept for later (an object's body, its
 * listing fragment) would keep that tree, which at 10,000 hosts or 100,000 VMs is several times
 * the text's own size. Converting it to a number makes V8 flatten it in place, once.
 */
export function flat(s: string): string {
  // The conversion's result is unused: what counts is that V8 flattens the string to read it.
  void Number(s);
  return s;
}
