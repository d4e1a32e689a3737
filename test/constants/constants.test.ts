import { describe, expect, it } from 'vitest';
import {
  algorithmFromName,
  algorithmName,
  capabilityName,
  commandCodeFromAttributes,
  commandCodeFromName,
  commandCodeName,
  commandHandleCount,
  commandName,
  decodeFourCC,
  decodeVendorString,
  describeNvIndex,
  describePersistentHandle,
  digestSize,
  eccCurveName,
  flagNames,
  HANDLE_RANGE,
  handleName,
  handleType,
  handleTypeName,
  isVendorCommand,
  manufacturerInfo,
  nvAttributeNames,
  nvIndexHierarchy,
  nvIndexType,
  nvTypeName,
  objectAttributeNames,
  PT_FIXED,
  PT_VAR,
  pcrPropertyName,
  propertyKey,
  propertyName,
  structureTagName,
  TPM_ALG,
  TPM_CAP,
  TPM_CC,
  TPM_CC_ALIASES,
  TPM_CLOCK_ADJUST,
  TPM_ECC_CURVE,
  TPM_EO,
  TPM_HT,
  TPM_NT,
  TPM_PS,
  TPM_PT,
  TPM_PT_PCR,
  TPM_RH,
  TPM_RS_PW,
  TPM_SE,
  TPM_ST,
  TPM_SU,
  TPM_VENDORS,
  TPMA_ACT,
  TPMA_ALGORITHM,
  TPMA_CC,
  TPMA_LOCALITY,
  TPMA_MEMORY,
  TPMA_MODES,
  TPMA_NV,
  TPMA_OBJECT,
  TPMA_PERMANENT,
  TPMA_SESSION,
  TPMA_STARTUP_CLEAR,
} from '../../src/tpm/constants/index.js';

/** Keys whose value is a documented spec alias of an earlier key in the same table. */
const ALIASES: Record<string, readonly string[]> = {
  TPM_HT: ['LOADED_SESSION', 'SAVED_SESSION'],
};

const TABLES: Record<string, Readonly<Record<string, number>>> = {
  TPM_CC,
  TPM_CC_ALIASES,
  TPM_RH,
  TPM_HT,
  TPM_ST,
  TPM_SU,
  TPM_SE,
  TPM_CAP,
  TPM_CLOCK_ADJUST,
  TPM_EO,
  TPM_PT,
  TPM_PT_PCR,
  TPM_PS,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_NT,
  TPMA_SESSION,
  TPMA_PERMANENT,
  TPMA_STARTUP_CLEAR,
  TPMA_MEMORY,
  TPMA_MODES,
  TPMA_OBJECT,
  TPMA_NV,
  TPMA_CC,
  TPMA_LOCALITY,
  TPMA_ACT,
  TPMA_ALGORITHM,
};

describe('constant tables', () => {
  for (const [tableName, table] of Object.entries(TABLES)) {
    it(`${tableName} has no duplicate values (besides spec aliases)`, () => {
      const skip = new Set(ALIASES[tableName] ?? []);
      const seen = new Map<number, string>();
      for (const [key, value] of Object.entries(table)) {
        if (skip.has(key)) continue;
        expect(seen.get(value), `${tableName}.${key} duplicates ${seen.get(value)}`).toBeUndefined();
        seen.set(value, key);
      }
    });

    it(`${tableName} values are integers that fit in 32 bits`, () => {
      for (const value of Object.values(table)) {
        expect(Number.isInteger(value)).toBe(true);
        expect(Math.abs(value)).toBeLessThanOrEqual(0xffffffff);
      }
    });
  }

  it('bit tables do not overlap (each bit is named once)', () => {
    for (const table of [TPMA_SESSION, TPMA_PERMANENT, TPMA_STARTUP_CLEAR, TPMA_OBJECT, TPMA_NV, TPMA_CC]) {
      let all = 0;
      for (const mask of Object.values(table)) {
        expect((all & mask) >>> 0).toBe(0);
        all = (all | mask) >>> 0;
      }
    }
  });
});

