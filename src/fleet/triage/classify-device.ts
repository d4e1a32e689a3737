import { matchFirmware, parseVersion } from '../../diagnose/data/firmware-vulnerabilities.js';
import { redact } from '../../snapshot/redact-secrets.js';
import { EN } from '../../text/messages/en.js';
import type {
  BitlockerRecoveryKeyInfo,
  DeviceComplianceSettingState,
  DeviceHealthAttestationState,
  HardwareInformation,
  ManagedDevice,
  ManagedDeviceDetails,
} from '../graph/graph-types.js';
import type { Result } from '../graph/intune-api.js';
import { decideClearSafety } from './clear-safety.js';
import type { DeviceEvidence } from './device-evidence.js';
import { deviceFacts, type InventoryFacts, type SettingError } from './device-facts.js';
import { type ClearBlocker, TRIAGE_CLASS_INFO, type TriageClass } from './triage-class.js';
import type { TriageResult } from './triage-result.js';

/** Everything triage knows about one device. Only `device` and `failingSettings` are required. */
export interface DeviceTriageInput {
  /** The managedDevice list fields. */
  device: ManagedDevice;
  /** Intune's setting states for this device that are not compliant (from the tenant-wide lists). */
  failingSettings: readonly DeviceComplianceSettingState[];
  /** hardwareInformation + deviceHealthAttestationState; undefined when not fetched. */
  details?: Result<ManagedDeviceDetails> | undefined;
  /** BitLocker recovery key IDs for the device's Entra device ID; undefined when not looked up. */
  recoveryKeys?: Result<readonly BitlockerRecoveryKeyInfo[]> | undefined;
  /** The device's own diagnosis from its Remediations evidence, or why that evidence was unusable. */
  evidence?: DeviceEvidence | { error: string } | undefined;
  /** The device's row of the inventory report export, when triage read it. */
  inventory?: InventoryFacts | undefined;
  /** Intune's error codes for the failing settings (the export or the policy states), when read. */
  settingErrors?: readonly SettingError[] | undefined;
}

export interface ClassifyOptions {
  /** A device whose last sync is older than this many days is `sync-stale` (default 7). */
  staleSyncDays: number;
  /** A health attestation report older than this many days is stale (default 7). */
  attestationStaleDays: number;
  /** Remediations evidence older than this many days is not used (default 14). */
  evidenceMaxAgeDays: number;
}

export const DEFAULT_CLASSIFY_OPTIONS: Readonly<ClassifyOptions> = Object.freeze({
  staleSyncDays: 7,
  attestationStaleDays: 7,
  evidenceMaxAgeDays: 14,
});

const DAY_MS = 86_400_000;

/**
 * Settings Intune evaluates from the device's Device Health Attestation report, which Windows sends
 * after a boot (windows10CompliancePolicy: bitLockerEnabled, secureBootEnabled, codeIntegrityEnabled
 * "as reported by the Windows Device Health Attestation service"); StorageRequireEncryption is read
 * through the DeviceStatus CSP instead
 * (https://learn.microsoft.com/graph/api/resources/intune-deviceconfig-windows10compliancepolicy).
 */
const DHA_EVALUATED = new Set(['BitLockerEnabled', 'SecureBootEnabled', 'CodeIntegrityEnabled']);

/** The order in which a device's classes win when several settings fail: the root cause first. */
const PRECEDENCE: readonly TriageClass[] = [
  'tpm-firmware',
  'tpm-absent',
  'tpm-clear-candidate',
  'secure-boot',
  'bitlocker',
  'attestation',
  'non-compliant-other',
  'unknown',
];

interface Decision {
  class: TriageClass;
  reasons: string[];
  clearIsTheRemedy: boolean;
  remedy?: string;
  /** `remedy` in the admin's language (the device's verdict, diagnosed in it). */
  localRemedy?: string;
}

