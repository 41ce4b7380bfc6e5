/** The stack-config API the SDK re-exports (`import { config } from "cinfra"`), and what the CLI needs to feed it. */
export { Config, config, CONFIG_KEY, setStackConfig, loadedSecretValues, type StackConfigValues } from "./stack-config.js";
export { redactor, SENSITIVE, type Redactor } from "./redact.js";
