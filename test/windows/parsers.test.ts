import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  mergeBitLocker,
  normaliseProtectorId,
  parseBitLockerVolumes,
  parseManageBde,
  protectorTypeFromLabel,
} from '../../src/probe/windows/bitlocker.js';
import { extractErrorCodes, parseDsregcmd } from '../../src/probe/windows/dsregcmd.js';
import { parseEkInfo } from '../../src/probe/windows/ek-info.js';
import { parseEvents } from '../../src/probe/windows/events.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { parseGetTpm } from '../../src/probe/windows/get-tpm.js';
import {
  decodeIsReadyInformation,
  parseIsReadyInformation,
} from '../../src/probe/windows/is-ready-information.js';
import { parseEnrollments, parseMdmSync } from '../../src/probe/windows/mdm-enrollments.js';
import { parseTpmtool } from '../../src/probe/windows/tpmtool.js';
import { parseWin32Tpm } from '../../src/probe/windows/win32-tpm.js';
import {
  describeIsReadyFlag,
  IS_READY_FLAG_DESCRIPTIONS,
  IS_READY_FLAGS,
} from '../../src/snapshot/is-ready-flags.js';
import { fixtureJson, fixtureText } from './support.js';

describe('Get-Tpm', () => {
  it('reads the collector JSON', () => {
    expect(parseGetTpm(fixtureJson('healthy/get-tpm.json'))).toEqual({
      tpmPresent: true,
      tpmReady: true,
      tpmEnabled: true,
      tpmActivated: true,
      tpmOwned: true,
      restartPending: false,
      manufacturerId: 1229870147,
      manufacturerIdTxt: 'INTC',
      manufacturerVersion: '600.18.0.0',
      manufacturerVersionFull20: '600.18.0.0',
      managedAuthLevel: 'Full',
      ownerClearDisabled: false,
      autoProvisioning: 'Enabled',
      lockedOut: false,
      lockoutHealTime: '2 hours',
      lockoutCount: 0,
      lockoutMax: 32,
      ownerAuthPresent: true,
    });
  });

  it('reads Format-List text (UTF-16LE, as Out-File writes it) and keeps only whether OwnerAuth is set', () => {
    const info = parseGetTpm(fixtureText('sources/get-tpm-format-list.txt'));
    expect(info).toMatchObject({
      tpmReady: true,
      restartPending: true,
      lockoutMax: 31,
      lockoutHealTime: '10 minutes',
    });
    expect(info.ownerAuthPresent).toBe(true);
    expect(JSON.stringify(info)).not.toContain('kQ7vX2pL9sT4wZ1bN6cM3dF8gH0=');
  });

  it('reads a plain Windows PowerShell 5.1 ConvertTo-Json (numeric enums kept as their number)', () => {
    const info = parseGetTpm(fixtureJson('sources/get-tpm-raw-ps51.json'));
    expect(info).toMatchObject({ managedAuthLevel: '4', autoProvisioning: '1', ownerAuthPresent: true });
  });

  it('reads JSON given as text, and an empty OwnerAuth as not present', () => {
    expect(parseGetTpm('{"TpmPresent":true,"TpmReady":false,"OwnerAuth":""}')).toMatchObject({
      tpmPresent: true,
      tpmReady: false,
      ownerAuthPresent: false,
    });
    expect(parseGetTpm('{"TpmPresent":true}').ownerAuthPresent).toBeNull();
  });

  it('accepts localised and numeric booleans in Format-List values', () => {
    const text = 'TpmPresent : はい\r\nTpmReady : いいえ\r\nLockedOut : 0\r\nTpmOwned : 1\r\n';
    expect(parseGetTpm(text)).toMatchObject({
      tpmPresent: true,
      tpmReady: false,
      lockedOut: false,
      tpmOwned: true,
    });
  });

  it('says what it expected when given something else', () => {
    expect(() => parseGetTpm('Get-Tpm : Access denied')).toThrow(/expected Get-Tpm output/);
    expect(() => parseGetTpm({ Foo: 1 })).toThrow(EvidenceError);
    expect(() => parseGetTpm([])).toThrow(/found an empty list/);
    expect(() => parseGetTpm('{"TpmPresent": tr')).toThrow(/not valid JSON/);
  });
});

