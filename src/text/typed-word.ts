/** The word typed to confirm every TPM clear, on one device or many, from the CLI or the console. */
export const CLEAR_WORD = 'CLEAR';

/**
 * Whether what a person typed is the confirmation word: exactly the word, case and all, with
 * only surrounding white space ignored (a terminal line keeps its newline; a form field its
 * stray spaces). "clear" or "CLEAR!" is not a confirmation.
 */
export function isTypedWord(answer: string, word: string): boolean {
  return answer.trim() === word;
}
