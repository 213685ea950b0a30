/** "" when a container runtime answers within `timeoutMs`, otherwise why not. */
export async function dockerUnavailable(timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    // Loaded lazily: testcontainers is large and most runs here never need it.
    const { getContainerRuntimeClient } = await import("testcontainers");
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return "";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}
