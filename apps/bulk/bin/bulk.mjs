#!/usr/bin/env node
// No static import of the app: its modules need Node.js >= 22 as soon as they load, so the
// version check has to run first. startApp imports nothing that an older Node rejects.
import { startApp } from "@deletion/cli-kit/start-app";

await startApp("bulk", new URL("../dist/main.js", import.meta.url));
