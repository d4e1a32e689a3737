// Sources: Get-BitLockerVolume, https://learn.microsoft.com/powershell/module/bitlocker/get-bitlockervolume
// and manage-bde -protectors, https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-protectors
import type { BitLockerVolume, KeyProtector, KeyProtectorType } from '../../snapshot/windows-evidence.js';
import { describeJson, describeText, EvidenceError } from './evidence-error.js';
import { asArray, field, isRecord, type JsonRecord, toInt, toStr } from './json-values.js';

/**
 * BitLocker volumes and their key protectors, from Get-BitLockerVolume (JSON) and/or
 * `manage-bde -protectors -get` (localised text), merged per mount point. Only protector IDs
 * and types are ever read: a RecoveryPassword property or a "Password:" block is never copied
 * into the result.
 */

/**
 * KeyProtectorType numbers as Get-BitLockerVolume serialises its enum; the same order as
 * Win32_EncryptableVolume.GetKeyProtectorType (0 unknown ... 10), which Microsoft documents:
 * https://learn.microsoft.com/windows/win32/secprov/getkeyprotectortype-win32-encryptablevolume
 */
const PROTECTOR_TYPES: readonly KeyProtectorType[] = [
  'Unknown',
  'Tpm',
  'ExternalKey',
  'RecoveryPassword',
  'TpmPin',
  'TpmStartupKey',
  'TpmPinStartupKey',
  'PublicKey',
  'Password',
  'TpmNetworkKey',
  'AdAccountOrGroup',
];

/** BitLockerVolumeStatus numbers, matching Win32_EncryptableVolume ConversionStatus 0-5 (6-7 [U]). */
const VOLUME_STATUS = [
  'FullyDecrypted',
  'FullyEncrypted',
  'EncryptionInProgress',
  'DecryptionInProgress',
  'EncryptionPaused',
  'DecryptionPaused',
  'FullyEncryptedWipeInProgress',
  'FullyEncryptedWipePaused',
];

const EXPECTED_JSON =
  'Get-BitLockerVolume | ConvertTo-Json output (objects with MountPoint, VolumeType, ProtectionStatus, KeyProtector)';

/** Get-BitLockerVolume as ConvertTo-Json: one object or a list. Enums may be numbers or names. */
export function parseBitLockerVolumes(input: unknown): BitLockerVolume[] {
  const items = asArray(input);
  const records = items.filter(isRecord).filter((r) => toStr(field(r, 'MountPoint')) !== null);
  if (records.length === 0) {
    if (Array.isArray(input) && input.length === 0) return [];
    throw new EvidenceError(`expected ${EXPECTED_JSON}, found ${describeJson(input)} without a MountPoint`);
  }
  return records.map(volumeFromRecord);
}

function volumeFromRecord(r: JsonRecord): BitLockerVolume {
  const protectors: KeyProtector[] = [];
  for (const p of asArray(field(r, 'KeyProtector', 'KeyProtectors'))) {
    if (!isRecord(p)) continue;
    const id = normaliseProtectorId(toStr(field(p, 'KeyProtectorId')));
    if (id === null) continue;
    protectors.push({ id, type: protectorTypeOf(field(p, 'KeyProtectorType')) });
  }
  return {
    mountPoint: normaliseMountPoint(toStr(field(r, 'MountPoint')) ?? ''),
    volumeType: volumeTypeOf(field(r, 'VolumeType')),
    volumeStatus: volumeStatusOf(field(r, 'VolumeStatus')),
    protectionStatus: protectionStatusOf(field(r, 'ProtectionStatus')),
    suspendedRebootCount: toInt(field(r, 'SuspendCount', 'SuspendedRebootCount', 'RebootCount')),
    keyProtectors: protectors,
  };
}

function protectorTypeOf(value: unknown): KeyProtectorType {
  const n = toInt(value);
  if (n !== null) return PROTECTOR_TYPES[n] ?? 'Unknown';
  const s = toStr(value);
  if (s === null) return 'Unknown';
  const byName = PROTECTOR_TYPES.find((t) => t.toLowerCase() === s.toLowerCase());
  return byName ?? protectorTypeFromLabel(s);
}

function volumeTypeOf(value: unknown): BitLockerVolume['volumeType'] {
  const n = toInt(value);
  if (n === 0) return 'OperatingSystem';
  if (n === 1) return 'Data';
  const s = toStr(value)?.toLowerCase();
  if (s === 'operatingsystem') return 'OperatingSystem';
  if (s === 'data') return 'Data';
  return 'Unknown';
}

function volumeStatusOf(value: unknown): string | null {
  const n = toInt(value);
  if (n !== null) return VOLUME_STATUS[n] ?? `Unknown(${n})`;
  return toStr(value);
}

function protectionStatusOf(value: unknown): BitLockerVolume['protectionStatus'] {
  const n = toInt(value);
  if (n === 1) return 'On';
  if (n === 0) return 'Off';
  const s = toStr(value)?.toLowerCase();
  if (s === 'on') return 'On';
  if (s === 'off') return 'Off';
  return 'Unknown';
}

/** "{DFA26333-...}" → "dfa26333-..." (the form Entra ID escrows under); null when not a GUID. */
export function normaliseProtectorId(id: string | null): string | null {
  if (id === null) return null;
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(id.trim());
  return m ? m[1]!.toLowerCase() : null;
}

/** "c:\" and "C:" are the same volume. */
function normaliseMountPoint(mountPoint: string): string {
  const m = /^([a-z]):\\?$/i.exec(mountPoint.trim());
  return m ? `${m[1]!.toUpperCase()}:` : mountPoint.trim();
}

