import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { WindowsEvent } from '../../../snapshot/windows-evidence.js';
import type { FindingTexts } from '../../../text/messages/en-findings.js';
import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, Remedy, RemedyStep } from '../../finding.js';
import type { Rule } from '../../rule.js';
import {
  ev,
  eventEvidence,
  eventsOf,
  evidenceTime,
  hoursBefore,
  hresultsIn,
  newestFirst,
  PROVIDER,
} from './evidence.js';
import { REF } from './references.js';
import { intuneEnrolled } from './signals.js';

const AUTOPILOT_ATTESTATION_FAILED = 'autopilot.attestation-failed';

/** An Autopilot failure older than this, on a PC that has since enrolled, is history (info). */
const AUTOPILOT_RECENT_DAYS = 7;

type AutopilotCode = keyof FindingTexts['autopilot.attestation-failed']['codes'];

interface KnownCode {
  /** Generic Win32 codes (0x80070490, 0x800705b4) only count in the Autopilot log itself. */
  autopilotLogOnly: boolean;
  step: RemedyStep;
  /** The failure still stands in the way of a clear. */
  blocksClear?: (snapshot: Snapshot) => boolean;
}

/**
 * The codes of "Windows Autopilot known issues" (learn.microsoft.com/autopilot/known-issues), each
 * with its own fix (its name and fix are finding texts, src/text/messages/en-findings.ts).
 */
const AUTOPILOT_CODES: Record<AutopilotCode, KnownCode> = {
  '0x81039001': { autopilotLogOnly: false, step: 'restart' },
  '0x81039023': { autopilotLogOnly: false, step: 'update' },
  '0x81039024': {
    autopilotLogOnly: false,
    step: 'update',
    blocksClear: (snapshot) => snapshot.windows?.tpmtool?.hasVulnerableFirmware !== false,
  },
  '0x80070490': { autopilotLogOnly: true, step: 'update' },
  '0x800705b4': { autopilotLogOnly: true, step: 'reconfigure' },
  '0x801c03ea': { autopilotLogOnly: false, step: 'update' },
};

function isKnownCode(code: string): code is AutopilotCode {
  return code in AUTOPILOT_CODES;
}

/**
 * Autopilot event 171: "TPM identity failed" (ModernDeployment-Diagnostics-Provider/Autopilot; reported by
 * administrators, not in Microsoft's list: docs/findings.md); a failure even with no known code.
 */
const TPM_IDENTITY_FAILED = 171;
/** "Something happened, and TPM attestation timed out": Infineon SLB9672 with firmware 15.22. */
const ATTESTATION_TIMED_OUT = /attestation timed out/i;

function infineon1522(snapshot: Snapshot): Evidence[] {
  const w = snapshot.windows;
  const vendor = w?.getTpm?.manufacturerIdTxt ?? w?.tpmtool?.manufacturerId ?? null;
  const version = w?.getTpm?.manufacturerVersion ?? w?.tpmtool?.manufacturerVersion ?? null;
  if (vendor === null || version === null) return [];
  if (!/^\s*IFX\s*$/i.test(vendor) || !/^\s*15\.22(\.|$)/.test(version)) return [];
  const source = w?.getTpm?.manufacturerIdTxt != null ? 'Get-Tpm' : 'tpmtool getdeviceinformation';
  return [ev(source, 'ManufacturerIdTxt', vendor), ev(source, 'ManufacturerVersion', version)];
}

/**
 * Windows Autopilot could not attest the TPM (pre-provisioning or self-deploying mode): a known code
 * in a ModernDeployment-Diagnostics-Provider/Autopilot event (or a User Device Registration event for
 * the Autopilot-specific codes), Autopilot event 171, or Infineon SLB9672 firmware 15.22's "TPM
 * attestation timed out". One finding per distinct cause, each with the remedy Microsoft documents.
 * An error while the failure is recent or the PC is not enrolled; info once the PC has since enrolled
 * and the failure is more than 7 days old.
 */
export const autopilotAttestationFailed: Rule = {
  ids: [AUTOPILOT_ATTESTATION_FAILED],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['autopilot.attestation-failed'];
    if (!snapshot.windows?.events) return [];
    const autopilot = eventsOf(snapshot, PROVIDER.modernDeployment);
    const registration = eventsOf(snapshot, PROVIDER.userDeviceRegistration);
    const byCode = new Map<AutopilotCode, WindowsEvent[]>();
    const add = (code: AutopilotCode, e: WindowsEvent) => byCode.set(code, [...(byCode.get(code) ?? []), e]);
    for (const e of autopilot) {
      for (const code of hresultsIn(e.message)) if (isKnownCode(code)) add(code, e);
    }
    for (const e of registration) {
      for (const code of hresultsIn(e.message)) {
        if (isKnownCode(code) && !AUTOPILOT_CODES[code].autopilotLogOnly) add(code, e);
      }
    }
    const explained = new Set([...byCode.values()].flat());
    const timedOut = autopilot.filter((e) => ATTESTATION_TIMED_OUT.test(e.message) && !explained.has(e));
    const identity = autopilot.filter(
      (e) => e.id === TPM_IDENTITY_FAILED && !explained.has(e) && !timedOut.includes(e),
    );

    const now = evidenceTime(snapshot);
    const enrolled = intuneEnrolled(snapshot) === true;
    const severityOf = (events: WindowsEvent[]) => {
      const newest = newestFirst(events)[0]!;
      const age = hoursBefore(newest.timeCreated, now);
      return !enrolled || age === null || age <= AUTOPILOT_RECENT_DAYS * 24 ? 'error' : 'info';
    };
    const base = (events: WindowsEvent[], title: string, extra: Evidence[], remedy: Remedy): Finding => ({
      id: AUTOPILOT_ATTESTATION_FAILED,
      severity: severityOf(events),
      title,
      why: t.why,
      impacts: ['attestation', 'sync', 'compliance'],
      evidence: [...extra, ...eventEvidence(events)],
      remedy,
      references: [REF.autopilotKnownIssues],
    });

    const findings: Finding[] = [];
    for (const [code, events] of byCode) {
      const known = AUTOPILOT_CODES[code];
      const words = t.codes[code];
      const f = base(events, t.titleCode({ code, name: words.name }), [ev('Autopilot', 'error code', code)], {
        step: known.step,
        action: words.action({ clock: t.clock }),
        destroysKeys: false,
      });
      if (known.blocksClear?.(snapshot) === true) f.blocksClear = t.blocksClearVulnerable;
      findings.push(f);
    }
    if (timedOut.length > 0) {
      const tpm = infineon1522(snapshot);
      findings.push(
        base(timedOut, tpm.length > 0 ? t.titleTimedOutInfineon : t.titleTimedOut, tpm, {
          step: 'update',
          action: t.actionTimedOut({ infineon: tpm.length > 0, clock: t.clock }),
          destroysKeys: false,
        }),
      );
    }
    if (identity.length > 0) {
      findings.push(
        base(identity, t.titleIdentity, [], {
          step: 'restart',
          action: t.actionIdentity({ clock: t.clock }),
          destroysKeys: false,
        }),
      );
    }
    return findings;
  },
};
