// Finding the JSON document in what a CLI printed. With `--json` the contract promises one document on
// stdout, but a CLI may print a banner or a warning first, or (on errors) put the JSON on stderr.

/** Parses `text` as one JSON document, else the last line that is a JSON object/array, else the span between the first `{`/`[` (or a line starting with one) and the last `}`/`]`. */
export function findJson(text: string): { found: true; value: unknown } | { found: false } {
  const trimmed = text.trim();
  if (!trimmed) return { found: false };
  const whole = tryParse(trimmed);
  if (whole.found) return whole;

  const lines = trimmed.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line.startsWith('{') || line.startsWith('[')) {
      const r = tryParse(line);
      if (r.found) return r;
    }
  }

  // The span from the first `{`/`[` to the last `}`/`]`; when a banner holds brackets too ("(node:1) [DEP0040] …"),
  // the span from a line that starts with `{`/`[` at column 0 (where a pretty-printed document begins).
  const end = Math.max(trimmed.lastIndexOf('}'), trimmed.lastIndexOf(']'));
  const starts = new Set<number>([trimmed.search(/[{[]/)]);
  for (const m of trimmed.matchAll(/^[{[]/gm)) if (starts.size < 20) starts.add(m.index);
  for (const start of starts) {
    if (start < 0 || end <= start) continue;
    const r = tryParse(trimmed.slice(start, end + 1));
    if (r.found) return r;
  }
  return { found: false };
}

function tryParse(text: string): { found: true; value: unknown } | { found: false } {
  try {
    return { found: true, value: JSON.parse(text) };
  } catch {
    return { found: false };
  }
}