/**
 * Classifies one device. Pure: no I/O, `now` is given. The device's own diagnosis (Remediations
 * evidence run through the same rules as `tpm-doctor diagnose`) decides first, so the fleet and
 * device views agree; then a stale sync (nothing Intune says is current); then Intune's failing
 * settings, read with the device's health attestation details; then its complianceState.
 */
export function classifyDevice(
  input: DeviceTriageInput,
  now: Date,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): TriageResult {
  const { device } = input;
  const { decision, evidence, notes, lastSync, failingSettings } = decide(input, now, options);

  const deviceBlockers: ClearBlocker[] =
    evidence?.verdict.clearBlockedBy.map((b) => ({ code: b.finding, reason: redact(b.reason) })) ?? [];
  const safety = decideClearSafety(decision.clearIsTheRemedy, deviceBlockers, {
    azureAdDeviceId: device.azureADDeviceId,
    recoveryKeys: input.recoveryKeys,
    localRecoveryPasswordIds: evidence?.recoveryPasswordIds ?? null,
  });
  const reasons = [...decision.reasons, ...notes];
  if (safety.escrow.reason !== '') reasons.push(safety.escrow.reason);
  // The same rule as on the device (src/diagnose/unknowns.ts): a fact a clear depends on that the
  // evidence leaves unknown (lockout state, the OS volume's protectors, an unreadable source)
  // never lets a clear be called safe.
  const unknowns = (evidence?.verdict.unknown ?? []).filter((u) => u.blocksClear);
  let clearSafety = safety.clearSafety;
  if (clearSafety === 'safe' && unknowns.length > 0) {
    clearSafety = 'unknown';
    reasons.push(
      `The device's evidence leaves facts a clear depends on unknown: ${redact(unknowns.map((u) => u.reason).join('; '))}.`,
    );
  }

  const collectFirst = decision.clearIsTheRemedy && clearSafety === 'unknown' && evidence === null;
  return {
    deviceId: device.id,
    deviceName: device.deviceName,
    azureAdDeviceId: device.azureADDeviceId,
    userPrincipalName: device.userPrincipalName,
    class: decision.class,
    clearSafety,
    clearBlockedBy: safety.blockers,
    escrow: safety.escrow.status,
    reasons,
    ...(collectFirst ? { remedy: EN['triage.remedy.collect-evidence-first'] } : remedyOf(decision)),
    findings: evidence?.findings.map((f) => f.id) ?? [],
    failingSettings,
    lastSync,
    evidenceAt: evidence?.collectedAt ?? null,
    facts: deviceFacts({
      device,
      hardware: input.details?.ok === true ? input.details.value.hardwareInformation : null,
      inventory: input.inventory,
      failingSettings: input.failingSettings,
      settingErrors: input.settingErrors,
    }),
  };
}

/** A decision's step: its own (and in the admin's language, when it has one), or its class's. */
function remedyOf(decision: Decision): { remedy: string; localRemedy?: string } {
  if (decision.remedy === undefined) return { remedy: TRIAGE_CLASS_INFO[decision.class].remedy };
  return decision.localRemedy === undefined
    ? { remedy: decision.remedy }
    : { remedy: decision.remedy, localRemedy: decision.localRemedy };
}

/** What decided a device's class: its own verdict, a stale sync, Intune's failing settings or complianceState. */
type DecidedBy = 'device-verdict' | 'sync' | 'settings' | 'compliance-state';

function decide(input: DeviceTriageInput, now: Date, options: ClassifyOptions) {
  const lastSync = syncTime(input.device.lastSyncDateTime);
  const failingSettings = [...new Set(input.failingSettings.map((s) => s.setting))].sort();
  const notes: string[] = [];
  const evidence = usableEvidence(input.evidence, now, options, notes);
  let decidedBy: DecidedBy = 'device-verdict';
  let decision = evidence === null ? null : fromDeviceVerdict(evidence);
  if (decision === null) {
    decidedBy = 'sync';
    decision = staleSync(lastSync, now, options, failingSettings);
  }
  if (decision === null) {
    decidedBy = failingSettings.length > 0 ? 'settings' : 'compliance-state';
    decision =
      failingSettings.length > 0
        ? fromFailingSettings(input, now, options, evidence)
        : fromComplianceState(input.device);
  }
  return { decision, decidedBy, evidence, notes, lastSync, failingSettings };
}

