/** `tandem env list|get|set|remove`: the deployment's environment variables over the HTTP API. */
import { adminPost, resolveDeployment, runFunction, type DeploymentFlags } from "../deployment.js";
import { CliError, type Io } from "../io.js";

export async function envList(flags: DeploymentFlags, io: Io): Promise<number> {
  const vars = (await runFunction(resolveDeployment(flags), "_system/cli/queryEnvironmentVariables", {})) as Array<{
    name: string;
    value: string;
  }>;
  for (const { name, value } of vars) io.out(`${name}=${/[\s"'#]/.test(value) ? JSON.stringify(value) : value}`);
  return 0;
}

export async function envGet(name: string, flags: DeploymentFlags, io: Io): Promise<number> {
  const v = (await runFunction(resolveDeployment(flags), "_system/cli/queryEnvironmentVariables:get", { name })) as {
    value: string;
  } | null;
  if (v === null) throw new CliError(`Environment variable "${name}" not found`);
  io.out(v.value);
  return 0;
}

export async function envSet(
  nameOrPair: string,
  value: string | undefined,
  flags: DeploymentFlags,
  io: Io,
): Promise<number> {
  let name = nameOrPair;
  if (value === undefined) {
    const eq = nameOrPair.indexOf("=");
    if (eq <= 0) throw new CliError("Usage: tandem env set NAME VALUE (or NAME=VALUE)");
    name = nameOrPair.slice(0, eq);
    value = nameOrPair.slice(eq + 1);
  }
  await adminPost(resolveDeployment(flags), "/api/update_environment_variables", { changes: [{ name, value }] });
  io.out(`Set ${name}`);
  return 0;
}

export async function envRemove(name: string, flags: DeploymentFlags, io: Io): Promise<number> {
  await adminPost(resolveDeployment(flags), "/api/update_environment_variables", { changes: [{ name, value: null }] });
  io.out(`Removed ${name}`);
  return 0;
}
