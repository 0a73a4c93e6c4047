/**
 * The Sessions list's filters, search and order in the location hash (issue 17), as Costs and Tools
 * keep their period: `#/sessions?agent_type=codex&status=active&min_cost=1.5&sort=cost_usd&dir=asc`.
 * A reload, a copied link or Back shows the same list. Values that are not valid are left out.
 */
import { SESSION_SORT_KEYS, type SessionSortKey, type SessionStatus } from '../../src/core/contracts/api';

export interface SessionListQuery {
  q?: string;
  agent_type?: string;
  status?: SessionStatus;
  project?: string;
  /** Who ran the sessions (a team server's list; `people` of the filter options). */
  person?: string;
  /** The machine they ran on (a team server's list; `machines` of the filter options). */
  machine?: string;
  /** USD, a plain decimal (`1.5`). */
  min_cost?: string;
  sort?: SessionSortKey;
  dir?: 'asc' | 'desc';
}

const STATUSES: readonly string[] = ['active', 'idle', 'ended'];
const MAX_TEXT = 512;
/** The keys, in the order the hash lists them. */
const KEYS = ['q', 'agent_type', 'status', 'project', 'person', 'machine', 'min_cost', 'sort', 'dir'] as const;

/** A lowest cost as the list takes it: a plain decimal amount of USD. */
export const COST_RE = /^\d{1,9}(\.\d{1,6})?$/;

const text = (v: string | null): string | undefined => (v && v.length <= MAX_TEXT ? v : undefined);

export function parseSessionQuery(q: URLSearchParams): SessionListQuery {
  const out: SessionListQuery = {};
  const search = text(q.get('q'))?.trim();
  if (search) out.q = search;
  const agent = text(q.get('agent_type'));
  if (agent) out.agent_type = agent;
  const status = q.get('status');
  if (status && STATUSES.includes(status)) out.status = status as SessionStatus;
  const project = text(q.get('project'));
  if (project) out.project = project;
  const person = text(q.get('person'));
  if (person) out.person = person;
  const machine = text(q.get('machine'));
  if (machine) out.machine = machine;
  const cost = q.get('min_cost');
  if (cost && COST_RE.test(cost)) out.min_cost = cost;
  const sort = q.get('sort');
  if (sort && (SESSION_SORT_KEYS as readonly string[]).includes(sort)) {
    out.sort = sort as SessionSortKey;
    const dir = q.get('dir');
    if (dir === 'asc' || dir === 'desc') out.dir = dir;
  }
  return out;
}

/** The hash query of a list (inverse of `parseSessionQuery`), '' for the default list. */
export function sessionQueryString(l: SessionListQuery): string {
  const q = new URLSearchParams();
  for (const k of KEYS) {
    const v = l[k];
    if (v) q.set(k, v);
  }
  return q.toString();
}