/**
 * True when the device's class depends on its per-device details (hardwareInformation, health
 * attestation): only when Intune's failing settings decide it. Devices decided by their own
 * verdict, a stale sync or complianceState cost no per-device Graph request.
 */
export function detailsMatter(
  input: DeviceTriageInput,
  now: Date,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): boolean {
  return decide(input, now, options).decidedBy === 'settings';
}

/** lastSyncDateTime, or null for "never" (Graph sends 0001-01-01T00:00:00Z) and unreadable values. */
function syncTime(value: string | null): string | null {
  if (value === null) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at) || new Date(at).getUTCFullYear() < 2000) return null;
  return value;
}

/**
 * How far ahead of the triage's clock a device's collection time may be and still be used: a
 * device clock set to the wrong time zone is off by up to 14 hours (UTC+14), so one day; beyond
 * that the date is wrong and the evidence's age unknown.
 */
const MAX_EVIDENCE_CLOCK_AHEAD_DAYS = 1;

function ageDays(iso: string, now: Date): number {
  return (now.getTime() - Date.parse(iso)) / DAY_MS;
}

function usableEvidence(
  evidence: DeviceTriageInput['evidence'],
  now: Date,
  options: ClassifyOptions,
  notes: string[],
): DeviceEvidence | null {
  if (evidence === undefined) return null;
  if ('error' in evidence) {
    notes.push(`Remediations evidence unusable: ${redact(evidence.error)}`);
    return null;
  }
  if (evidence.verdict.status === 'undiagnosable') {
    notes.push('Remediations evidence holds nothing the rules can read.');
    return null;
  }
  if (evidence.collectedAt === null) {
    // Undated evidence could be of any age: it must not make a clear "safe" (or anything else).
    notes.push('Remediations evidence carries no collection time and was not used.');
    return null;
  }
  const age = ageDays(evidence.collectedAt, now);
  if (Number.isNaN(age)) {
    notes.push('Remediations evidence carries a collection time that is not a date and was not used.');
    return null;
  }
  if (age < -MAX_EVIDENCE_CLOCK_AHEAD_DAYS) {
    // Evidence from the future never grows old: dated 2099, it would be trusted for ever.
    notes.push(
      `Remediations evidence is dated ${evidence.collectedAt}, after this triage's time ${now.toISOString()}: the device's clock is wrong, its age is unknown, and it was not used.`,
    );
    return null;
  }
  if (age > options.evidenceMaxAgeDays) {
    notes.push(
      `Remediations evidence from ${evidence.collectedAt} is older than ${options.evidenceMaxAgeDays} days and was not used.`,
    );
    return null;
  }
  return evidence;
}

/**
 * The device's verdict decides (src/diagnose/verdict.ts): when its ladder reaches a clear, the
 * class says what stands in the way (a lockout to wait out, firmware to update) or that it is a
 * clear candidate; otherwise the verdict's next step maps to a class. A verdict with nothing to do
 * returns null: the device sees no TPM problem, and Intune's data is read next.
 */