describe('command codes (Part 2 §6.5.2)', () => {
  it('has the values the core and the research rely on', () => {
    expect(TPM_CC.Clear).toBe(0x126);
    expect(TPM_CC.ClearControl).toBe(0x127);
    expect(TPM_CC.HierarchyChangeAuth).toBe(0x129);
    expect(TPM_CC.CreatePrimary).toBe(0x131);
    expect(TPM_CC.DictionaryAttackLockReset).toBe(0x139);
    expect(TPM_CC.DictionaryAttackParameters).toBe(0x13a);
    expect(TPM_CC.SelfTest).toBe(0x143);
    expect(TPM_CC.Startup).toBe(0x144);
    expect(TPM_CC.Shutdown).toBe(0x145);
    expect(TPM_CC.NV_ReadPublic).toBe(0x169);
    expect(TPM_CC.ReadPublic).toBe(0x173);
    expect(TPM_CC.StartAuthSession).toBe(0x176);
    expect(TPM_CC.GetCapability).toBe(0x17a);
    expect(TPM_CC.GetTestResult).toBe(0x17c);
    expect(TPM_CC.PCR_Read).toBe(0x17e);
    expect(TPM_CC.EvictControl).toBe(0x120);
    expect(TPM_CC.FlushContext).toBe(0x165);
    expect(TPM_CC.SetCapability).toBe(0x19f);
    expect(TPM_CC_ALIASES.MAC).toBe(TPM_CC.HMAC);
    expect(TPM_CC_ALIASES.MAC_Start).toBe(TPM_CC.HMAC_Start);
  });

  it('names known, unknown and vendor codes', () => {
    expect(commandName(0x17a)).toBe('TPM2_GetCapability');
    expect(commandName(TPM_CC.NV_UndefineSpaceSpecial)).toBe('TPM2_NV_UndefineSpaceSpecial');
    expect(commandName(0x123)).toBe('TPM_CC_0x00000123');
    expect(commandName(0x20000123)).toBe('TPM_CC_VENDOR_0x20000123');
    expect(commandName(0x20000000)).toBe('TPM2_Vendor_TCG_Test');
    expect(isVendorCommand(0x20000123)).toBe(true);
    expect(isVendorCommand(0x17a)).toBe(false);
  });

  it('round-trips every code through its name', () => {
    for (const [name, cc] of Object.entries(TPM_CC)) {
      expect(commandCodeName(cc)).toBe(name);
      expect(commandCodeFromName(`TPM2_${name}`)).toBe(cc);
      expect(commandCodeFromName(name)).toBe(cc);
    }
    expect(commandCodeFromName('TPM2_MAC')).toBe(0x155);
    expect(commandCodeFromName('NoSuchCommand')).toBeUndefined();
  });

  it('covers 0x11F..0x1A1 with exactly the assigned gaps', () => {
    const values = new Set<number>(Object.values(TPM_CC));
    const missing: number[] = [];
    for (let cc = 0x11f; cc <= 0x1a1; cc++) if (!values.has(cc)) missing.push(cc);
    expect(missing).toEqual([0x123, 0x15a, 0x15f, 0x166, 0x175]);
  });

  it('extracts the command code from TPMA_CC', () => {
    // TPM2_Clear as libtpms reports it: nv, 1 handle.
    const attrs = 0x126 | TPMA_CC.nv | (1 << 25);
    expect(commandCodeFromAttributes(attrs)).toBe(TPM_CC.Clear);
    expect(commandHandleCount(attrs)).toBe(1);
    expect(commandCodeFromAttributes(0x20000005 | TPMA_CC.extensive)).toBe(0x20000005);
  });
});

