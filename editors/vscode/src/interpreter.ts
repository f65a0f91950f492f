// Which Python runs the servers, and whether it can import autoskill_mcp.
// Order: the `autoskill.pythonPath` setting, then the Python extension's active interpreter,
// then `python3` / `python` on PATH. Editor access is injected so this module has no `vscode`.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type InterpreterSource = 'setting' | 'python-extension' | 'path';

export interface Interpreter {
    path: string;
    source: InterpreterSource;
}

export interface InterpreterInputs {
    /** `autoskill.pythonPath`, already expanded; a bare name ("python3.12") is looked up on PATH. */
    setting: string | undefined;
    /** The Python extension's interpreter; undefined when the extension is absent or has none. */
    pythonExtension: () => Promise<string | undefined>;
    pathEnv: string | undefined;
    platform: NodeJS.Platform;
    /** Windows executable suffixes (PATHEXT); ignored elsewhere. */
    pathExt?: string;
    isExecutable?: (file: string) => boolean;
}

/** Raised when the user's explicit choice cannot be used; falling back would hide their mistake. */
export class InterpreterError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'InterpreterError';
    }
}

export function isExecutableFile(file: string): boolean {
    try {
        if (!fs.statSync(file).isFile()) { return false; }
        fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** The first of `names` (in their order of preference) found on PATH; for one name, the earliest folder wins as in a shell. */
export function findOnPath(
    names: readonly string[],
    pathEnv: string | undefined,
    platform: NodeJS.Platform,
    pathExt: string | undefined,
    isExecutable: (file: string) => boolean = isExecutableFile,
): string | undefined {
    const p = platform === 'win32' ? path.win32 : path.posix;
    const dirs = (pathEnv ?? '').split(platform === 'win32' ? ';' : ':').filter((d) => d !== '');
    // Windows runs a bare name only with one of the PATHEXT suffixes, never as is.
    const suffixes = platform === 'win32' ? (pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '') : [''];
    for (const name of names) {
        for (const dir of dirs) {
            for (const suffix of suffixes) {
                const candidate = p.join(dir, name + suffix);
                if (isExecutable(candidate)) { return candidate; }
            }
        }
    }
    return undefined;
}

const PATH_NAMES_POSIX = ['python3', 'python'] as const;
const PATH_NAMES_WINDOWS = ['python', 'python3'] as const;

function hasSeparator(value: string, platform: NodeJS.Platform): boolean {
    return value.includes('/') || (platform === 'win32' && value.includes('\\'));
}

/** Resolve the interpreter; undefined when none of the three sources has one. */
export async function resolveInterpreter(inputs: InterpreterInputs): Promise<Interpreter | undefined> {
    const isExec = inputs.isExecutable ?? isExecutableFile;
    if (inputs.setting !== undefined) {
        const found = hasSeparator(inputs.setting, inputs.platform)
            ? (isExec(inputs.setting) ? inputs.setting : undefined)
            : findOnPath([inputs.setting], inputs.pathEnv, inputs.platform, inputs.pathExt, isExec);
        if (found === undefined) {
            throw new InterpreterError(`autoskill.pythonPath is "${inputs.setting}", which is not an executable file. `
                + 'Fix the setting or clear it to use the Python extension\'s interpreter or python3 on PATH.');
        }
        return { path: found, source: 'setting' };
    }
    let fromExtension: string | undefined;
    try {
        fromExtension = await inputs.pythonExtension();
    } catch {
        fromExtension = undefined; // an optional helper failing is the same as it being absent
    }
    if (fromExtension !== undefined && isExec(fromExtension)) {
        return { path: fromExtension, source: 'python-extension' };
    }
    const names = inputs.platform === 'win32' ? PATH_NAMES_WINDOWS : PATH_NAMES_POSIX;
    const onPath = findOnPath(names, inputs.pathEnv, inputs.platform, inputs.pathExt, isExec);
    return onPath === undefined ? undefined : { path: onPath, source: 'path' };
}

/** No package index has autoskill-mcp yet (it will be `autoskill-mcp` on PyPI): it installs from a clone. */
export const PIP_TARGET = '-e <path to your autoskill-mcp clone>';

export function pipInstallCommand(python: string): string {
    const quoted = /[\s"']/.test(python) ? `"${python}"` : python;
    return `${quoted} -m pip install ${PIP_TARGET}`;
}

export type ImportCheck =
    | { ok: true }
    | { ok: false; reason: 'not-installed' | 'cannot-run' | 'import-failed'; detail: string };

/** Runs a program and reports how it ended; injected so tests may use any real executable. */
export type Runner = (file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) =>
    Promise<{ code: number | null; stderr: string; spawnError?: string }>;

export const runProcess: Runner = (file, args, env, timeoutMs) => new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, windowsHide: true }, (error, _stdout, stderr) => {
        if (error === null) {
            resolve({ code: 0, stderr: String(stderr) });
        } else if (typeof error.code === 'string') { // ENOENT, EACCES: the program never ran
            resolve({ code: null, stderr: String(stderr), spawnError: error.message });
        } else if (error.killed) {
            resolve({ code: null, stderr: String(stderr), spawnError: `timed out after ${timeoutMs} ms` });
        } else {
            resolve({ code: typeof error.code === 'number' ? error.code : null, stderr: String(stderr) });
        }
    });
});

export const IMPORT_CHECK_ARGS = ['-c', 'import autoskill_mcp'];

/** `python -c "import autoskill_mcp"` in the environment the servers will get. */
export async function checkImportable(python: string, env: NodeJS.ProcessEnv, run: Runner = runProcess,
    timeoutMs = 30_000): Promise<ImportCheck> {
    const r = await run(python, IMPORT_CHECK_ARGS, env, timeoutMs);
    if (r.spawnError !== undefined) {
        return { ok: false, reason: 'cannot-run', detail: r.spawnError };
    }
    if (r.code === 0) {
        return { ok: true };
    }
    const lastLine = r.stderr.trim().split(/\r?\n/).pop() ?? '';
    const missing = /ModuleNotFoundError: No module named '?autoskill_mcp'?/.test(r.stderr);
    return { ok: false, reason: missing ? 'not-installed' : 'import-failed', detail: lastLine || `exit code ${r.code}` };
}

/** The message shown when the check fails: what went wrong and the command that fixes it. */
export function importProblemMessage(interp: Interpreter, check: Exclude<ImportCheck, { ok: true }>): string {
    const from = interp.source === 'setting' ? 'autoskill.pythonPath'
        : interp.source === 'python-extension' ? 'the Python extension' : 'PATH';
    switch (check.reason) {
        case 'not-installed':
            return `autoskill: the Python at ${interp.path} (from ${from}) cannot import autoskill_mcp. `
                + `Install it with: ${pipInstallCommand(interp.path)} — or set autoskill.pythonPath to a Python that has it.`;
        case 'cannot-run':
            return `autoskill: could not run ${interp.path} (from ${from}): ${check.detail}. Set autoskill.pythonPath to a working Python.`;
        case 'import-failed':
            return `autoskill: importing autoskill_mcp with ${interp.path} (from ${from}) failed: ${check.detail}. `
                + `Reinstalling may help: ${pipInstallCommand(interp.path)} --upgrade`;
    }
}

export const NO_INTERPRETER_MESSAGE = 'autoskill: no Python found (autoskill.pythonPath is empty, the Python extension '
    + `has no interpreter, and neither python3 nor python is on PATH). Install Python 3.11+, then ${pipInstallCommand('python3')}, `
    + 'or set autoskill.pythonPath.';