function fromDeviceVerdict(evidence: DeviceEvidence): Decision | null {
  const { verdict } = evidence;
  const clearNeeded = evidence.findings.some((f) => f.step === 'clear');
  const blockedBy = new Set(verdict.clearBlockedBy.map((b) => b.finding));
  const reason = `The device's own diagnosis (Remediations evidence${evidence.collectedAt === null ? '' : ` of ${evidence.collectedAt}`}): next step ${verdict.nextStep}${verdict.because.length > 0 ? ` because of ${verdict.because.join(', ')}` : ''}.`;
  const remedy = redact(verdict.action);
  const localRemedy = evidence.localAction === undefined ? {} : { localRemedy: redact(evidence.localAction) };
  if (clearNeeded) {
    const cls: TriageClass = blockedBy.has('tpm.lockout')
      ? 'tpm-wait'
      : blockedBy.has('tpm.firmware-vulnerable')
        ? 'tpm-firmware'
        : 'tpm-clear-candidate';
    return { class: cls, reasons: [reason], clearIsTheRemedy: true, remedy, ...localRemedy };
  }
  if (verdict.nextStep === 'none') return null;
  const because = verdict.because;
  const all = (prefix: string) => because.length > 0 && because.every((id) => id.startsWith(prefix));
  let cls: TriageClass;
  if (verdict.nextStep === 'wait' || verdict.nextStep === 'reset-lockout') cls = 'tpm-wait';
  else if (verdict.nextStep === 'update' && because.some((id) => id.startsWith('tpm.'))) cls = 'tpm-firmware';
  else if (all('bitlocker.')) cls = 'bitlocker';
  else if (all('secureboot.')) cls = 'secure-boot';
  else if (all('autopilot.attestation')) cls = 'attestation';
  else cls = 'device-action';
  return { class: cls, reasons: [reason], clearIsTheRemedy: false, remedy, ...localRemedy };
}

/**
 * A device that has not checked in for longer than the threshold reports compliance from its
 * last check-in, so its failing settings may be long fixed or newly broken: it must sync first.
 */
function staleSync(
  lastSync: string | null,
  now: Date,
  options: ClassifyOptions,
  failingSettings: readonly string[],
): Decision | null {
  const settings =
    failingSettings.length > 0 ? ` Intune's last report has ${failingSettings.join(', ')} failing.` : '';
  if (lastSync === null) {
    return {
      class: 'sync-stale',
      reasons: [`The device has never synced with Intune.${settings}`],
      clearIsTheRemedy: false,
    };
  }
  const age = ageDays(lastSync, now);
  if (age <= options.staleSyncDays) return null;
  return {
    class: 'sync-stale',
    reasons: [
      `Last sync ${Math.floor(age)} days ago (${lastSync}), more than ${options.staleSyncDays}: its compliance data is from then.${settings}`,
    ],
    clearIsTheRemedy: false,
  };
}

/** No TPM-related setting fails: Intune's overall complianceState says the rest. */
function fromComplianceState(device: ManagedDevice): Decision {
  switch (device.complianceState) {
    case 'compliant':
      return { class: 'healthy', reasons: [], clearIsTheRemedy: false };
    case 'noncompliant':
    case 'inGracePeriod':
    case 'conflict':
    case 'error':
      return {
        class: 'non-compliant-other',
        reasons: [`complianceState is ${device.complianceState} and no TPM-related setting is failing.`],
        clearIsTheRemedy: false,
      };
    case 'configManager':
      // Co-managed with the compliance workload on Configuration Manager: Intune's own compliance
      // policies do not decide this device (managedDevice complianceState, v1.0 reference).
      return {
        class: 'unknown',
        reasons: [
          "complianceState is configManager: Configuration Manager evaluates this device's compliance, not Intune; check it in Configuration Manager.",
        ],
        clearIsTheRemedy: false,
      };
    default:
      return {
        class: 'unknown',
        reasons: [
          `complianceState is ${String(device.complianceState)}: Intune has not evaluated the device.`,
        ],
        clearIsTheRemedy: false,
      };
  }
}

/**
 * Reads each failing setting with the details Graph has for the device (hardwareInformation and
 * deviceHealthAttestationState: null in list calls, fetched per device), then keeps the class of
 * the root cause (PRECEDENCE). DHA-evaluated settings (BitLocker, Secure Boot, code integrity)
 * are measured at boot: a device whose fresh report says "enabled" while the setting fails has a
 * stale result, fixed by a restart and a sync (windows10CompliancePolicy; docs/triage.md).
 */
