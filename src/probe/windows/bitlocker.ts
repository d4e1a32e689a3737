// Sources: Get-BitLockerVolume, https://learn.microsoft.com/powershell/module/bitlocker/get-bitlockervolume
// and manage-bde -protectors, https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-protectors
import type { BitLockerVolume, KeyProtector, KeyProtectorType } from '../../snapshot/windows-evidence.js';
import { describeJson, describeText, EvidenceError } from './evidence-error.js';
import { asArray, field, hasAnyField, isRecord, type JsonRecord, toInt, toStr } from './json-values.js';
import { parseFormatList, parseFormatTable } from './powershell-text.js';

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
export function parseBitLockerVolumes(
  input: unknown,
  note: (message: string) => void = () => {},
): BitLockerVolume[] {
  if (typeof input === 'string') return parseBitLockerText(input, note);
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
  let unknown: string | undefined;
  for (const p of asArray(field(r, 'KeyProtector', 'KeyProtectors'))) {
    if (!isRecord(p)) {
      // ConvertTo-Json past its -Depth writes the protector's type name instead of the object.
      unknown = 'a key protector is not an object (ConvertTo-Json cut it at its -Depth)';
      continue;
    }
    const id = normaliseProtectorId(toStr(field(p, 'KeyProtectorId')));
    if (id === null) {
      unknown = 'a key protector has no ID that is a GUID';
      continue;
    }
    protectors.push({ id, type: protectorTypeOf(field(p, 'KeyProtectorType')) });
  }
  return {
    ...(unknown === undefined ? {} : { protectorsUnknown: unknown }),
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
  const pin = has('pin', 'code confidentiel');
  const startup = has('startup', 'スタートアップ', 'systemstart', 'démarrage', 'avvio', 'inicio');
  if (tpm && pin && startup) return 'TpmPinStartupKey';
  if (tpm && pin) return 'TpmPin';
  if (tpm && startup) return 'TpmStartupKey';
  if (tpm && has('certificate', '証明書', 'network', 'ネットワーク')) return 'TpmNetworkKey';
  if (tpm) return 'Tpm';
  if (
    has(
      'numerical password',
      'numeric password',
      'numerisches kennwort',
      'mot de passe numérique',
      'password numerica',
      'contraseña numérica',
      'recovery password',
      '数字パスワード',
      '数値パスワード',
      '回復パスワード',
    )
  )
    return 'RecoveryPassword';
  if (
    has(
      'external key',
      '外部キー',
      'startup key',
      'externer schlüssel',
      'clé externe',
      'chiave esterna',
      'clave externa',
    )
  )
    return 'ExternalKey';
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
  if (has('password', 'passphrase', 'パスワード', 'パスフレーズ', 'kennwort', 'mot de passe', 'contraseña'))
    return 'Password';
  return 'Unknown';
}

const EXPECTED_TEXT =
  'manage-bde -protectors -get output (a "Volume C: [...]" line, then protector types with "ID: {GUID}" lines)';

const VOLUME_LINE = /^\S.*?(\S+)\s*\[[^\]]*\]\s*$/;
const ID_LINE =
  /^(\s*)[^:：{}]*[:：]\s*\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s*$/i;
/** An "ID: {...}" line whose braces hold no GUID (a placeholder, a masked or cut ID). */
const BAD_ID_LINE = /^\s*(ID|Kennung|Identificador|Identifiant)\s*[:：]\s*\{[^}]*\}?\s*$/i;

/**
 * `manage-bde -protectors -get C:` text, any language, parsed by structure: a
 * "<word> C: [label]" line (the drive may be quoted: German prints `Volume "C:" [OS]`) starts a
 * volume; each `<label>: {GUID}` line is a protector ID, and its type is the nearest line above it
 * that is less indented and ends with a colon ("TPM:", "Numerical Password:", "Numerisches
 * Kennwort:", "数字パスワード:"). No other line is kept, so the recovery password printed under
 * "Password:" never leaves this function. A paste indented as a whole is read as if it were not.
 *
 * What cannot be known is said, not guessed: an ID that is not a GUID (masked, a placeholder),
 * a listing that ends inside a protector, and `manage-bde -status`'s protector names without IDs
 * set `protectorsUnknown`; "ERROR: No key protectors found." names no volume, so it yields none.
 */