/**
 * A protector type from the label manage-bde prints above its ID, English or Japanese. Most
 * specific first: "TPM And PIN And Startup Key" before "TPM", "Numerical Password" before "Password".
 */
export function protectorTypeFromLabel(label: string): KeyProtectorType {
  const l = label.toLowerCase();
  const has = (...words: string[]) => words.some((w) => l.includes(w.toLowerCase()));
  const tpm = has('tpm');
  const pin = has('pin');
  const startup = has('startup', 'スタートアップ');
  if (tpm && pin && startup) return 'TpmPinStartupKey';
  if (tpm && pin) return 'TpmPin';
  if (tpm && startup) return 'TpmStartupKey';
  if (tpm && has('certificate', '証明書', 'network', 'ネットワーク')) return 'TpmNetworkKey';
  if (tpm) return 'Tpm';
  if (
    has(
      'numerical password',
      'numeric password',
      'recovery password',
      '数字パスワード',
      '数値パスワード',
      '回復パスワード',
    )
  )
    return 'RecoveryPassword';
  if (has('external key', '外部キー', 'startup key')) return 'ExternalKey';
  if (
    has(
      'public key',
      '公開キー',
      'certificate',
      '証明書',
      'data recovery agent',
      'データ回復エージェント',
      'smart card',
      'スマート カード',
    )
  )
    return 'PublicKey';
  if (has('sid', 'active directory', 'ad ds', 'アカウント')) return 'AdAccountOrGroup';
  if (has('password', 'passphrase', 'パスワード', 'パスフレーズ')) return 'Password';
  return 'Unknown';
}

const EXPECTED_TEXT =
  'manage-bde -protectors -get output (a "Volume C: [...]" line, then protector types with "ID: {GUID}" lines)';

const VOLUME_LINE = /^\S.*?(\S+)\s*\[[^\]]*\]\s*$/;
const ID_LINE =
  /^(\s*)[^:：{}]*[:：]\s*\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s*$/i;

/**
 * `manage-bde -protectors -get C:` text, any language, parsed by structure: an unindented
 * "<word> C: [label]" line starts a volume; each `<label>: {GUID}` line is a protector ID, and
 * its type is the nearest line above it that is less indented and ends with a colon
 * ("TPM:", "Numerical Password:", "数字パスワード:"). No other line is kept, so the recovery
 * password printed under "Password:" never leaves this function.
 */
export function parseManageBde(text: string): BitLockerVolume[] {
  if (typeof text !== 'string') throw new EvidenceError(`expected ${EXPECTED_TEXT}, found no text`);
  const lines = text.split(/\r\n|\r|\n/);
  const volumes: BitLockerVolume[] = [];
  let current: BitLockerVolume | null = null;
  let ids = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '');
    const volume = VOLUME_LINE.exec(line);
    if (volume && /[:\\}]$/.test(volume[1]!)) {
      current = {
        mountPoint: normaliseMountPoint(volume[1]!),
        volumeType: 'Unknown',
        volumeStatus: null,
        protectionStatus: 'Unknown',
        suspendedRebootCount: null,
        keyProtectors: [],
      };
      volumes.push(current);
      continue;
    }
    const id = ID_LINE.exec(line);
    if (!id) continue;
    ids++;
    if (current === null) continue;
    const indent = indentOf(line);
    let label = '';
    for (let j = i - 1; j >= 0; j--) {
      const above = lines[j]!.replace(/\s+$/, '');
      if (above.trim() === '') continue;
      if (indentOf(above) < indent && /[:：]$/.test(above)) {
        label = above.trim().replace(/[:：]$/, '');
        break;
      }
      if (indentOf(above) < indent) break;
    }
    current.keyProtectors.push({ id: id[2]!.toLowerCase(), type: protectorTypeFromLabel(label) });
  }
  if (volumes.length === 0) {
    const what =
      ids > 0 ? 'protector IDs but no "Volume C: [...]" line (cut off at the top?)' : describeText(text);
    throw new EvidenceError(`expected ${EXPECTED_TEXT}, found ${what}`);
  }
  return volumes;
}

function indentOf(line: string): number {
  const m = /^[ \t]*/.exec(line);
  return m ? m[0].replace(/\t/g, '    ').length : 0;
}

/**
 * One list per volume: Get-BitLockerVolume's volume facts, with the protectors of both sources
 * (by ID; Get-BitLockerVolume's type wins unless it is Unknown). Null when neither source was read.
 */
export function mergeBitLocker(
  fromPowerShell: readonly BitLockerVolume[] | null,
  fromManageBde: readonly BitLockerVolume[] | null,
): BitLockerVolume[] | null {
  if (fromPowerShell === null && fromManageBde === null) return null;
  const merged = new Map<string, BitLockerVolume>();
  for (const v of fromPowerShell ?? []) {
    merged.set(normaliseMountPoint(v.mountPoint).toUpperCase(), {
      ...v,
      keyProtectors: v.keyProtectors.map((p) => ({ ...p })),
    });
  }
  for (const v of fromManageBde ?? []) {
    const key = normaliseMountPoint(v.mountPoint).toUpperCase();
    const existing = merged.get(key);
    if (existing === undefined) {
      merged.set(key, { ...v, keyProtectors: v.keyProtectors.map((p) => ({ ...p })) });
      continue;
    }
    for (const p of v.keyProtectors) {
      const same = existing.keyProtectors.find((q) => q.id === p.id);
      if (same === undefined) existing.keyProtectors.push({ ...p });
      else if (same.type === 'Unknown') same.type = p.type;
    }
  }
  return [...merged.values()];
}
