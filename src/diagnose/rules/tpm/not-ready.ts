import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, RemedyStep } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { decodeIsReady } from './is-ready-bits.js';
import { hex8, SOURCE } from './support.js';

/**
 * tpm.not-ready: Windows says the TPM is not ready for use (Get-Tpm TpmReady False,
 * Win32_Tpm.IsReadyInformation IsReady false, tpmtool "Ready For Storage: False"), or the TPM read
 * directly was never started (TPM_RC_INITIALIZE: no TPM2_Startup since the last reset, Part 1
 * §12.2.1). The decoded IsReadyInformation bits are the evidence and choose the remedy:
 * - bits Windows fixes at boot (reboot/shutdown needed, provisioning steps): restart;
 * - TPM disabled in firmware (0x20), or Group Policy keeping no owner authorisation (0x20000):
 *   reconfigure;
 * - only the bits that need a clear (0x8/0x100/0x200/0x800): no remedy here, because
 *   tpm.reduced-functionality carries the clear, so this finding must not pull the verdict down
 *   to a restart that cannot help.
 */

export const notReady: Rule = {
  ids: ['tpm.not-ready'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.not-ready'];
    const w = snapshot.windows;
    // An absent TPM is tpm.absent, not "not ready".
    if (w?.getTpm?.tpmPresent === false || w?.tpmtool?.tpmPresent === false) return [];
    const evidence: Evidence[] = [];
    if (w?.getTpm?.tpmReady === false)
      evidence.push({ source: SOURCE.getTpm, field: 'TpmReady', value: false });
    if (w?.tpmtool?.readyForStorage === false) {
      evidence.push({ source: SOURCE.tpmtool, field: 'Ready For Storage', value: false });
    }
    if (w?.tpmtool?.isInitialized === false)
      evidence.push({ source: SOURCE.tpmtool, field: 'Is Initialized', value: false });
    const isReady = w?.isReady;
    if (isReady && !isReady.isReady)
      evidence.push({ source: SOURCE.isReady, field: 'IsReady', value: false });
    const notStarted = snapshot.tpm?.present === true && snapshot.tpm.started === false;
    if (notStarted)
      evidence.push({ source: SOURCE.tpm, field: 'started', value: 'false (TPM_RC_INITIALIZE)' });
    if (evidence.length === 0) return [];

    const bits = isReady ? decodeIsReady(isReady.information) : [];
    if (isReady) {
      evidence.push({ source: SOURCE.isReady, field: 'Information', value: hex8(isReady.information) });
      for (const bit of bits) {
        evidence.push({
          source: SOURCE.isReady,
          field: `Information bit ${hex8(bit.mask)}`,
          value: `${bit.name}: ${bit.meaning}`,
        });
      }
    }
    const actionable = bits.filter((b) => b.remedy !== 'informational');
    const needsRestart = notStarted || actionable.some((b) => b.remedy === 'restart');
    const reconfigure = actionable.filter((b) => b.remedy === 'reconfigure');
    const onlyClear = !notStarted && actionable.length > 0 && actionable.every((b) => b.remedy === 'clear');

    let step: RemedyStep;
    let action: string;
    if (onlyClear) {
      step = 'none';
      action = t.actionOnlyClear;
    } else if (needsRestart || reconfigure.length === 0) {
      step = 'restart';
      action = notStarted ? t.actionNotStarted : t.actionRestart;
    } else {
      step = 'reconfigure';
      // What to change for the bits whose remedy is reconfigure: 0x20 the TPM disabled in firmware,
      // 0x20000 Group Policy keeping no owner authorisation.
      const reconfigureText: Readonly<Record<number, string>> = {
        32: t.reconfigureTpmDisabled,
        131072: t.reconfigureOwnerAuthPolicy,
      };
      action = reconfigure
        .map((b) => reconfigureText[b.mask] ?? t.reconfigureOther({ bit: b.name }))
        .join(' ');
    }
    return [
      {
        id: 'tpm.not-ready',
        severity: 'error',
        title: notStarted ? t.titleNotStarted : t.titleNotReady,
        why: t.why,
        impacts: ['sync', 'compliance', 'bitlocker', 'windows-hello', 'attestation'],
        evidence,
        remedy: { step, action, destroysKeys: false },
        references: [
          'https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation',
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
        ],
      } satisfies Finding,
    ];
  },
};