describe('handles (Part 2 §7)', () => {
  it('has the permanent handles', () => {
    expect(TPM_RH.OWNER).toBe(0x40000001);
    expect(TPM_RH.NULL).toBe(0x40000007);
    expect(TPM_RH.PW).toBe(0x40000009);
    expect(TPM_RS_PW).toBe(TPM_RH.PW);
    expect(TPM_RH.LOCKOUT).toBe(0x4000000a);
    expect(TPM_RH.ENDORSEMENT).toBe(0x4000000b);
    expect(TPM_RH.PLATFORM).toBe(0x4000000c);
    expect(TPM_RH.PLATFORM_NV).toBe(0x4000000d);
    expect(TPM_RH.ACT_F - TPM_RH.ACT_0).toBe(15);
  });

  it('classifies and names handles', () => {
    expect(handleType(0x81010001)).toBe(TPM_HT.PERSISTENT);
    expect(handleType(0x01c00002)).toBe(TPM_HT.NV_INDEX);
    expect(handleTypeName(0x02)).toBe('HMAC_SESSION');
    expect(handleTypeName(0x03)).toBe('POLICY_SESSION');
    expect(handleName(TPM_RH.OWNER)).toBe('TPM_RH_OWNER');
    expect(handleName(0x40000009)).toBe('TPM_RS_PW');
    expect(handleName(0x81010001)).toBe('0x81010001');
    expect(handleName(0x01c00002)).toBe('0x01C00002');
    expect(handleName(0x40000099)).toBe('0x40000099');
    for (const [name, h] of Object.entries(TPM_RH)) {
      expect(handleName(h)).toBe(name === 'PW' ? 'TPM_RS_PW' : `TPM_RH_${name}`);
    }
    expect(HANDLE_RANGE.PERSISTENT_FIRST).toBe(0x81000000);
    expect(HANDLE_RANGE.PLATFORM_PERSISTENT).toBe(0x81800000);
  });

  it('describes persistent handles', () => {
    expect(describePersistentHandle(0x81000001)).toMatchObject({ hierarchyHint: 'owner' });
    expect(describePersistentHandle(0x81000001).purpose).toMatch(/SRK/);
    expect(describePersistentHandle(0x81000005).range).toBe('0x81000000-0x8100FFFF');
    expect(describePersistentHandle(0x81010001)).toMatchObject({
      range: '0x81010000-0x8101FFFF',
      hierarchyHint: 'endorsement',
    });
    expect(describePersistentHandle(0x81010001).purpose).toMatch(/EK/);
    expect(describePersistentHandle(0x81010016).hierarchyHint).toBe('endorsement');
    expect(describePersistentHandle(0x81020000)).toMatchObject({
      range: '0x81000000-0x817FFFFF',
      hierarchyHint: 'owner',
    });
    expect(describePersistentHandle(0x81800001)).toMatchObject({
      range: '0x81800000-0x81FFFFFF',
      hierarchyHint: 'platform',
    });
    expect(describePersistentHandle(0x80000001).hierarchyHint).toBe('unknown');
  });

  it('describes NV indices', () => {
    expect(describeNvIndex(0x01c00002)).toMatchObject({ hierarchyHint: 'platform' });
    expect(describeNvIndex(0x01c00002).purpose).toMatch(/RSA 2048 EK certificate/);
    expect(describeNvIndex(0x01c00016).purpose).toMatch(/P-384 EK certificate/);
    expect(describeNvIndex(0x01c00020).range).toBe('0x01C00012-0x01C07FFF');
    expect(describeNvIndex(0x01c08000)).toMatchObject({
      range: '0x01C08000-0x01C0FFFF',
      hierarchyHint: 'platform',
    });
    expect(describeNvIndex(0x01800001)).toMatchObject({
      range: '0x01800000-0x01BFFFFF',
      hierarchyHint: 'owner',
    });
    expect(describeNvIndex(0x01500000).range).toBe('0x01400000-0x017FFFFF');
    expect(describeNvIndex(0x01000010).range).toBe('0x01000000-0x013FFFFF');
    expect(describeNvIndex(0x01d10200).purpose).toMatch(/systemd/);
    expect(describeNvIndex(0x01f00000).hierarchyHint).toBe('unknown');
    expect(describeNvIndex(0x81000001).hierarchyHint).toBe('unknown');
  });
});

