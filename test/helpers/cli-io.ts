import { runCli } from "../../src/cli/main";

/** Everything any CLI run in this worker printed, for the "no secret in any output" check. */
export const cliTranscript: string[] = [];

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with `env` as its whole environment; captures its output. */
export async function cli(argv: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
  });
  cliTranscript.push(stdout, stderr);
  return { code, stdout, stderr };
}

/** The AccountKey of a Storage connection string, or undefined. */
export function accountKeyOf(connectionString: string): string | undefined {
  return /(?:^|;)\s*AccountKey=([^;]+)/i.exec(connectionString)?.[1];
}