describe('Win32_Tpm IsReadyInformation', () => {
  it('decodes 0x900 as owner auth not in the registry and SRK mismatch', () => {
    expect(decodeIsReadyInformation(0x900)).toEqual(['ownerAuthNotInRegistry', 'srkPubMismatch']);
    expect(parseIsReadyInformation(fixtureJson('reduced-functionality-0x900/is-ready.json'))).toEqual({
      isReady: false,
      information: 0x900,
      flags: ['ownerAuthNotInRegistry', 'srkPubMismatch'],
    });
  });

  it('names every documented bit, 0x2 to 0x800000, once each', () => {
    expect(IS_READY_FLAGS.map((f) => f.bit)).toEqual(Array.from({ length: 23 }, (_, i) => 2 ** (i + 1)));
    expect(new Set(IS_READY_FLAGS.map((f) => f.name)).size).toBe(23);
    for (const f of IS_READY_FLAGS) {
      expect(f.name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(decodeIsReadyInformation(f.bit)).toEqual([f.name]);
      expect(IS_READY_FLAG_DESCRIPTIONS[f.name]?.description).toMatch(/\.$/);
    }
    expect(decodeIsReadyInformation(0xfffffe)).toEqual(IS_READY_FLAGS.map((f) => f.name));
  });

  it('keeps undocumented bits under a stable name', () => {
    expect(decodeIsReadyInformation(0x80000001)).toEqual(['unknownBit0x00000001', 'unknownBit0x80000000']);
    expect(describeIsReadyFlag('srkPubMismatch')).toMatch(/^srkPubMismatch \(0x800\): /);
    expect(describeIsReadyFlag('unknownBit0x00000001')).toContain('does not document');
  });

  it('reads the CIM method result shape and refuses a failed call', () => {
    expect(
      parseIsReadyInformation({ IsReady: true, Information: 0, ReturnValue: 0, PSComputerName: null }).flags,
    ).toEqual([]);
    expect(() =>
      parseIsReadyInformation({ IsReady: false, Information: 0, ReturnValue: 2150105089 }),
    ).toThrow(/failed on the device with 0x80280001/);
    expect(() => parseIsReadyInformation({ IsReady: 'maybe', Information: 1 })).toThrow(/not True or False/);
    expect(() => parseIsReadyInformation({ Other: 1 })).toThrow(/without IsReady or Information/);
  });
});

describe('Win32_Tpm instance and Get-TpmEndorsementKeyInfo', () => {
  it('reads the instance properties', () => {
    expect(parseWin32Tpm(fixtureJson('reduced-functionality-0x900/win32-tpm.json'))).toEqual({
      specVersion: '2.0, 0, 1.59',
      manufacturerId: 1314145024,
      manufacturerIdTxt: 'NTC',
      manufacturerVersion: '7.2.3.1',
      manufacturerVersionInfo: 'NPCT75x',
      physicalPresenceVersionInfo: '1.3',
      isActivated: true,
      isEnabled: true,
      isOwned: true,
    });
  });

  it('counts EK certificates in every shape ConvertTo-Json gives them', () => {
    expect(parseEkInfo(fixtureJson('healthy/ek-info.json'))).toMatchObject({
      isPresent: true,
      manufacturerCertificates: 1,
      additionalCertificates: 0,
    });
    const wrapped = {
      IsPresent: true,
      ManufacturerCertificates: { value: [{}, {}], Count: 2 },
      AdditionalCertificates: null,
    };
    expect(parseEkInfo(wrapped)).toMatchObject({ manufacturerCertificates: 2, additionalCertificates: 0 });
    const bare = {
      IsPresent: false,
      ManufacturerCertificates: 'System.Security.Cryptography.X509Certificates.X509Certificate2',
    };
    expect(parseEkInfo(bare)).toMatchObject({ isPresent: false, manufacturerCertificates: 1 });
    expect(parseEkInfo({ IsPresent: true, PublicKeyHash: 'ABCD' }).publicKeyHash).toBe('abcd');
  });
});

describe('tpmtool getdeviceinformation', () => {
  it('reads English labels', () => {
    expect(parseTpmtool(fixtureText('healthy/tpmtool.txt'))).toEqual({
      tpmPresent: true,
      tpmVersion: '2.0',
      manufacturerId: 'INTC',
      manufacturerVersion: '600.18.0.0',
      isInitialized: true,
      readyForStorage: true,
      readyForAttestation: true,
      isCapableForAttestation: true,
      clearNeededToRecover: false,
      clearPossible: true,
      hasVulnerableFirmware: false,
      maintenanceTaskComplete: true,
      pcr7BindingState: 'Bound',
      lockout: {
        isLockedOut: false,
        counter: 0,
        maxAuthFail: 32,
        intervalSeconds: 7200,
        recoverySeconds: 86400,
      },
    });
  });

  it('reads Japanese labels (UTF-16LE) by keyword', () => {
    expect(parseTpmtool(fixtureText('reduced-functionality-0x900/tpmtool.txt'))).toMatchObject({
      tpmPresent: true,
      tpmVersion: '2.0',
      manufacturerId: 'NTC',
      manufacturerVersion: '7.2.3.1',
      readyForStorage: false,
      readyForAttestation: false,
      isCapableForAttestation: true,
      clearNeededToRecover: true,
      clearPossible: true,
      pcr7BindingState: 'バインド不可',
      lockout: {
        isLockedOut: false,
        counter: 0,
        maxAuthFail: 32,
        intervalSeconds: 7200,
        recoverySeconds: 86400,
      },
    });
  });

  it('reads Japanese はい/いいえ values', () => {
    const info = parseTpmtool(fixtureText('secureboot-1801/tpmtool.txt'));
    expect(info).toMatchObject({
      tpmPresent: true,
      clearNeededToRecover: false,
      hasVulnerableFirmware: false,
    });
    expect(info.lockout?.isLockedOut).toBe(false);
  });

  it('maps labels it cannot read by position when the layout is exactly the known one', () => {
    const info = parseTpmtool(fixtureText('sources/tpmtool-unknown-language.txt'));
    expect(info).toMatchObject({
      tpmPresent: true,
      tpmVersion: '2.0',
      readyForStorage: false,
      clearNeededToRecover: true,
      hasVulnerableFirmware: false,
      lockout: { isLockedOut: false, counter: 0, maxAuthFail: 32 },
    });
  });

  it('maps nothing by position when the layout differs, except a lockout block that still matches', () => {
    const info = parseTpmtool(fixtureText('sources/tpmtool-unknown-language-older.txt'));
    expect(info.clearNeededToRecover).toBeNull();
    expect(info.tpmPresent).toBeNull();
    expect(info.hasVulnerableFirmware).toBeNull();
    expect(info.lockout).toEqual({
      isLockedOut: false,
      counter: 0,
      maxAuthFail: 32,
      intervalSeconds: 7200,
      recoverySeconds: 86400,
    });
  });

  it('reads English labels whatever the layout (an older build with fewer lines, LF endings)', () => {
    const text =
      '-TPM Present: True\n-TPM Version: 2.0\n-Clear Needed To Recover: False\n-Lockout Information:\n\t-Is Locked Out: True\n';
    expect(parseTpmtool(text)).toMatchObject({
      tpmPresent: true,
      clearNeededToRecover: false,
      hasVulnerableFirmware: null,
      lockout: { isLockedOut: true, counter: null },
    });
  });

  it('says what it expected', () => {
    expect(() => parseTpmtool('The TPM was not found.')).toThrow(
      /expected tpmtool getdeviceinformation output/,
    );
    expect(() => parseTpmtool('-TPM Present: True\r\n-TPM Ver')).toThrow(/only 1 such line/);
  });
});

describe('dsregcmd /status', () => {
  it('maps the keys rules read and keeps every key line in raw', () => {
    const ds = parseDsregcmd(fixtureText('healthy/dsregcmd.txt'));
    expect(ds).toMatchObject({
      azureAdJoined: true,
      domainJoined: false,
      enterpriseJoined: false,
      deviceId: '5b1c7e0a-2f7d-4c1e-9a61-3e0f7d2b8c44',
      tpmProtected: true,
      keyProvider: 'Microsoft Platform Crypto Provider',
      deviceAuthStatus: 'SUCCESS',
      ngcSet: true,
      azureAdPrt: true,
      keySignTest: 'PASSED',
      aadRecoveryEnabled: false,
      errorCodes: [],
    });
    expect(ds.raw['Device Name']).toBe('PC-HEALTHY-01');
    expect(ds.raw.DeviceCertificateValidity).toBe(
      '[ 2024-01-09 08:12:44.000 UTC -- 2034-01-09 08:42:44.000 UTC ]',
    );
    expect(ds.raw.PreReqResult).toBe('WillNotProvision');
  });

  it('collects the error codes and the key failures of an unusable device key', () => {
    const ds = parseDsregcmd(fixtureText('entra-key-unusable-0x80090016/dsregcmd.txt'));
    expect(ds).toMatchObject({
      domainJoined: true,
      deviceAuthStatus: 'FAILED. ERROR',
      azureAdPrt: false,
      keySignTest: 'FAILED',
      aadRecoveryEnabled: true,
      errorCodes: ['0x80090016'],
    });
    expect(ds.raw['Attempt Status']).toBe('0x80090016');
    expect(ds.raw['Client ErrorCode']).toBe('0x80090016');
  });

  it('reads UTF-16LE output from Japanese Windows (keys are not localised)', () => {
    expect(parseDsregcmd(fixtureText('reduced-functionality-0x900/dsregcmd.txt')).azureAdJoined).toBe(true);
  });

  it('keeps a key repeated in a later section under "Key (Section)"', () => {
    const text =
      '| Device State |\n  AzureAdJoined : YES\n| SSO State |\n  Attempt Status : 0x0\n| Diagnostic Data |\n  Attempt Status : 0xc000006d\n';
    const ds = parseDsregcmd(text);
    expect(ds.raw['Attempt Status']).toBe('0x0');
    expect(ds.raw['Attempt Status (Diagnostic Data)']).toBe('0xc000006d');
    expect(ds.errorCodes).toEqual(['0xc000006d']);
  });

  it('extracts each error code once, lower-case', () => {
    expect(extractErrorCodes('x 0x80090016 y 0X80090016 0x801C03EA 0x8009001 0x800900160')).toEqual([
      '0x80090016',
      '0x801c03ea',
    ]);
  });

  it('names what it expected when given something else', () => {
    expect(() => parseDsregcmd(fixtureText('bad/garbage-bundle/dsregcmd.txt'))).toThrow(
      /^expected dsregcmd \/status output \(a "\| Device State \|" section.*found 3 lines of other text/,
    );
  });
});

describe('BitLocker', () => {
  it('reads the collector JSON', () => {
    expect(parseBitLockerVolumes(fixtureJson('healthy/bitlocker.json'))).toEqual([
      {
        mountPoint: 'C:',
        volumeType: 'OperatingSystem',
        volumeStatus: 'FullyEncrypted',
        protectionStatus: 'On',
        suspendedRebootCount: 0,
        keyProtectors: [
          { id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' },
          { id: 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7', type: 'RecoveryPassword' },
        ],
      },
    ]);
  });

  it('reads a raw PowerShell 5.1 export: numeric enums, and the RecoveryPassword property dropped', () => {
    const volumes = parseBitLockerVolumes(fixtureJson('reduced-functionality-0x900/bitlocker.json'));
    expect(volumes[0]).toMatchObject({
      volumeType: 'OperatingSystem',
      volumeStatus: 'FullyEncrypted',
      protectionStatus: 'On',
    });
    expect(volumes[0]?.keyProtectors.map((k) => k.type)).toEqual(['Tpm', 'RecoveryPassword']);
    expect(JSON.stringify(volumes)).not.toMatch(/\d{6}-\d{6}/);
  });

  it('reads manage-bde in English and Japanese, by structure', () => {
    expect(parseManageBde(fixtureText('healthy/manage-bde.txt'))).toEqual([
      {
        mountPoint: 'C:',
        volumeType: 'Unknown',
        volumeStatus: null,
        protectionStatus: 'Unknown',
        suspendedRebootCount: null,
        keyProtectors: [
          { id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' },
          { id: 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7', type: 'RecoveryPassword' },
        ],
      },
    ]);
    const ja = parseManageBde(fixtureText('reduced-functionality-0x900/manage-bde.txt'));
    expect(ja[0]?.keyProtectors).toEqual([
      { id: '0c6e2a84-5b1d-4f39-a7e2-6d8c1f0b3a95', type: 'Tpm' },
      { id: '93f1b7d2-0e4c-4a68-b5d9-2c7e1a3f8b06', type: 'RecoveryPassword' },
    ]);
    expect(
      parseManageBde(fixtureText('bitlocker-no-recovery-password/manage-bde.txt'))[0]?.keyProtectors,
    ).toEqual([{ id: '1d3f5b7a-9c2e-4f61-8a3c-5e7b9d1f3a60', type: 'Tpm' }]);
  });

  it('reads a Japanese volume with no protectors', () => {
    expect(parseManageBde(fixtureText('sources/manage-bde-ja-no-protectors.txt'))).toEqual([
      expect.objectContaining({ mountPoint: 'C:', keyProtectors: [] }),
    ]);
  });

  it('reads -status blocks in German, Japanese and Spanish, and never reads an unknown language as "no protectors"', () => {
    const statusOf = (file: string) => {
      const v = parseManageBde(
        readFileSync(join(import.meta.dirname, '..', 'corpus', 'windows', 'manage-bde', file), 'utf8'),
      )[0]!;
      return [
        v.mountPoint,
        v.volumeType,
        v.volumeStatus,
        v.protectionStatus,
        v.protectorsUnknown !== undefined,
      ];
    };
    expect(statusOf('gh-bnachtwey-status-de-de-fully-decrypted.txt')).toEqual([
      'C:',
      'OperatingSystem',
      'FullyDecrypted',
      'Off',
      false,
    ]);
    expect(statusOf('gh-bnachtwey-status-de-de-encryption-in-progress-protection-off.txt')).toEqual([
      'C:',
      'OperatingSystem',
      'EncryptionInProgress',
      'Off',
      true,
    ]);
    expect(statusOf('gh-ja-dualboot-status-c-fully-decrypted.txt')).toEqual([
      'C:',
      'OperatingSystem',
      'FullyDecrypted',
      'Off',
      false,
    ]);
    expect(statusOf('gh-es-desactivar-status-collapsed-used-space-no-protectors.txt')).toEqual([
      'C:',
      'OperatingSystem',
      'FullyEncrypted',
      'Off',
      false,
    ]);
    expect(statusOf('gh-es-vivobook-status-c-relevant-output.txt')).toEqual([
      'C:',
      'OperatingSystem',
      'FullyEncrypted',
      'On',
      true,
    ]);
    // A display language without a label table (a made-up block in Portuguese-like labels): the
    // protectors are unknown and the labels are reported, not ignored.
    const notes: string[] = [];
    const [v] = parseManageBde(
      'Volume C: [OS]\n\n    Tamanho:                 100 GB\n    Estado da conversão:     Totalmente criptografado\n    Protetores de chave:     TPM\n',
      (m) => notes.push(m),
    );
    expect(v?.protectorsUnknown).toMatch(/not recognised/);
    expect(v?.keyProtectors).toEqual([]);
    expect(notes.join(' ')).toMatch(/Estado da conversão/);
  });

  it('keeps the protector types a view lists without IDs, but not a cut or unknown list', () => {
    const read = (file: string) =>
      readFileSync(join(import.meta.dirname, '..', 'corpus', 'windows', file), 'utf8');
    const fl = parseBitLockerVolumes(
      read('bitlocker/mslearn-operations-guide-get-bitlockervolume-fl.txt'),
    )[0];
    expect(fl?.protectorsUnknown).toBeDefined();
    expect(fl?.protectorTypesListed).toEqual(['Tpm', 'RecoveryPassword']);
    const table = parseBitLockerVolumes(read('bitlocker/mslearn-get-bitlockervolume-format-table-all.txt'));
    const cut = table.find((v) => v.mountPoint === 'D:');
    expect(cut?.protectorsUnknown).toBeDefined();
    expect(cut?.protectorTypesListed).toBeUndefined();
    // The OS volume's `{Tpm}` is a complete list: no recovery password (decrypted, so no finding).
    expect(table.find((v) => v.mountPoint === 'C:')?.protectorTypesListed).toEqual(['Tpm']);
    const status = parseManageBde(
      read('manage-bde/gh-bnachtwey-status-de-de-encrypting-100-protection-on-tpm-only.txt'),
    )[0];
    expect(status?.protectorTypesListed).toEqual(['Tpm']);
    const es = parseManageBde(read('manage-bde/gh-es-vivobook-status-c-relevant-output.txt'))[0];
    expect(es?.protectorTypesListed).toEqual(['RecoveryPassword', 'Tpm']);
  });

  it('treats an ID line that holds no GUID ("ID: <GUID>") as an unknown protector, not as no protector', () => {
    const [v] = parseManageBde('Volume C: [OSDisk]\nAll Key Protectors\n\n    TPM:\n     ID: <GUID>\n');
    expect(v?.protectorsUnknown).toMatch(/not a GUID/);
  });

  it('tells protector kinds apart by their label', () => {
    expect(
      parseManageBde(fixtureText('sources/manage-bde-en-many.txt'))[0]?.keyProtectors.map((k) => k.type),
    ).toEqual(['ExternalKey', 'Password', 'RecoveryPassword', 'PublicKey']);
    expect(protectorTypeFromLabel('TPM And PIN And Startup Key')).toBe('TpmPinStartupKey');
    expect(protectorTypeFromLabel('TPM と PIN')).toBe('TpmPin');
    expect(protectorTypeFromLabel('TPM とスタートアップ キー')).toBe('TpmStartupKey');
    expect(protectorTypeFromLabel('数値パスワード')).toBe('RecoveryPassword');
    expect(protectorTypeFromLabel('外部キー')).toBe('ExternalKey');
    expect(protectorTypeFromLabel('パスワード')).toBe('Password');
    expect(protectorTypeFromLabel('Something new')).toBe('Unknown');
  });

  it('merges both sources per volume, Get-BitLockerVolume facts first', () => {
    const ps = parseBitLockerVolumes(fixtureJson('healthy/bitlocker.json'));
    const bde = parseManageBde(fixtureText('healthy/manage-bde.txt'));
    const merged = mergeBitLocker(ps, bde);
    expect(merged).toEqual(ps);
    expect(mergeBitLocker(null, bde)).toEqual(bde);
    expect(mergeBitLocker(null, null)).toBeNull();
    const extra = mergeBitLocker(ps, [
      { ...bde[0]!, mountPoint: 'c:\\', keyProtectors: [{ id: 'new', type: 'Password' }] },
    ]);
    expect(extra?.[0]?.keyProtectors.map((k) => k.type)).toEqual(['Tpm', 'RecoveryPassword', 'Password']);
  });

  it('normalises protector IDs to the form Entra ID escrows under', () => {
    expect(normaliseProtectorId('{DFA26333-1C2B-402C-9E4D-A8C40AF3B1E7}')).toBe(
      'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7',
    );
    expect(normaliseProtectorId('not a guid')).toBeNull();
  });

  it('names what it expected', () => {
    expect(() => parseManageBde(fixtureText('bad/garbage-bundle/manage-bde.txt'))).toThrow(
      /expected manage-bde -protectors -get output/,
    );
    expect(() => parseBitLockerVolumes({ foo: 1 })).toThrow(/expected Get-BitLockerVolume/);
    expect(parseBitLockerVolumes([])).toEqual([]);
  });
});

describe('MDM enrollments and sync', () => {
  it('reads the enrollments, Intune and others', () => {
    expect(parseEnrollments(fixtureJson('healthy/enrollments.json'))).toEqual([
      {
        enrollmentId: 'B7E0D1A2-3C4F-4A5B-9C6D-7E8F9A0B1C2D',
        providerId: 'MS DM Server',
        upn: 'user@contoso.com',
        enrollmentState: 1,
        enrollmentType: 6,
      },
      {
        enrollmentId: '4F9E2C10-7B3A-4D61-A2C8-5E0F1B7D9A34',
        providerId: null,
        upn: null,
        enrollmentState: null,
        enrollmentType: null,
      },
    ]);
  });

  it('reads a raw Get-ItemProperty export and an object keyed by GUID; skips non-GUID subkeys', () => {
    const raw = [
      {
        PSPath:
          'Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Enrollments\\{AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE}',
        PSChildName: '{AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE}',
        ProviderID: 'MS DM Server',
        EnrollmentState: '1',
      },
      { PSChildName: 'Context', EnrollmentType: 0 },
    ];
    expect(parseEnrollments(raw)).toEqual([
      expect.objectContaining({ enrollmentId: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', enrollmentState: 1 }),
    ]);
    expect(
      parseEnrollments({ 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee': { ProviderID: 'MS DM Server' } }),
    ).toHaveLength(1);
    expect(parseEnrollments([])).toEqual([]);
    expect(() => parseEnrollments([{ Foo: 1 }])).toThrow(/expected the Enrollments registry subkeys/);
    expect(() => parseEnrollments('text')).toThrow(EvidenceError);
  });

  it('reads the OMADM session times, newest account first', () => {
    expect(parseMdmSync(fixtureJson('entra-key-unusable-0x80090016/mdm-sync.json'))).toEqual({
      lastSuccessfulSync: '2024-05-17T22:03:01.000Z',
      lastAttemptedSync: '2024-05-18T06:15:01.000Z',
      lastErrorCode: null,
    });
    expect(parseMdmSync([])).toEqual({
      lastSuccessfulSync: null,
      lastAttemptedSync: null,
      lastErrorCode: null,
    });
    expect(parseMdmSync({ LastErrorCode: -2147024891 }).lastErrorCode).toBe('0x80070005');
  });
});

describe('events', () => {
  it('reads ISO and /Date()/ times, and prefers the numeric level over the localised name', () => {
    const events = parseEvents(fixtureJson('lockout/events.json'));
    expect(events[0]).toMatchObject({
      log: 'System',
      provider: 'Microsoft-Windows-TPM-WMI',
      id: 1026,
      level: 'error',
      timeCreated: '2024-05-16T08:59:40.123Z',
    });
    expect(parseEvents(fixtureJson('sources/events-ps51-single.json'))).toEqual([
      expect.objectContaining({
        provider: 'TPM',
        id: 14,
        level: 'error',
        timeCreated: '2023-11-14T22:13:20.000Z',
      }),
    ]);
  });

  it('reads the PowerShell 5.1 {"value": "/Date()/"} wrapper and Japanese events', () => {
    expect(parseEvents(fixtureJson('secureboot-1801/events.json'))).toEqual([
      {
        log: 'System',
        provider: 'Microsoft-Windows-TPM-WMI',
        id: 1801,
        level: 'error',
        timeCreated: '2024-05-17T02:20:00.000Z',
        message:
          'セキュア ブート CA/キーを更新する必要があります。このデバイスの署名情報はここに含まれています。',
      },
    ]);
  });

  it('falls back to LevelDisplayName in English or Japanese', () => {
    const events = parseEvents([
      { Id: 1, LevelDisplayName: '警告' },
      { Id: 2, LevelDisplayName: 'Critical' },
      { Id: 3, Level: 9 },
      { Id: 4, LevelDisplayName: 'constructor' },
    ]);
    expect(events.map((e) => e.level)).toEqual(['warning', 'critical', 'unknown', 'unknown']);
  });

  it('names what it expected', () => {
    expect(parseEvents([])).toEqual([]);
    expect(() => parseEvents([{ Foo: 1 }])).toThrow(/without an Id/);
    expect(() => parseEvents(42)).toThrow(/expected Get-WinEvent/);
  });
});
