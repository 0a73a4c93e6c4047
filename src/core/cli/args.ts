/**
 * A small, strict argument parser for the CLI: `--name value`, `--name=value`, boolean flags,
 * repeatable options. Unknown options are an error that names the option.
 */
export interface OptionSpec {
  type: 'string' | 'boolean' | 'number';
  multiple?: boolean;
  short?: string;
}

export type ParsedArgs = { positionals: string[]; values: Record<string, string | boolean | number | string[] | undefined> };

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      inline = eq === -1 ? undefined : a.slice(eq + 1);
    } else {
      const n = byShort.get(a.slice(1));
      if (!n) throw new UsageError(`unknown option ${a}`);
      name = n;
    }
    const s = spec[name];
    if (!s && name.startsWith('no-') && spec[name.slice(3)]?.type === 'boolean') {
      values[name.slice(3)] = false;
      continue;
    }
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.type === 'boolean') {
      values[name] = inline === undefined ? true : !['false', '0', 'no'].includes(inline);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    let parsed: string | number = v;
    if (s.type === 'number') {
      parsed = Number(v);
      if (!Number.isFinite(parsed)) throw new UsageError(`option --${name} needs a number, got "${v}"`);
    }
    if (s.multiple) values[name] = [...((values[name] as string[]) ?? []), String(parsed)];
    else values[name] = parsed;
  }
  return { positionals, values };
}