describe('structure tags and enumerations (Part 2 §6.7-6.12)', () => {
  it('has the header tags and capability selectors', () => {
    expect(TPM_ST.NO_SESSIONS).toBe(0x8001);
    expect(TPM_ST.SESSIONS).toBe(0x8002);
    expect(TPM_ST.RSP_COMMAND).toBe(0x00c4);
    expect(TPM_SU.CLEAR).toBe(0);
    expect(TPM_SE.TRIAL).toBe(3);
    expect(TPM_CAP.HANDLES).toBe(1);
    expect(TPM_CAP.TPM_PROPERTIES).toBe(6);
    expect(TPM_CAP.VENDOR_PROPERTY).toBe(0x100);
    expect(TPM_EO.BITCLEAR).toBe(0x0b);
    expect(TPMA_SESSION.continueSession).toBe(1);
    expect(structureTagName(0x8002)).toBe('TPM_ST_SESSIONS');
    expect(capabilityName(6)).toBe('TPM_CAP_TPM_PROPERTIES');
    expect(structureTagName(0x1234)).toBeUndefined();
  });
});

describe('properties (Part 2 §6.13)', () => {
  it('has the properties the diagnosis reads', () => {
    expect(PT_FIXED).toBe(0x100);
    expect(PT_VAR).toBe(0x200);
    expect(TPM_PT.MANUFACTURER).toBe(0x105);
    expect(TPM_PT.FIRMWARE_VERSION_1).toBe(0x10b);
    expect(TPM_PT.NV_INDEX_MAX).toBe(0x117);
    expect(TPM_PT.NV_BUFFER_MAX).toBe(0x12c);
    expect(TPM_PT.PERMANENT).toBe(0x200);
    expect(TPM_PT.HR_PERSISTENT_AVAIL).toBe(0x209);
    expect(TPM_PT.LOCKOUT_COUNTER).toBe(0x20e);
    expect(TPM_PT.MAX_AUTH_FAIL).toBe(0x20f);
    expect(TPM_PT.LOCKOUT_INTERVAL).toBe(0x210);
    expect(TPM_PT.LOCKOUT_RECOVERY).toBe(0x211);
    expect(TPM_PT.AUDIT_COUNTER_1).toBe(0x214);
  });

  it('names properties like tpm2_getcap', () => {
    expect(propertyName(0x105)).toBe('TPM2_PT_MANUFACTURER');
    expect(propertyName(0x20e)).toBe('TPM2_PT_LOCKOUT_COUNTER');
    expect(propertyName(0x115)).toBe('TPM2_PT_0x00000115');
    for (const [name, pt] of Object.entries(TPM_PT)) expect(propertyKey(pt)).toBe(name);
    expect(pcrPropertyName(TPM_PT_PCR.DRTM_RESET)).toBe('TPM2_PT_PCR_DRTM_RESET');
    expect(TPM_PS.PC).toBe(1);
  });

  it('decodes the swtpm PERMANENT / STARTUP_CLEAR vector from research', () => {
    expect(flagNames(0x400, TPMA_PERMANENT)).toEqual(['tpmGeneratedEPS']);
    expect(flagNames(0x8000000f, TPMA_STARTUP_CLEAR)).toEqual([
      'phEnable',
      'shEnable',
      'ehEnable',
      'phEnableNV',
      'orderly',
    ]);
    expect(flagNames(0x300, TPMA_PERMANENT)).toEqual(['disableClear', 'inLockout']);
    expect(flagNames(TPMA_MODES.FIPS_140_2 | 0x4, TPMA_MODES)).toEqual(['FIPS_140_2']);
  });
});

