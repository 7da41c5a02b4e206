// Every temporary file of a test run — its journals, keystores, config and lock directories, and
// those of the processes it spawns — goes into one directory of the run's own (TMPDIR, which
// os.tmpdir() reads in the test workers and in every child that inherits their environment),
// removed when the run ends. Before, each `npm test` left ~400 directories in /tmp (1.5 GB on
// one machine after a day of runs). The prefix is short: a follow's control socket lives two
// directories down (…/hlcopy-locks-XXXXXX/ctl-<16 hex>.sock) and a socket's path has ~100 bytes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function setup(): () => void {
  const before = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-t-"));
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