function fromFailingSettings(
  input: DeviceTriageInput,
  now: Date,
  options: ClassifyOptions,
  evidence: DeviceEvidence | null,
): Decision {
  const details = input.details?.ok === true ? input.details.value : null;
  const detailsNote =
    input.details === undefined
      ? 'device details not fetched'
      : input.details.ok
        ? null
        : `device details unavailable (Graph answered ${input.details.status} ${input.details.code})`;
  const hw = details?.hardwareInformation ?? null;
  const dha = details?.deviceHealthAttestationState ?? null;
  const candidates: Decision[] = [];
  const firmware = vulnerableFirmware(hw);

  for (const state of input.failingSettings) {
    const failing = `${state.setting} is ${state.state}`;
    const setting = state.setting.slice(state.setting.lastIndexOf('.') + 1);
    if (firmware !== null && (setting === 'TpmRequired' || setting === 'CodeIntegrityEnabled')) {
      candidates.push({
        class: 'tpm-firmware',
        reasons: [`${failing}; ${firmware}`],
        clearIsTheRemedy: false,
      });
      continue;
    }
    const stale = DHA_EVALUATED.has(setting) ? staleReport(failing, dha, now, options) : null;
    if (stale !== null) {
      candidates.push(stale);
      continue;
    }
    switch (setting) {
      case 'TpmRequired':
        candidates.push(tpmRequired(state, failing, hw, dha, detailsNote, now, options, evidence));
        break;
      case 'SecureBootEnabled':
        candidates.push(
          reportedEnabled(dha?.secureBoot)
            ? attestationStale(failing, 'Secure Boot', dha)
            : {
                class: 'secure-boot',
                reasons: [
                  `${failing}${dha?.secureBoot ? `; health attestation reports secureBoot ${dha.secureBoot}` : ''}.`,
                ],
                clearIsTheRemedy: false,
              },
        );
        break;
      case 'BitLockerEnabled':
      case 'StorageRequireEncryption':
        candidates.push(
          input.device.isEncrypted === true || reportedEnabled(dha?.bitLockerStatus)
            ? attestationStale(failing, 'BitLocker', dha, input.device.isEncrypted === true)
            : {
                class: 'bitlocker',
                reasons: [`${failing}; the device reports isEncrypted ${String(input.device.isEncrypted)}.`],
                clearIsTheRemedy: false,
              },
        );
        break;
      case 'CodeIntegrityEnabled':
        candidates.push(
          reportedEnabled(dha?.codeIntegrity)
            ? attestationStale(failing, 'code integrity', dha)
            : {
                class: 'non-compliant-other',
                reasons: [
                  `${failing}: code integrity is off (a boot configuration such as test signing), not the TPM.`,
                ],
                clearIsTheRemedy: false,
              },
        );
        break;
      default:
        candidates.push({ class: 'non-compliant-other', reasons: [`${failing}.`], clearIsTheRemedy: false });
    }
  }
  const rank = (c: TriageClass) => PRECEDENCE.indexOf(c);
  candidates.sort((a, b) => rank(a.class) - rank(b.class));
  const chosen = candidates[0]!;
  return {
    class: chosen.class,
    clearIsTheRemedy: chosen.clearIsTheRemedy,
    reasons: [...new Set(candidates.flatMap((c) => c.reasons))],
  };
}

