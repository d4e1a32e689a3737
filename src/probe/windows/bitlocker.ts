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

/** A "Volume C: [label]" line; a flattened paste may join the "[OS Volume]" line onto it. */
const VOLUME_LINE = /^\S.*?(\S+)\s*\[[^\]]*\](?:\s*(\[[^\]]*\]))?\s*$/;
const ID_LINE =
  /^(\s*)[^:：{}]*[:：]\s*\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s*$/i;
/**
 * An ID line whose value is no braced GUID: a placeholder ("ID: <GUID>", "{...}"), a masked or a
 * cut ID. The ID label in the languages seen: ID, Id. (Spanish), Kennung, Identifiant, Identificador.
 */
const BAD_ID_LINE = /^\s*(ID|Id\.|Kennung|Identificador|Identifiant)\s*[:：]\s*\S/i;

/**
 * `manage-bde -status` lines tpm-doctor reads, by the label each display language prints. Each
 * label is from a real output (test/corpus/windows/manage-bde: English, German, Japanese,
 * Spanish); the French and Italian ones are the field names of Microsoft Learn's localised
 * manage-bde-status pages (fr-fr, it-it), not yet seen in a captured output. A label that is not
 * listed is reported as not recognised, and the volume's protectors are then unknown, never
 * "none" (see `parseManageBde`).
 */
const STATUS_LABELS: Record<'conversion' | 'protection' | 'protectors', readonly string[]> = {
  conversion: [
    'Conversion Status',
    'Konvertierungsstatus',
    '変換状態',
    'Estado de conversión',
    'État de la conversion',
    'Stato conversione',
    'Stato di conversione',
  ],
  protection: [
    'Protection Status',
    'Schutzstatus',
    '保護状態',
    'Estado de protección',
    'État de la protection',
    'Stato protezione',
    'Stato di protezione',
  ],
  protectors: [
    'Key Protectors',
    'Schlüsselschutzvorrichtungen',
    'キーの保護機能',
    'Protectores de clave',
    'Protecteurs de clés',
    'Protezioni con chiave',
  ],
};

/** Other `-status` labels, known and skipped (size, version, percentage, method, lock, ID field, auto-unlock). */
const OTHER_STATUS_LABELS = [
  'Size',
  'Größe',
  'サイズ',
  'Tamaño',
  'Taille',
  'Dimensione',
  'BitLocker Version',
  'BitLocker-Version',
  'BitLocker のバージョン',
  'Versión de BitLocker',
  'Version de BitLocker',
  'Versione di BitLocker',
  'Percentage Encrypted',
  'Verschlüsselt (Prozent)',
  '暗号化された割合',
  'Porcentaje cifrado',
  'Pourcentage chiffré',
  'Percentuale crittografata',
  'Encryption Method',
  'Verschlüsselungsmethode',
  '暗号化の方法',
  'Método de cifrado',
  'Méthode de chiffrement',
  'Metodo di crittografia',
  'Lock Status',
  'Sperrungsstatus',
  'ロック状態',
  'Estado de bloqueo',
  'État du verrouillage',
  'Stato blocco',
  'Identification Field',
  'ID-Feld',
  '識別子フィールド',
  'Campo de identificación',
  "Champ d'identification",
  'Campo identificazione',
  'Automatic Unlock',
  'Automatische Entsperrung',
  '自動ロック解除',
  'Desbloqueo automático',
  'Déverrouillage automatique',
  'Sblocco automatico',
];

