/**
 * A reader that stopped reading (`tpm-doctor status | head`, a closed pager) is not an error:
 * the rest of the output has nobody to go to. Writes after the reader closed fail with EPIPE
 * (POSIX write(2); Windows reports a broken pipe as EPIPE too, or EOF): the command carries on
 * to its end, so a lab TPM or a run journal is still closed properly, and exits with its own
 * exit code, without printing anything more or a crash report.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (closed || error.code === 'EPIPE' || error.code === 'EOF') {
      closed = true;
      return;
    }
    throw error;
  });
}