function tpmRequired(
  state: DeviceComplianceSettingState,
  failing: string,
  hw: HardwareInformation | null,
  dha: DeviceHealthAttestationState | null,
  detailsNote: string | null,
  now: Date,
  options: ClassifyOptions,
  evidence: DeviceEvidence | null,
): Decision {
  if (detailsNote !== null) {
    return { class: 'unknown', reasons: [`${failing}; ${detailsNote}.`], clearIsTheRemedy: false };
  }
  const seen = [hw?.tpmSpecificationVersion, hw?.tpmVersion, dha?.tpmVersion].find(nonEmpty);
  if (seen === undefined) {
    return {
      class: 'tpm-absent',
      reasons: [`${failing}; neither hardwareInformation nor health attestation reports a TPM.`],
      clearIsTheRemedy: false,
    };
  }
  if (evidence !== null) {
    return attestationStale(
      failing,
      'the TPM',
      dha,
      false,
      "the device's own diagnosis finds the TPM healthy",
    );
  }
  if (state.state !== 'nonCompliant') {
    // Intune could not evaluate the setting (error/conflict): no verdict about the TPM, and a clear
    // is never proposed on a guess (README: "clearing on a guess is how data gets lost").
    return {
      class: 'unknown',
      reasons: [
        `${failing}: Intune could not evaluate it; deploy the evidence script to see why (a lockout shows this way).`,
      ],
      clearIsTheRemedy: false,
    };
  }
  const verdict = attestationVerdict(dha);
  if (verdict.kind === 'fails') {
    return {
      class: 'tpm-clear-candidate',
      reasons: [`${failing}: Intune sees a TPM (${seen}) that does not attest (${verdict.why}).`],
      clearIsTheRemedy: true,
    };
  }
  if (verdict.kind === 'unknown') {
    // No verdict from health attestation: a clear is never proposed on a guess.
    return {
      class: 'unknown',
      reasons: [
        `${failing}: Intune sees a TPM (${seen}) but its health attestation gives no verdict (${verdict.why}); deploy the evidence script to see why.`,
      ],
      clearIsTheRemedy: false,
    };
  }
  const issued = reportIssued(dha);
  if (issued !== null && ageDays(issued, now) > options.attestationStaleDays) {
    return attestationStale(
      failing,
      'the TPM',
      dha,
      false,
      `the health attestation report was issued ${issued}, more than ${options.attestationStaleDays} days ago`,
    );
  }
  return attestationStale(
    failing,
    'the TPM',
    dha,
    false,
    `a current health attestation report attests with TPM ${dha?.tpmVersion}`,
  );
}

/**
 * What health attestation says about the TPM. Microsoft does not publish the values of
 * deviceHealthAttestationState's strings, so only the ones listed in docs/triage.md are compared
 * (exactly, ignoring case); any other value is unknown, never read as a failure:
 * - `fails`: attestationIdentityKey "disabled" (the TPM has no key to sign its health report with)
 *   or deviceHealthAttestationStatus "unhealthy": the state a clear fixes, TPM-related
 *   compliance failing with the TPM present (docs/triage.md);
 * - `unknown`: no TPM version in the report (a device that never attested carries the default
 *   issuedDateTime and nulls), or a value outside that list;
 * - `attests`: a TPM version, and every compared value is a known good one or absent.
 * No attestation state at all (null) is no data either: unknown, never a clear on a guess.
 */
type AttestationVerdict = { kind: 'attests' } | { kind: 'fails' | 'unknown'; why: string };

const KNOWN_AIK: Readonly<Record<string, 'good' | 'bad'>> = { enabled: 'good', disabled: 'bad' };
const KNOWN_STATUS: Readonly<Record<string, 'good' | 'bad'>> = { healthy: 'good', unhealthy: 'bad' };

function attestationVerdict(dha: DeviceHealthAttestationState | null): AttestationVerdict {
  if (dha === null) return { kind: 'unknown', why: 'no health attestation state' };
  const aik = judge(dha.attestationIdentityKey, KNOWN_AIK);
  const status = judge(dha.deviceHealthAttestationStatus, KNOWN_STATUS);
  const described = `attestationIdentityKey ${dha.attestationIdentityKey ?? 'unknown'}, deviceHealthAttestationStatus ${dha.deviceHealthAttestationStatus ?? 'unknown'}`;
  if (!nonEmpty(dha.tpmVersion)) {
    return {
      kind: 'unknown',
      why:
        reportIssued(dha) === null
          ? 'the device has never sent a health attestation report'
          : 'its health attestation report names no TPM version',
    };
  }
  if (aik === 'bad' || status === 'bad') return { kind: 'fails', why: described };
  if (aik === 'unknown' || status === 'unknown') return { kind: 'unknown', why: `unrecognised ${described}` };
  return { kind: 'attests' };
}