export function parseManageBde(text: string, note: (message: string) => void = () => {}): BitLockerVolume[] {
  if (typeof text !== 'string') throw new EvidenceError(`expected ${EXPECTED_TEXT}, found no text`);
  const lines = dedent(text.split(/\r\n|\r|\n/).map((l) => l.replace(/\s+$/, '')));
  const volumes: BitLockerVolume[] = [];
  let current: BitLockerVolume | null = null;
  let ids = 0;
  let statusLines = 0;
  let inStatusProtectors = false;
  const unknownLabels = new Set<string>();
  const volume = (mountPoint: string): BitLockerVolume => {
    const v: BitLockerVolume = {
      mountPoint: normaliseMountPoint(mountPoint),
      volumeType: 'Unknown',
      volumeStatus: null,
      protectionStatus: 'Unknown',
      suspendedRebootCount: null,
      keyProtectors: [],
    };
    volumes.push(v);
    return v;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const volumeLine = VOLUME_LINE.exec(line);
    const drive = volumeLine?.[1]?.replace(/^"|"$/g, '');
    if (volumeLine && drive !== undefined && /[:\\}]$/.test(drive)) {
      current = volume(drive);
      inStatusProtectors = false;
      continue;
    }
    const status = STATUS_LINE.exec(line);
    if (status) {
      statusLines++;
      current ??= volume('');
      const key = status[1]!.toLowerCase().startsWith('conversion')
        ? 'conversion'
        : status[1]!.toLowerCase().startsWith('protection')
          ? 'protection'
          : 'protectors';
      const value = status[2] ?? '';
      inStatusProtectors = false;
      if (key === 'conversion') current.volumeStatus = conversionStatus(value);
      else if (key === 'protection')
        current.protectionStatus = /\bon\b/i.test(value) ? 'On' : /\boff\b/i.test(value) ? 'Off' : 'Unknown';
      else if (key === 'protectors') {
        if (/none found/i.test(value)) continue;
        inStatusProtectors = true;
        current.protectorsUnknown = 'manage-bde -status lists key protector types without their IDs';
      }
      continue;
    }
    if (/^\[(OS|Data) Volume\]$/i.test(line.trim()) && current !== null) {
      current.volumeType = /os/i.test(line) ? 'OperatingSystem' : 'Data';
      continue;
    }
    if (inStatusProtectors) continue;
    if (BAD_ID_LINE.test(line) && !ID_LINE.test(line)) {
      ids++;
      if (current !== null)
        current.protectorsUnknown = 'a key protector ID is not a GUID (masked, a placeholder, or cut)';
      continue;
    }
    const id = ID_LINE.exec(line);
    if (!id) continue;
    ids++;
    if (current === null) continue;
    const indent = indentOf(line);
    let label = '';
    for (let j = i - 1; j >= 0; j--) {
      const above = lines[j]!;
      if (above.trim() === '') continue;
      if (indentOf(above) < indent && /[:：]$/.test(above)) {
        label = above.trim().replace(/[:：]$/, '');
        break;
      }
      if (indentOf(above) < indent) break;
    }
    const type = protectorTypeFromLabel(label);
    if (type === 'Unknown' && label !== '') unknownLabels.add(label);
    current.keyProtectors.push({ id: id[2]!.toLowerCase(), type });
  }
  const lastLine = [...lines].reverse().find((l) => l.trim() !== '');
  if (current !== null && lastLine !== undefined && /[:：]$/.test(lastLine) && indentOf(lastLine) > 0) {
    current.protectorsUnknown = 'the listing ends inside a key protector (cut off?)';
  }
  if (unknownLabels.size > 0) note(`key protector labels not recognised: ${[...unknownLabels].join(', ')}`);
  if (volumes.length === 0) {
    if (lines.some((l) => NO_PROTECTORS.test(l))) return [];
    const what =
      ids > 0 ? 'protector IDs but no "Volume C: [...]" line (cut off at the top?)' : describeText(text);
    throw new EvidenceError(`expected ${EXPECTED_TEXT}, found ${what}`);
  }
  return volumes;
}

