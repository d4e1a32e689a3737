import { describe, expect, it } from 'vitest';
import { TPM_ALG, TPM_ECC_CURVE } from '../../src/tpm/constants/algorithms.js';
import { TPM_CAP } from '../../src/tpm/constants/structure-tags.js';
import { ekTemplate } from '../../src/tpm/ek/templates.js';
import { decode, encode } from '../../src/tpm/marshal/codec.js';
import {
  isCapabilityData,
  TPMS_CAPABILITY_DATA,
  type TpmsCapabilityData,
} from '../../src/tpm/structures/capability.js';
import { TPMT_PUBLIC, type TpmtPublic } from '../../src/tpm/structures/public.js';

/**
 * The tagged unions are discriminated types: checking the selector narrows the member, with no
 * cast. The `@ts-expect-error` lines are checked by `tsc` (tsconfig.json includes test/): each
 * would compile if the union were not discriminated.
 */
describe('TPMT_PUBLIC is discriminated by type', () => {
  it('after type === ECC, parameters are ECC parameters and unique a point', () => {
    const pub: TpmtPublic = decode(TPMT_PUBLIC, encode(TPMT_PUBLIC, ekTemplate('L-2').publicArea()));
    // @ts-expect-error parameters is a union until type is checked
    expect(pub.parameters.curveID).toBe(TPM_ECC_CURVE.NIST_P256);
    if (pub.type !== TPM_ALG.ECC) throw new Error('L-2 is an ECC template');
    expect(pub.parameters.curveID).toBe(TPM_ECC_CURVE.NIST_P256);
    expect(pub.unique.x.length).toBe(32);
  });

  it('after type === RSA, parameters are RSA parameters and unique the modulus', () => {
    const pub = decode(TPMT_PUBLIC, encode(TPMT_PUBLIC, ekTemplate('L-1').publicArea()));
    if (pub.type !== TPM_ALG.RSA) throw new Error('L-1 is an RSA template');
    expect(pub.parameters.keyBits).toBe(2048);
    expect(pub.unique.length).toBe(256);
  });

  it('a public area whose unique does not match its type does not compile', () => {
    const rsa = ekTemplate('L-1').publicArea();
    if (rsa.type !== TPM_ALG.RSA) throw new Error('L-1 is an RSA template');
    // @ts-expect-error an RSA public area holds a modulus, not a point
    const wrong: TpmtPublic = { ...rsa, unique: { x: new Uint8Array(0), y: new Uint8Array(0) } };
    expect(() => encode(TPMT_PUBLIC, wrong)).toThrow();
  });
});

describe('TPMS_CAPABILITY_DATA is discriminated by capability', () => {
  const handles: TpmsCapabilityData = { capability: TPM_CAP.HANDLES, data: [0x81000001, 0x81010001] };

  it('after capability === HANDLES, data is a list of handles', () => {
    const read = decode(TPMS_CAPABILITY_DATA, encode(TPMS_CAPABILITY_DATA, handles));
    // @ts-expect-error data is a union of lists until capability is checked
    const unchecked: number[] = read.data;
    expect(unchecked).toEqual(handles.data);
    if (read.capability !== TPM_CAP.HANDLES) throw new Error('expected handles');
    const checked: number[] = read.data;
    expect(checked).toEqual([0x81000001, 0x81010001]);
  });

  it('isCapabilityData narrows by a capability held in a variable', () => {
    const read = decode(TPMS_CAPABILITY_DATA, encode(TPMS_CAPABILITY_DATA, handles));
    const wanted = TPM_CAP.HANDLES;
    expect(isCapabilityData(read, TPM_CAP.TPM_PROPERTIES)).toBe(false);
    if (!isCapabilityData(read, wanted)) throw new Error('expected handles');
    const checked: number[] = read.data;
    expect(checked.length).toBe(2);
  });
});
