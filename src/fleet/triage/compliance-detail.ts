import { redactThenTruncate } from '../../snapshot/redact-secrets.js';
import type { DeviceCompliancePolicyState } from '../graph/graph-types.js';
import type { Result } from '../graph/intune-api.js';

/**
 * Why a failing setting fails, from the device's own compliance policy states (v1.0
 * deviceCompliancePolicyStates, settingStates embedded): the policy it belongs to, Intune's error
 * code and the value the device reported. The tenant-wide setting lists say only "nonCompliant";
 * an admin opening a ticket wants the rest. One line per failing setting in `failingSettings`.
 */
export function complianceDetailReasons(
  states: Result<readonly DeviceCompliancePolicyState[]> | undefined,
  failingSettings: readonly string[],
): string[] {
  if (states === undefined || failingSettings.length === 0) return [];
  if (!states.ok) return [`compliance policy states not read: ${states.code}`];
  const wanted = new Set(failingSettings);
  const lines: string[] = [];
  for (const policy of states.value) {
    for (const setting of policy.settingStates) {
      if (!wanted.has(setting.setting) || setting.state === 'compliant') continue;
      const parts = [`${setting.setting}: ${setting.state} in policy "${policy.displayName ?? policy.id}"`];
      if (setting.errorCode !== null && setting.errorCode !== 0) parts.push(`error ${setting.errorCode}`);
      if (setting.currentValue !== null && setting.currentValue !== '') {
        // Graph's text, stored and shown: scrubbed before it is cut (src/snapshot/redact-secrets.ts).
        parts.push(`device reports ${JSON.stringify(redactThenTruncate(setting.currentValue, 80))}`);
      }
      lines.push(parts.join(', '));
    }
  }
  return lines;
}