function judge(
  value: string | null | undefined,
  known: Readonly<Record<string, 'good' | 'bad'>>,
): 'good' | 'bad' | 'unknown' | 'absent' {
  if (!nonEmpty(value)) return 'absent';
  return Object.hasOwn(known, value.toLowerCase()) ? known[value.toLowerCase()]! : 'unknown';
}

/**
 * When the device's health report was issued (at boot): issuedDateTime, a non-nullable
 * DateTimeOffset whose default (0001-01-01) means "never attested", so null here. The report's
 * lastUpdateDateTime is an Edm.String (v1.0 CSDL), free text: never read as a time.
 */
function reportIssued(dha: DeviceHealthAttestationState | null): string | null {
  if (dha === null || !nonEmpty(dha.issuedDateTime)) return null;
  const at = Date.parse(dha.issuedDateTime);
  return Number.isNaN(at) || new Date(at).getUTCFullYear() < 1970 ? null : dha.issuedDateTime;
}

/**
 * A DHA-evaluated setting (Secure Boot, BitLocker, code integrity) reads the device's last health
 * report: when that report is older than the threshold, what it says is stale and a restart
 * (which issues a new one) and a sync come first.
 */
function staleReport(
  failing: string,
  dha: DeviceHealthAttestationState | null,
  now: Date,
  options: ClassifyOptions,
): Decision | null {
  const issued = reportIssued(dha);
  if (issued === null || ageDays(issued, now) <= options.attestationStaleDays) return null;
  return attestationStale(
    failing,
    '',
    dha,
    false,
    `the health attestation report was issued ${issued}, more than ${options.attestationStaleDays} days ago`,
  );
}

function attestationStale(
  failing: string,
  what: string,
  dha: DeviceHealthAttestationState | null,
  encrypted = false,
  why?: string,
): Decision {
  const because =
    why ??
    (encrypted
      ? 'the device reports isEncrypted true'
      : `health attestation${dha?.lastUpdateDateTime ? ` of ${dha.lastUpdateDateTime}` : ''} reports ${what} enabled`);
  return {
    class: 'attestation',
    reasons: [
      `${failing} although ${because}: the compliance result predates the fix (health attestation is measured at boot).`,
    ],
    clearIsTheRemedy: false,
  };
}

function nonEmpty(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** DHA says "enabled" for this property. */
function reportedEnabled(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'enabled';
}

/** Graph's tpmManufacturer as a TCG vendor ID (it sends either the ID or a name). */
const VENDOR_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^(ifx|infineon)/i, 'IFX'],
  [/^(stm|stmicro)/i, 'STM'],
  [/^(ntc|nuvoton)/i, 'NTC'],
  [/^(intc|intel)/i, 'INTC'],
  [/^(amd)/i, 'AMD'],
];

/**
 * The firmware vulnerability table (src/diagnose/data/firmware-vulnerabilities.ts, the same one
 * tpm.firmware-vulnerable reads) applied to Graph's hardwareInformation. Only a version with at
 * least three components is read as a firmware version ("7.61.2785.0"), so a spec version such as
 * "2.0" is never mistaken for one.
 */
function vulnerableFirmware(hw: HardwareInformation | null): string | null {
  if (hw === null || !nonEmpty(hw.tpmManufacturer) || !nonEmpty(hw.tpmVersion)) return null;
  const vendor = VENDOR_NAMES.find(([re]) => re.test(hw.tpmManufacturer!.trim()))?.[1];
  const parts = parseVersion(hw.tpmVersion);
  if (vendor === undefined || parts === null || parts.length < 3) return null;
  const matches = matchFirmware(vendor, hw.tpmVersion);
  if (matches.length === 0) return null;
  const names = matches.map((m) => `${m.vulnerability.key} (fixed in ${m.range.fixed})`).join(', ');
  return `TPM firmware ${vendor} ${hw.tpmVersion} is vulnerable: ${names}.`;
}
