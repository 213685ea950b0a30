import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { javaCommand, kafkaDir } from "../bin/provision-kafka.mjs";
import { runToCompletion, spawnJava, tailOf } from "./java-process.js";
import type { LocalKafka } from "./local-kafka.js";

/** One ALLOW entry, in the terms of Kafka's Admin API (AclBinding). */
export interface KafkaAcl {
  /** `User:<name>` */
  principal: string;
  resourceType: "TOPIC" | "GROUP" | "CLUSTER" | "TRANSACTIONAL_ID";
  patternType: "LITERAL" | "PREFIXED";
  /** `kafka-cluster` for the cluster. */
  name: string;
  /** READ, WRITE, DESCRIBE, CREATE, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ... */
  operation: string;
}

export class KafkaAclError extends Error {
  override name = "KafkaAclError";
}

const TOOL = join(dirname(dirname(fileURLToPath(import.meta.url))), "java", "CreateAcls.java");

/**
 * Creates ACLs on a local broker started with an authorizer, as its super user `admin` over the
 * SASL_SSL listener (java/CreateAcls.java, through Kafka's own Admin client from the cached jars).
 */
export async function createKafkaAcls(
  kafka: LocalKafka,
  acls: KafkaAcl[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const admin = kafka.secured?.admin;
  if (!kafka.secured || !admin)
    throw new KafkaAclError("this broker enforces no ACLs: start it with `secured` and `authorizer`");
  for (const acl of acls) {
    if (acl.name.length === 0 || /[,\s]/.test(acl.principal + acl.operation))
      throw new KafkaAclError(`not an ACL entry: ${JSON.stringify(acl)}`);
  }
  const propsFile = join(kafka.dir, "acl-admin.properties");
  const props = {
    "bootstrap.servers": kafka.secured.saslSslBootstrapServers,
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": admin.mechanism,
    "sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin.username}" password="${admin.password}";`,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": kafka.secured.caFile,
  };
  await writeFile(
    propsFile,
    `${Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
  const logFile = join(kafka.dir, "create-acls.log");
  const args = [
    "-Xmx256m",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    `-Dlog4j2.configurationFile=${join(kafka.dir, "log4j2.properties")}`,
    "-cp",
    join(kafkaDir(env), "*"),
    TOOL,
    propsFile,
    ...acls.map((a) => [a.principal, a.resourceType, a.patternType, a.operation, a.name].join(",")),
  ];
  const done = await runToCompletion(spawnJava({ java: javaCommand(env), env, logFile, args }), 120_000);
  if (done !== 0) {
    const reason = done instanceof Error ? done.message : `exit ${done}`;
    throw new KafkaAclError(
      `creating ${acls.length} ACLs failed (${reason}).\n--- ${logFile} ---\n${await tailOf(logFile)}`,
    );
  }
}
