// Real Python interpreters for the tests: the python3 on PATH, a fresh venv that has nothing
// installed, and folders that make `import autoskill_mcp` succeed or fail when put on PYTHONPATH.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findOnPath } from '../src/interpreter';

export function tempDir(prefix = 'autoskill-vscode-'): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The python3 on PATH; the suite needs one (ci.sh's callers have it), so its absence fails. */
export function realPython(): string {
    const found = findOnPath(['python3', 'python'], process.env.PATH, process.platform, process.env.PATHEXT);
    assert.ok(found, 'python3 must be on PATH for these tests');
    return found;
}

/** A new venv without pip or anything else: a Python that certainly lacks autoskill_mcp,
 *  even when the python3 on PATH is a venv that has it. */
export function emptyVenvPython(): string {
    const dir = tempDir('autoskill-venv-');
    execFileSync(realPython(), ['-m', 'venv', '--without-pip', dir]);
    return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}

/** A folder with an `autoskill_mcp` package whose __init__.py is `init` (put it on PYTHONPATH). */
export function siteWithAutoskill(init = ''): string {
    const site = tempDir('autoskill-site-');
    fs.mkdirSync(path.join(site, 'autoskill_mcp'));
    fs.writeFileSync(path.join(site, 'autoskill_mcp', '__init__.py'), init);
    return site;
}
