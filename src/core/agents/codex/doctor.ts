/** What `agentmonitor doctor` says of Codex: our hooks (and whether its config turns hooks on), its telemetry. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hookCheck, pointsAtUs, presenceCheck, type DoctorCheck, type DoctorOptions } from '../../hooks/doctorKit';
import { codexHooksEnabled } from '../../hooks/installer';
import { codexOtelConfig } from '../../setup/snippets';
import { agentFolder } from '../folders';
import { codexIdentity } from './identity';

const codexHome = (env: NodeJS.ProcessEnv) => agentFolder(codexIdentity, env);

function codexTelemetryCheck(o: DoctorOptions): DoctorCheck {
  const file = path.join(codexHome(o.env), 'config.toml');
  const fix = `add to ${file}:\n${codexOtelConfig({ port: o.port }).trimEnd()}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = '';
  }
  const section = /^\s*\[otel\]\s*$([\s\S]*?)(?=^\s*\[(?!\s*otel\.)|(?![\s\S]))/m.exec(text);
  if (section && pointsAtUs(section[1], o.port)) return { id: 'telemetry.codex', area: 'telemetry', status: 'ok', message: `Codex: [otel] in ${file} exports to AgentMonitor` };
  if (section) return { id: 'telemetry.codex', area: 'telemetry', status: 'warn', message: `Codex: [otel] in ${file} does not export to 127.0.0.1:${o.port}/api/otel`, fix };
  return { id: 'telemetry.codex', area: 'telemetry', status: 'missing', message: `Codex: no [otel] section in ${file} (optional: telemetry adds Codex's own usage events live)`, fix };
}

export function codexDoctor(o: DoctorOptions): DoctorCheck[] {
  const { check, installed } = presenceCheck('codex', 'Codex', o);
  const checks = [check];
  const problems = codexHooksEnabled(o.env) !== true ? [`hooks are not enabled in ${path.join(codexHome(o.env), 'config.toml')} ([features] hooks = true)`] : [];
  const hooks = hookCheck('codex', 'user', 'Codex', o, installed, { problems });
  if (hooks) checks.push(hooks);
  if (installed) checks.push(codexTelemetryCheck(o));
  return checks;
}
