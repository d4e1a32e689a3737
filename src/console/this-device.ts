import { diagnose } from '../diagnose/diagnose.js';
import { takeSnapshot } from '../probe/take-snapshot.js';
import { loadMessages } from '../text/messages/catalog.js';
import type { Language } from '../text/messages/language.js';
import type { ThisDeviceResponse } from './api-types.js';
import { thisDeviceWords } from './this-device-words.js';

/** The TPM the "this device" view reads: a URI as `--tpm` takes it, and the lab scenarios when it is a lab TPM. */
export interface ThisDeviceTpm {
  uri: string;
  lab: string[] | null;
}

/** A TPM command that does not answer in this time fails the read instead of holding the page. */
const TPM_TIMEOUT_MS = 30_000;

/**
 * The "this device" view: the same snapshot and rules as `tpm-doctor status` and `tpm-doctor
 * diagnose --tpm URI` (src/probe/take-snapshot.ts, src/diagnose/diagnose.ts), read when asked.
 * One TPM is one device: reads (and the clear, this-device-clear.ts) are queued, never
 * interleaved. It reads; it changes nothing.
 */
export class ThisDevice {
  readonly #tpm: ThisDeviceTpm;
  readonly #language: Language;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(tpm: ThisDeviceTpm, language: Language) {
    this.#tpm = tpm;
    this.#language = language;
  }

  /** Runs `work` when the TPM is free (after every read and clear queued before it). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  read(): Promise<Omit<ThisDeviceResponse, 'lab' | 'labLabel' | 'tenant'>> {
    return this.exclusive(async () => {
      const snapshot = await takeSnapshot({
        tpm: { uri: this.#tpm.uri, lab: this.#tpm.lab !== null, timeoutMs: TPM_TIMEOUT_MS },
        windows: null,
      });
      const status = snapshot.tpm;
      const messages = await loadMessages(this.#language);
      // The page is a screen: its findings in the admin's language, as `diagnose` prints them
      // (ids, severities and the verdict's fields do not depend on it).
      const diagnosis = diagnose(snapshot, undefined, messages);
      const source = { tpm: status?.tpm.uri ?? this.#tpm.uri, lab: this.#tpm.lab };
      return {
        source,
        status:
          status === null
            ? null
            : {
                present: status.present,
                started: status.started,
                manufacturer: status.identity?.manufacturer.name ?? null,
                firmware: status.identity?.firmwareVersion ?? null,
                specification: status.identity
                  ? `${status.identity.family} level ${status.identity.level} revision ${status.identity.revision}`
                  : null,
                inLockout: status.dictionaryAttack?.inLockout ?? null,
                failedTries: status.dictionaryAttack?.failedTries ?? null,
                maxTries: status.dictionaryAttack?.maxTries ?? null,
                persistentObjects: status.persistentObjects?.length ?? null,
                errors: status.errors.map((e) => `${e.section}: ${e.message}`),
              },
        diagnosis,
        words: thisDeviceWords(diagnosis, status, source, messages.ui),
      };
    });
  }
}
