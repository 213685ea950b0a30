import { type Admin, createKafka, withTimeout } from "@deletion/kafka";

/** Runs `work` with a connected admin client, disconnecting it afterwards whatever happens. */
export async function withAdmin<T>(brokers: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createKafka({ brokers, clientId: "integration-tests" }).admin();
  await withTimeout(`connecting an admin client to ${brokers}`, 30_000, admin.connect());
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
