import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import {
  EXPECTED_OWNER_NV,
  EXPECTED_PERSISTENT,
  findExpected,
  isEkLike,
  PLATFORM_PERSISTENT_FIRST,
} from '../../data/expected-tpm-objects.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.stale-objects: persistent objects in the owner or endorsement hierarchy and owner NV indices
 * that a Windows or Linux owner would not have (src/diagnose/data/expected-tpm-objects.ts: the SRKs
 * 0x81000001/0x81000002, EKs in 0x81010000-0x8101FFFF, the Linux community NV block). These are
 * old keys left in the TPM by a previous owner, OS or tool (docs/findings.md, tpm.stale-objects).
 * Platform-created NV indices (EK and platform certificates) and platform persistent objects
 * survive a clear and are never listed.
 *
 * Stale objects alone do not justify clearing a working device: they break nothing by being there
 * (they only use NV space, see tpm.persistent-space-low), and a clear destroys the keys the device
 * uses now. So the remedy is "none", with the clear reserved for handing over or reinstalling.
 */
export const staleObjects: Rule = {
  ids: ['tpm.stale-objects'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.stale-objects'];
    const tpm = snapshot.tpm;
    if (!tpm) return [];
    const ekHandles = new Set(
      (tpm.endorsement?.certificates ?? []).flatMap((c) => (c.ek.handle ? [c.ek.handle] : [])),
    );
    const evidence: Evidence[] = [];
    for (const o of tpm.persistentObjects ?? []) {
      const handle = Number.parseInt(o.handle, 16);
      if (handle >= PLATFORM_PERSISTENT_FIRST) continue;
      const expected = findExpected(EXPECTED_PERSISTENT, handle);
      // An object in an expected slot whose public area could not be read (o.error, e.g. while its
      // hierarchy is disabled) cannot be judged: it gets the benefit of the doubt.
      const unreadable = typeof o.error === 'string';
      if (
        expected &&
        (!expected.requireEkLike || unreadable || isEkLike(o.attributes) || ekHandles.has(o.handle))
      ) {
        continue;
      }
      const key = o.keyBits !== null ? `${o.type} ${o.keyBits}` : o.curve ? `${o.type} ${o.curve}` : o.type;
      const what = unreadable ? `unreadable: ${o.error}` : `${key}, ${o.attributes}`;
      evidence.push({
        source: SOURCE.tpm,
        field: `persistent object ${o.handle}`,
        value: `${what} (${o.hierarchy} hierarchy range: ${o.purpose})`,
      });
    }
    for (const nv of tpm.nvIndices ?? []) {
      if (nv.platformCreated) continue;
      if (findExpected(EXPECTED_OWNER_NV, Number.parseInt(nv.index, 16))) continue;
      evidence.push({
        source: SOURCE.tpm,
        field: `owner NV index ${nv.index}`,
        value: `${nv.type}, ${nv.size} bytes, ${nv.attributes} (${nv.purpose})`,
      });
    }
    if (evidence.length === 0) return [];
    return [
      {
        id: 'tpm.stale-objects',
        severity: 'warning',
        title: t.title({ count: evidence.length }),
        why: t.why,
        impacts: ['security'],
        evidence,
        remedy: {
          step: 'none',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG TPM v2.0 Provisioning Guidance (SRK 0x81000001, EK 0x81010001)',
          'TCG Registry of Reserved TPM 2.0 Handles and Localities §2.2-2.3',
        ],
      } satisfies Finding,
    ];
  },
};
