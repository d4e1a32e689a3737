import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { WINDOWS_RULES } from '../../../src/diagnose/rules/windows/index.js';
import { isSecretField, REDACTED, redact, redactField } from '../../../src/snapshot/redact-secrets.js';
import {
  AUTOPILOT,
  AUTOPILOT_LOG,
  DMEDP,
  DMEDP_ADMIN,
  device,
  event,
  hoursAgo,
  TPM_DRIVER,
  TPM_WMI,
  UDR,
  UDR_ADMIN,
} from './support.js';

const PASSWORD = '393943-222222-281721-555554-577984-777777-194700-999999';
const PASSWORD_DIGITS = PASSWORD.replaceAll('-', '');
const OWNER_AUTH = 'c2VjcmV0T3duZXJBdXRoVmFsdWU+/w==';
/** Any 48-digit recovery password, with or without separators. */
const ANY_RECOVERY_PASSWORD = /(?<!\d)\d{6}(?:[- ]?\d{6}){7}(?!\d)/;

describe('redact', () => {
  it('removes recovery passwords as manage-bde prints them, and unseparated', () => {
    expect(redact(`Password:\n      ${PASSWORD}`)).toBe(`Password:\n      ${REDACTED}`);
    expect(redact(`key ${PASSWORD_DIGITS}.`)).toBe(`key ${REDACTED}.`);
  });

  it('removes authorization values in list, JSON, parameter and XML form', () => {
    expect(redact(`OwnerAuth                 : ${OWNER_AUTH}`)).toBe(
      `OwnerAuth                 : ${REDACTED}`,
    );
    expect(redact(`{"OwnerAuth":"${OWNER_AUTH}","TpmReady":true}`)).toBe(
      `{"OwnerAuth":"${REDACTED}","TpmReady":true}`,
    );
    expect(redact(`Clear-Tpm -OwnerAuthorization ${OWNER_AUTH}`)).toBe(
      `Clear-Tpm -OwnerAuthorization ${REDACTED}`,
    );
    expect(redact(`OwnerAuthFull=${OWNER_AUTH}; LockoutAuth=${OWNER_AUTH}`)).not.toContain(OWNER_AUTH);
    expect(redact(`<Data Name="OwnerAuth">${OWNER_AUTH}</Data>`)).toBe(
      `<Data Name="OwnerAuth">${REDACTED}</Data>`,
    );
  });

  it('keeps what diagnosis needs: protector IDs, GUIDs, HRESULTs, times, dsregcmd lines', () => {
    const keep = [
      'ID: {8A5D13D6-7ED9-46C8-A74F-AC3ADF016EC8}',
      'Error code: 0x80090016 (-2146893802)',
      '2025-06-02T09:00:00.000Z',
      'AuthCodeUrl : https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/oauth2/authorize',
      'Credential Type : Password',
      'KeyProtectorType : RecoveryPassword',
      'OwnerAuth :',
    ];
    for (const text of keep) expect(redact(text)).toBe(text);
  });

  it('withholds whole values of secret fields', () => {
    expect(isSecretField('OwnerAuth')).toBe(true);
    expect(isSecretField('StorageOwnerAuth')).toBe(true);
    expect(isSecretField('KeySignTest')).toBe(false);
    expect(isSecretField('KeyProvider')).toBe(false);
    expect(redactField('OwnerAuth', 'anything')).toBe(REDACTED);
    expect(redactField('Attempt Status', '0xc000006d')).toBe('0xc000006d');
  });

  it('never lets a recovery password through, whatever surrounds it (property)', () => {
    const group = fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, '0'));
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.constantFrom('-', ' ', ''),
        fc.string(),
        (before, groups, sep, after) => {
          const out = redact(`${before} ${groups.join(sep)} ${after}`);
          expect(out).not.toContain(groups.join(sep));
          expect(ANY_RECOVERY_PASSWORD.test(out.replace(before, '').replace(after, ''))).toBe(false);
        },
      ),
    );
  });
});