describe('attributes (Part 2 §8, §13)', () => {
  it('renders NV attributes exactly like tpm2_nvreadpublic', () => {
    // The platform certificate index 0x01C08000 as swtpm_setup creates it (attributes 0x62072801, read with tpm2_nvreadpublic).
    expect(nvAttributeNames(0x62072801)).toBe(
      'ppwrite|writelocked|writedefine|ppread|ownerread|authread|no_da|written|platformcreate',
    );
    expect(nvAttributeNames(0)).toBe('<none>');
    // These five were read back from tpm2-tools 5.4 tpm2_nvreadpublic on swtpm.
    expect(nvAttributeNames(0x20012)).toBe('ownerwrite|nt=0x1|ownerread');
    expect(nvAttributeNames(0x20022)).toBe('ownerwrite|nt=0x1|ownerread');
    expect(nvAttributeNames(0x20042)).toBe('ownerwrite|nt=0x1|ownerread');
    expect(nvAttributeNames(0x2060082)).toBe('ownerwrite|nt|ownerread|authread|no_da');
    expect(nvAttributeNames(0x20092)).toBe('ownerwrite|nt=0x9|ownerread');
    // tpm2-tools unit-test vectors (test/unit/test_tpm2_attr_util.c).
    expect(nvAttributeNames(0x30)).toBe('nt=0x3');
    expect(nvAttributeNames(0x100)).toBe('<reserved(8)>');
    expect(nvAttributeNames(TPMA_NV.PLATFORMCREATE | TPMA_NV.AUTHWRITE | 0x90 | 0x200000)).toBe(
      'authwrite|nt=0x9|<reserved(21)>|platformcreate',
    );
    expect(nvAttributeNames(0xffffffff)).toBe(
      'ppwrite|ownerwrite|authwrite|policywrite|nt=0xF|<reserved(8)>|<reserved(9)>|policydelete|writelocked' +
        '|writeall|writedefine|write_stclear|globallock|ppread|ownerread|authread|policyread|<reserved(20)>' +
        '|<reserved(21)>|<reserved(22)>|<reserved(23)>|<reserved(24)>|no_da|orderly|clear_stclear|readlocked' +
        '|written|platformcreate|read_stclear',
    );
  });

  it('reads the NV type field', () => {
    expect(nvIndexType(0x20022)).toBe(TPM_NT.BITS);
    expect(nvIndexType(0x2060082)).toBe(TPM_NT.PIN_FAIL);
    expect(nvTypeName(TPM_NT.PIN_FAIL)).toBe('pinfail');
    expect(nvTypeName(0x5)).toBe('nt=0x5');
    expect(nvIndexHierarchy(0x62072801)).toBe('platform');
    expect(nvIndexHierarchy(0x20012)).toBe('owner');
  });

  it('renders object attributes exactly like tpm2_readpublic', () => {
    expect(objectAttributeNames(0x300b2)).toBe(
      'fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|restricted|decrypt',
    );
    expect(objectAttributeNames(0x30472)).toBe(
      'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt',
    );
    expect(objectAttributeNames(TPMA_OBJECT.sign)).toBe('sign');
    expect(objectAttributeNames(TPMA_OBJECT.x509sign)).toBe('<reserved(19)>');
    const ek =
      TPMA_OBJECT.fixedTPM |
      TPMA_OBJECT.fixedParent |
      TPMA_OBJECT.sensitiveDataOrigin |
      TPMA_OBJECT.adminWithPolicy |
      TPMA_OBJECT.restricted |
      TPMA_OBJECT.decrypt;
    expect(ek).toBe(0x300b2);
  });

  it('lists flag names in bit order and ignores fields', () => {
    expect(flagNames(0x62072801, TPMA_NV)).toEqual([
      'PPWRITE',
      'WRITELOCKED',
      'WRITEDEFINE',
      'PPREAD',
      'OWNERREAD',
      'AUTHREAD',
      'NO_DA',
      'WRITTEN',
      'PLATFORMCREATE',
    ]);
    expect(flagNames(0x800000f0, TPMA_NV)).toEqual(['READ_STCLEAR']);
    expect(flagNames(0x1f, TPMA_LOCALITY)).toEqual([
      'TPM_LOC_ZERO',
      'TPM_LOC_ONE',
      'TPM_LOC_TWO',
      'TPM_LOC_THREE',
      'TPM_LOC_FOUR',
    ]);
    expect(flagNames(3, TPMA_ACT)).toEqual(['signaled', 'preserveSignaled']);
  });
});

