/** Display formatting shared by the tree, the status bar and notifications. Pure. */
import { agentDisplay } from '../../core/contracts/agents';

export function formatUsd(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '$0.00';
  const abs = Math.abs(n);
  if (abs === 0) return '$0.00';
  if (abs < 0.0001) return n < 0 ? '-<$0.0001' : '<$0.0001';
  // Small amounts keep four decimals (as the dashboard does), so they add up visibly.
  if (abs < 0.995) return `${n < 0 ? '-' : ''}$${abs.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
  if (abs >= 10_000) return `$${Math.round(n).toLocaleString('en-US')}`;
  return `$${n.toFixed(2)}`;
}

export function formatTokens(n: number | null | undefined): string {
  if (!n || !Number.isFinite(n)) return '0';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1_000_000) return `${trim1(n / 1000)}k`;
  if (abs < 1_000_000_000) return `${trim1(n / 1_000_000)}M`;
  return `${trim1(n / 1_000_000_000)}B`;
}

function trim1(x: number): string {
  const s = x >= 100 ? x.toFixed(0) : x.toFixed(1);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** "just now", "45s ago", "2m ago", "3h ago", "5d ago"; future times count as now. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m}m ${Math.round(s - m * 60)}s`;
}

/** The last path segment of a project path, or the whole string. */
export function projectName(project: string | null | undefined): string | null {
  if (!project) return null;
  const parts = project.split(/[\\/]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1]! : project;
}

export function agentLabel(agentType: string): string {
  return agentDisplay(agentType).name;
}

/** Escapes text for a MarkdownString (tooltips), so user data never becomes markup or links. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-!|<>~]/g, (c) => `\\${c}`);
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