describe('no secret reaches a diagnosis', () => {
  it('JSON.stringify(diagnosis) holds no recovery password and no OwnerAuth even when raw evidence does', () => {
    const leak = `OwnerAuth : ${OWNER_AUTH} Password: ${PASSWORD}`;
    // Two PCs, since mdm.not-enrolled and mdm.sync-failing exclude each other.
    const leaky = (enrolled: boolean) =>
      device((w) => {
        const d = w.dsregcmd!;
        d.keySignTest = `FAILED ${leak}`;
        d.errorCodes = ['0x80090016'];
        d.azureAdPrt = false;
        d.ngcSet = false;
        d.tpmProtected = false;
        d.keyProvider = `Microsoft Software Key Storage Provider ${leak}`;
        d.deviceAuthStatus = `FAILED. Device is either disabled or deleted ${leak}`;
        d.raw['Attempt Status'] = `0xc000006d ${leak}`;
        d.raw.PolicyEnabled = `YES ${leak}`;
        d.raw.PreReqResult = `WillProvision ${leak}`;
        d.raw.MdmUrl = `https://example.invalid/?k=${PASSWORD_DIGITS}`;
        d.raw.OwnerAuth = OWNER_AUTH;
        w.getTpm!.lockedOut = true;
        w.getTpm!.lockoutHealTime = `10 minutes ${leak}`;
        w.getTpm!.manufacturerIdTxt = 'IFX';
        w.getTpm!.manufacturerVersion = '15.22.0.0';
        w.tpmtool!.clearNeededToRecover = true;
        w.bitlocker![0]!.protectionStatus = 'Off';
        w.bitlocker![0]!.keyProtectors = [{ id: 'dfa26333-1111-402c-2222-a8c40af33333', type: 'Password' }];
        w.bitlocker!.push({
          mountPoint: 'E:',
          volumeType: 'OperatingSystem',
          volumeStatus: `FullyEncrypted ${leak}`,
          protectionStatus: 'On',
          suspendedRebootCount: null,
          keyProtectors: [{ id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' }],
        });
        w.enrollments = [
          {
            enrollmentId: 'x',
            providerId: `Other ${leak}`,
            upn: null,
            enrollmentState: 1,
            enrollmentType: 0,
          },
          ...(enrolled ? w.enrollments! : []),
        ];
        w.mdmSync = {
          lastSuccessfulSync: hoursAgo(900),
          lastAttemptedSync: hoursAgo(1),
          lastErrorCode: `0x80190190 ${leak}`,
        };
        w.events = [
          event({
            provider: TPM_WMI,
            id: 1026,
            message: `Error: The TPM is defending against dictionary attacks ${leak}`,
          }),
          event({
            provider: TPM_WMI,
            id: 1801,
            level: 'error',
            message: `Secure Boot CA/keys need to be updated. ${leak}`,
          }),
          event({ provider: TPM_DRIVER, id: 33, message: `The TPM has been cleared ${leak}` }),
          event({
            log: UDR_ADMIN,
            provider: UDR,
            id: 304,
            level: 'error',
            message: `join failed 0x80090016 ${leak}`,
          }),
          event({
            log: DMEDP_ADMIN,
            provider: DMEDP,
            id: 209,
            level: 'error',
            message: `session failed ${leak}`,
          }),
          event({
            log: AUTOPILOT_LOG,
            provider: AUTOPILOT,
            id: 815,
            level: 'error',
            message: `0x81039024 ${leak}`,
          }),
          event({
            log: AUTOPILOT_LOG,
            provider: AUTOPILOT,
            id: 809,
            level: 'error',
            message: `TPM attestation timed out ${leak}`,
          }),
          event({
            log: AUTOPILOT_LOG,
            provider: AUTOPILOT,
            id: 171,
            level: 'error',
            message: `TPM identity failed ${leak}`,
          }),
          event({
            log: 'Microsoft-Windows-BitLocker/BitLocker Management',
            provider: 'Microsoft-Windows-BitLocker-API',
            id: 846,
            level: 'error',
            message: `Failed to backup BitLocker Drive Encryption recovery information ${leak}`,
          }),
        ];
      });
    const unread = leaky(true);
    if (unread.windows) unread.windows.bitlocker = null;
    const diagnoses = [
      diagnose(leaky(false), WINDOWS_RULES),
      diagnose(leaky(true), WINDOWS_RULES),
      diagnose(unread, WINDOWS_RULES),
    ];
    // Every Windows rule fired, so every path that copies evidence was exercised.
    const fired = new Set(diagnoses.flatMap((d) => d.findings.map((f) => f.id)));
    expect(fired).toEqual(new Set(WINDOWS_RULES.flatMap((r) => r.ids)));
    for (const d of diagnoses) expect(d.ruleErrors).toEqual([]);
    const json = JSON.stringify(diagnoses);
    expect(json).not.toContain(OWNER_AUTH);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain(PASSWORD_DIGITS);
    expect(ANY_RECOVERY_PASSWORD.test(json)).toBe(false);
    expect(json).toContain(REDACTED);
  });
});