function normaliseLabel(label: string): string {
  return label.toLowerCase().replace(/[\s’']/g, '');
}

const STATUS_KEY = new Map<string, 'conversion' | 'protection' | 'protectors'>(
  Object.entries(STATUS_LABELS).flatMap(([key, labels]) =>
    labels.map((l) => [normaliseLabel(l), key as 'conversion' | 'protection' | 'protectors'] as const),
  ),
);
const OTHER_STATUS = new Set(OTHER_STATUS_LABELS.map(normaliseLabel));

/** An indented "Label: value" line of a `-status` block (German and Spanish may leave no space after the colon). */
const LABELLED_LINE = /^\s*([^:：{}]+?)\s*[:：]\s*(.*)$/;

/** "[OS Volume]" / "[Data Volume]" in the languages seen. */
function volumeTypeLine(line: string): BitLockerVolume['volumeType'] | null {
  const m = /^\[([^\]]+)\]$/.exec(line.trim());
  if (!m) return null;
  const t = m[1]!.toLowerCase();
  if (
    /^(os volume|betriebssystemvolume|os ボリューム|volumen del sistema operativo|volume du système d’exploitation|volume du système d'exploitation|volume del sistema operativo)$/.test(
      t,
    )
  )
    return 'OperatingSystem';
  if (
    /^(data volume|datenvolume|データ ボリューム|volumen de datos|volume de données|volume dati|volume di dati)$/.test(
      t,
    )
  )
    return 'Data';
  return null;
}

/** "None Found" in the languages seen: the volume has no key protectors. */
const NO_PROTECTORS_VALUE =
  /^(none found|keine gefunden|見つかりません|ninguno|aucun trouvé|nessuno trovato)\.?$/i;

/**
 * `manage-bde -protectors -get C:` text (and `manage-bde -status`), any language, parsed by
 * structure: a "<word> C: [label]" line (the drive may be quoted: German prints `Volume "C:" [OS]`)
 * starts a volume; each `<label>: {GUID}` line is a protector ID, and its type is the nearest line
 * above it that is less indented and ends with a colon ("TPM:", "Numerical Password:",
 * "Numerisches Kennwort:", "数字パスワード:"). No other line is kept, so the recovery password
 * printed under "Password:" never leaves this function. A paste indented as a whole is read as if
 * it were not.
 *
 * What cannot be known is said, not guessed: an ID that is not a GUID (masked, a placeholder),
 * a listing that ends inside a protector, `manage-bde -status`'s protector names without IDs, and
 * a `-status` block whose labels are not recognised (a display language without a label table)
 * set `protectorsUnknown`; "ERROR: No key protectors found." names no volume, so it yields none.
 */
export function parseManageBde(text: string, note: (message: string) => void = () => {}): BitLockerVolume[] {
  if (typeof text !== 'string') throw new EvidenceError(`expected ${EXPECTED_TEXT}, found no text`);
  const lines = dedent(text.split(/\r\n|\r|\n/).map((l) => l.replace(/\s+$/, '')));
  const volumes: BitLockerVolume[] = [];
  /** Per volume: its labelled lines not recognised, and whether a -status protector line was read. */
  const blocks = new Map<
    BitLockerVolume,
    { unknownLabels: string[]; labelled: number; protectorsLine: boolean; ids: number }
  >();
  let current: BitLockerVolume | null = null;
  let ids = 0;
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
    blocks.set(v, { unknownLabels: [], labelled: 0, protectorsLine: false, ids: 0 });
    return v;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const volumeLine = VOLUME_LINE.exec(line);
    const drive = volumeLine?.[1]?.replace(/^"|"$/g, '');
    if (volumeLine && drive !== undefined && /[:\\}]$/.test(drive)) {
      current = volume(drive);
      const joinedType = volumeLine[2] === undefined ? null : volumeTypeLine(volumeLine[2]);
      if (joinedType !== null) current.volumeType = joinedType;
      inStatusProtectors = false;
      continue;
    }
    const type = volumeTypeLine(line);
    if (type !== null && current !== null) {
      current.volumeType = type;
      continue;
    }
    const labelled = ID_LINE.test(line) ? null : LABELLED_LINE.exec(line);
    const statusKey = labelled ? STATUS_KEY.get(normaliseLabel(labelled[1]!)) : undefined;
    if (labelled && statusKey !== undefined) {
      current ??= volume('');
      const block = blocks.get(current)!;
      block.labelled++;
      const value = labelled[2] ?? '';
      inStatusProtectors = false;
      if (statusKey === 'conversion') current.volumeStatus = conversionStatus(value);
      else if (statusKey === 'protection') current.protectionStatus = protectionStatus(value);
      else {
        block.protectorsLine = true;
        if (NO_PROTECTORS_VALUE.test(value.trim().replace(/`$/, ''))) continue;
        inStatusProtectors = true;
        current.protectorsUnknown = 'manage-bde -status lists key protector types without their IDs';
        current.protectorTypesListed = [];
        if (value.trim() !== '') current.protectorTypesListed.push(protectorTypeFromLabel(value));
      }
      continue;
    }
    if (inStatusProtectors) {
      // One protector type per line under "Key Protectors:"; a type not recognised makes the list
      // unusable as a whole (it might be the recovery password).
      const listed = current?.protectorTypesListed;
      if (listed !== undefined && line.trim() !== '') {
        const t = protectorTypeFromLabel(line.trim());
        if (t === 'Unknown') {
          unknownLabels.add(line.trim());
          delete current!.protectorTypesListed;
        } else listed.push(t);
      }
      continue;
    }
    if (BAD_ID_LINE.test(line) && !ID_LINE.test(line)) {
      ids++;
      if (current !== null) {
        blocks.get(current)!.ids++;
        current.protectorsUnknown = 'a key protector ID is not a GUID (masked, a placeholder, or cut)';
      }
      continue;
    }
    const id = ID_LINE.exec(line);
    if (!id) {
      if (labelled && current !== null && /^\s/.test(lines[i]!) && (labelled[2] ?? '') !== '') {
        const block = blocks.get(current)!;
        block.labelled++;
        if (!OTHER_STATUS.has(normaliseLabel(labelled[1]!))) block.unknownLabels.push(labelled[1]!.trim());
      }
      continue;
    }
    ids++;
    if (current === null) continue;
    blocks.get(current)!.ids++;
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
    const protectorType = protectorTypeFromLabel(label);
    if (protectorType === 'Unknown' && label !== '') unknownLabels.add(label);
    current.keyProtectors.push({ id: id[2]!.toLowerCase(), type: protectorType });
  }
  const lastLine = [...lines].reverse().find((l) => l.trim() !== '');
  if (current !== null && lastLine !== undefined && /[:：]$/.test(lastLine) && indentOf(lastLine) > 0) {
    current.protectorsUnknown = 'the listing ends inside a key protector (cut off?)';
  }
  const statusLabelsUnknown = new Set<string>();
  for (const [v, block] of blocks) {
    // A -status block ("Label: value" lines, no protector IDs) whose key protector line was not
    // read: in a language without a label table, or cut off before it. Its protectors are unknown,
    // never "none".
    if (block.ids === 0 && !block.protectorsLine && block.labelled >= 2) {
      v.protectorsUnknown ??=
        block.unknownLabels.length > 0
          ? 'the manage-bde -status labels are not recognised (display language?): its key protectors could not be read'
          : 'the manage-bde -status listing has no key protector line (cut off?)';
    }
    if (block.ids === 0) for (const l of block.unknownLabels) statusLabelsUnknown.add(l);
  }
  if (unknownLabels.size > 0) note(`key protector labels not recognised: ${[...unknownLabels].join(', ')}`);
  if (statusLabelsUnknown.size > 0)
    note(`manage-bde -status labels not recognised, ignored: ${[...statusLabelsUnknown].join(', ')}`);
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
  /^\s*(ERROR|FEHLER|ERREUR|ERRORE|エラー):?\s.*(no key protectors found|keine schlüsselschutzvorrichtungen|aucun protecteur|キーの保護機能は見つかりませんでした)/i;

/**
 * A `-status` "Conversion Status" value as Get-BitLockerVolume's VolumeStatus name. Values of a
 * language not mapped are kept as printed: anything but FullyDecrypted counts as encrypted
 * (bitlocker-volumes.ts), which can only block a clear, never allow one.
 */
function conversionStatus(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === '' || /^(unknown|unbekannt|desconocido|inconnu|sconosciuto|不明)$/.test(v)) return null;
  if (
    /^(fully decrypted|vollständig entschlüsselt|descifrado completo|totalmente descifrado|entièrement déchiffré|completamente decrittografato)/.test(
      v,
    ) ||
    v.includes('暗号化は完全に解除')
  )
    return 'FullyDecrypted';
  if (
    /encryption in progress|verschlüsselung wird durchgeführt|cifrado en curso|chiffrement en cours|crittografia in corso/.test(
      v,
    )
  )
    return 'EncryptionInProgress';
  if (
    /decryption in progress|entschlüsselung wird durchgeführt|descifrado en curso|déchiffrement en cours|decrittografia in corso/.test(
      v,
    )
  )
    return 'DecryptionInProgress';
  if (/encrypted|verschlüsselt|cifrado|chiffré|crittografat/.test(v) || v.includes('暗号化されて'))
    return 'FullyEncrypted';
  return value.trim();
}

/** A `-status` "Protection Status" value; "deaktiviert"/"desactivada" are tested before the "aktiviert"/"activada" they contain. */
function protectionStatus(value: string): BitLockerVolume['protectionStatus'] {
  const v = value.trim().toLowerCase();
  if (/\boff\b|deaktiviert|desactivada|désactivée|disattivata|オフ/.test(v)) return 'Off';
  if (/\bon\b|aktiviert|activada|activée|attivata|オン/.test(v)) return 'On';
  return 'Unknown';
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

/**
 * The types in a text view's `{Tpm, RecoveryPassword}`, or null when the list is cut ("Pas...",
 * a table column too narrow) or holds a name that is not a KeyProtectorType.
 */
function listedTypes(collection: string): KeyProtectorType[] | null {
  const m = /^\{(.*)\}$/s.exec(collection.trim());
  if (!m || /\.\.\.|…/.test(m[1]!)) return null;
  const types: KeyProtectorType[] = [];
  for (const name of m[1]!.split(',').map((n) => n.trim())) {
    const t = PROTECTOR_TYPES.find((p) => p.toLowerCase() === name.toLowerCase());
    if (t === undefined || t === 'Unknown') return null;
    types.push(t);
  }
  return types;
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
      const listed = listedTypes(protectors);
      if (listed !== null) v.protectorTypesListed = listed;
    }
    return v;
  });
  if (unknown.size > 0)
    note(`labels not known to be Get-BitLockerVolume's, ignored: ${[...unknown].join(', ')}`);
  return volumes;
}
