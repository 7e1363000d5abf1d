/**
 * Splits a SQL script as pg_dump writes it into statements, without the comments and psql
 * meta-commands (`\restrict …`), which a server cannot run. Understands '…' strings (and E'…'),
 * "…" identifiers, $tag$…$tag$ bodies and nested block comments, so a `;` or `--` inside data
 * never splits a statement.
 */
export function splitSqlScript(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const n = script.length;
  const identChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);
  /** Index just past the closing `quote` of a literal opened at `start`. */
  const skipQuoted = (start: number, quote: string, backslashEscapes: boolean): number => {
    let j = start + 1;
    for (;;) {
      const close = script.indexOf(quote, j);
      if (close === -1) return n;
      if (backslashEscapes) {
        let slashes = 0;
        for (let k = close - 1; k >= start + 1 && script[k] === '\\'; k--) slashes++;
        if (slashes % 2 === 1) {
          j = close + 1;
          continue;
        }
      }
      if (script[close + 1] === quote) {
        j = close + 2;
        continue;
      }
      return close + 1;
    }
  };
  // Plain text is copied in slices: `from` marks where the uncopied part of the statement begins.
  let from = 0;
  const pending = () => current + script.slice(from, i);
  while (i < n) {
    const c = script[i]!;
    if (c === '\\' && (i === 0 || script[i - 1] === '\n') && pending().trim() === '') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      current = '';
      from = i;
      continue;
    }
    const lineComment = c === '-' && script[i + 1] === '-';
    if (lineComment || (c === '/' && script[i + 1] === '*')) {
      current = pending();
      if (lineComment) {
        const end = script.indexOf('\n', i);
        i = end === -1 ? n : end;
      } else {
        let depth = 1;
        i += 2;
        while (i < n && depth > 0) {
          const step = script.startsWith('/*', i) ? 1 : script.startsWith('*/', i) ? -1 : 0;
          depth += step;
          i += step === 0 ? 1 : 2;
        }
        current += ' ';
      }
      from = i;
      continue;
    }
    if (c === "'") {
      const prefix = script[i - 1];
      i = skipQuoted(i, "'", (prefix === 'E' || prefix === 'e') && !identChar(script[i - 2]));
      continue;
    }
    if (c === '"') {
      i = skipQuoted(i, '"', false);
      continue;
    }
    if (c === '$' && !identChar(script[i - 1])) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64))?.[0];
      if (tag) {
        const close = script.indexOf(tag, i + tag.length);
        i = close === -1 ? n : close + tag.length;
        continue;
      }
    }
    if (c === ';') {
      const statement = pending().trim();
      if (statement !== '') statements.push(statement);
      current = '';
      from = i + 1;
    }
    i++;
  }
  const last = pending().trim();
  if (last !== '') statements.push(last);
  return statements;
}