/** manage-bde's answer for a volume without protectors (the volume is named on the command line, not here). */
const NO_PROTECTORS =
  /^\s*(ERROR|FEHLER|ERREUR|ERRORE):?\s.*(no key protectors found|keine schlüsselschutzvorrichtungen|aucun protecteur)/i;

/** `manage-bde -status` lines tpm-doctor reads (English labels). */
const STATUS_LINE = /^\s*(Conversion Status|Protection Status|Key Protectors):\s*(.*)$/i;

function conversionStatus(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'unknown') return null;
  if (v.startsWith('fully decrypted')) return 'FullyDecrypted';
  if (v.includes('encrypted')) return 'FullyEncrypted';
  if (v.includes('encryption in progress')) return 'EncryptionInProgress';
  if (v.includes('decryption in progress')) return 'DecryptionInProgress';
  return value.trim();
}

/** The lines without the indentation they all share (a paste indented as a block). */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map(indentOf);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return common === 0
    ? lines
    : lines.map((l) =>
        l.trim() === '' ? '' : l.replace(/^[ \t]+/, (ws) => ' '.repeat(Math.max(0, indentOf(ws) - common))),
      );
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

/** Labels of Get-BitLockerVolume's text views that tpm-doctor reads or knowingly skips. */
const BITLOCKER_LABELS = [
  'ComputerName',
  'MountPoint',
  'EncryptionMethod',
  'AutoUnlockEnabled',
  'AutoUnlockKeyStored',
  'MetadataVersion',
  'VolumeStatus',
  'ProtectionStatus',
  'LockStatus',
  'EncryptionPercentage',
  'WipePercentage',
  'VolumeType',
  'CapacityGB',
  'KeyProtector',
];

/**
 * Get-BitLockerVolume's default views as text: Format-List (`-MountPoint C | Format-List`) and
 * the table Get-BitLockerVolume prints by default (columns VolumeType, Mount Point, VolumeStatus,
 * KeyProtector, Protection Status...). Both print KeyProtector as a collection of type names,
 * "{RecoveryPassword, Tpm}", never the IDs the escrow check needs: such a volume's protectors are
 * unknown unless it lists none ("{}"). A listing cut off before KeyProtector is unknown too.
 */
function parseBitLockerText(text: string, note: (message: string) => void): BitLockerVolume[] {
  const table = parseFormatTable(text);
  const records =
    table !== null && table.columns.some((c) => /^mount/i.test(c))
      ? table.rows
      : parseFormatList(text).records.filter((r) => hasAnyField(r, ['MountPoint']));
  if (records.length === 0) {
    throw new EvidenceError(
      `a Get-BitLockerVolume listing must have a "MountPoint : C:" line or a MountPoint column; found ${describeText(text)}`,
    );
  }
  const unknown = new Set<string>();
  const known = new Set(BITLOCKER_LABELS.map((l) => l.toLowerCase()));
  const volumes = records.map((r) => {
    for (const k of Object.keys(r)) if (!known.has(k.toLowerCase())) unknown.add(k);
    const v = volumeFromRecord({ ...r, KeyProtector: [] });
    const protectors = field(r, 'KeyProtector');
    if (typeof protectors !== 'string') {
      v.protectorsUnknown = 'the listing ends before KeyProtector (cut off?)';
    } else if (protectors.replace(/\s/g, '') !== '{}') {
      v.protectorsUnknown = 'the text view prints key protector types without their IDs';
    }
    return v;
  });
  if (unknown.size > 0)
    note(`labels not known to be Get-BitLockerVolume's, ignored: ${[...unknown].join(', ')}`);
  return volumes;
}
