/**
 * Which folders `POST /api/import` may read: the server's own agent log folders (its Claude config
 * dirs and Codex homes, from CLAUDE_CONFIG_DIR / CODEX_HOME or their defaults) and what is inside
 * them, compared after resolving symlinks and `..`. Any folder is allowed to a caller that proves
 * it may read it anyway: one sending the configured `AGENTMONITOR_TOKEN`, or one sending this run's
 * lock key (`LOCK_KEY_HEADER`), which only the server's own user can read from the 0600 lock file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { allDirs, folderAgents, mapRequestDirs, requestDirs } from '../agents/folders';
import type { ImportRequest } from '../contracts/api';
import type { ServerContext } from './context';
import { secretMatches, tokenMatches } from './security';

export const LOCK_KEY_HEADER = 'x-agentmonitor-lock-key';

/** `p` with symlinks and `..` resolved as the OS does; a missing tail is kept as written. */
export async function realPathLoose(p: string): Promise<string> {
  const abs = path.isAbsolute(p) ? p : path.join(process.cwd(), p);
  try {
    return await fs.promises.realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    if (parent === abs) return abs;
    return path.join(await realPathLoose(parent), path.basename(abs));
  }
}

export function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function trustedCaller(ctx: ServerContext, headers: IncomingHttpHeaders): boolean {
  const { token } = ctx.config;
  if (token && tokenMatches(headers.authorization, token)) return true;
  const key = headers[LOCK_KEY_HEADER];
  return !!ctx.lockKey && typeof key === 'string' && secretMatches(key, ctx.lockKey);
}

export type ImportAccess = { ok: true; req: ImportRequest } | { ok: false; error: string };

/** The request with its folders resolved, or why it is refused (answered 403). */
export async function checkImportAccess(ctx: ServerContext, req: ImportRequest, headers: IncomingHttpHeaders): Promise<ImportAccess> {
  const resolve = (dirs: string[] | undefined) => (dirs ? Promise.all(dirs.map(realPathLoose)) : Promise.resolve(undefined));
  const resolved = await mapRequestDirs(req, resolve);
  if (trustedCaller(ctx, headers)) return { ok: true, req: resolved };
  const roots = await Promise.all(allDirs(ctx.config).map(realPathLoose));
  const real = requestDirs(resolved);
  const refused = requestDirs(req)
    .map((asked, i) => ({ asked, real: real[i] }))
    .filter((d) => !roots.some((r) => isInside(d.real, r)))
    .map((d) => (d.asked === d.real ? d.asked : `${d.asked} (${d.real})`));
  if (!refused.length) return { ok: true, req: resolved };
  return {
    ok: false,
    error:
      `import refused: ${refused.join(', ')} ${refused.length > 1 ? 'are not agent log folders' : 'is not an agent log folder'} of this server. ` +
      `Allowed: ${folderAgents()
        .map((a) => `the ${a.name} folders (${((ctx.config as unknown as Record<string, string[]>)[a.folders.config] ?? []).join(', ')})`)
        .join(', ')} and folders inside them ` +
      `(set ${[...new Set(folderAgents().map((a) => a.folders.env))].join(' / ')} where the server starts); any folder with "Authorization: Bearer <AGENTMONITOR_TOKEN>" ` +
      'or with `agentmonitor import` run by the server\'s user',
  };
}
