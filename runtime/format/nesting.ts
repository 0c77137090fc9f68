// How deep JSON text nests, found without parsing it. JSON.parse copes with any depth, but what
// comes after it recurses (JSON.stringify, validators, structured clone): a value nested 10,000
// levels overflows their stack. Readers refuse such text up front, with a message.

/** Index of the bracket that opens level `limit + 1` (outside strings), or -1 if the text stays within `limit`. */
export function tooDeepAt(text: string, limit: number): number {
  // Fewer characters than levels: cannot be that deep (the common case, no scan).
  if (text.length <= limit) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/** Deepest nesting a record read from JSON may have; deeper ones go to `errors`. */
export const MAX_RECORD_NESTING = 1000;
