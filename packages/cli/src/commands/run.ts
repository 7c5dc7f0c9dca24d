/** `tandem run <function> [args]`: runs any function (internal included) as admin, prints its value. */
import { resolveDeployment, runFunction, type DeploymentFlags } from "../deployment.js";
import { CliError, type Io } from "../io.js";

export async function runCommand(
  path: string,
  argsText: string | undefined,
  flags: DeploymentFlags,
  io: Io,
): Promise<number> {
  let args: unknown = {};
  if (argsText !== undefined) {
    try {
      args = JSON.parse(argsText);
    } catch (e) {
      throw new CliError(`Arguments must be a JSON object: ${(e as Error).message}`);
    }
  }
  const value = await runFunction(resolveDeployment(flags), path, args);
  io.out(JSON.stringify(value, null, 2));
  return 0;
}