describe('algorithms (Part 2 §6.3, §6.4, §8.2)', () => {
  it('names algorithms like tpm2-tools', () => {
    expect(algorithmName(TPM_ALG.RSA)).toBe('rsa');
    expect(algorithmName(0x0b)).toBe('sha256');
    expect(algorithmName(TPM_ALG.AES)).toBe('aes');
    expect(algorithmName(TPM_ALG.CFB)).toBe('cfb');
    expect(algorithmName(TPM_ALG.ECC)).toBe('ecc');
    expect(algorithmName(TPM_ALG.NULL)).toBe('null');
    expect(algorithmName(TPM_ALG.KDF1_SP800_56A)).toBe('kdf1_sp800_56a');
    expect(algorithmName(0x42)).toBe('cbc');
    expect(algorithmName(0x4242)).toBe('unknown4242');
    for (const [name, id] of Object.entries(TPM_ALG)) expect(algorithmFromName(name.toLowerCase())).toBe(id);
    expect(algorithmFromName('TPM2_ALG_SHA384')).toBe(0x0c);
  });

  it('knows the digest sizes', () => {
    expect(digestSize(TPM_ALG.SHA1)).toBe(20);
    expect(digestSize(TPM_ALG.SHA256)).toBe(32);
    expect(digestSize(TPM_ALG.SHA384)).toBe(48);
    expect(digestSize(TPM_ALG.SHA512)).toBe(64);
    expect(digestSize(TPM_ALG.SM3_256)).toBe(32);
    expect(digestSize(TPM_ALG.SHA3_256)).toBe(32);
    expect(digestSize(TPM_ALG.SHA3_384)).toBe(48);
    expect(digestSize(TPM_ALG.SHA3_512)).toBe(64);
    expect(digestSize(TPM_ALG.AES)).toBeUndefined();
  });

  it('has the TPMA_ALGORITHM bits and curves', () => {
    expect(TPMA_ALGORITHM.method).toBe(0x400);
    expect(TPM_ECC_CURVE.NIST_P256).toBe(3);
    expect(TPM_ECC_CURVE.SM2_P256).toBe(0x20);
    expect(eccCurveName(3)).toBe('nist_p256');
    expect(eccCurveName(0x40)).toBe('curve_25519');
    expect(eccCurveName(0x99)).toBe('unknown_curve_0x0099');
  });
});

describe('manufacturers (TCG Vendor ID Registry)', () => {
  it('decodes registry ids', () => {
    expect(manufacturerInfo(0x49424d00)).toEqual({ id: 'IBM', name: 'IBM', known: true });
    expect(manufacturerInfo(0x49465800)).toMatchObject({ id: 'IFX', name: 'Infineon' });
    expect(manufacturerInfo(0x494e5443)).toMatchObject({ id: 'INTC', name: 'Intel' });
    expect(manufacturerInfo(0x53544d20)).toMatchObject({ id: 'STM' });
    expect(manufacturerInfo(0x4e544300)).toMatchObject({ id: 'NTC' });
    expect(manufacturerInfo(0x414d4400)).toMatchObject({ id: 'AMD' });
    expect(manufacturerInfo(0x4d534654)).toMatchObject({ id: 'MSFT', name: 'Microsoft' });
    for (const v of Object.values(TPM_VENDORS)) {
      expect(decodeFourCC(v.value)).toBe(v.id);
      expect(manufacturerInfo(v.value)).toEqual({ id: v.id, name: v.name, known: true });
    }
  });

  it('decodes unknown ids to their characters', () => {
    expect(manufacturerInfo(0x41424344)).toEqual({ id: 'ABCD', name: 'ABCD', known: false });
    expect(decodeFourCC(0x534c4239)).toBe('SLB9');
    expect(decodeFourCC(0x20202020)).toBe('');
    expect(decodeFourCC(0x01414200)).toBe('\\x01AB');
    expect(decodeVendorString([0x534c4239, 0x36373200])).toBe('SLB9672');
  });
});
